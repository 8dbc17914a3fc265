package plugin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/autobahn-go/autobahn/payloadcodec/plugin/internal/wire"
	"github.com/autobahn-go/autobahn/serializers/cbor"
)

// conn is one run of the plugin process: its go-plugin client and the one
// request stream that every caller shares, a Unix-domain socket. Callers
// queue their encoded request (encoded on their own goroutine) for the
// writer, which writes what is queued in one system call; the reader
// hands each answer to the caller waiting for its id. A conn that fails
// (the process exited, the socket broke, an item header was impossible)
// is dead for good: the host starts another.
type conn struct {
	client  *goplugin.Client
	stderr  *stderrTail
	started time.Time
	pid     int
	sock    net.Conn
	path    string // of the socket, removed when the process is gone
	out     chan *wire.Item
	nextID  atomic.Uint64

	mu      sync.Mutex
	pending map[uint64]waiter
	opened  map[uint64]bool // codec ids opened in this process

	dead     chan struct{} // closed when the conn failed; err says why
	err      error
	readDone chan struct{}
}

// startConn starts the plugin process, checks the handshake, asks what it
// offers and opens the request stream. An error shows the plugin's stderr.
func startConn(h *Host) (*conn, description, error) {
	cmd := exec.Command(h.path, h.opts.Args...)
	cmd.Env = h.opts.Env
	cmd.Dir = h.opts.Dir
	killWithParent(cmd)
	tail := &stderrTail{name: h.name, logger: h.logger}
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  handshake,
		Plugins:          goplugin.PluginSet{wire.PluginName: &grpcPlugin{}},
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           hclog.NewNullLogger(),
		Stderr:           tail.source(),
		SyncStderr:       tail.source(),
		SyncStdout:       tail.source(),
		SkipHostEnv:      true,
		StartTimeout:     h.opts.StartTimeout,
	})
	fail := func(what string, err error) (*conn, description, error) {
		client.Kill() // also waits until its stderr is read
		msg := fmt.Sprintf("plugin %s: %s: %v", h.path, what, err)
		if client.Exited() && tail.String() != "" {
			// go-plugin's guesses (architecture, permissions, …) would
			// only hide what the plugin said.
			msg = fmt.Sprintf("plugin %s: %s: it exited", h.path, what)
		}
		return nil, description{}, errors.New(tail.withStderr(msg))
	}
	rpc, err := client.Client()
	if err != nil {
		return fail("starting it", err)
	}
	raw, err := rpc.Dispense(wire.PluginName)
	if err != nil {
		return fail("connecting", err)
	}
	cc := raw.(*grpc.ClientConn)
	ctx, cancel := context.WithTimeout(context.Background(), h.opts.StartTimeout)
	defer cancel()
	var ans wrapperspb.BytesValue
	if err := cc.Invoke(ctx, wire.DescribeMethod, wrapperspb.Bytes(nil), &ans); err != nil {
		return fail("asking what it offers", err)
	}
	v, err := cbor.Object.Unmarshal(ans.Value)
	if err != nil {
		return fail("reading what it offers", err)
	}
	desc, err := parseDescription(v)
	if err != nil {
		return fail("reading what it offers", err)
	}
	var d net.Dialer
	sock, err := d.DialContext(ctx, "unix", desc.Socket)
	if err != nil {
		defer wire.RemoveSocket(desc.Socket) // once the process is gone
		return fail("opening the request stream", err)
	}
	c := &conn{
		client: client, stderr: tail, started: time.Now(), sock: sock, path: desc.Socket,
		out: make(chan *wire.Item, 1024), pending: map[uint64]waiter{}, opened: map[uint64]bool{},
		dead: make(chan struct{}), readDone: make(chan struct{}),
	}
	if rc := client.ReattachConfig(); rc != nil {
		c.pid = rc.Pid
	}
	go func() {
		if err := wire.Writer(sock, c.out, c.dead); err != nil {
			c.fail(fmt.Errorf("sending to the plugin: %w", err))
		}
	}()
	go c.read(h)
	go c.expire()
	return c, desc, nil
}

