package testpeer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// The idle-connection memory benchmarks (BenchmarkIdleRSS of the transports)
// measure what an operator sees: the growth of a server process's resident
// set size (VmRSS) as idle connections pile up, not only the Go heap. The
// server therefore runs in a process of its own, the test binary run again
// with RSSEnv set, and the benchmark (the parent) talks to it over its stdin
// and stdout:
//
//	child:  ADDR <address clients dial, "-" when there is none>
//	parent: stat | gcstat | open <n>
//	child:  STAT <VmRSS> <HeapInuse+StackInuse> <goroutines> <opened>
//
// stat reports the process as it is; gcstat collects garbage first (for the
// live heap); open makes the child open n connections to itself (for the
// in-memory transport, which has no socket to dial). The child exits when
// its stdin closes.

// RSSEnv is the environment variable that turns a test binary into the
// server child of an idle-memory benchmark; its value names the mode.
const RSSEnv = "AUTOBAHN_RSS_CHILD"

// IdleConns is how many idle connections the benchmarks open.
const IdleConns = 2000

// rssSettle is how long connections are left alone before a measurement,
// so that their readers park: the WebSocket reader moves to a fresh
// goroutine after 50 ms without data.
const rssSettle = 500 * time.Millisecond

// rssWarmup connections are opened before the first measurement, so that
// one-time costs (code pages touched by the first handshake, pools, the
// runtime's first stacks of each size) do not count per connection.
const rssWarmup = 16

// RSSServer is the server side of an idle-memory benchmark, run in the
// child process.
type RSSServer struct {
	// Listen starts a listener that hands its transports to accept and
	// returns the address clients dial. Nil when the child opens the
	// connections itself.
	Listen func(accept core.Acceptor) (addr string, err error)
	// Open opens one connection within the child whose server end is handed
	// to accept, and returns its client end. Nil for listeners.
	Open func(accept core.Acceptor) (core.Transport, error)
}

