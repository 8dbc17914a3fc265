package main

// "autobahn bench": a protocol-level WAMP load generator that runs against
// any WAMP router URL (ours or another one), so that the embedded router can
// be measured side by side with others under exactly the same load.
//
//	autobahn bench rpc    [flags] URL   one callee, C closed-loop callers
//	autobahn bench pubsub [flags] URL   one publisher, S subscribers
//	autobahn bench idle   [flags] URL   N joined sessions held; router RSS per session
//
// Every mode prints a progress line on stderr about once a second and a
// table (or JSON with --json) on stdout at the end. Every loop is bounded by
// a duration or a count, every dial and set-up request by --timeout. The
// modes live in bench_rpc.go, bench_pubsub.go and bench_idle.go, the WAMP
// session they share in bench_peer.go, the latency histogram in
// bench_hist.go.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/transports/rawsocket"
	"github.com/autobahn-go/autobahn/transports/websocket"
	"github.com/autobahn-go/autobahn/wamp"

	// The serializers register themselves; the transports are imported by
	// name above, which registers them too.
	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/serializers/ubjson"
)

// benchModes are the modes of "autobahn bench", for its usage.
var benchModes = []struct{ name, synopsis, summary string }{
	{"rpc", "[--callers 8] [--duration 10s] [--size 0] [common flags] URL",
		"one callee, C callers each with one call outstanding: calls/s, round-trip p50/p99/p999"},
	{"pubsub", "[--subscribers 100] [--size 64] [--events N | --duration 10s] [--rate 0] [common flags] URL",
		"one publisher, S subscribers: deliveries/s, events lost"},
	{"idle", "[--sessions 2000] [--pid P] [--hold 0] [common flags] URL",
		"N joined sessions held; with --pid, the router's RSS per session"},
}

func benchUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: autobahn bench MODE [flags] URL\n\nmodes:")
	for _, m := range benchModes {
		fmt.Fprintf(w, "  %-7s %s\n", m.name, m.summary)
	}
	fmt.Fprint(w, `
URL is any WAMP router: ws://host:port/path (WebSocket) or rs://host:port
(RawSocket). Common flags: --serializer (json, msgpack, cbor, ubjson, and
their .batched forms on WebSocket), --realm, --json, --timeout, --quiet,
and --authid with --ticket, --wampcra or --cryptosign to authenticate
(bench idle then measures authenticated joins/s).
"autobahn bench MODE -h" prints the flags of MODE.
`)
}

// runBench runs "autobahn bench MODE [flags] URL".
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		benchUsage(stderr)
		return errUsage
	}
	// The generator shares the machine with the router it measures, and
	// most of what it allocates is the decoded messages, garbage at once: a
	// collection every 400 % of heap growth instead of 100 % saves about a
	// sixth of its CPU in pubsub (measured: 15 % more deliveries/s on two
	// cores) for a few MiB. An explicit GOGC wins.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	switch args[0] {
	case "rpc":
		return benchRPC(ctx, args[1:], stdout, stderr)
	case "pubsub":
		return benchPubSub(ctx, args[1:], stdout, stderr)
	case "idle":
		return benchIdle(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		benchUsage(stderr)
		return flag.ErrHelp
	}
	fmt.Fprintf(stderr, "autobahn bench: unknown mode %q\n", args[0])
	benchUsage(stderr)
	return errUsage
}

// benchConfig is what every mode needs: where and how to connect, and how
// to report.
type benchConfig struct {
	mode        string
	url         string
	serName     string
	serializer  core.Serializer
	realm       string
	jsonOut     bool
	quiet       bool
	dialTimeout time.Duration
	// dialConc is the number of sessions dialled and joined in parallel.
	dialConc   int
	cpuprofile string
	authFlags  func() error // resolves the authentication flags into auth
	// authid and auth authenticate the sessions (--authid, --ticket,
	// --wampcra, --cryptosign); none: anonymous.
	authid string
	auth   []wamp.Authenticator
	// transportOptions are those of the URL's transport: no
	// permessage-deflate and no auto-ping on WebSocket, so that the bench
	// measures WAMP and not compression or keep-alive traffic.
	transportOptions any
	stderr           io.Writer
}

