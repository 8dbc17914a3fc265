package rawsocket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
)

func TestMain(m *testing.M) {
	// Every connection's reader and writer and every test helper goroutine
	// must be gone once the tests have closed everything.
	os.Exit(testpeer.RunWithLeakCheck(m, "transports/rawsocket."))
}

// testMsg is a stand-in WAMP message for the fake serializer: its bytes are
// its serialization.
type testMsg struct{ data []byte }

func (m *testMsg) Type() core.MessageType { return core.TypeEvent }
func (m *testMsg) List() ([]any, error)   { return []any{int64(core.TypeEvent), m.data}, nil }

// fakeSerializer passes testMsg bytes through unchanged. Serializing a
// message that says "FAIL" fails; unserializing bytes that start with "bad"
// fails, like a serializer given garbage.
type fakeSerializer struct {
	name    string
	id      byte
	batched bool
}

func (s *fakeSerializer) Name() string        { return s.name }
func (s *fakeSerializer) Subprotocol() string { return "wamp.2." + s.name }
func (s *fakeSerializer) RawSocketID() byte   { return s.id }
func (s *fakeSerializer) Binary() bool        { return true }
func (s *fakeSerializer) Batched() bool       { return s.batched }

func (s *fakeSerializer) Serialize(msg core.Message) ([]byte, error) {
	m, ok := msg.(*testMsg)
	if !ok {
		return nil, fmt.Errorf("fake serializer: cannot serialize %T", msg)
	}
	if string(m.data) == "FAIL" {
		return nil, errors.New("fake serializer: refusing FAIL")
	}
	return bytes.Clone(m.data), nil
}

func (s *fakeSerializer) Unserialize(data []byte) ([]core.Message, error) {
	if bytes.HasPrefix(data, []byte("bad")) {
		return nil, errors.New("fake serializer: garbage")
	}
	return []core.Message{&testMsg{data: data}}, nil
}

var (
	fakeJSON    = &fakeSerializer{name: "fjson", id: 1}
	fakeMsgpack = &fakeSerializer{name: "fmsgpack", id: 2}
	fakeCBOR    = &fakeSerializer{name: "fcbor", id: 3}
	fakeUBJSON  = &fakeSerializer{name: "fubjson", id: 4}
	fakeAll     = []core.Serializer{fakeCBOR, fakeMsgpack, fakeUBJSON, fakeJSON}
)

// recorder is a testpeer.Recorder whose messages are testMsgs.
type recorder struct{ *testpeer.Recorder }

func newRecorder(echo bool) *recorder {
	r := testpeer.NewRecorder()
	r.Echo = echo
	return &recorder{r}
}

// waitMsg waits for the next message, which must be a testMsg, and returns
// its bytes.
func (r *recorder) waitMsg(t testing.TB) []byte {
	t.Helper()
	m := r.Next(t)
	tm, ok := m.(*testMsg)
	if !ok {
		t.Fatalf("got message %T, want *testMsg", m)
	}
	return tm.data
}

// server runs a listener whose connections get recorders; handlers receives
// them in accept order.
type testServer struct {
	l        *Listener
	url      string
	handlers chan *recorder
}

func startServer(t testing.TB, rawURL string, cfg core.TransportConfig, echo bool) *testServer {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{handlers: make(chan *recorder, 4096)}
	l, err := (&Factory{}).Listen(context.Background(), u, cfg, func(tr core.Transport) core.TransportHandler {
		r := newRecorder(echo)
		ts.handlers <- r
		return r
	})
	if err != nil {
		t.Fatal(err)
	}
	ts.l = l.(*Listener)
	t.Cleanup(func() { ts.l.Close() })
	switch a := l.Addr().(type) {
	case *net.UnixAddr:
		ts.url = "rs://unix:" + a.Name
		if u.Scheme == "rss" {
			ts.url = "rss://unix:" + a.Name
		}
	default:
		ts.url = u.Scheme + "://" + a.String()
	}
	return ts
}

func (ts *testServer) next(t testing.TB) *recorder {
	t.Helper()
	select {
	case r := <-ts.handlers:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("timeout waiting for a server connection")
		return nil
	}
}

func dial(t testing.TB, rawURL string, cfg core.TransportConfig, h core.TransportHandler) (*Transport, error) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tr, err := (&Factory{}).Dial(ctx, u, cfg, h)
	if err != nil {
		return nil, err
	}
	rt := tr.(*Transport)
	t.Cleanup(func() { rt.Abort(); <-rt.Done() })
	return rt, nil
}

// socketPath returns a Unix socket path short enough for sun_path.
func socketPath(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "s.sock")
}

// rawClient is a client that speaks bytes, for protocol tests.
type rawClient struct {
	net.Conn
}

func rawDial(t testing.TB, ts *testServer) rawClient {
	t.Helper()
	u, _ := url.Parse(ts.url)
	addr, err := ParseURL(u, false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout(addr.Network, addr.Address, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	t.Cleanup(func() { c.Close() })
	return rawClient{c}
}

// handshake sends b and returns the 4-byte reply, or the read error.
func (c rawClient) handshake(t testing.TB, b ...byte) ([4]byte, error) {
	t.Helper()
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
	var reply [4]byte
	_, err := readFull(c, reply[:])
	return reply, err
}

func readFull(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := c.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func frame(typ byte, payload string) []byte {
	b := make([]byte, 4, 4+len(payload))
	putHeader(b, typ, len(payload))
	return append(b, payload...)
}

func isClosedErr(err error) bool {
	return err != nil && (errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset"))
}
