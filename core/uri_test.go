package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestValidateURIAutobahn compares ValidateURI with Autobahn|Python's
// check_or_raise_uri (testdata/autobahn_uris.json, made by
// testdata/gen_autobahn_uris.py).
func TestValidateURIAutobahn(t *testing.T) {
	data, err := os.ReadFile("testdata/autobahn_uris.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases [][4]any
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		uri, strict, match, want := c[0].(string), c[1].(bool), c[2].(string), c[3].(bool)
		err := ValidateURI(uri, strict, match)
		if got := err == nil; got != want {
			t.Errorf("ValidateURI(%q, strict=%v, %s) = %v, Autobahn accepts: %v", uri, strict, match, err, want)
		}
	}
}

func TestValidateURI(t *testing.T) {
	tests := []struct {
		uri    string
		strict bool
		match  string
		why    string // "" = valid
	}{
		{"com.example.add", true, "", ""},
		{"com.example.add", true, MatchExact, ""},
		{"com.Example.add-1", false, MatchExact, ""},
		{"com.Example.add", true, MatchExact, `character 'E' is not allowed in a strict URI`},
		{"com.example-x", true, MatchExact, `character '-'`},
		{"com.ümlaut", true, MatchExact, `character 'ü'`},
		{"com.ümlaut", false, MatchExact, ""},
		{"", false, MatchExact, "URI is empty"},
		{"", false, MatchPrefix, ""},
		{"", false, MatchWildcard, ""},
		{"a..b", false, MatchExact, "component 2 is empty"},
		{"a..b", false, MatchPrefix, "component 2 is empty"},
		{"a..b", true, MatchWildcard, ""},
		{"a.", false, MatchExact, "component 2 is empty"},
		{"a.", true, MatchPrefix, ""},
		{".a", false, MatchPrefix, "component 1 is empty"},
		{".a", false, MatchWildcard, ""},
		{"a#b", false, MatchExact, `character '#'`},
		{"a b", false, MatchWildcard, `character ' '`},
		{"a\u2028b", false, MatchExact, "whitespace"},
		{"a\x1eb", false, MatchExact, "not allowed"},
		{"a.b", false, "regex", `unknown match policy "regex"`},
	}
	for _, tt := range tests {
		err := ValidateURI(tt.uri, tt.strict, tt.match)
		switch {
		case tt.why == "" && err != nil:
			t.Errorf("ValidateURI(%q, %v, %q) = %v, want nil", tt.uri, tt.strict, tt.match, err)
		case tt.why != "" && (err == nil || !strings.Contains(err.Error(), tt.why)):
			t.Errorf("ValidateURI(%q, %v, %q) = %v, want error containing %q", tt.uri, tt.strict, tt.match, err, tt.why)
		case err != nil:
			if !errors.Is(err, ErrInvalidURI) {
				t.Errorf("errors.Is(%v, ErrInvalidURI) is false", err)
			}
			var ue *URIError
			if !errors.As(err, &ue) || ue.URI != tt.uri {
				t.Errorf("error %#v does not carry the URI %q", err, tt.uri)
			}
		}
	}
}

func TestValidateRealm(t *testing.T) {
	long := "r" + strings.Repeat("x", 254)
	tests := []struct {
		realm string
		why   string
	}{
		{"realm1", ""},
		{"com.example.realm", ""},
		{"Realm_1-a@b.c", ""},
		{"abc", ""},
		{long, ""},
		{long + "x", "3 to 255 characters"},
		{"ab", "3 to 255 characters"},
		{"", "3 to 255 characters"},
		{"1realm", "must start with a letter"},
		{"_realm", "must start with a letter"},
		{"realm 1", `character ' '`},
		{"realm#1", `character '#'`},
		{"realm/1", `character '/'`},
		{"réalm", `not allowed in a realm name`},
	}
	for _, tt := range tests {
		err := ValidateRealm(tt.realm)
		switch {
		case tt.why == "" && err != nil:
			t.Errorf("ValidateRealm(%q) = %v, want nil", tt.realm, err)
		case tt.why != "" && (err == nil || !strings.Contains(err.Error(), tt.why)):
			t.Errorf("ValidateRealm(%q) = %v, want error containing %q", tt.realm, err, tt.why)
		}
	}
}