// benchFlags returns the flag set of a mode with the common flags defined.
// The mode adds its own flags, then calls parse.
func benchFlags(mode string, stderr io.Writer) (*flag.FlagSet, *benchConfig) {
	fs := newFlags("bench "+mode, synopsisOf(mode), stderr)
	c := &benchConfig{mode: mode, stderr: stderr}
	fs.StringVar(&c.serName, "serializer", "json", "serializer: json, msgpack, cbor, ubjson, or NAME.batched (WebSocket only)")
	fs.StringVar(&c.realm, "realm", "realm1", "realm to join")
	fs.StringVar(&c.authid, "authid", "", "authid the sessions announce")
	ticket := fs.String("ticket", "", "authenticate every session with WAMP-Ticket")
	wampcra := fs.String("wampcra", "", "authenticate every session with WAMP-CRA (plain or salted secret)")
	cryptosign := fs.String("cryptosign", "", "authenticate every session with WAMP-Cryptosign: an Ed25519 key `FILE`")
	c.authFlags = func() (err error) {
		c.auth, err = authenticators(*ticket, *wampcra, *cryptosign)
		return err
	}
	fs.BoolVar(&c.jsonOut, "json", false, "print the result as JSON instead of a table")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress line on stderr")
	fs.DurationVar(&c.dialTimeout, "timeout", 10*time.Second, "bound on dialling and joining each session, and on each set-up request")
	fs.IntVar(&c.dialConc, "dial-concurrency", 32, "sessions dialled and joined in parallel")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the bench process to `FILE`")
	return fs, c
}

// hiddenFlags are defined but left out of the usage: tools for whoever
// works on the bench itself.
var hiddenFlags = map[string]bool{"cpuprofile": true}

