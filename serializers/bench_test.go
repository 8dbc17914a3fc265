// Package serializers_test compares the serializers at the level of WAMP
// messages: encode and decode of a typical CALL and of an EVENT with a 1 KiB
// binary payload, through the full path a peer runs (core.Serializer's
// Serialize and Unserialize, including the message model's List and
// ParseMessage), against ugorji/go/codec encoding and decoding the same
// message's list form in the same wire format. Run:
//
//	go test -run '^$' -bench Message -benchmem ./serializers/
//
// The target (issue 2) is that ours takes at most 2/3 of ugorji's time for
// the CALL in every format ugorji has (JSON, MessagePack, CBOR; it has no
// UBJSON). ugorji gets its best usual setup: one handle, Encoder and Decoder
// per format, reused with ResetBytes, and a reused output buffer. Ours
// allocates its output, as Serialize hands it to the caller; ugorji-fresh
// does the same (encoding into a nil buffer), for the comparison with the
// same output contract.
package serializers_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/cbor"
	"github.com/autobahn-go/autobahn/serializers/internal/serialtest"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/serializers/msgpack"
	"github.com/autobahn-go/autobahn/serializers/ubjson"
	"github.com/ugorji/go/codec"
)

// format is a wire format: our message serializer, and the ugorji handle for
// the same bytes (nil if ugorji has none).
type format struct {
	ser    core.Serializer
	ugorji func() codec.Handle
}

func formats() []format {
	return []format{
		{json.Serializer, func() codec.Handle { return serialtest.UgorjiJSON() }},
		{msgpack.Serializer, func() codec.Handle { return serialtest.UgorjiMsgpack() }},
		{cbor.Serializer, func() codec.Handle { return serialtest.UgorjiCBOR() }},
		{ubjson.Serializer, nil},
	}
}

type message struct {
	name string
	msg  core.Message
}

func messages() []message {
	return []message{
		{"call", serialtest.CallMessage()},
		{"event", serialtest.EventMessage()},
	}
}

// round is one encode and one decode of a message by one implementation.
type round struct {
	name string
	run  func() error
}

// rounds returns ours and, where ugorji has the format, ugorji (reusing its
// output buffer) and ugorji-fresh (encoding into a nil buffer).
func rounds(f format, m message) ([]round, error) {
	rs := []round{{"ours", func() error {
		data, err := f.ser.Serialize(m.msg)
		if err != nil {
			return err
		}
		_, err = f.ser.Unserialize(data)
		return err
	}}}
	if f.ugorji == nil {
		return rs, nil
	}
	list, err := m.msg.List()
	if err != nil {
		return nil, err
	}
	for _, u := range []struct {
		name  string
		reuse bool
	}{{"ugorji", true}, {"ugorji-fresh", false}} {
		e := serialtest.Ugorji(f.ugorji())
		var buf []byte
		rs = append(rs, round{u.name, func() error {
			if u.reuse {
				buf = buf[:0]
			} else {
				buf = nil
			}
			var err error
			if buf, err = e.Marshal(buf, list); err != nil {
				return err
			}
			_, err = e.Unmarshal(buf)
			return err
		}})
	}
	return rs, nil
}

