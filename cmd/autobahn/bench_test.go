package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchRouter runs "autobahn serve" in-process on free loopback ports until
// the test ends, and returns its WebSocket and RawSocket URLs, read from the
// lines it prints on stdout.
func benchRouter(t *testing.T) (wsURL, rsURL string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := runServe(ctx, []string{"--ws", "127.0.0.1:0", "--rawsocket", "127.0.0.1:0"}, pw, io.Discard)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("runServe: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("runServe did not return within 15 s of its context's end")
		}
	})
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("autobahn serve ended before it was ready (ws %q, rs %q)", wsURL, rsURL)
			}
			if u, ok := strings.CutPrefix(line, "autobahn serve: listening "); ok {
				if strings.HasPrefix(u, "ws://") {
					wsURL = u
				} else if strings.HasPrefix(u, "rs://") {
					rsURL = u
				}
			}
			if line == "autobahn serve: ready" {
				if wsURL == "" || rsURL == "" {
					t.Fatalf("autobahn serve is ready without both URLs (ws %q, rs %q)", wsURL, rsURL)
				}
				// Keep draining stdout, so that the router never blocks on it.
				go func() {
					for range lines {
					}
				}()
				return wsURL, rsURL
			}
		case <-timeout:
			t.Fatal("autobahn serve did not say ready within 10 s")
		}
	}
}

