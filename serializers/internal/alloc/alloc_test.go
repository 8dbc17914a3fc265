package alloc

import (
	"bytes"
	"strings"
	"testing"
)

// sink keeps strings alive, so that the allocation counts are real.
var sink string

func TestStringsShareSmallInput(t *testing.T) {
	data := []byte(`{"procedure":"com.myapp.add2","mode":"fast"}`)
	var s Strings
	s.Reset(data)
	parts := []struct {
		from, to int
	}{{2, 11}, {14, 28}, {31, 35}, {38, 42}}
	for _, p := range parts {
		if got, want := s.String(data[p.from:p.to]), string(data[p.from:p.to]); got != want {
			t.Errorf("String(data[%d:%d]) = %q, want %q", p.from, p.to, got, want)
		}
	}
	if s.arena != string(data) {
		t.Errorf("arena = %q, want a copy of the input", s.arena)
	}
	allocs := testing.AllocsPerRun(100, func() {
		s.Reset(data)
		for _, p := range parts {
			sink = s.String(data[p.from:p.to])
		}
	})
	if allocs != 1 {
		t.Errorf("%d strings of a small input take %v allocations, want 1", len(parts), allocs)
	}
	// The strings do not change with the input.
	first := s.String(data[2:11])
	copy(data[2:], "XXXXXXXXX")
	if first != "procedure" {
		t.Errorf("string changed with its input: %q", first)
	}
}

func TestStringsCopy(t *testing.T) {
	large := []byte(strings.Repeat("a", MaxArenaInput) + "bc")
	small := []byte("abc")
	other := []byte("xyz")
	var s Strings
	for _, tc := range []struct {
		name  string
		input []byte
		p     []byte
		want  string
	}{
		{"large input", large, large[MaxArenaInput:], "bc"},
		{"not a part of the input", small, other[1:], "yz"},
		{"equal bytes elsewhere", small, bytes.Clone(small[1:]), "bc"},
		{"empty", small, small[1:1], ""},
		{"no input", nil, other, "xyz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.Reset(tc.input)
			if got := s.String(tc.p); got != tc.want {
				t.Errorf("String = %q, want %q", got, tc.want)
			}
			if s.arena != "" {
				t.Errorf("arena %q made for a string that is not shared", s.arena)
			}
		})
	}
	s.Reset(large)
	if allocs := testing.AllocsPerRun(100, func() { sink = s.String(large[1:20]) }); allocs != 1 {
		t.Errorf("a string of a large input takes %v allocations, want 1 of its own", allocs)
	}
}

func TestGrow(t *testing.T) {
	payload := make([]byte, 1024)
	for _, tc := range []struct {
		name         string
		v            any
		binary, json int // at least
	}{
		{"small int", int64(5), 1, 1},
		{"string", "com.myapp.add2", 16, 16},
		{"long string", strings.Repeat("s", 300), 305, 302},
		{"bytes", payload, 1024 + 7, 1368 + 8},
		{"list", []any{int64(36), payload, "x"}, 1024 + 12, 1368 + 14},
		{"event", []any{int64(36), int64(1), int64(2), map[string]any{}, []any{payload}}, 1024 + 20, 1368 + 24},
		{"map", map[string]any{"k": true}, 4, 10},
	} {
		if got := cap(GrowBinary(nil, tc.v)); got < tc.binary {
			t.Errorf("%s: GrowBinary gives room for %d bytes, want at least %d", tc.name, got, tc.binary)
		}
		if got := cap(GrowJSON(nil, tc.v)); got < tc.json {
			t.Errorf("%s: GrowJSON gives room for %d bytes, want at least %d", tc.name, got, tc.json)
		}
	}
	// A buffer with room is kept as it is.
	buf := make([]byte, 2, 10)
	if got := GrowBinary(buf, payload); &got[0] != &buf[0] || len(got) != 2 {
		t.Errorf("GrowBinary replaced a buffer with spare room")
	}
	// A full one keeps its content.
	full := []byte{1, 2}
	if got := GrowJSON(full, payload); len(got) != 2 || got[0] != 1 || got[1] != 2 || cap(got) < 1368 {
		t.Errorf("GrowJSON(%v) = %v with capacity %d", full, got, cap(got))
	}
}