// BenchmarkMessage is one encode and one decode of a message per operation,
// as BenchmarkMessage/<format>/<message>/<ours|ugorji|ugorji-fresh>.
func BenchmarkMessage(b *testing.B) {
	for _, f := range formats() {
		for _, m := range messages() {
			rs, err := rounds(f, m)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range rs {
				b.Run(f.ser.Name()+"/"+m.name+"/"+r.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if err := r.run(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkMessageRatio measures the ratios of the target on a busy machine,
// where the separate runs of BenchmarkMessage see different loads: each
// iteration runs a block of ratioBlock rounds of ours, then of ugorji, then
// of ugorji-fresh, and the benchmark reports the median over the iterations
// of ours' time divided by each of theirs ("ratio", "ratio-fresh"), along
// with the mean time per round of each (its own ns/op is the time of an
// iteration, all three blocks).
//
//	go test -run '^$' -bench MessageRatio ./serializers/
func BenchmarkMessageRatio(b *testing.B) {
	const ratioBlock = 2000
	for _, f := range formats() {
		if f.ugorji == nil {
			continue
		}
		for _, m := range messages() {
			b.Run(f.ser.Name()+"/"+m.name, func(b *testing.B) {
				rs, err := rounds(f, m)
				if err != nil {
					b.Fatal(err)
				}
				total := make([]time.Duration, len(rs))
				ratios := make([][]float64, len(rs))
				for b.Loop() {
					took := make([]time.Duration, len(rs))
					for i, r := range rs {
						start := time.Now()
						for range ratioBlock {
							if err := r.run(); err != nil {
								b.Fatal(err)
							}
						}
						took[i] = time.Since(start)
						total[i] += took[i]
					}
					for i := 1; i < len(rs); i++ {
						ratios[i] = append(ratios[i], float64(took[0])/float64(took[i]))
					}
				}
				for i, r := range rs {
					b.ReportMetric(float64(total[i])/float64(b.N*ratioBlock), r.name+"-ns/round")
					if i > 0 {
						b.ReportMetric(median(ratios[i]), strings.Replace(r.name, "ugorji", "ratio", 1))
					}
				}
			})
		}
	}
}

func median(x []float64) float64 {
	slices.Sort(x)
	return x[len(x)/2]
}

// TestMessageBenchmarkAgrees makes sure that BenchmarkMessage compares the
// same work: ugorji decodes our encoding of each message to its list form,
// and ours decodes ugorji's encoding to the message.
func TestMessageBenchmarkAgrees(t *testing.T) {
	for _, f := range formats() {
		for _, m := range messages() {
			t.Run(f.ser.Name()+"/"+m.name, func(t *testing.T) {
				list, err := m.msg.List()
				if err != nil {
					t.Fatal(err)
				}
				ours, err := f.ser.Serialize(m.msg)
				if err != nil {
					t.Fatal(err)
				}
				back, err := f.ser.Unserialize(ours)
				if err != nil || len(back) != 1 || !reflect.DeepEqual(back[0], m.msg) {
					t.Fatalf("Unserialize(Serialize(%s)) = %#v, %v", m.name, back, err)
				}
				if f.ugorji == nil {
					return
				}
				e := serialtest.Ugorji(f.ugorji())
				v, err := e.Unmarshal(ours)
				if err != nil {
					t.Fatalf("ugorji cannot decode our %q: %v", ours, err)
				}
				if !serialtest.Same(v, list) {
					t.Errorf("ugorji decodes our %q as %s", ours, serialtest.Show(v))
				}
				theirs, err := e.Marshal(nil, list)
				if err != nil {
					t.Fatal(err)
				}
				got, err := f.ser.Unserialize(theirs)
				if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], m.msg) {
					t.Errorf("Unserialize(ugorji's %q) = %#v, %v", theirs, got, err)
				}
			})
		}
	}
}

// TestMarshalAllocatesOnce checks that encoding a typical message from a nil
// buffer, as Serialize does, allocates the output once (the size estimate of
// package internal/alloc is large enough): once more than encoding into a
// buffer with room, which does not allocate in a normal build.
func TestMarshalAllocatesOnce(t *testing.T) {
	for _, f := range formats() {
		obj, ok := core.Object(f.ser)
		if !ok {
			t.Fatalf("%s: no object serializer", f.ser.Name())
		}
		for _, m := range serialtest.Messages() {
			marshal := func(buf []byte) func() {
				return func() {
					if _, err := obj.Marshal(buf, m.Value); err != nil {
						t.Fatal(err)
					}
				}
			}
			fresh := testing.AllocsPerRun(100, marshal(nil))
			into := testing.AllocsPerRun(100, marshal(make([]byte, 0, 4096)))
			if fresh != into+1 {
				t.Errorf("%s: Marshal of the %s takes %v allocations from a nil buffer and %v into one with room, want one more", f.ser.Name(), m.Name, fresh, into)
			}
		}
	}
}
