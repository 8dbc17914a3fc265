package testpeer

import (
	"context"
	"sync"

	"github.com/autobahn-go/autobahn/core"
)

// Traffic records every message a router receives and sends, as the router
// itself sees them (after deframing, before serializing): a test wraps the
// router's acceptor with Wrap and then asserts on what the router could
// read — that an end-to-end encrypted payload never reaches it in the
// clear, for instance.
type Traffic struct {
	mu   sync.Mutex
	msgs []Recorded
}

// Recorded is one message of a Traffic.
type Recorded struct {
	// In is true for a message the router received, false for one it sent.
	In  bool
	Msg core.Message // a *core.Prepared is recorded unwrapped
}

// Wrap returns an acceptor that records the traffic of every connection
// accept takes.
func (tr *Traffic) Wrap(accept core.Acceptor) core.Acceptor {
	return func(t core.Transport) core.TransportHandler {
		if _, ok := t.(core.TrySender); !ok {
			return accept(t) // the router refuses it anyway
		}
		wt := &trafficTransport{Transport: t, tr: tr}
		h := accept(wt)
		if h == nil {
			return nil
		}
		return &trafficHandler{h: h, t: wt, tr: tr}
	}
}

// Messages returns what was recorded so far, in order.
func (tr *Traffic) Messages() []Recorded {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]Recorded(nil), tr.msgs...)
}

func (tr *Traffic) add(in bool, m core.Message) {
	if p, ok := m.(*core.Prepared); ok {
		m = p.Message()
	}
	tr.mu.Lock()
	tr.msgs = append(tr.msgs, Recorded{In: in, Msg: m})
	tr.mu.Unlock()
}

// trafficTransport records what the router sends; it keeps TrySend, which
// the router requires.
type trafficTransport struct {
	core.Transport
	tr *Traffic
}

func (t *trafficTransport) Send(ctx context.Context, m core.Message) error {
	t.tr.add(false, m)
	return t.Transport.Send(ctx, m)
}

func (t *trafficTransport) TrySend(m core.Message) error {
	t.tr.add(false, m)
	return t.Transport.(core.TrySender).TrySend(m)
}

// trafficHandler records what the router receives.
type trafficHandler struct {
	h  core.TransportHandler
	t  *trafficTransport
	tr *Traffic
}

func (h *trafficHandler) OnOpen(core.Transport) { h.h.OnOpen(h.t) }
func (h *trafficHandler) OnMessage(m core.Message) {
	h.tr.add(true, m)
	h.h.OnMessage(m)
}
func (h *trafficHandler) OnClose(err error) { h.h.OnClose(err) }