// parse parses args, checks the common flags and the URL argument, and
// resolves the serializer and transport options.
func (c *benchConfig) parse(fs *flag.FlagSet, args []string) error {
	visible := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	visible.SetOutput(c.stderr)
	fs.VisitAll(func(f *flag.Flag) {
		if !hiddenFlags[f.Name] {
			visible.Var(f.Value, f.Name, f.Usage)
		}
	})
	fs.Usage = func() {
		for _, m := range benchModes {
			if m.name == c.mode {
				fmt.Fprintf(c.stderr, "usage: autobahn bench %s %s\n\n%s.\n\n", m.name, m.synopsis, m.summary)
			}
		}
		visible.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	bad := func(format string, a ...any) error {
		fmt.Fprintf(c.stderr, "autobahn bench %s: %s\n", c.mode, fmt.Sprintf(format, a...))
		fs.Usage()
		return errUsage
	}
	switch {
	case fs.NArg() == 0:
		return bad("give the router's URL, e.g. ws://127.0.0.1:8080/ws or rs://127.0.0.1:8081")
	case fs.NArg() > 1:
		return bad("one URL only, got %q (flags go before the URL)", fs.Args())
	case c.dialTimeout <= 0:
		return bad("--timeout must be positive")
	case c.dialConc < 1:
		return bad("--dial-concurrency must be at least 1")
	}
	if err := c.authFlags(); err != nil {
		return bad("%v", err)
	}
	c.url = fs.Arg(0)
	u, err := url.Parse(c.url)
	if err != nil || u.Scheme == "" {
		return bad("%q is not a router URL (want ws://host:port/path or rs://host:port)", c.url)
	}
	if _, err := registry.Default.Transport(u.Scheme); err != nil {
		return bad("%v", err)
	}
	c.serializer, err = registry.Default.Serializer(c.serName)
	if err != nil {
		return bad("--serializer: %v", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "ws", "wss":
		c.transportOptions = websocket.WAMPOptions{WebSocket: websocket.Options{
			OpenHandshakeTimeout:        c.dialTimeout,
			AutoPingInterval:            -1,
			AutoPingTimeout:             -1,
			PerMessageCompressionOffers: []websocket.DeflateOffer{},
		}}
	case "rs", "rss", "tcp", "unix":
		if c.serializer.Batched() {
			return bad("--serializer %s: RawSocket has no batched serializers; use %s", c.serName, strings.TrimSuffix(c.serName, ".batched"))
		}
		c.transportOptions = rawsocket.Options{OpenHandshakeTimeout: c.dialTimeout}
	}
	return nil
}

func synopsisOf(mode string) string {
	for _, m := range benchModes {
		if m.name == mode {
			return m.synopsis
		}
	}
	return ""
}

// startProfile starts the CPU profile asked for with --cpuprofile; the
// returned function stops it.
func (c *benchConfig) startProfile() (func(), error) { return startCPUProfile(c.cpuprofile) }

// errorf returns an error prefixed with the mode, as in
// "rpc: caller 3: joining realm1 at ws://…: ABORT wamp.error.no_such_realm".
func (c *benchConfig) errorf(format string, a ...any) error {
	return fmt.Errorf(c.mode+": "+format, a...)
}

// info is the header every report starts with.
func (c *benchConfig) info() benchInfo {
	return benchInfo{Mode: c.mode, URL: c.url, Serializer: c.serName, Realm: c.realm}
}

// benchInfo says what was measured.
type benchInfo struct {
	Mode       string `json:"mode"`
	URL        string `json:"url"`
	Serializer string `json:"serializer"`
	Realm      string `json:"realm"`
}

func (i benchInfo) rows() [][2]string {
	return [][2]string{{"mode", i.Mode}, {"url", i.URL}, {"serializer", i.Serializer}, {"realm", i.Realm}}
}

// benchReport is the result of a mode: JSON-encodable, and rows for the
// table.
type benchReport interface {
	rows() [][2]string
}

// report writes r to w as an aligned two-column table, or as indented JSON
// with --json.
func (c *benchConfig) report(w io.Writer, r benchReport) error {
	if c.jsonOut {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, row := range r.rows() {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	return tw.Flush()
}

// progress prints line() on stderr about once a second until the returned
// function is called (which waits for the printer to stop). line gets the
// time since start and since its previous call.
func (c *benchConfig) progress(line func(elapsed, dt time.Duration) string) (stop func()) {
	if c.quiet {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		start, last := time.Now(), time.Now()
		for {
			select {
			case <-done:
				return
			case now := <-tick.C:
				fmt.Fprintf(c.stderr, "bench %s: %5.1fs  %s\n", c.mode, now.Sub(start).Seconds(), line(now.Sub(start), now.Sub(last)))
				last = now
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// benchURI returns a URI unique to this run (a strict URI: lower-case
// letters, digits, underscores), so that a bench never collides with a
// registration or subscription left over from another one.
func benchURI(kind string) string {
	return "autobahn.bench." + kind + "_" + strconv.FormatUint(rand.Uint64(), 36)
}

// benchPayload returns the payload of --size bytes that rpc calls and
// pubsub events carry: a string, so that its size is the same in every
// serializer (bytes would grow by a third in JSON's base64 convention).
func benchPayload(size int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, size)
	for i := range b {
		b[i] = alphabet[i%len(alphabet)]
	}
	return string(b)
}

// perSecond returns n per second over d.
func perSecond(n uint64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return round2(float64(n) / d.Seconds())
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

func fmtCount(n uint64) string { return strconv.FormatUint(n, 10) }
func fmtRate(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) + "/s" }
func fmtUS(us float64) string  { return strconv.FormatFloat(us, 'f', 1, 64) + " µs" }
func fmtSecs(s float64) string { return strconv.FormatFloat(s, 'f', 2, 64) + " s" }
func fmtKiB(k float64) string  { return strconv.FormatFloat(k, 'f', 1, 64) + " KiB" }
func fmtInt(n int) string      { return strconv.Itoa(n) }
func fmtBytes(n int) string    { return strconv.Itoa(n) + " B" }
