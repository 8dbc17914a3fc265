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
// length. Wildcard patterns are few in practice and are scanned.
//
// A patternTable is not safe for concurrent use; its owner locks.
type patternTable[T any] struct {
	exact      map[string]T
	prefix     map[string]T
	prefixLens []int // distinct lengths of the keys of prefix, longest first
	wildcard   []wildcardEntry[T]
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
		if i := t.wildcardIndex(uri); i >= 0 {
			v, ok = t.wildcard[i].v, true
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
			t.prefix = make(map[string]T)
		}
		t.prefix[uri] = v
		t.indexPrefixes()
	case core.MatchWildcard:
		if i := t.wildcardIndex(uri); i >= 0 {
			t.wildcard[i].v = v
			return
		}
		t.wildcard = append(t.wildcard, wildcardEntry[T]{pattern: uri, parts: strings.Split(uri, "."), v: v})
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
		delete(t.prefix, uri)
		t.indexPrefixes()
	case core.MatchWildcard:
		if i := t.wildcardIndex(uri); i >= 0 {
			t.wildcard = slices.Delete(t.wildcard, i, i+1)
		}
	default:
		delete(t.exact, uri)
	}
}

func (t *patternTable[T]) wildcardIndex(pattern string) int {
	for i := range t.wildcard {
		if t.wildcard[i].pattern == pattern {
			return i
		}
	}
	return -1
}

func (t *patternTable[T]) indexPrefixes() {
	t.prefixLens = t.prefixLens[:0]
	for k := range t.prefix {
		if !slices.Contains(t.prefixLens, len(k)) {
			t.prefixLens = append(t.prefixLens, len(k))
		}
	}
	slices.SortFunc(t.prefixLens, func(a, b int) int { return b - a })
}

// best returns the value whose pattern matches uri with the dealer's
// precedence: an exact match, else the longest matching prefix, else the
// best wildcard match (see wildcardScore).
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
	bestScore := -1
	for i := range t.wildcard {
		e := &t.wildcard[i]
		if s := wildcardScore(e.parts, uri); s > bestScore {
			bestScore, v, ok = s, e.v, true
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
	for i := range t.wildcard {
		if wildcardScore(t.wildcard[i].parts, uri) >= 0 {
			f(t.wildcard[i].v)
		}
	}
}

// matches reports whether uri matches the pattern (for retained events,
// whose topics are checked against one new subscription).
func matches(pattern, match, uri string) bool {
	switch match {
	case core.MatchPrefix:
		return strings.HasPrefix(uri, pattern)
	case core.MatchWildcard:
		return wildcardScore(strings.Split(pattern, "."), uri) >= 0
	}
	return pattern == uri
}

// wildcardScore returns -1 when uri does not match the wildcard pattern
// parts (same number of components; an empty part matches any component),
// else how specific the match is: patterns whose first wildcard comes later
// win, then patterns with more fixed components. The WAMP spec leaves the
// order among several matching wildcard registrations open; this one
// prefers the pattern that pins down the longest leading part of the URI.
func wildcardScore(parts []string, uri string) int {
	firstWild, fixed := len(parts), 0
	rest := uri
	for i, p := range parts {
		var comp string
		if j := strings.IndexByte(rest, '.'); j >= 0 {
			if i == len(parts)-1 {
				return -1 // uri has more components
			}
			comp, rest = rest[:j], rest[j+1:]
		} else {
			if i != len(parts)-1 {
				return -1 // uri has fewer components
			}
			comp = rest
		}
		switch {
		case p == "":
			if firstWild == len(parts) {
				firstWild = i
			}
		case p != comp:
			return -1
		default:
			fixed++
		}
	}
	return firstWild<<16 | fixed
}
