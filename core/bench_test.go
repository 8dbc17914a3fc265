package core

import "testing"

// benchCall is a typical CALL: a few positional arguments, one keyword
// argument, progressive results requested.
func benchCall() *Call {
	return &Call{
		Request:   123456,
		Procedure: "com.example.add2",
		Args:      []any{int64(23), int64(42), "hello"},
		Kwargs:    map[string]any{"round": true},
		Options:   CallOptions{ReceiveProgress: new(true)},
	}
}

func BenchmarkCallList(b *testing.B) {
	m := benchCall()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.List(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCallParse(b *testing.B) {
	l, err := benchCall().List()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMessage(l); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallRoundTrip is List followed by ParseMessage: the message
// model's share of an encode+decode of a CALL.
func BenchmarkCallRoundTrip(b *testing.B) {
	m := benchCall()
	b.ReportAllocs()
	for b.Loop() {
		l, err := m.List()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseMessage(l); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallRoundTripNoOptions is the same for a CALL with empty options
// (what Autobahn sends for a plain call).
func BenchmarkCallRoundTripNoOptions(b *testing.B) {
	m := benchCall()
	m.Options = CallOptions{}
	b.ReportAllocs()
	for b.Loop() {
		l, err := m.List()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseMessage(l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEventRoundTrip(b *testing.B) {
	m := &Event{Subscription: 99, Publication: 1234567, Args: []any{"tick", int64(7)},
		Details: EventDetails{Publisher: 42, Topic: "com.example.ticks"}}
	b.ReportAllocs()
	for b.Loop() {
		l, err := m.List()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseMessage(l); err != nil {
			b.Fatal(err)
		}
	}
}