// read hands each answer to its caller until the stream ends, then fails
// the conn and tells the host.
func (c *conn) read(h *Host) {
	defer close(c.readDone)
	rd := wire.NewReader(c.sock)
	var err error
	for {
		id, body, rerr := rd.Next()
		if errors.Is(rerr, wire.ErrItem) {
			err = fmt.Errorf("the plugin sent garbage: %w", rerr)
			break
		}
		if rerr != nil {
			err = fmt.Errorf("the connection to the plugin broke: %w", rerr)
			break
		}
		c.deliver(id, body)
	}
	c.fail(err)
	h.lost(c)
}

func (c *conn) deliver(id uint64, body []byte) {
	c.mu.Lock()
	if w, ok := c.pending[id]; ok {
		delete(c.pending, id)
		w.ch <- body // buffered and empty: never blocks
	}
	c.mu.Unlock()
}

// answers are the channels of waiters, reused: an answer is only sent
// with c.mu held while the waiter is pending, so once roundTrip has taken
// its waiter out and emptied the channel, nothing else can reach it.
var answers = sync.Pool{New: func() any { return make(chan []byte, 1) }}

// waiter is a caller waiting for an answer. A caller whose context has no
// deadline gets one (Options.CallTimeout), which expire enforces: one
// ticker for all of them instead of a timer per request.
type waiter struct {
	ch       chan []byte // gets the answer, or nil when the deadline passed
	deadline time.Time   // zero: the caller's context has one
}

// expireEvery is how often expire looks for waiters past their deadline.
const expireEvery = 50 * time.Millisecond

// expire answers nil to the waiters past their deadline, until the conn
// is dead.
func (c *conn) expire() {
	t := time.NewTicker(expireEvery)
	defer t.Stop()
	for {
		select {
		case <-c.dead:
			return
		case now := <-t.C:
			c.mu.Lock()
			for id, w := range c.pending {
				if !w.deadline.IsZero() && now.After(w.deadline) {
					delete(c.pending, id)
					w.ch <- nil
				}
			}
			c.mu.Unlock()
		}
	}
}

// fail marks the conn dead (once) and ends the process; err, with what the
// plugin last wrote to stderr, is what every waiting and later caller of
// this conn gets.
func (c *conn) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	c.mu.Unlock()
	c.sock.Close()
	c.client.Kill()           // waits until the process is gone and its stderr read
	wire.RemoveSocket(c.path) // left behind by a plugin that crashed
	if c.client.Exited() {
		err = errors.New(c.stderr.withStderr(err.Error() + " (the plugin process exited)"))
	}
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
	close(c.dead)
}

// close ends the process for good (Host.Close).
func (c *conn) close() {
	c.fail(ErrClosed)
	<-c.readDone
}

func (c *conn) isDead() bool {
	select {
	case <-c.dead:
		return true
	default:
		return false
	}
}

// roundTrip sends one request, the body in a wire.NewItem, and
// waits for its answer until ctx ends, timeout passes (when ctx has no
// deadline) or the conn fails, whichever comes first.
func (c *conn) roundTrip(ctx context.Context, req *wire.Item, timeout time.Duration) ([]byte, error) {
	id := c.nextID.Add(1)
	w := waiter{ch: answers.Get().(chan []byte)}
	if _, ok := ctx.Deadline(); !ok {
		w.deadline = time.Now().Add(timeout)
	}
	c.mu.Lock()
	c.pending[id] = w
	c.mu.Unlock()
	select {
	case c.out <- req.Seal(id):
		select {
		case ans := <-w.ch:
			answers.Put(w.ch)
			if ans == nil {
				return nil, fmt.Errorf("no answer from the plugin within %v", timeout)
			}
			return ans, nil
		case <-ctx.Done():
		case <-c.dead:
		}
	case <-ctx.Done():
		wire.FreeItem(req)
	case <-c.dead:
		wire.FreeItem(req)
	}
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
	select {
	case ans := <-w.ch: // answered after all
		answers.Put(w.ch)
		if ans != nil {
			return ans, nil
		}
	default:
		answers.Put(w.ch)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("no answer from the plugin: %w", context.Cause(ctx))
	}
	<-c.dead // err is final once dead is closed
	c.mu.Lock()
	defer c.mu.Unlock()
	return nil, c.err
}

func (c *conn) String() string { return "pid " + strconv.Itoa(c.pid) }
