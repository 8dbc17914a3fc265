package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin/internal/wire"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/serializers/cbor"
)

// Offer is what a plugin binary provides: payload codecs by algorithm name,
// made from the configuration the host sends (the same factories that
// register in process), and object serializers, which the host turns into
// message serializers (plain and batched).
type Offer struct {
	Codecs      map[string]registry.PayloadCodecFactory
	Serializers []core.ObjectSerializer
}

// Serve is the main function of a plugin binary: it serves o to the host
// that started the process and returns when the host lets it go (Close) or
// disappears. Started by anything else than an autobahn host, it says so
// and exits with status 1; an empty or inconsistent offer exits likewise,
// with the reason on stderr (which the host's error shows).
//
// The host logs what the plugin writes. Write diagnostics with log or
// slog (they write to the process's stderr, which the host reads
// directly): go-plugin redirects os.Stderr and os.Stdout through its
// connection, which loses the last lines of a process that exits at once.
//
//	func main() {
//		plugin.Serve(plugin.Offer{Codecs: map[string]registry.PayloadCodecFactory{"zstd": newCodec}})
//	}
func Serve(o Offer) {
	s, err := newServer(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "autobahn plugin:", err)
		os.Exit(1)
	}
	watchParent()
	// Started by anything else than a host, go-plugin says so and exits
	// (os.Exit): no socket is made then, which would be left behind.
	if os.Getenv(wire.MagicCookieKey) == wire.MagicCookieValue {
		ln, path, err := wire.Listen()
		if err != nil {
			fmt.Fprintln(os.Stderr, "autobahn plugin: the request stream:", err)
			os.Exit(1)
		}
		defer wire.RemoveSocket(path)
		if s.desc, err = cbor.Object.Marshal(nil, s.d.withSocket(path).value()); err != nil {
			fmt.Fprintln(os.Stderr, "autobahn plugin:", err)
			os.Exit(1)
		}
		go s.accept(ln, path)
	}
	if _, set := os.LookupEnv("GOMAXPROCS"); !set {
		// A plugin shares the machine with its host, which does as much
		// work per payload: with as many Ps as cores each, the two
		// processes' idle Ps spin for work on the cores the other needs
		// (measured on 2 cores: a third less CPU per request with one P).
		runtime.GOMAXPROCS(max(1, runtime.NumCPU()/2))
	}
	if _, set := os.LookupEnv("GOGC"); !set {
		// A plugin's live heap is small and its allocation rate high
		// (every payload is copied in and out): collecting at 4× the live
		// heap instead of 2× halves the collector's work for a few MiB.
		debug.SetGCPercent(400)
	}
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: handshake,
		Plugins:         goplugin.PluginSet{wire.PluginName: &grpcPlugin{server: s}},
		GRPCServer:      goplugin.DefaultGRPCServer,
		// go-plugin's own chatter stays quiet: the host logs every line
		// of the plugin's stderr.
		Logger: hclog.New(&hclog.LoggerOptions{Level: hclog.Warn, Output: os.Stderr}),
	})
}

var handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  wire.ProtocolVersion,
	MagicCookieKey:   wire.MagicCookieKey,
	MagicCookieValue: wire.MagicCookieValue,
}

// grpcPlugin is the one go-plugin plugin: the server side registers the
// service, the client side hands out the connection (the host speaks the
// service itself, see conn.go).
type grpcPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	server *server
}

func (p *grpcPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	s.RegisterService(&wire.ServiceDesc, p.server)
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return cc, nil
}

// server is the plugin side of the service.
type server struct {
	offer Offer
	d     description
	desc  []byte // d with the socket, encoded

	mu     sync.RWMutex
	codecs map[uint64]core.PayloadCodec // by the host's codec id
}

func newServer(o Offer) (*server, error) {
	if len(o.Codecs) == 0 && len(o.Serializers) == 0 {
		return nil, errors.New("the offer has neither codecs nor serializers")
	}
	d := description{Protocol: wire.ProtocolVersion}
	for name, f := range o.Codecs {
		if name == "" || f == nil {
			return nil, fmt.Errorf("codec %q: empty name or nil factory", name)
		}
		d.Codecs = append(d.Codecs, name)
	}
	slices.Sort(d.Codecs)
	for _, s := range o.Serializers {
		if s == nil || s.Name() == "" {
			return nil, errors.New("a nil serializer or one with an empty name")
		}
		d.Serializers = append(d.Serializers, serializerInfo{Name: s.Name(), RawSocketID: s.RawSocketID(), Binary: s.Binary()})
	}
	if _, err := cbor.Object.Marshal(nil, d.value()); err != nil {
		return nil, err
	}
	return &server{offer: o, d: d, codecs: map[uint64]core.PayloadCodec{}}, nil
}

func (s *server) Describe() ([]byte, error) { return s.desc, nil }

