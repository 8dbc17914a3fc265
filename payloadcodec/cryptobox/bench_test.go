package cryptobox_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/payloadcodec/cryptobox"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/wamp"
)

// benchPayload is an application payload whose inner JSON
// ({"uri","args","kwargs"}) is about size bytes: text, numbers, bytes.
func benchPayload(size int) ([]any, map[string]any) {
	const fixed = 160 // the URI, the numbers, the keys and the bytes' base64
	n := max(size-fixed, 8)
	args := []any{int64(42), 3.25, string(testpeer.TextPayload(n * 3 / 4))}
	kwargs := map[string]any{"id": int64(1) << 40, "ok": true, "blob": testpeer.BinaryPayload(n / 6)}
	return args, kwargs
}

const benchURI = "com.example.bench.procedure"

// BenchmarkCodec1KiB measures encode+decode of a 1 KiB payload: cryptobox
// (seal on the originator's side, open on the responder's) against the
// baseline of the same work without encryption — WAMP JSON marshal and
// unmarshal of the same {"uri","args","kwargs"} object, which is what a
// plain payload costs in the JSON serializer. Both run b.N times in the
// same run, alternating; ns/op is their sum, and the metrics give each one
// and the ratio.
func BenchmarkCodec1KiB(b *testing.B) {
	p := newPairs(b)
	orig := mustRing(b, cryptobox.KeySpec{URI: "com.example.", OriginatorPriv: p.origPriv, ResponderPub: p.respPub})
	resp := mustRing(b, cryptobox.KeySpec{URI: "com.example.", ResponderPriv: p.respPriv, OriginatorPub: p.origPub})
	args, kwargs := benchPayload(1024)
	inner := map[string]any{"uri": benchURI, "args": args, "kwargs": kwargs}
	plain, err := json.Marshal(nil, inner)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(plain)))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()

	// Alternate the two in rounds, so that the load of a shared machine
	// weighs on both alike.
	var plainTime, boxTime time.Duration
	var buf []byte
	for done := 0; done < b.N; {
		n := min(max(b.N/rounds, 1), b.N-done)
		start := time.Now()
		for range n {
			buf, err = json.Marshal(buf[:0], inner)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := json.Unmarshal(buf); err != nil {
				b.Fatal(err)
			}
		}
		plainTime += time.Since(start)
		start = time.Now()
		for range n {
			enc, err := orig.Encode(ctx, true, benchURI, args, kwargs)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, _, err := resp.Decode(ctx, false, benchURI, enc); err != nil {
				b.Fatal(err)
			}
		}
		boxTime += time.Since(start)
		done += n
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(len(plain)), "plaintext-bytes")
	b.ReportMetric(float64(plainTime.Nanoseconds())/n, "plain-ns/op")
	b.ReportMetric(float64(boxTime.Nanoseconds())/n, "cryptobox-ns/op")
	b.ReportMetric(float64(boxTime)/float64(plainTime), "cryptobox/plain")
}

// BenchmarkRPC measures calls per second through the router over loopback
// WebSocket (JSON), with several callers calling one callee at once, without
// and with cryptobox, in the same run: b.N calls each way. The metrics are
// both rates and their ratio (the target is ≥ 0.6).
func BenchmarkRPC(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
	}{{"small", 64}, {"1KiB", 1024}} {
		b.Run(c.name, func(b *testing.B) {
			args, kwargs := benchPayload(c.size)
			if c.size < 160 {
				args, kwargs = []any{int64(1), "hello"}, nil
			}
			p := newPairs(b)
			orig := mustRing(b, cryptobox.KeySpec{URI: "com.", OriginatorPriv: p.origPriv, ResponderPub: p.respPub})
			resp := mustRing(b, cryptobox.KeySpec{URI: "com.", ResponderPriv: p.respPriv, OriginatorPub: p.origPub})
			plain := newRPCBench(b, nil, nil)
			boxed := newRPCBench(b, orig, resp)
			b.ResetTimer()
			// Alternate the two in rounds, so that the load of a shared
			// machine weighs on both alike.
			var plainTime, boxTime time.Duration
			for done := 0; done < b.N; {
				n := min(max(b.N/rounds, 1), b.N-done)
				plainTime += plain.run(b, n, args, kwargs)
				boxTime += boxed.run(b, n, args, kwargs)
				done += n
			}
			b.StopTimer()
			plainRate := float64(b.N) / plainTime.Seconds()
			boxRate := float64(b.N) / boxTime.Seconds()
			b.ReportMetric(plainRate, "plain-calls/s")
			b.ReportMetric(boxRate, "cryptobox-calls/s")
			b.ReportMetric(boxRate/plainRate, "cryptobox/plain")
		})
	}
}

// rpcCallers is how many caller sessions call at once, each with
// rpcInFlight calls outstanding.
const (
	rpcCallers  = 4
	rpcInFlight = 4
)

// rounds is how many times a benchmark alternates between plain and
// cryptobox.
const rounds = 10

type rpcBench struct{ callers []*wamp.Session }

// newRPCBench starts a router with a callee (codec callee, echoing) and
// rpcCallers callers (codec caller); nil codecs send in the clear.
func newRPCBench(b *testing.B, caller, callee core.PayloadCodec) *rpcBench {
	url := startRouter(b, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := join(b, url, wamp.Config{PayloadCodec: callee})
	if _, err := s.Register(ctx, "com.echo", echo, core.RegisterOptions{Concurrency: rpcCallers * rpcInFlight}); err != nil {
		b.Fatal(err)
	}
	rb := &rpcBench{}
	for range rpcCallers {
		rb.callers = append(rb.callers, join(b, url, wamp.Config{PayloadCodec: caller}))
	}
	return rb
}

// run makes n calls spread over the callers and returns how long they
// took.
func (rb *rpcBench) run(b *testing.B, n int, args []any, kwargs map[string]any) time.Duration {
	ctx := context.Background()
	work := make(chan struct{}, n)
	for range n {
		work <- struct{}{}
	}
	close(work)
	var wg sync.WaitGroup
	var once sync.Once
	var failure error
	start := time.Now()
	for _, s := range rb.callers {
		for range rpcInFlight {
			wg.Go(func() {
				for range work {
					res, err := s.Call(ctx, "com.echo", args, kwargs, wamp.CallOptions{})
					if err == nil && len(res.Args) != len(args) {
						err = errBadEcho
					}
					if err != nil {
						once.Do(func() { failure = err })
						return
					}
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	if failure != nil {
		b.Fatal(failure)
	}
	return elapsed
}

var errBadEcho = errors.New("the echo did not return the arguments")