// runBenchJSON runs "autobahn bench" with --json and decodes its report
// into r.
func runBenchJSON(t *testing.T, r any, args ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append([]string{args[0], "--json", "--quiet"}, args[1:]...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := runBench(ctx, args, &stdout, &stderr); err != nil {
		t.Fatalf("bench %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), r); err != nil {
		t.Fatalf("bench %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
	t.Logf("bench %s:\n%s", strings.Join(args, " "), stdout.String())
}

func TestBenchRPC(t *testing.T) {
	ws, rs := benchRouter(t)
	for _, tc := range []struct{ url, ser, driver string }{
		{ws, "json", "raw"},
		{rs, "msgpack", "raw"},
		{ws, "cbor", "wamp"},
	} {
		t.Run(tc.ser+"/"+tc.driver, func(t *testing.T) {
			var r rpcReport
			runBenchJSON(t, &r, "rpc", "--callers", "2", "--duration", "300ms", "--size", "16", "--serializer", tc.ser, "--driver", tc.driver, tc.url)
			l := r.LatencyUS
			switch {
			case r.Mode != "rpc" || r.URL != tc.url || r.Serializer != tc.ser || r.Callers != 2:
				t.Errorf("report header = %+v", r.benchInfo)
			case r.Calls == 0 || r.CallsPerS <= 0:
				t.Errorf("calls = %d (%v/s), want > 0", r.Calls, r.CallsPerS)
			case r.Errors != 0:
				t.Errorf("errors = %d", r.Errors)
			case r.DurationS < 0.3 || r.DurationS > 5:
				t.Errorf("duration = %v s, want about 0.3 s", r.DurationS)
			case !(0 < l.Min && l.Min <= l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max):
				t.Errorf("latency figures out of order: %+v", l)
			}
		})
	}
}

func TestBenchPubSub(t *testing.T) {
	ws, rs := benchRouter(t)
	for _, tc := range []struct{ url, ser string }{
		{ws, "json"},
		{rs, "cbor"},
	} {
		t.Run(tc.ser, func(t *testing.T) {
			var r pubsubReport
			runBenchJSON(t, &r, "pubsub", "--subscribers", "3", "--events", "2000", "--size", "64", "--serializer", tc.ser, tc.url)
			switch {
			case r.Published != 2000 || r.Expected != 6000:
				t.Errorf("published %d, expected deliveries %d; want 2000, 6000", r.Published, r.Expected)
			case r.Delivered != 6000 || r.Lost != 0:
				t.Errorf("delivered %d, lost %d; want 6000, 0", r.Delivered, r.Lost)
			case r.Gaps != 0 || r.Duplicates != 0 || r.Malformed != 0 || r.SubscribersLost != 0:
				t.Errorf("gaps %d, duplicates %d, malformed %d, subscribers lost %d; want none", r.Gaps, r.Duplicates, r.Malformed, r.SubscribersLost)
			case r.DeliveriesPerS <= 0 || r.PublishedPerS <= 0:
				t.Errorf("rates %v, %v; want > 0", r.PublishedPerS, r.DeliveriesPerS)
			}
		})
	}
}

func TestBenchPubSubRateLimit(t *testing.T) {
	ws, _ := benchRouter(t)
	var r pubsubReport
	runBenchJSON(t, &r, "pubsub", "--subscribers", "2", "--events", "50", "--rate", "200", ws)
	// 50 events at 200/s take about 0.25 s.
	if r.Lost != 0 || r.Published != 50 || r.DurationS < 0.2 {
		t.Errorf("published %d in %v s, lost %d; want 50 in ≥ 0.2 s, 0", r.Published, r.DurationS, r.Lost)
	}
}

func TestBenchIdle(t *testing.T) {
	ws, _ := benchRouter(t)
	var r idleReport
	runBenchJSON(t, &r, "idle", "--sessions", "20", "--pid", strconv.Itoa(os.Getpid()), ws)
	switch {
	case r.Sessions != 20 || r.SessionsLost != 0:
		t.Errorf("sessions %d, lost %d; want 20, 0", r.Sessions, r.SessionsLost)
	case r.PID != os.Getpid() || r.RouterRSSBeforeKiB <= 0 || r.RouterRSSAfterKiB <= 0:
		t.Errorf("pid %d, RSS before %v, after %v; want %d and positive figures", r.PID, r.RouterRSSBeforeKiB, r.RouterRSSAfterKiB, os.Getpid())
	case math.IsNaN(r.RouterKiBPerSess) || r.JoinsPerS <= 0:
		t.Errorf("per session %v KiB, joins/s %v", r.RouterKiBPerSess, r.JoinsPerS)
	}
}

// TestBenchJoinError checks that a failed join says what failed where.
func TestBenchJoinError(t *testing.T) {
	ws, _ := benchRouter(t)
	var stdout, stderr bytes.Buffer
	err := runBench(context.Background(), []string{"rpc", "--quiet", "--duration", "100ms", "--realm", "no_such_realm", ws}, &stdout, &stderr)
	if err == nil {
		t.Fatal("bench rpc into an unknown realm succeeded")
	}
	for _, want := range []string{"rpc: ", "joining no_such_realm at " + ws + ": ABORT wamp.error."} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestBenchDialError(t *testing.T) {
	// A port nothing listens on: dialling fails at once.
	var stdout, stderr bytes.Buffer
	err := runBench(context.Background(), []string{"idle", "--quiet", "--sessions", "3", "--timeout", "2s", "rs://127.0.0.1:1"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "idle: session ") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error = %v, want one naming the session and the address", err)
	}
}

func TestBenchUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bench"}, 2, "modes:"},
		{[]string{"help", "bench"}, 0, "pubsub"},
		{[]string{"bench", "frob"}, 2, `unknown mode "frob"`},
		{[]string{"bench", "rpc"}, 2, "give the router's URL"},
		{[]string{"bench", "rpc", "ws://a/ws", "ws://b/ws"}, 2, "one URL only"},
		{[]string{"bench", "rpc", "--serializer", "json.batched", "rs://127.0.0.1:1"}, 2, "RawSocket has no batched serializers"},
		{[]string{"bench", "rpc", "--serializer", "yaml", "ws://127.0.0.1:1/ws"}, 2, `no serializer named "yaml"`},
		{[]string{"bench", "rpc", "gopher://127.0.0.1:1"}, 2, `no transport for URL scheme "gopher"`},
		{[]string{"bench", "pubsub", "--callers", "3", "ws://127.0.0.1:1/ws"}, 2, "flag provided but not defined: -callers"},
		{[]string{"bench", "idle", "-h"}, 0, "-sessions"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("autobahn %s: exit %d, stderr:\n%s\nwant exit %d and %q", strings.Join(tc.args, " "), code, stderr.String(), tc.code, tc.want)
		}
		if strings.Contains(stderr.String(), "cpuprofile") {
			t.Errorf("autobahn %s: usage shows the hidden --cpuprofile", strings.Join(tc.args, " "))
		}
	}
}

func TestBenchFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"rpc", "--callers", "0", "ws://127.0.0.1:1/ws"},
		{"rpc", "--duration", "0s", "ws://127.0.0.1:1/ws"},
		{"pubsub", "--events", "0", "--duration", "0s", "ws://127.0.0.1:1/ws"},
		{"pubsub", "--rate", "-1", "ws://127.0.0.1:1/ws"},
		{"pubsub", "--ack-window", "0", "ws://127.0.0.1:1/ws"},
		{"idle", "--sessions", "0", "ws://127.0.0.1:1/ws"},
	} {
		err := runBench(context.Background(), args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--") {
			t.Errorf("bench %s: error %v, want one naming the flag", strings.Join(args, " "), err)
		}
	}
}