// accept serves the first connection to the socket, the host's, and then
// removes the socket, so that nobody else connects.
func (s *server) accept(ln *net.UnixListener, path string) {
	c, err := ln.Accept()
	ln.Close()
	wire.RemoveSocket(path)
	if err != nil {
		return
	}
	defer c.Close()
	if err := s.exchange(c); err != nil {
		fmt.Fprintln(os.Stderr, "autobahn plugin: the request stream:", err)
	}
}

// exchange answers the requests of the host's stream. The requests that
// arrived together (read in one system call) are a batch that one worker answers in turn, which spares a
// goroutine switch per request; a request that takes long (stall) gets
// the rest of its batch a helper, so that a slow or hung request delays
// only its own answer. Workers are long-lived (their stacks stay grown),
// and a batch that finds every worker busy gets a goroutine of its own.
// A wire.Writer writes the answers ready at the time in one system call.
func (s *server) exchange(c net.Conn) error {
	out := make(chan *wire.Item, 1024)
	done := make(chan struct{})
	defer close(done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		if err := wire.Writer(c, out, done); err != nil {
			c.Close() // the reader below stops too
		}
	}()
	work := make(chan *batch)
	for range workers {
		go func() {
			for {
				select {
				case b := <-work:
					s.answerBatch(ctx, b, out, done)
				case <-done:
					return
				}
			}
		}()
	}
	rd := wire.NewReader(c)
	var reqs []request
	for {
		id, body, err := rd.Next()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		reqs = append(reqs, request{id, body})
		if rd.Buffered() > 0 {
			continue // more arrived with it: one batch
		}
		b := &batch{reqs: reqs}
		reqs = nil
		b.watch(func() { s.answerBatch(ctx, b, out, done) })
		select {
		case work <- b:
		default:
			go s.answerBatch(ctx, b, out, done)
		}
	}
}

// workers is the number of exchange's long-lived workers.
const workers = 16

// stall is how long a request may hold up the rest of its batch before a
// helper takes them.
const stall = 2 * time.Millisecond

// request is one request of the stream.
type request struct {
	id   uint64
	body []byte
}

// batch is the requests that arrived together. Whoever answers it claims the
// requests one at a time (next), so that a helper can join at any time.
type batch struct {
	reqs []request
	next atomic.Int64
}

// answerBatch answers the requests of b that nobody has claimed yet.
func (s *server) answerBatch(ctx context.Context, b *batch, out chan<- *wire.Item, done <-chan struct{}) {
	for {
		i := b.next.Add(1) - 1
		if i >= int64(len(b.reqs)) {
			return
		}
		s.handle(ctx, b.reqs[i], out, done)
	}
}

// watch starts a helper (help) whenever no request of b was claimed for
// stall while some remain.
func (b *batch) watch(help func()) {
	if len(b.reqs) < 2 {
		return
	}
	seen := int64(-1)
	var t *time.Timer
	t = time.AfterFunc(stall, func() {
		n := b.next.Load()
		if n >= int64(len(b.reqs)) {
			return
		}
		if n == seen {
			go help()
		}
		seen = n
		t.Reset(stall)
	})
}

func (s *server) handle(ctx context.Context, r request, out chan<- *wire.Item, done <-chan struct{}) {
	it := wire.NewItem()
	if len(r.body) > 0 && (r.body[0] == wire.OpEncode || r.body[0] == wire.OpDecode) {
		it.B = s.handCoded(ctx, it.B, r.body)
	} else {
		ans := s.answer(ctx, r.body)
		b, err := cbor.Object.Marshal(it.B, ans)
		if err != nil {
			b, _ = cbor.Object.Marshal(it.B[:wire.HeaderSize], []any{"the answer does not encode: " + err.Error()})
		}
		it.B = b
	}
	select {
	case out <- it.Seal(r.id):
	case <-done:
	}
}

// answer runs one request; a panic of the codec or serializer is the
// request's error, and the plugin goes on serving.
func (s *server) answer(ctx context.Context, body []byte) (ans []any) {
	defer func() {
		if r := recover(); r != nil {
			ans = []any{fmt.Sprintf("panic: %v", r)}
		}
	}()
	// body is a slice of a wire.Reader's buffer, which is not reused:
	// payloads alias it instead of being copied.
	v, err := cbor.UnmarshalAliasing(body)
	if err != nil {
		return []any{"malformed request: " + err.Error()}
	}
	f := wire.NewFields(v, 2, "request")
	op := f.Int(0)
	if f.Err() != nil {
		return []any{"malformed request: " + f.Err().Error()}
	}
	var res []any
	switch op {
	case wire.OpOpen:
		err = s.open(&f)
	case wire.OpMarshal, wire.OpUnmarshal:
		res, err = s.serializerOp(op, &f)
	default:
		err = fmt.Errorf("unknown operation %d", op)
	}
	if err != nil {
		return []any{err.Error()}
	}
	return append([]any{nil}, res...)
}

