package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/wamp"
)

// testGoCallee (scenario 1): the peer calls the Go callee.
func testGoCallee(t *testing.T, l *peerLang, rt *testRouter, b *peerBatch, c conf) {
	s := dial(t, rt, c)
	prefix := uriOf(t)
	g := registerGoCallee(t, s, prefix)
	pb := func(x []byte) any { return l.bytesFor(c.serializer, x) }
	calls := []map[string]any{
		{"label": "echo", "proc": ".echo", "args": bytesAsHex(goArgs), "kwargs": bytesAsHex(goKwargs)},
		{"label": "echo_empty", "proc": ".echo"},
		{"label": "echo_bytes", "proc": ".echo", "args": bytesAsHex([]any{pb(data), []any{pb(data)}}),
			"kwargs": bytesAsHex(map[string]any{"blob": pb(data)})},
		{"label": "bytes", "proc": ".bytes"},
		{"label": "fail", "proc": ".fail"},
		{"label": "runtime", "proc": ".runtime"},
		{"label": "progress", "proc": ".progress", "args": []any{3}, "progress": true},
		{"label": "progress_not_asked", "proc": ".progress", "args": []any{3}},
		{"label": "who", "proc": ".who"},
		{"label": "who_disclosed", "proc": ".who", "disclose_me": true},
		{"label": "cancel", "proc": ".hang", "args": []any{"cancel"}, "cancel_after": 200},
		{"label": "timeout", "proc": ".hang", "args": []any{"timeout"}, "timeout": 300},
		{"label": "timeout_forwarded", "proc": ".hang_fwd", "args": []any{"timeout_forwarded"}, "timeout": 300},
		{"label": "after", "proc": ".echo", "args": []any{"still", "here"}},
		{"label": "progress_burst", "proc": ".progress", "args": []any{100}, "progress": true},
		{"label": "parallel", "proc": ".echo", "parallel": 50},
	}
	sc := b.add(t, "caller", prefix, c, map[string]any{"calls": calls})
	t.Parallel()
	sc.waitDone(t)
	sc.noUnexpectedClose(t)
	peer, _ := sc.get(t, "session").(map[string]any)

	type m = map[string]any
	// outcome checks what the peer's call key ended with (elapsed_ms aside);
	// with partial, only the keys of want.
	check := func(t *testing.T, key string, want m, partial bool) {
		t.Helper()
		got, _ := sc.get(t, key).(m)
		delete(got, "elapsed_ms")
		w := canon(t, want).(m)
		if partial {
			for k := range got {
				if _, ok := w[k]; !ok {
					delete(got, k)
				}
			}
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s peer saw %s:\n got %s\nwant %s", l.name, key, compact(got), compact(w))
		}
	}
	outcome := func(t *testing.T, key string, want m) { t.Helper(); check(t, key, want, false) }
	t.Run("args_kwargs", func(t *testing.T) {
		outcome(t, "echo", m{"args": goArgs, "kwargs": goKwargs})
		outcome(t, "echo_empty", m{"args": []any{}, "kwargs": m{}})
		outcome(t, "after", m{"args": []any{"still", "here"}, "kwargs": m{}})
		invs := g.invocations(".echo")
		if len(invs) != 4+50 {
			t.Fatalf("the Go callee got %d invocations of echo, want %d", len(invs), 4+50)
		}
		sameValue(t, "args the Go callee got", invs[0].Args, withBig(goArgs, l.big(c.serializer).sent))
		sameValue(t, "kwargs the Go callee got", invs[0].Kwargs, goKwargs)
		if len(invs[1].Args) != 0 || len(invs[1].Kwargs) != 0 {
			t.Errorf("echo without arguments: the Go callee got %v %v", invs[1].Args, invs[1].Kwargs)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		// The peer sends bytes (its JSON convention, or AutobahnJS's
		// "\0"+base64 text), and gets back what the Go callee returns.
		outcome(t, "echo_bytes", m{"args": []any{pb(data), []any{pb(data)}}, "kwargs": m{"blob": pb(data)}})
		if invs := g.invocations(".echo"); len(invs) > 2 {
			sameValue(t, "bytes args the Go callee got", invs[2].Args, []any{data, []any{data}})
			sameValue(t, "bytes kwargs the Go callee got", invs[2].Kwargs, map[string]any{"blob": data})
		}
		outcome(t, "bytes", m{"args": []any{pb(data), pb(reversed(data))}, "kwargs": m{"blob": pb(data)}})
	})
	t.Run("errors", func(t *testing.T) {
		outcome(t, "fail", m{"error": "com.example.oops", "args": []any{"bad", 1}, "kwargs": m{"why": "test", "n": 2}})
		outcome(t, "runtime", m{"error": wamp.URIRuntimeError, "args": []any{"boom"}, "kwargs": m{}})
		if errs := s.errorsSoFar(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "boom") {
			t.Errorf("OnUserError got %v, want the runtime error only", errs)
		}
	})
	t.Run("progress", func(t *testing.T) {
		progress := []any{m{"args": []any{1}, "kwargs": m{"step": 1}}, m{"args": []any{2}, "kwargs": m{"step": 2}},
			m{"args": []any{3}, "kwargs": m{"step": 3}}}
		outcome(t, "progress", m{"args": []any{"done", 3}, "kwargs": m{"progressed": true}, "progress": progress})
		outcome(t, "progress_not_asked", m{"args": []any{"done", 3}, "kwargs": m{"progressed": false}})
		// 100 progressive results at once, in order.
		progress = nil
		for i := 1; i <= 100; i++ {
			progress = append(progress, m{"args": []any{i}, "kwargs": m{"step": i}})
		}
		outcome(t, "progress_burst", m{"args": []any{"done", 100}, "kwargs": m{"progressed": true}, "progress": progress})
	})
	t.Run("concurrent_calls", func(t *testing.T) {
		// 50 calls at once: each invocation runs on its own goroutine, and
		// every answer must reach its own call.
		var want []any
		for i := 0; i < 50; i++ {
			want = append(want, m{"args": []any{i}, "kwargs": m{}})
		}
		if got := sc.get(t, "parallel"); !reflect.DeepEqual(got, canon(t, want)) {
			t.Errorf("%s peer: concurrent calls got\n%s", l.name, compactLines(got))
		}
	})
	t.Run("caller_identification", func(t *testing.T) {
		outcome(t, "who", m{"args": []any{0, ""}, "kwargs": m{}})
		outcome(t, "who_disclosed", m{"args": []any{peer["session"], "anonymous"}, "kwargs": m{}})
	})
	t.Run("cancel", func(t *testing.T) {
		// The peer cancels after 200 ms: the Go handler's context ends
		// with wamp.error.canceled (INTERRUPT).
		check(t, "cancel", l.canceledCall, true)
		h := g.awaitHang(t, "cancel")
		if !errors.Is(h.cause, core.ErrCanceled) {
			t.Errorf("the canceled handler's context ended with %v, want wamp.error.canceled", h.cause)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		// The dealer's timer: INTERRUPT to the Go callee, wamp.error.timeout
		// to the caller.
		got, _ := sc.get(t, "timeout").(m)
		if got["error"] != core.URITimeout {
			t.Errorf("%s peer got %s, want wamp.error.timeout", l.name, compact(got))
		}
		if ms, _ := got["elapsed_ms"].(json.Number).Int64(); ms < 250 || ms > 5000 {
			t.Errorf("timeout after %d ms, want about 300", ms)
		}
		if h := g.awaitHang(t, "timeout"); !errors.Is(h.cause, core.ErrCanceled) {
			t.Errorf("the timed out handler's context ended with %v, want the dealer's INTERRUPT", h.cause)
		}
		// forward_timeout: the Go callee's own timer answers
		// wamp.error.timeout.
		got, _ = sc.get(t, "timeout_forwarded").(m)
		if got["error"] != core.URITimeout {
			t.Errorf("%s peer got %s for a forwarded timeout, want wamp.error.timeout", l.name, compact(got))
		}
		if h := g.awaitHang(t, "timeout_forwarded"); !errors.Is(h.cause, context.DeadlineExceeded) {
			t.Errorf("the handler's context ended with %v, want its deadline (forwarded timeout)", h.cause)
		}
		if invs := g.invocations(".hang_fwd"); len(invs) != 1 || invs[0].Details.Timeout == nil || *invs[0].Details.Timeout != 300 {
			t.Errorf("forwarded timeout: invocations %v", invs)
		}
	})
}

// testGoCaller (scenario 2): the Go session calls the peer's callee.
func testGoCaller(t *testing.T, l *peerLang, rt *testRouter, b *peerBatch, c conf) {
	s := dial(t, rt, c)
	prefix := uriOf(t)
	sc := b.add(t, "callee", prefix, c, nil)
	t.Parallel()
	sc.await(t, "ready")
	finished := false
	t.Cleanup(func() {
		if !finished { // let the peer's scenario end
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			s.Call(ctx, prefix+".finish", nil, nil, wamp.CallOptions{})
		}
	})
	ctx := testContext(t)

	t.Run("args_kwargs", func(t *testing.T) {
		res, err := s.Call(ctx, prefix+".echo", goArgs, goKwargs, wamp.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameValue(t, "result args", res.Args, withBig(goArgs, l.big(c.serializer).echoed))
		sameValue(t, "result kwargs", res.Kwargs, goKwargs)
		res, err = s.Call(ctx, prefix+".describe", goArgs, goKwargs, wamp.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameValue(t, "types the peer got", res.Args, toAny(withBig(l.argTypes, l.big(c.serializer).peerType)))
		sameValue(t, "kwargs types the peer got", res.Kwargs, l.kwargTypes)
		res, err = s.Call(ctx, prefix+".echo", nil, nil, wamp.CallOptions{})
		if err != nil || len(res.Args) != 0 || len(res.Kwargs) != 0 {
			t.Errorf("echo without arguments: %v, %v", res, err)
		}
	})
	t.Run("big_numbers", func(t *testing.T) {
		if !l.exactInts {
			t.Skipf("%s numbers are float64: 64-bit integers cannot round-trip", l.name)
		}
		args := []any{uint64(math.MaxUint64), int64(math.MinInt64), int64(math.MaxInt64), uint64(1 << 63), 0.1, 1e300, -1e-300,
			map[string]any{"\u00fc\u2713": int64(1), "": "empty key"}}
		res, err := s.Call(ctx, prefix+".echo", args, nil, wamp.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameValue(t, "echoed numbers", res.Args, args)
		res, err = s.Call(ctx, prefix+".describe", args, nil, wamp.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// UBJSON has no unsigned 64-bit integers: beyond int64 it carries a
		// high-precision number, a Decimal to py-ubjson.
		beyond := "int"
		if c.serializer == "ubjson" {
			beyond = "Decimal"
		}
		sameValue(t, "the peer's types of the numbers", res.Args, []any{beyond, "int", "int", beyond, "float", "float", "float", "dict"})
	})
	t.Run("bytes", func(t *testing.T) {
		res, err := s.Call(ctx, prefix+".bytes", []any{data}, map[string]any{"blob": data}, wamp.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		bt := l.bytesTypeFor(c.serializer)
		sameValue(t, "bytes result args", res.Args, []any{data, reversed(data)})
		sameValue(t, "bytes result kwargs", res.Kwargs, map[string]any{"blob": data, "got": []any{bt, true, bt, true}})
		// echo: bytes nested in a list and in kwargs.
		res, err = s.Call(ctx, prefix+".echo", []any{[]any{data}}, map[string]any{"b": data}, wamp.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameValue(t, "echoed bytes", res.Args, []any{[]any{data}})
		sameValue(t, "echoed bytes kwargs", res.Kwargs, map[string]any{"b": data})
	})
	t.Run("application_error", func(t *testing.T) {
		_, err := s.Call(ctx, prefix+".fail", []any{"x", int64(7)}, nil, wamp.CallOptions{})
		var ae *core.ApplicationError
		if !errors.As(err, &ae) {
			t.Fatalf("call of a failing procedure: %v (%T), want *core.ApplicationError", err, err)
		}
		if ae.URI != "com.example.oops" {
			t.Errorf("error URI %q", ae.URI)
		}
		sameValue(t, "error args", ae.Args, []any{"bad", int64(1)})
		sameValue(t, "error kwargs", ae.Kwargs, map[string]any{"why": "test", "got": []any{"x", int64(7)}})
		if _, err := s.Call(ctx, prefix+".nosuch", nil, nil, wamp.CallOptions{}); !errors.Is(err, core.ErrNoSuchProcedure) {
			t.Errorf("call of an unknown procedure: %v", err)
		}
	})
	t.Run("progress", func(t *testing.T) {
		var progress []*wamp.Result
		res, err := s.Call(ctx, prefix+".progress", []any{int64(4)}, nil, wamp.CallOptions{
			OnProgress: func(r *wamp.Result) { progress = append(progress, r) }})
		if err != nil {
			t.Fatal(err)
		}
		if len(progress) != 4 {
			t.Fatalf("%d progressive results, want 4", len(progress))
		}
		for i, p := range progress {
			sameValue(t, fmt.Sprintf("progress %d", i), []any{p.Args, p.Kwargs},
				[]any{[]any{int64(i + 1)}, map[string]any{"step": fmt.Sprintf("p%d", i+1)}})
			if p.Details.Progress == nil || !*p.Details.Progress {
				t.Errorf("progress %d: details %+v", i, p.Details)
			}
		}
		sameValue(t, "final result", []any{res.Args, res.Kwargs}, []any{[]any{"done", int64(4)}, map[string]any{"last": true}})
		res, err = s.Call(ctx, prefix+".progress", []any{int64(2)}, nil, wamp.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameValue(t, "result without receive_progress", res.Args, []any{"no progress requested"})
		// 100 progressive results at once (more than the session buffers),
		// in order.
		var seq []any
		res, err = s.Call(ctx, prefix+".progress", []any{int64(100), int64(0)}, nil, wamp.CallOptions{
			OnProgress: func(r *wamp.Result) { seq = append(seq, r.Args...) }})
		if err != nil {
			t.Fatal(err)
		}
		var want []any
		for i := int64(1); i <= 100; i++ {
			want = append(want, i)
		}
		sameValue(t, "burst of progressive results", seq, want)
		sameValue(t, "final result after the burst", res.Args, []any{"done", int64(100)})
	})
	t.Run("concurrent_calls", func(t *testing.T) {
		// 50 calls at once from as many goroutines: every result reaches its
		// own call.
		var wg sync.WaitGroup
		errs := make([]error, 50)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := s.Call(ctx, prefix+".echo", []any{int64(i)}, map[string]any{"i": int64(i)}, wamp.CallOptions{})
				switch {
				case err != nil:
					errs[i] = err
				case !reflect.DeepEqual(res.Args, []any{int64(i)}) || !reflect.DeepEqual(res.Kwargs, map[string]any{"i": int64(i)}):
					errs[i] = fmt.Errorf("call %d got %v %v", i, res.Args, res.Kwargs)
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Error(err)
		}
	})
	t.Run("progressive_invocation_unsupported", func(t *testing.T) {
		// Neither Autobahn|Python 22.7.1 nor AutobahnJS 22.11.1 announces
		// progressive_call_invocations: the dealer refuses the call, and
		// Finish returns its ERROR.
		pc, err := s.CallProgressive(ctx, prefix+".echo", []any{"chunk", int64(1)}, nil, wamp.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = pc.Finish(ctx, []any{"chunk", int64(2)}, nil)
		var ae *core.ApplicationError
		if !errors.As(err, &ae) || ae.URI != core.URIFeatureNotSupported {
			t.Errorf("progressive call invocation of a peer callee: %v, want wamp.error.feature_not_supported", err)
		}
	})
	t.Run("caller_identification", func(t *testing.T) {
		res, err := s.Call(ctx, prefix+".who", nil, nil, wamp.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameValue(t, "caller without disclose_me", res.Args, []any{nil, nil, nil})
		res, err = s.Call(ctx, prefix+".who", nil, nil, wamp.CallOptions{DiscloseMe: true})
		if err != nil {
			t.Fatal(err)
		}
		d := s.Details()
		sameValue(t, "caller with disclose_me", res.Args, []any{int64(d.Session), d.AuthID, "anonymous"})
	})
	t.Run("cancel", func(t *testing.T) {
		// ctx ends while the peer's callee runs: Call returns at once, the
		// dealer gets CANCEL (killnowait). Autobahn|Python's callee is
		// interrupted; AutobahnJS's takes no INTERRUPT and answers late,
		// which the router drops.
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		proc, args := prefix+".hang", []any{"cancel"}
		if !l.interrupts {
			proc, args = prefix+".slow", []any{"cancel", int64(400)}
		}
		errc := make(chan error, 1)
		go func() {
			_, err := s.Call(cctx, proc, args, nil, wamp.CallOptions{})
			errc <- err
		}()
		sc.await(t, "invoked.cancel")
		start := time.Now()
		cancel()
		select {
		case err := <-errc:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("canceled call: %v, want context.Canceled", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("Call returned %v after ctx ended", d)
			}
		case <-time.After(wait):
			t.Fatal("Call did not return after its context ended")
		}
		if l.interrupts {
			want := canon(t, map[string]any{"interrupts": []any{map[string]any{"mode": core.CancelKillNoWait, "reason": core.URICanceled}}})
			if got := canon(t, sc.await(t, "canceled.cancel")); !reflect.DeepEqual(got, want) {
				t.Errorf("the peer's callee saw %s, want %s", compact(got), compact(want))
			}
		} else {
			sc.await(t, "answered.cancel")
			time.Sleep(100 * time.Millisecond) // the late YIELD reaches the router
		}
	})
	t.Run("timeout", func(t *testing.T) {
		start := time.Now()
		_, err := s.Call(ctx, prefix+".hang", []any{"timeout"}, nil, wamp.CallOptions{Timeout: 300 * time.Millisecond})
		d := time.Since(start)
		if !errors.Is(err, core.ErrTimeout) {
			t.Errorf("call with a timeout: %v, want core.ErrTimeout", err)
		}
		if d < 250*time.Millisecond || d > 5*time.Second {
			t.Errorf("timeout after %v, want about 300 ms", d)
		}
		if l.interrupts {
			sc.await(t, "canceled.timeout")
		}
	})
	t.Run("after", func(t *testing.T) {
		res, err := s.Call(ctx, prefix+".echo", []any{"still", "here"}, nil, wamp.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameValue(t, "echo after cancel and timeout", res.Args, []any{"still", "here"})
	})
	res, err := s.Call(ctx, prefix+".finish", nil, nil, wamp.CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	finished = true
	sameValue(t, "finish", res.Args, []any{"bye"})
	sc.waitDone(t)
	sc.noUnexpectedClose(t)
}

func toAny[T any](l []T) []any {
	out := make([]any, len(l))
	for i, x := range l {
		out[i] = x
	}
	return out
}
