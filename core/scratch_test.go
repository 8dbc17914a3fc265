package core

import (
	"bytes"
	"reflect"
	"sync"
	"testing"
)

// payloadMessages returns the payload messages of roundTripMessages and a
// few more with many, few and no options, in an order where a scratch used
// for one with many keys is reused for one with fewer.
func payloadMessages() []Message {
	var msgs []Message
	for _, m := range roundTripMessages() {
		switch m.(type) {
		case *Call, *Yield, *Invocation, *Result, *Publish, *Event, *Error:
			msgs = append(msgs, m)
		}
	}
	return append(msgs,
		&Call{Request: 1, Procedure: "a.b", Options: CallOptions{Extra: map[string]any{"x_a": int64(1), "x_b": "c"}, Timeout: new(int64(5))}},
		&Call{Request: 2, Procedure: "a.b"},
		&Publish{Request: 3, Topic: "t.x", Options: PublishOptions{Exclude: []uint64{}, RKey: "k"}},
		&Event{Subscription: 4, Publication: 5, Details: EventDetails{Publisher: 6, Topic: "t.x"}},
		&Error{RequestType: TypeCall, Request: 7, Error: "e.x", Args: []any{"a"}, Kwargs: map[string]any{"k": true}},
		&Result{Request: 8},
	)
}

// TestScratchListMatchesList checks that the list form built in a
// listScratch, as Serialize builds it, is the one List returns, and that
// reset leaves nothing of it behind.
func TestScratchListMatchesList(t *testing.T) {
	sc := new(listScratch) // one scratch for all, as the pool may hand it out
	for _, m := range payloadMessages() {
		want, err := m.List()
		if err != nil {
			t.Fatalf("%v: %v", m.Type(), err)
		}
		got, err := sc.build(m)
		if err != nil {
			t.Fatalf("%v: build: %v", m.Type(), err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: scratch list %#v, List %#v", m.Type(), got, want)
		}
		if v := sc.value(got); !reflect.DeepEqual(v, any(want)) {
			t.Errorf("%v: scratch value %#v, List %#v", m.Type(), v, want)
		}
		sc.reset()
		if sc.elems != [maxList]any{} || len(sc.dict) != 0 || sc.n != 0 {
			t.Errorf("%v: reset leaves %#v, %#v", m.Type(), sc.elems, sc.dict)
		}
	}
	if _, err := sc.build(&Hello{}); err == nil {
		t.Error("build of a HELLO succeeds")
	}
}

// TestSerializeMatchesList checks that Serialize encodes the list that List
// returns, for every message, also when goroutines serialize at once
// (sharing the pool of scratch lists).
func TestSerializeMatchesList(t *testing.T) {
	obj := fakeObjectSerializer{}
	s := NewSerializer(obj, false)
	msgs := append(roundTripMessages(), payloadMessages()...)
	want := make([][]byte, len(msgs))
	for i, m := range msgs {
		l, err := m.List()
		if err != nil {
			t.Fatal(err)
		}
		if want[i], err = obj.Marshal(nil, l); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for n := range 50 {
				i := (g + n) % len(msgs)
				got, err := s.Serialize(msgs[i])
				if err != nil {
					t.Errorf("Serialize(%v): %v", msgs[i].Type(), err)
					return
				}
				if !bytes.Equal(got, want[i]) {
					t.Errorf("Serialize(%v) = %s, want %s", msgs[i].Type(), got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// embeddedCall is a message of another kind that embeds *Call and has its
// own List: Serialize must use that List.
type embeddedCall struct{ *Call }

func (m embeddedCall) List() ([]any, error) {
	return []any{int64(TypeGoodbye), map[string]any{}, "wamp.close.normal"}, nil
}

func TestSerializeUsesOwnList(t *testing.T) {
	s := NewSerializer(fakeObjectSerializer{}, false)
	b, err := s.Serialize(embeddedCall{&Call{Request: 1, Procedure: "a.b"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `[6,{},"wamp.close.normal"]`; string(b) != want {
		t.Errorf("Serialize = %s, want %s", b, want)
	}
}

func TestUnserializeOne(t *testing.T) {
	s := NewSerializer(fakeObjectSerializer{}, false)
	got, err := s.Unserialize([]byte(`[48, 1, {}, "a.b", [1]]`))
	if err != nil {
		t.Fatal(err)
	}
	want := &Call{Request: 1, Procedure: "a.b", Args: []any{int64(1)}}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("Unserialize = %#v, want [%#v]", got, want)
	}
	if got, err := s.Unserialize([]byte(`[48, 0, {}, "a.b"]`)); got != nil || !containsField(err, "CALL.Request") {
		t.Errorf("Unserialize of an invalid CALL = %#v, %v", got, err)
	}
}

// TestSerializeAllocs pins the allocations of the message model on the
// path of a typical CALL (stub wire format): Serialize boxes the Request,
// the Procedure and the Args for the list (the output is the stub's), and
// Unserialize allocates the message together with its one-element result.
func TestSerializeAllocs(t *testing.T) {
	m := &Call{Request: 7814135, Procedure: "com.myapp.add2",
		Args: []any{int64(23), int64(7)}, Kwargs: map[string]any{"mode": "fast", "verbose": true}}
	l, err := m.List()
	if err != nil {
		t.Fatal(err)
	}
	var decoded any = l
	s := NewSerializer(stubObjectSerializer{func() any { return decoded }}, false)
	for _, tt := range []struct {
		name string
		max  float64
		run  func() error
	}{
		{"Serialize", 4, func() error { _, err := s.Serialize(m); return err }},
		{"Unserialize", 1, func() error { _, err := s.Unserialize(nil); return err }},
	} {
		var err error
		n := testing.AllocsPerRun(200, func() {
			if e := tt.run(); e != nil {
				err = e
			}
		})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if n > tt.max {
			t.Errorf("%s of a CALL: %v allocations, want at most %v", tt.name, n, tt.max)
		}
	}
}
