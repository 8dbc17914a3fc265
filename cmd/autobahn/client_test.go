package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a command writing while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// background runs a long-lived client command until the test ends.
func background(t *testing.T, args ...string) *syncBuffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, out, out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("autobahn %s exited %d: %s", args[0], code, out.String())
			}
		case <-time.After(10 * time.Second):
			t.Errorf("autobahn %s did not stop", args[0])
		}
	})
	return out
}

// waitFor waits until out contains s.
func waitFor(t *testing.T, out *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in %q", s, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func runOnce(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var o, e bytes.Buffer
	code = run(ctx, args, &o, &e)
	return code, o.String(), e.String()
}

func TestClientCommands(t *testing.T) {
	ws, rs := benchRouter(t)
	reg := background(t, "register", ws, "com.example.echo", "--", "echo", "said:")
	waitFor(t, reg, "registered com.example.echo")
	sub := background(t, "subscribe", rs, "com.example", "--match", "prefix", "--serializer", "msgpack")
	waitFor(t, sub, "joined realm realm1")

	code, out, errOut := runOnce(t, "call", rs, "com.example.echo", "1", `{"a":[1,2.5]}`, "two words", "--serializer", "cbor")
	if code != 0 || out != `"said: 1 {\"a\":[1,2.5]} two words"`+"\n" {
		t.Fatalf("call: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = runOnce(t, "call", ws, "com.example.nothing")
	if code != 1 || !strings.HasPrefix(errOut[strings.Index(errOut, "\n")+1:], "wamp.error.no_such_procedure: ") {
		t.Fatalf("call to nothing: exit %d, stderr %q", code, errOut)
	}
	code, out, _ = runOnce(t, "publish", ws, "com.example.news", "1", "x", "--kw", "k=[true]", "--ack")
	if code != 0 || !strings.HasPrefix(out, "published ") {
		t.Fatalf("publish: exit %d, stdout %q", code, out)
	}
	waitFor(t, sub, `{"args":[1,"x"],"kwargs":{"k":[true]},"publication":`)
	waitFor(t, sub, `"topic":"com.example.news"}`)

	code, _, errOut = runOnce(t, "call", ws)
	if code != 2 || !strings.Contains(errOut, "usage: autobahn call URL PROCEDURE") {
		t.Fatalf("call without a procedure: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runOnce(t, "call", ws, "com.example.echo", "--bogus", "1")
	if code != 1 || !strings.Contains(errOut, "unknown flag --bogus") {
		t.Fatalf("unknown flag: exit %d, stderr %q", code, errOut)
	}
}

func TestRegisteredCommandFails(t *testing.T) {
	ws, _ := benchRouter(t)
	reg := background(t, "register", ws, "com.example.false", "--", "false")
	waitFor(t, reg, "registered")
	code, _, errOut := runOnce(t, "call", ws, "com.example.false")
	if code != 1 || !strings.Contains(errOut, URICommandFailed+": false: exit status 1") {
		t.Fatalf("failing command: exit %d, stderr %q", code, errOut)
	}
}
