package websocket

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// idleClientMain is the child process of BenchmarkIdleServerConnMemory: it
// opens idle WebSocket connections to the address in the environment, prints
// READY, and holds them until its stdin closes. It reports whether it ran.
func idleClientMain() bool {
	if os.Getenv("AUTOBAHN_WS_IDLE_SERVE") != "" {
		idleServerMain()
		return true
	}
	addr := os.Getenv("AUTOBAHN_WS_IDLE_ADDR")
	if addr == "" {
		return false
	}
	n, _ := strconv.Atoi(os.Getenv("AUTOBAHN_WS_IDLE_N"))
	conns := make([]net.Conn, 0, n)
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", addr, testKey)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != 101 {
			fmt.Println("ERROR handshake", err)
			os.Exit(1)
		}
		if os.Getenv("AUTOBAHN_WS_IDLE_TRAFFIC") != "" {
			// Some traffic first: a ping (answered with a pong we
			// leave unread) and a text message.
			c.Write(frame(true, 0, 9, []byte("are you there?"), false))
			c.Write(frame(true, 0, 1, []byte("hello"), false))
		}
		conns = append(conns, c)
	}
	fmt.Println("READY")
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
	return true
}

// idleServerMain is the child process of BenchmarkIdleClientConnMemory: a
// bare server that answers opening handshakes and then keeps the
// connections open and quiet until its stdin closes.
func idleServerMain() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr())
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					c.Close()
					return
				}
				fmt.Fprintf(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acceptKey(req.Header.Get("Sec-WebSocket-Key")))
				io.Copy(io.Discard, c)
			}()
		}
	}()
	io.Copy(io.Discard, os.Stdin)
}

type idleClient struct{}

func (idleClient) OnConnect(*ConnectionResponse) error { return nil }
func (idleClient) OnOpen(*Conn)                        {}
func (idleClient) OnMessage([]byte, bool)              {}
func (idleClient) OnClose(bool, int, string)           {}

// BenchmarkIdleClientConnMemory dials 2000 idle client connections to a bare
// server in a child process and reports the growth of HeapInuse + StackInuse
// per connection (B/conn).
func BenchmarkIdleClientConnMemory(b *testing.B) {
	const n = 2000
	var total float64
	for range b.N {
		b.StopTimer()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "AUTOBAHN_WS_IDLE_SERVE=1")
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		addr, _ := bufio.NewReader(stdout).ReadString('\n')
		url := "ws://" + strings.TrimSpace(addr) + "/"
		d := &Dialer{Logger: quietLog}
		conns := make([]*Conn, 0, n)
		before := heapAndStack()
		b.StartTimer()
		for range n {
			c, err := d.Dial(context.Background(), url, idleClient{})
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
		}
		after := heapAndStack()
		b.StopTimer()
		total += (float64(after) - float64(before)) / n
		for _, c := range conns {
			c.Abort()
			<-c.Done()
		}
		stdin.Close()
		cmd.Wait()
		b.StartTimer()
	}
	b.ReportMetric(total/float64(b.N), "B/conn")
}

type idleHandler struct{ opened, closed, messages *atomic.Int64 }

func (h idleHandler) OnConnect(*ConnectionRequest) (ConnectionAccept, error) {
	return ConnectionAccept{}, nil
}
func (h idleHandler) OnOpen(*Conn)              { h.opened.Add(1) }
func (h idleHandler) OnMessage([]byte, bool)    { h.messages.Add(1) }
func (h idleHandler) OnClose(bool, int, string) { h.closed.Add(1) }

func heapAndStack() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}

// BenchmarkIdleServerConnMemory opens 2000 idle WebSocket connections to a
// Server from a child process and reports the growth of HeapInuse +
// StackInuse per connection (B/conn). The target is 6 KiB. "fresh"
// connections have only done the opening handshake; "after-traffic" ones
// have also received a ping and a message.
func BenchmarkIdleServerConnMemory(b *testing.B) {
	b.Run("fresh", func(b *testing.B) { benchIdleServer(b, false) })
	b.Run("after-traffic", func(b *testing.B) { benchIdleServer(b, true) })
}