func TestLatencyHistBuckets(t *testing.T) {
	for i := range histLen {
		lo, hi := histLow(i), histHigh(i)
		if histIndex(lo) != i || histIndex(hi) != i || lo > hi {
			t.Fatalf("bucket %d = [%d, %d], indexes %d, %d", i, lo, hi, histIndex(lo), histIndex(hi))
		}
		if i > 0 && histHigh(i-1)+1 != lo {
			t.Fatalf("bucket %d starts at %d, the previous one ends at %d", i, lo, histHigh(i-1))
		}
		// Relative width at most 1/128.
		if lo >= histSub && float64(hi-lo+1)/float64(lo) > 1.0/histSub {
			t.Fatalf("bucket %d = [%d, %d] is too wide", i, lo, hi)
		}
	}
	if histIndex(histMax) != histLen-1 {
		t.Fatalf("histMax is in bucket %d, want the last, %d", histIndex(histMax), histLen-1)
	}
}

func TestLatencyHistQuantiles(t *testing.T) {
	h := newLatencyHist()
	for us := 1; us <= 10000; us++ {
		h.record(time.Duration(us) * time.Microsecond)
	}
	h.record(time.Hour) // clamped
	o := newLatencyHist()
	o.record(3 * time.Microsecond)
	h.merge(o)
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{
		{0.5, 5000 * time.Microsecond},
		{0.9, 9000 * time.Microsecond},
		{0.99, 9900 * time.Microsecond},
		{0.999, 9990 * time.Microsecond},
	} {
		got := h.quantile(tc.q)
		if math.Abs(float64(got-tc.want))/float64(tc.want) > 0.01 {
			t.Errorf("quantile(%v) = %v, want %v ± 1 %%", tc.q, got, tc.want)
		}
	}
	if h.n != 10002 || h.overflowed != 1 || h.quantile(1) != time.Duration(histMax) || h.min != int64(time.Microsecond) {
		t.Errorf("n %d, overflowed %d, max %v, min %v", h.n, h.overflowed, h.quantile(1), h.min)
	}
	s := newLatencyHist().summary()
	if s != (latencySummary{}) {
		t.Errorf("summary of an empty histogram = %+v", s)
	}
}

func TestSequenceOf(t *testing.T) {
	for _, tc := range []struct {
		args []any
		want uint64
		ok   bool
	}{
		{[]any{int64(7), "x"}, 7, true},
		{[]any{uint64(1) << 63}, 1 << 63, true},
		{[]any{float64(12)}, 12, true},
		{[]any{12.5}, 0, false},
		{[]any{int64(0)}, 0, false},
		{[]any{int64(-3)}, 0, false},
		{[]any{"7"}, 0, false},
		{nil, 0, false},
	} {
		got, ok := sequenceOf(tc.args)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("sequenceOf(%v) = %d, %v; want %d, %v", tc.args, got, ok, tc.want, tc.ok)
		}
	}
}

func TestReadRSS(t *testing.T) {
	kib, err := readRSS(os.Getpid())
	if err != nil || kib <= 0 {
		t.Fatalf("readRSS(self) = %v, %v", kib, err)
	}
	if _, err := readRSS(1 << 30); err == nil || !strings.Contains(err.Error(), "process 1073741824") {
		t.Errorf("readRSS of a missing process: %v", err)
	}
}
