package core

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Match policies of pattern-based subscriptions and registrations
// (SUBSCRIBE.Options.match, REGISTER.Options.match).
const (
	MatchExact    = "exact"
	MatchPrefix   = "prefix"
	MatchWildcard = "wildcard"
)

// URIError reports a URI or realm name that does not follow the WAMP rules.
// It matches [ErrInvalidURI] with errors.Is, so a router can answer with
// wamp.error.invalid_uri.
type URIError struct {
	// URI is the rejected URI or realm name.
	URI string
	// Reason says which rule it breaks.
	Reason string
}

// Error returns `invalid URI "<uri>": <reason>`.
func (e *URIError) Error() string {
	return "invalid URI " + strconv.Quote(e.URI) + ": " + e.Reason
}

// Is reports whether target is [ErrInvalidURI].
func (e *URIError) Is(target error) bool { return target == ErrInvalidURI }

// ValidateURI checks uri against the WAMP URI rules.
//
// A URI is a sequence of components separated by '.'. A strict component is
// one or more of [0-9a-z_]; a loose component is one or more characters other
// than whitespace, '.' and '#'. match says which components may be empty:
// none for exact ("" means exact), only the last one for prefix, any of them
// for wildcard (e.g. "com..create"). Autobahn checks loosely; Crossbar.io
// re-checks strictly by default.
//
// It runs in one pass over the bytes of uri, with a table lookup per ASCII
// byte, and allocates only to report an error.
func ValidateURI(uri string, strict bool, match string) error {
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
	ok := uriLoose
	if strict {
		ok = uriStrict
	}
	start := 0 // start of the current component
	for i := 0; i < len(uri); i++ {
		c := uri[i]
		if uriChars[c]&ok != 0 {
			continue
		}
		if c == '.' {
			if i == start && !anyEmpty {
				return emptyComponent(uri, i)
			}
			start = i + 1
			continue
		}
		if c < utf8.RuneSelf {
			if strict {
				return &URIError{URI: uri, Reason: fmt.Sprintf("character %q is not allowed in a strict URI (only 0-9, a-z and _)", c)}
			}
			return &URIError{URI: uri, Reason: fmt.Sprintf("character %q is not allowed in a URI", c)}
		}
		r, size := utf8.DecodeRuneInString(uri[i:])
		if strict {
			return &URIError{URI: uri, Reason: fmt.Sprintf("character %q is not allowed in a strict URI (only 0-9, a-z and _)", r)}
		}
		if r != utf8.RuneError && unicode.IsSpace(r) {
			return &URIError{URI: uri, Reason: fmt.Sprintf("whitespace %q is not allowed in a URI", r)}
		}
		i += size - 1
	}
	if start == len(uri) && !lastEmpty && !anyEmpty {
		if len(uri) == 0 {
			return &URIError{URI: uri, Reason: "URI is empty"}
		}
		return emptyComponent(uri, len(uri))
	}
	return nil
}

// emptyComponent reports the empty component that ends at uri[end].
func emptyComponent(uri string, end int) error {
	comp := 1 + strings.Count(uri[:end], ".")
	return &URIError{URI: uri, Reason: "component " + strconv.Itoa(comp) + " is empty"}
}

// Classes of the bytes in URIs, for uriChars.
const (
	uriLoose  uint8 = 1 << iota // allowed in a loose component
	uriStrict                   // allowed in a strict component
)

// uriChars classifies each byte: ASCII characters other than whitespace,
// '.' and '#' are loose, [0-9a-z_] are also strict. Bytes of multi-byte
// UTF-8 sequences (0x80 and above) are in no class; ValidateURI decodes
// them.
var uriChars = func() (t [256]uint8) {
	for c := 0; c < utf8.RuneSelf; c++ {
		b := byte(c)
		if b != '.' && b != '#' && !isASCIISpace(b) {
			t[c] |= uriLoose
		}
		if 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '_' {
			t[c] |= uriStrict
		}
	}
	return t
}()

// isASCIISpace reports whether c is an ASCII character that Python's \s
// matches in a str pattern: \t \n \v \f \r, the information separators
// 0x1c-0x1f, and space.
func isASCIISpace(c byte) bool {
	return c == ' ' || '\t' <= c && c <= '\r' || 0x1c <= c && c <= 0x1f
}

// ValidateRealm checks a realm name against Crossbar.io's rule
// ^[A-Za-z][A-Za-z0-9_\-@.]{2,254}$: 3 to 255 characters, starting with a
// letter.
func ValidateRealm(realm string) error {
	if len(realm) < 3 || len(realm) > 255 {
		return &URIError{URI: realm, Reason: fmt.Sprintf("realm name must be 3 to 255 characters long, not %d", len(realm))}
	}
	if c := realm[0]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
		return &URIError{URI: realm, Reason: "realm name must start with a letter"}
	}
	for i := 1; i < len(realm); i++ {
		c := realm[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '@' || c == '.') {
			return &URIError{URI: realm, Reason: fmt.Sprintf("character %q is not allowed in a realm name (only A-Z, a-z, 0-9, _, -, @ and .)", c)}
		}
	}
	return nil
}
