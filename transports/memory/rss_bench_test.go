package memory_test

import (
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/transports/memory"
)

// The child of BenchmarkIdleRSS runs from init, before any test: it opens
// the in-memory connections itself, each a memory.Connect of a no-op client
// to the child's acceptor (a pair made as by memory.Pair, whose server end
// is handed to the acceptor as a router's would be).
func init() {
	testpeer.RSSChild("memory", testpeer.RSSServer{Open: func(accept core.Acceptor) (core.Transport, error) {
		return memory.Connect(accept, nopHandler{}, memory.Options{})
	}})
}

// BenchmarkIdleRSS reports what an idle in-memory connection costs the
// process over 2,000 connections, both ends of a pair counted together as
// one connection: the growth of its RSS (rss-B/conn, the target is
// 1 KiB), of its Go heap and stacks (heap-B/conn as is, live-B/conn after a
// collection) and its goroutines (goroutines/conn: none once idle). The
// connections live in a child process so that nothing else grows its RSS.
// The measurement runs once whatever -benchtime.
func BenchmarkIdleRSS(b *testing.B) {
	testpeer.BenchIdleRSS(b, "memory", nil)
}

// nopHandler is the client end's handler.
type nopHandler struct{}

func (nopHandler) OnOpen(core.Transport)  {}
func (nopHandler) OnMessage(core.Message) {}
func (nopHandler) OnClose(error)          {}
