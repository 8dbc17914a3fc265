package router

import (
	"slices"
	"strings"

	"github.com/autobahn-go/autobahn/core"
)

// patternTable maps URI patterns (exact, prefix, wildcard) to values: the
// broker's subscriptions and the dealer's registrations. Exact and prefix
// patterns live in maps; a prefix lookup probes only the prefix lengths in
// use, longest first, so a URI costs one map lookup per distinct prefix
// length. Wildcard patterns are few in practice and are scanned on lookup;
// adding and removing any pattern costs O(1) (plus a sort when a new prefix
// length appears).
//
// A patternTable is not safe for concurrent use; its owner locks.
type patternTable[T any] struct {
	exact      map[string]T
	prefix     map[string]T
	prefixLens []int       // distinct lengths of the keys of prefix, longest first
	lenCount   map[int]int // how many keys of prefix have each length
	wildcard   []*wildcardEntry[T]
	wildIndex  map[string]int // pattern → position in wildcard
}

type wildcardEntry[T any] struct {
	pattern string
	parts   []string // components; "" matches any component
	v       T
}

// get returns the value stored for exactly this pattern.
func (t *patternTable[T]) get(uri, match string) (v T, ok bool) {
	switch match {
	case core.MatchPrefix:
		v, ok = t.prefix[uri]
	case core.MatchWildcard:
		var i int
		if i, ok = t.wildIndex[uri]; ok {
			v = t.wildcard[i].v
		}
	default:
		v, ok = t.exact[uri]
	}
	return v, ok
}

// put stores v for the pattern, replacing what was there.
func (t *patternTable[T]) put(uri, match string, v T) {
	switch match {
	case core.MatchPrefix:
		if t.prefix == nil {
			t.prefix, t.lenCount = make(map[string]T), make(map[int]int)
		}
		if _, ok := t.prefix[uri]; !ok {
			t.lenCount[len(uri)]++
			if t.lenCount[len(uri)] == 1 {
				t.prefixLens = append(t.prefixLens, len(uri))
				slices.SortFunc(t.prefixLens, func(a, b int) int { return b - a })
			}
		}
		t.prefix[uri] = v
	case core.MatchWildcard:
		if i, ok := t.wildIndex[uri]; ok {
			t.wildcard[i].v = v
			return
		}
		if t.wildIndex == nil {
			t.wildIndex = make(map[string]int)
		}
		t.wildIndex[uri] = len(t.wildcard)
		t.wildcard = append(t.wildcard, &wildcardEntry[T]{pattern: uri, parts: strings.Split(uri, "."), v: v})
	default:
		if t.exact == nil {
			t.exact = make(map[string]T)
		}
		t.exact[uri] = v
	}
}

// remove deletes the pattern.
func (t *patternTable[T]) remove(uri, match string) {
	switch match {
	case core.MatchPrefix:
		if _, ok := t.prefix[uri]; !ok {
			return
		}
		delete(t.prefix, uri)
		if t.lenCount[len(uri)]--; t.lenCount[len(uri)] == 0 {
			delete(t.lenCount, len(uri))
			t.prefixLens = slices.DeleteFunc(t.prefixLens, func(n int) bool { return n == len(uri) })
		}
	case core.MatchWildcard:
		i, ok := t.wildIndex[uri]
		if !ok {
			return
		}
		last := len(t.wildcard) - 1
		t.wildcard[i] = t.wildcard[last]
		t.wildIndex[t.wildcard[i].pattern] = i
		t.wildcard[last] = nil
		t.wildcard = t.wildcard[:last]
		delete(t.wildIndex, uri)
	default:
		delete(t.exact, uri)
	}
}

// best returns the value whose pattern matches uri with the dealer's
// precedence: an exact match, else the longest matching prefix, else the
// most specific wildcard match (see moreSpecific).
func (t *patternTable[T]) best(uri string) (v T, ok bool) {
	if v, ok = t.exact[uri]; ok {
		return v, ok
	}
	for _, n := range t.prefixLens {
		if n <= len(uri) {
			if v, ok = t.prefix[uri[:n]]; ok {
				return v, ok
			}
		}
	}
	var best []string
	for _, e := range t.wildcard {
		if wildcardMatch(e.parts, uri) && (best == nil || moreSpecific(e.parts, best)) {
			best, v, ok = e.parts, e.v, true
		}
	}
	return v, ok
}

// each calls f for every value whose pattern matches uri (the broker: an
// event goes to exact, prefix and wildcard subscribers alike).
func (t *patternTable[T]) each(uri string, f func(T)) {
	if v, ok := t.exact[uri]; ok {
		f(v)
	}
	for _, n := range t.prefixLens {
		if n <= len(uri) {
			if v, ok := t.prefix[uri[:n]]; ok {
				f(v)
			}
		}
	}
	for _, e := range t.wildcard {
		if wildcardMatch(e.parts, uri) {
			f(e.v)
		}
	}
}

// matcher reports whether URIs match one pattern; the pattern is split once
// (for retained events, whose topics are checked against a new
// subscription).
func matcher(pattern, match string) func(uri string) bool {
	switch match {
	case core.MatchPrefix:
		return func(uri string) bool { return strings.HasPrefix(uri, pattern) }
	case core.MatchWildcard:
		parts := strings.Split(pattern, ".")
		return func(uri string) bool { return wildcardMatch(parts, uri) }
	}
	return func(uri string) bool { return uri == pattern }
}

// wildcardMatch reports whether uri matches the wildcard pattern parts:
// the same number of components, and each equal to its part unless the
// part is empty (matches any component).
func wildcardMatch(parts []string, uri string) bool {
	rest := uri
	for i, p := range parts {
		comp := rest
		j := strings.IndexByte(rest, '.')
		last := i == len(parts)-1
		switch {
		case j >= 0 && last:
			return false // uri has more components
		case j < 0 && !last:
			return false // uri has fewer components
		case j >= 0:
			comp, rest = rest[:j], rest[j+1:]
		}
		if p != "" && p != comp {
			return false
		}
	}
	return true
}

// moreSpecific reports whether wildcard pattern a takes precedence over b
// when both match a URI (so both have the same number of components). The
// WAMP spec prefers the pattern with the longest run of matched components
// before each wildcard: wildcard positions compare in order, and the
// pattern whose wildcard comes later wins at the first difference
// (a1.b2..d4.e5..g7 beats a1.b2..d4..f6.g7).
func moreSpecific(a, b []string) bool {
	for i := range a {
		aw, bw := a[i] == "", b[i] == ""
		if aw != bw {
			return bw // b has its wildcard first: a matched more before it
		}
	}
	return false
}