func benchIdleServer(b *testing.B, traffic bool) {
	const n = 2000
	var total float64
	for range b.N {
		b.StopTimer()
		var opened, closed, messages atomic.Int64
		h := idleHandler{&opened, &closed, &messages}
		s := NewServer(func() ServerHandler { return h }, Options{})
		s.Logger = quietLog
		ln, err := s.Listen(context.Background(), "tcp", "127.0.0.1:0", nil)
		if err != nil {
			b.Fatal(err)
		}
		before := heapAndStack()
		b.StartTimer()

		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "AUTOBAHN_WS_IDLE_ADDR="+ln.Addr().String(), "AUTOBAHN_WS_IDLE_N="+strconv.Itoa(n))
		if traffic {
			cmd.Env = append(cmd.Env, "AUTOBAHN_WS_IDLE_TRAFFIC=1")
		}
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		if !strings.HasPrefix(line, "READY") {
			b.Fatalf("child: %q", line)
		}
		deadline := time.Now().Add(30 * time.Second)
		for opened.Load() < n && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if opened.Load() < n {
			b.Fatalf("only %d of %d connections opened", opened.Load(), n)
		}
		for traffic && messages.Load() < n && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		// Let the connections notice they are idle (idleProbe).
		time.Sleep(4 * idleProbe)
		after := heapAndStack()
		b.StopTimer()
		total += (float64(after) - float64(before)) / n

		stdin.Close()
		cmd.Wait()
		for closed.Load() < n && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		ln.Close()
		b.StartTimer()
	}
	b.ReportMetric(total/float64(b.N), "B/conn")
}

// Echo benchmarks: a client sends b.N messages and a server echoes them,
// through this package and through gorilla/websocket directly, with the same
// buffer sizes and the same goroutines (the client reads on a goroutine of its
// own). "pingpong" waits for each echo before sending the next message;
// "stream" keeps up to streamWindow messages in flight. Compare msgs/s and
// cpu-ns/msg (the CPU time of the whole process per message, steadier than
// wall time on a busy machine), or run BenchmarkEchoVersus, which measures
// both in the same run and reports the ratio.

// streamWindow is how many messages the stream mode keeps in flight. It is
// bounded so that the echoes' signal channel (of this capacity) never fills:
// a reader blocked on a full channel would stop reading, the server would
// stop echoing and the sender would wait forever.
const streamWindow = 256

var echoModes = []struct {
	name   string
	window int // messages in flight
}{{"pingpong", 1}, {"stream", streamWindow}}

var echoSizes = []int{64, 4096}

// cpuTime is the CPU time (user and system) used by the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// echoPair is a client connected to an echo server: send sends a message,
// received is signalled once per echo (it has room for every message in
// flight, so the client's reader never blocks on it), close ends both.
type echoPair struct {
	send     func([]byte) error
	received chan struct{}
	close    func()
}

// echo sends n messages of payload with at most window of them unanswered,
// and waits for all the echoes.
func (p *echoPair) echo(b *testing.B, payload []byte, n, window int) {
	if window > cap(p.received) {
		b.Fatalf("window %d larger than the signal channel (%d)", window, cap(p.received))
	}
	inFlight := 0
	for range n {
		if inFlight == window {
			<-p.received
			inFlight--
		}
		if err := p.send(payload); err != nil {
			b.Fatal(err)
		}
		inFlight++
	}
	for ; inFlight > 0; inFlight-- {
		<-p.received
	}
}

// runEcho sends b.N messages of size bytes through p and reports msgs/s and
// cpu-ns/msg.
func runEcho(b *testing.B, p *echoPair, size, window int) {
	payload := make([]byte, size)
	b.SetBytes(int64(size))
	b.ResetTimer()
	cpu0 := cpuTime()
	p.echo(b, payload, b.N, window)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/msg")
}

type signallingClient struct{ received chan struct{} }

func (c *signallingClient) OnConnect(*ConnectionResponse) error { return nil }
func (c *signallingClient) OnOpen(*Conn)                        {}
func (c *signallingClient) OnMessage([]byte, bool)              { c.received <- struct{}{} }
func (c *signallingClient) OnClose(bool, int, string)           {}

type echoHandler struct{ conn *Conn }

func (e *echoHandler) OnConnect(*ConnectionRequest) (ConnectionAccept, error) {
	return ConnectionAccept{}, nil
}
func (e *echoHandler) OnOpen(c *Conn)                    { e.conn = c }
func (e *echoHandler) OnMessage(p []byte, isBinary bool) { e.conn.SendMessage(p, isBinary) }
func (e *echoHandler) OnClose(bool, int, string)         {}