func (s *server) open(f *wire.Fields) error {
	id, algo, config := f.Uint(1), f.Str(2), f.Map(3)
	if f.Err() != nil {
		return f.Err()
	}
	factory, ok := s.offer.Codecs[algo]
	if !ok {
		return fmt.Errorf("no codec %q in this plugin", algo)
	}
	c, err := factory(config)
	if err != nil {
		return err
	}
	if c == nil {
		return fmt.Errorf("codec %q: the factory returned no codec", algo)
	}
	s.mu.Lock()
	s.codecs[id] = c
	s.mu.Unlock()
	return nil
}

// codec is the opened codec with the id that cur reads.
func (s *server) codec(cur *wire.Cursor) (core.PayloadCodec, error) {
	id := cur.Uvarint()
	if cur.Err() != nil {
		return nil, fmt.Errorf("malformed request: %w", cur.Err())
	}
	s.mu.RLock()
	c := s.codecs[id]
	s.mu.RUnlock()
	if c == nil {
		return nil, fmt.Errorf("codec %d was not opened", id)
	}
	return c, nil
}

// handCoded answers a hand-coded request (body), Encode or Decode,
// appending the hand-coded answer to dst; a panic of the codec is the
// request's error.
func (s *server) handCoded(ctx context.Context, dst, body []byte) (ans []byte) {
	fail := func(msg string) []byte { return wire.AppendString(append(dst[:wire.HeaderSize], wire.AnsError), msg) }
	defer func() {
		if r := recover(); r != nil {
			ans = fail(fmt.Sprintf("panic: %v", r))
		}
	}()
	cur := wire.NewCursor(body)
	var err error
	if cur.Byte() == wire.OpEncode {
		ans, err = s.encode(ctx, dst, &cur)
	} else {
		ans, err = s.decode(ctx, dst, &cur)
	}
	if err != nil {
		return fail(err.Error())
	}
	return ans
}

func (s *server) encode(ctx context.Context, dst []byte, cur *wire.Cursor) ([]byte, error) {
	c, err := s.codec(cur)
	if err != nil {
		return nil, err
	}
	// body is a slice of a wire.Reader's buffer, which is not reused:
	// payloads alias it instead of being copied.
	originating, uri, args, kwargs := cur.Bool(), cur.Str(), cur.List(), cur.Map()
	if cur.End(); cur.Err() != nil {
		return nil, fmt.Errorf("malformed request: %w", cur.Err())
	}
	enc, err := c.Encode(ctx, originating, uri, args, kwargs)
	if err != nil {
		return nil, err
	}
	if enc == nil {
		return append(dst, wire.AnsClear), nil
	}
	b := wire.AppendBytes(append(dst, wire.AnsPayload), enc.Payload)
	b = wire.AppendString(b, enc.Algo)
	b = wire.AppendString(b, enc.Serializer)
	b = wire.AppendString(b, enc.Cipher)
	return wire.AppendString(b, enc.Key), nil
}

func (s *server) decode(ctx context.Context, dst []byte, cur *wire.Cursor) ([]byte, error) {
	c, err := s.codec(cur)
	if err != nil {
		return nil, err
	}
	originating, uri := cur.Bool(), cur.Str()
	// The payload aliases body, which is not reused.
	p := &core.EncodedPayload{Payload: cur.Bytes(), Algo: cur.Str(), Serializer: cur.Str(), Cipher: cur.Str(), Key: cur.Str()}
	if cur.End(); cur.Err() != nil {
		return nil, fmt.Errorf("malformed request: %w", cur.Err())
	}
	uri, args, kwargs, err := c.Decode(ctx, originating, uri, p)
	if err != nil {
		return nil, err
	}
	b := wire.AppendString(append(dst, wire.AnsPayload), uri)
	if b, err = wire.AppendValue(b, args); err == nil {
		b, err = wire.AppendValue(b, kwargs)
	}
	if err != nil {
		return nil, fmt.Errorf("the answer does not encode: %w", err)
	}
	return b, nil
}

func (s *server) serializerOp(op int, f *wire.Fields) ([]any, error) {
	i := f.Int(1)
	if f.Err() != nil {
		return nil, f.Err()
	}
	if i >= len(s.offer.Serializers) {
		return nil, fmt.Errorf("no serializer %d in this plugin", i)
	}
	ser := s.offer.Serializers[i]
	if op == wire.OpMarshal {
		b, err := ser.Marshal(nil, f.Any(2))
		return []any{orEmpty(b)}, err
	}
	data := f.Bytes(2)
	if f.Err() != nil {
		return nil, f.Err()
	}
	v, err := ser.Unmarshal(data)
	return []any{v}, err
}

// orEmpty keeps an empty result distinct from "no payload" (nil).
func orEmpty(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