// RSSChild runs srv and exits when the environment says this process is
// the child of an idle-memory benchmark in the given mode; otherwise it
// returns at once. Call it from a func init() of a test file, so that the
// child runs neither TestMain nor any test.
func RSSChild(mode string, srv RSSServer) {
	if os.Getenv(RSSEnv) != mode {
		return
	}
	if err := serveRSS(srv); err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func serveRSS(srv RSSServer) error {
	if err := RaiseFileLimit(2*IdleConns + 100); err != nil {
		return err
	}
	var opened atomic.Int64
	accept := func(core.Transport) core.TransportHandler { return idleHandler{&opened} }
	addr := "-"
	if srv.Listen != nil {
		var err error
		if addr, err = srv.Listen(accept); err != nil {
			return err
		}
	}
	fmt.Println("ADDR", addr)
	var held []core.Transport // the in-memory connections are garbage unless held
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		cmd, arg, _ := strings.Cut(in.Text(), " ")
		switch cmd {
		case "open":
			n, _ := strconv.Atoi(arg)
			for range n {
				t, err := srv.Open(accept)
				if err != nil {
					return err
				}
				held = append(held, t)
			}
			fallthrough
		case "stat", "gcstat":
			if cmd == "gcstat" {
				runtime.GC()
			}
			rss, err := vmRSS()
			if err != nil {
				return err
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			fmt.Println("STAT", rss, ms.HeapInuse+ms.StackInuse, runtime.NumGoroutine(), opened.Load())
		default:
			return fmt.Errorf("unknown command %q", in.Text())
		}
	}
	runtime.KeepAlive(held)
	return nil
}

// idleHandler is the server's handler: it counts the opened transports and
// ignores everything else. One value serves every connection, so that the
// handler costs nothing per connection.
type idleHandler struct{ opened *atomic.Int64 }

func (h idleHandler) OnOpen(core.Transport)  { h.opened.Add(1) }
func (h idleHandler) OnMessage(core.Message) {}
func (h idleHandler) OnClose(error)          {}

// vmRSS is the resident set size of this process in bytes, from
// /proc/self/status (Linux only).
func vmRSS() (int64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(status) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(string(v)), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

// RaiseFileLimit raises this process's soft limit of open files to at least
// n, as far as the hard limit allows: each side of IdleConns connections
// needs a descriptor per connection. (Go raises the soft limit to the hard
// one at start-up already; this reports plainly when that is not enough.)
func RaiseFileLimit(n uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur >= n {
		return nil
	}
	if lim.Max < n {
		return fmt.Errorf("open files limited to %d, %d needed (raise ulimit -Hn)", lim.Max, n)
	}
	lim.Cur = n
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

// rssStat is one STAT line of the child.
type rssStat struct{ rss, heap, goroutines, opened int64 }

// rssProc is the parent's end of a child.
type rssProc struct {
	in  io.WriteCloser
	out *bufio.Scanner
}

func (p *rssProc) line(b *testing.B) string {
	if !p.out.Scan() {
		b.Fatalf("idle-memory child ended: %v", p.out.Err())
	}
	if msg, failed := strings.CutPrefix(p.out.Text(), "ERROR "); failed {
		b.Fatalf("idle-memory child: %s", msg)
	}
	return p.out.Text()
}

func (p *rssProc) stat(b *testing.B, cmd string) rssStat {
	fmt.Fprintln(p.in, cmd)
	var s rssStat
	if _, err := fmt.Sscanf(p.line(b), "STAT %d %d %d %d", &s.rss, &s.heap, &s.goroutines, &s.opened); err != nil {
		b.Fatalf("idle-memory child: %v", err)
	}
	return s
}

// waitOpened waits until the child has opened want connections, and then
// leaves them alone for a while.
func (p *rssProc) waitOpened(b *testing.B, want int64) {
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if s := p.stat(b, "stat"); s.opened >= want {
			break
		} else if time.Now().After(deadline) {
			b.Fatalf("the child opened %d of %d connections", s.opened, want)
		}
	}
	time.Sleep(rssSettle)
}

// BenchIdleRSS measures what IdleConns idle connections cost the server
// process of the given mode (see RSSChild) and reports per connection:
// rss-B/conn, the growth of its VmRSS as the operator sees it;
// heap-B/conn, the growth of its Go heap and stacks as they are (garbage
// included); live-B/conn, the same after a garbage collection; and
// goroutines/conn. dial opens one client connection to the child's address;
// nil makes the child open the connections itself (in-memory transport).
// The measurement runs once, whatever -benchtime; ns/op means nothing.
func BenchIdleRSS(b *testing.B, mode string, dial func(addr string) (io.Closer, error)) {
	if _, err := vmRSS(); err != nil {
		b.Skipf("no RSS to measure: %v", err)
	}
	if err := RaiseFileLimit(IdleConns + 100); err != nil {
		b.Skip(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), RSSEnv+"="+mode)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &rssProc{in: in, out: bufio.NewScanner(out)}
	var clients []io.Closer
	defer func() {
		in.Close()
		cmd.Wait()
		for _, c := range clients {
			c.Close()
		}
	}()
	addr, ok := strings.CutPrefix(p.line(b), "ADDR ")
	if !ok {
		b.Fatalf("idle-memory child: no address")
	}
	open := func(n int) {
		if dial == nil {
			p.stat(b, "open "+strconv.Itoa(n))
			return
		}
		for range n {
			c, err := dial(addr)
			if err != nil {
				b.Fatalf("after %d connections: %v", len(clients), err)
			}
			clients = append(clients, c)
		}
	}

	open(rssWarmup)
	p.waitOpened(b, rssWarmup)
	// The baseline's collection can only lower the baseline's RSS (the
	// runtime may return the freed memory to the system meanwhile), which
	// overstates the growth rather than hiding any; the final RSS is taken
	// as it is, before collecting.
	live0 := p.stat(b, "gcstat")
	time.Sleep(rssSettle)
	before := p.stat(b, "stat")
	open(IdleConns)
	p.waitOpened(b, rssWarmup+IdleConns)
	after := p.stat(b, "stat")
	live1 := p.stat(b, "gcstat")
	// The figures do not depend on b.N: they were taken once, above. The
	// empty loop only satisfies -benchtime, and with b.Loop the testing
	// package calls the benchmark once instead of again with a larger b.N.
	for b.Loop() {
	}

	per := func(a, b int64) float64 { return float64(b-a) / IdleConns }
	b.ReportMetric(per(before.rss, after.rss), "rss-B/conn")
	b.ReportMetric(per(before.heap, after.heap), "heap-B/conn")
	b.ReportMetric(per(live0.heap, live1.heap), "live-B/conn")
	b.ReportMetric(per(before.goroutines, after.goroutines), "goroutines/conn")
}