func BenchmarkValidateURI(b *testing.B) {
	for b.Loop() {
		if err := ValidateURI("com.example.procedure.add2", false, MatchExact); err != nil {
			b.Fatal(err)
		}
	}
}

// validateURIReference is the straightforward form of ValidateURI (one rune
// at a time, no table), which the fast one must match exactly, error texts
// included.
func validateURIReference(uri string, strict bool, match string) error {
	var lastEmpty, anyEmpty bool
	switch match {
	case "", MatchExact:
	case MatchPrefix:
		lastEmpty = true
	case MatchWildcard:
		anyEmpty = true
	default:
		return &URIError{URI: uri, Reason: "unknown match policy " + strconv.Quote(match)}
	}
	start := 0 // start of the current component
	comp := 1  // 1-based number of the current component
	for i := 0; i < len(uri); {
		c := uri[i]
		if c == '.' {
			if i == start && !anyEmpty {
				return &URIError{URI: uri, Reason: fmt.Sprintf("component %d is empty", comp)}
			}
			i++
			start = i
			comp++
			continue
		}
		if c < utf8.RuneSelf {
			if strict {
				if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
					return &URIError{URI: uri, Reason: fmt.Sprintf("character %q is not allowed in a strict URI (only 0-9, a-z and _)", c)}
				}
			} else if c == '#' || isASCIISpace(c) {
				return &URIError{URI: uri, Reason: fmt.Sprintf("character %q is not allowed in a URI", c)}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(uri[i:])
		if strict {
			return &URIError{URI: uri, Reason: fmt.Sprintf("character %q is not allowed in a strict URI (only 0-9, a-z and _)", r)}
		}
		if r != utf8.RuneError && unicode.IsSpace(r) {
			return &URIError{URI: uri, Reason: fmt.Sprintf("whitespace %q is not allowed in a URI", r)}
		}
		i += size
	}
	if start == len(uri) && !lastEmpty && !anyEmpty {
		if len(uri) == 0 {
			return &URIError{URI: uri, Reason: "URI is empty"}
		}
		return &URIError{URI: uri, Reason: fmt.Sprintf("component %d is empty", comp)}
	}
	return nil
}

// uriMatches are the match policies the differential tests try.
var uriMatches = []string{"", MatchExact, MatchPrefix, MatchWildcard}

// checkURIAgainstReference fails t when ValidateURI and
// validateURIReference disagree on uri.
func checkURIAgainstReference(t *testing.T, uri string) {
	t.Helper()
	for _, strict := range []bool{false, true} {
		for _, match := range uriMatches {
			got, want := ValidateURI(uri, strict, match), validateURIReference(uri, strict, match)
			if (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
				t.Errorf("ValidateURI(%q, %v, %q) = %v, reference gives %v", uri, strict, match, got, want)
			}
		}
	}
}

// uriSeeds are URIs that reach every branch of ValidateURI.
var uriSeeds = []string{
	"", ".", "..", "a", "a.", ".a", "a..b", "com.example.add2", "com.Example.add-1",
	"com.ümlaut", "a#b", "a b", "a\tb", "a\x1eb", "a\x00b", "a\u2028b", "a\u00a0b",
	"a\xffb", "a.\xc3", "wamp.session.on_join", "a..", "..a", "a.b.", "x\x7f",
}

func TestValidateURIMatchesReference(t *testing.T) {
	data, err := os.ReadFile("testdata/autobahn_uris.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases [][4]any
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	uris := append([]string(nil), uriSeeds...)
	for _, c := range cases {
		uris = append(uris, c[0].(string))
	}
	for c := 0; c < 256; c++ {
		uris = append(uris, "a"+string(rune(c))+"b", string([]byte{'a', byte(c), 'b'}))
	}
	for _, uri := range uris {
		checkURIAgainstReference(t, uri)
	}
}

// FuzzValidateURI checks that ValidateURI accepts and rejects exactly what
// the reference does, with the same reasons.
func FuzzValidateURI(f *testing.F) {
	for _, s := range uriSeeds {
		f.Add(s)
	}
	f.Fuzz(checkURIAgainstReference)
}
