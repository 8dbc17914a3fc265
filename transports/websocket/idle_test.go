package websocket

import (
	"bytes"
	"testing"
	"time"
)

// TestIdleWithoutReadBuffer: a server reader that went idle (and dropped
// its read buffer, see frameConn.idleWait) reads what comes next whole: a
// message split across reads and pauses, a message larger than the read
// buffer, a ping; then it notices the peer dropping the connection, and a
// local abort while it waits.
func TestIdleWithoutReadBuffer(t *testing.T) {
	url, handlers := startServer(t, &Server{})
	rc := rawDial(t, url)
	rec := recv(t, handlers, "handler")
	recv(t, rec.opened, "open")
	big := bytes.Repeat([]byte("b"), 3*DefaultReadBufferSize+7)
	small := frame(true, 0, opText, []byte("hello"), false)
	for _, tc := range []struct {
		parts [][]byte
		want  []byte
	}{
		{[][]byte{small}, []byte("hello")},
		{[][]byte{small[:1], small[1:4], small[4:]}, []byte("hello")},
		{[][]byte{frame(true, 0, opBinary, big, false)}, big},
		{[][]byte{frame(false, 0, opText, []byte("frag"), false), frame(true, 0, opContinuation, []byte("mented"), false)}, []byte("fragmented")},
	} {
		for _, p := range tc.parts {
			time.Sleep(2 * idleProbe)
			rc.send(p)
		}
		if m := recv(t, rec.messages, "message"); !bytes.Equal(m.payload, tc.want) {
			t.Fatalf("message of %d bytes, want %d", len(m.payload), len(tc.want))
		}
	}
	time.Sleep(2 * idleProbe)
	rc.send(frame(true, 0, opPing, []byte("ping"), false))
	for {
		f, err := rc.readFrame() // the server's echoes, then the pong
		if err != nil {
			t.Fatalf("waiting for the pong: %v", err)
		}
		if f.opcode == opPong {
			if string(f.payload) != "ping" {
				t.Fatalf("pong %q", f.payload)
			}
			break
		}
	}
	time.Sleep(2 * idleProbe)
	rc.conn.Close()
	if ev := recv(t, rec.closed, "close after drop"); ev.wasClean || ev.code != CloseAbnormal {
		t.Errorf("OnClose %+v, want unclean 1006", ev)
	}

	_ = rawDial(t, url) // the server side is aborted below
	rec = recv(t, handlers, "handler")
	c := recv(t, rec.opened, "open")
	time.Sleep(2 * idleProbe)
	c.Abort()
	if ev := recv(t, rec.closed, "close after abort"); ev.wasClean {
		t.Errorf("OnClose %+v, want unclean", ev)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed")
	}
}