// oursEcho connects a client of this package to an echo Server.
func oursEcho(b *testing.B) *echoPair {
	s := NewServer(func() ServerHandler { return &echoHandler{} }, Options{})
	s.Logger = quietLog
	ts := httptest.NewServer(s)
	cc := &signallingClient{received: make(chan struct{}, streamWindow)}
	c, err := (&Dialer{Logger: quietLog}).Dial(context.Background(), "ws"+strings.TrimPrefix(ts.URL, "http"), cc)
	if err != nil {
		ts.Close()
		b.Fatal(err)
	}
	return &echoPair{
		send:     func(p []byte) error { return c.SendMessage(p, true) },
		received: cc.received,
		close: func() {
			c.Close(context.Background())
			s.CloseAll(context.Background())
			ts.Close()
		},
	}
}

// gorillaEcho connects a gorilla/websocket client to a gorilla/websocket
// echo server, with this package's default buffer sizes.
func gorillaEcho(b *testing.B) *echoPair {
	pool := &sync.Pool{}
	up := websocket.Upgrader{ReadBufferSize: DefaultReadBufferSize, WriteBufferSize: DefaultWriteBufferSize, WriteBufferPool: pool}
	var wg sync.WaitGroup
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer ws.Close()
			for {
				typ, p, err := ws.ReadMessage()
				if err != nil {
					return
				}
				if err := ws.WriteMessage(typ, p); err != nil {
					return
				}
			}
		}()
	}))
	d := websocket.Dialer{ReadBufferSize: DefaultReadBufferSize, WriteBufferSize: DefaultWriteBufferSize, WriteBufferPool: pool}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
	if err != nil {
		ts.Close()
		b.Fatal(err)
	}
	received := make(chan struct{}, streamWindow)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
			received <- struct{}{}
		}
	}()
	return &echoPair{
		send:     func(p []byte) error { return ws.WriteMessage(websocket.BinaryMessage, p) },
		received: received,
		close: func() {
			ws.Close()
			<-readerDone
			wg.Wait()
			ts.Close()
		},
	}
}

func BenchmarkEchoOurs(b *testing.B) {
	for _, mode := range echoModes {
		for _, size := range echoSizes {
			b.Run(mode.name+"/"+strconv.Itoa(size), func(b *testing.B) {
				p := oursEcho(b)
				defer p.close()
				runEcho(b, p, size, mode.window)
			})
		}
	}
}

func BenchmarkEchoGorilla(b *testing.B) {
	for _, mode := range echoModes {
		for _, size := range echoSizes {
			b.Run(mode.name+"/"+strconv.Itoa(size), func(b *testing.B) {
				p := gorillaEcho(b)
				defer p.close()
				runEcho(b, p, size, mode.window)
			})
		}
	}
}

// BenchmarkEchoVersus runs the echo through this package and through
// gorilla/websocket in the same run, in alternating rounds (ours, gorilla,
// gorilla, ours, ...) so that a busy machine slows both alike. Every
// iteration is one message through each; it reports the wall time per
// message of each (ours-ns/msg, gorilla-ns/msg) and their ratio x-gorilla,
// gorilla's time divided by ours: above 1 this package is faster.
func BenchmarkEchoVersus(b *testing.B) {
	for _, mode := range echoModes {
		for _, size := range echoSizes {
			b.Run(mode.name+"/"+strconv.Itoa(size), func(b *testing.B) {
				ours, gor := oursEcho(b), gorillaEcho(b)
				defer gor.close()
				defer ours.close()
				payload := make([]byte, size)
				// Warm up both (buffers, pools, goroutine stacks).
				ours.echo(b, payload, 2*streamWindow, mode.window)
				gor.echo(b, payload, 2*streamWindow, mode.window)
				b.SetBytes(2 * int64(size))
				b.ResetTimer()
				const rounds = 8
				var tOurs, tGorilla time.Duration
				pairs := [2]*echoPair{ours, gor}
				times := [2]*time.Duration{&tOurs, &tGorilla}
				for r := range rounds {
					n := b.N/rounds + boolToInt(r < b.N%rounds)
					for k := range 2 {
						i := k ^ r&1 // ABBA order
						t0 := time.Now()
						pairs[i].echo(b, payload, n, mode.window)
						*times[i] += time.Since(t0)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(tOurs.Nanoseconds())/float64(b.N), "ours-ns/msg")
				b.ReportMetric(float64(tGorilla.Nanoseconds())/float64(b.N), "gorilla-ns/msg")
				b.ReportMetric(float64(tGorilla)/float64(tOurs), "x-gorilla")
			})
		}
	}
}

func boolToInt(v bool) int {
	if v {
		return 1
	}
	return 0
}
