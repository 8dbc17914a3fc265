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

// stubObjectSerializer stands in for a wire format at no cost, so that the
// Serializer benchmarks measure the message model's share of the path:
// Marshal walks nothing and Unmarshal returns a fixed decoded value.
type stubObjectSerializer struct{ decoded func() any }

func (s stubObjectSerializer) Name() string                              { return "stub" }
func (s stubObjectSerializer) RawSocketID() byte                         { return 15 }
func (s stubObjectSerializer) Binary() bool                              { return true }
func (s stubObjectSerializer) Marshal(dst []byte, v any) ([]byte, error) { return append(dst, 0), nil }
func (s stubObjectSerializer) Unmarshal([]byte) (any, error)             { return s.decoded(), nil }

// BenchmarkSerializerCall is Serialize and Unserialize of the typical CALL
// of the serializers' benchmarks (empty options, two positional and two
// keyword arguments) over a stub wire format: core's share of a round.
func BenchmarkSerializerCall(b *testing.B) {
	m := &Call{Request: 7814135, Procedure: "com.myapp.add2",
		Args: []any{int64(23), int64(7)}, Kwargs: map[string]any{"mode": "fast", "verbose": true}}
	l, err := m.List()
	if err != nil {
		b.Fatal(err)
	}
	var decoded any = l
	s := NewSerializer(stubObjectSerializer{func() any { return decoded }}, false)
	b.ReportAllocs()
	for b.Loop() {
		data, err := s.Serialize(m)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Unserialize(data); err != nil {
			b.Fatal(err)
		}
	}
}
