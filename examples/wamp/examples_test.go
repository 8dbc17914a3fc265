// Package examples_test builds every WAMP example, runs each backend and
// then its frontend as processes against an embedded router, and checks
// what the frontend prints; where Autobahn|Python is installed it also
// runs Autobahn|Python peers (testdata/*.py, the same URIs and argument
// shapes) against the Go backends and frontends.
package examples_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/router"

	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

func TestMain(m *testing.M) {
	os.Exit(testpeer.RunWithLeakCheck(m, "autobahn/wamp.", "autobahn/router.", "autobahn/transports/"))
}

// raceEnabled is set when the test runs with the race detector
// (race_test.go); the examples are then built with it too.
var raceEnabled bool

const (
	module = "github.com/autobahn-go/autobahn/examples/wamp/"
	// readyMarker is what every backend prints once its procedures and
	// subscriptions are in place.
	readyMarker = "ready for frontend."
	// Bounds of every wait.
	buildTimeout    = 3 * time.Minute
	readyTimeout    = 15 * time.Second
	frontendTimeout = 20 * time.Second
	stopTimeout     = 5 * time.Second
)

// prog is one side of a pair: a Go example (its directory) or an
// Autobahn|Python script of testdata.
type prog struct {
	pkg  string // e.g. "rpc/timeservice/backend"
	py   string // e.g. "rpc_arguments_frontend.py"
	args []string
}

func goProg(pkg string, args ...string) *prog { return &prog{pkg: pkg, args: args} }
func pyProg(py string, args ...string) *prog  { return &prog{py: py, args: args} }

func (p *prog) String() string {
	if p.py != "" {
		return "python " + p.py
	}
	return p.pkg
}

// expect is what a frontend must print: regular expressions matching
// lines of its stdout.
type expect struct {
	inOrder  []string // each matches a line after the one the previous matched
	anyOrder []string // each matches some line
	absent   []string // none matches any line
	check    func(t *testing.T, lines []string)
}

// pair is one run: a backend (or none), then a frontend against it.
type pair struct {
	name     string
	backend  *prog
	frontend *prog
	expect   expect
	// backendWant are expressions the backend's stdout must match, in
	// order, once it has stopped.
	backendWant []string
	realm       string // default realm1
	// backendRS and frontendRS connect over RawSocket instead of WebSocket.
	backendRS, frontendRS bool
	// gate makes both join through the authenticating gate (authgate_test.go).
	gate bool
	// failWith, if set, is what the frontend's stderr must match; it must
	// then exit with a non-zero status.
	failWith string
}

// The frontends' output, shared by the Go frontends and the Python ones.
var (
	expectTimeservice = expect{inOrder: []string{`^Current time from time service: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`}}
	expectArguments   = expect{inOrder: []string{
		`^Pinged!$`,
		`^Add2: 5$`,
		`^Starred 1: somebody starred 0x$`,
		`^Starred 2: Homer starred 0x$`,
		`^Starred 3: somebody starred 5x$`,
		`^Starred 4: Homer starred 5x$`,
		`^Orders 1: \["Product 0","Product 1","Product 2","Product 3","Product 4"\]$`,
		`^Orders 2: \["Product 0","Product 1","Product 2","Product 3","Product 4","Product 5","Product 6","Product 7","Product 8","Product 9"\]$`,
		`^Arglen 1: \[0,0\]$`,
		`^Arglen 2: \[3,0\]$`,
		`^Arglen 3: \[0,3\]$`,
		`^Arglen 4: \[3,3\]$`,
	}}
	expectComplex = expect{inOrder: []string{`^Result: 6 \+ 8i$`, `^Forname: Homer, Surname: Simpson$`}}
	expectErrors  = expect{inOrder: []string{
		`^Result: 1\.4142135623730951$`,
		`^Error: wamp\.error\.runtime_error \["don't ask foolish questions;\)"\] \{\}$`,
		`^Error: wamp\.error\.runtime_error \["math domain error"\] \{\}$`,
		`^Error: com\.myapp\.error\.reserved \[\] \{\}$`,
		`^Error: com\.myapp\.error\.mixed_case \["a","A"\] \{\}$`,
		`^Error: com\.myapp\.error\.invalid_length \[\] \{"max":10,"min":3\}$`,
		`^Error: com\.myapp\.error\.mixed_case \["hello","HELLO"\] \{\}$`,
		`^Compare Error: 14$`,
	}}
	expectProgress = expect{inOrder: []string{`^Progress: 0$`, `^Progress: 1$`, `^Progress: 2$`, `^Final: 3$`}}
	expectOptions  = expect{
		inOrder:  []string{`^Squared 2 = 4$`, `^Squared 0 = 0$`, `^Squared -2 = 4$`},
		anyOrder: []string{`^Someone requested to square non-positive: -2$`},
		// 0 goes to everyone but the caller, whom the callee knows
		absent: []string{`non-positive: 0$`},
	}
	expectDecorators = expect{inOrder: []string{
		`^com\.mathservice\.add2: 5$`, `^com\.mathservice\.mul2: 6$`, `^com\.mathservice\.div2: 0\.6666666666666666$`,
	}}
	expectBasic = expect{
		inOrder: slices.Repeat([]string{`^Got event: \d+$`}, 6),
		check:   consecutiveEvents(`^Got event: (\d+)$`, 6),
	}
	expectPubSubComplex = expect{anyOrder: []string{
		`^Got heartbeat \(publication ID \d+\)$`,
		`^Got event: \d+ 23 Hello \{"counter":\d+,"foo":\[1,2,3\]\}$`,
	}}
	expectAuth = expect{inOrder: []string{
		`^Client session=\d+ authid=bob authrole=dynamic_authed authmethod=wampcra$`,
		`^calling 'example\.foo'$`,
		`^example\.foo\(\) = 42$`,
		`^done$`,
	}}
)

var pairs = []pair{
	// Go backends, Go frontends.
	{name: "rpc/timeservice", backend: goProg("rpc/timeservice/backend"), frontend: goProg("rpc/timeservice/frontend"),
		expect: expectTimeservice, realm: "crossbardemo"},
	{name: "rpc/slowsquare", backend: goProg("rpc/slowsquare/backend"), frontend: goProg("rpc/slowsquare/frontend", "--delay", "0.5"),
		// the quick square is not held up by the slow one
		expect: expect{inOrder: []string{`^Quick Square: 9 in [\d.]+ ms$`, `^Slow Square: 9 in [\d.]+ ms$`, `^All finished\.$`}}},
	{name: "rpc/arguments", backend: goProg("rpc/arguments/backend"), frontend: goProg("rpc/arguments/frontend"),
		expect: expectArguments, backendRS: true},
	{name: "rpc/complex", backend: goProg("rpc/complex/backend"), frontend: goProg("rpc/complex/frontend"), expect: expectComplex},
	{name: "rpc/errors", backend: goProg("rpc/errors/backend"), frontend: goProg("rpc/errors/frontend"), expect: expectErrors,
		backendWant: []string{`^Procedure failed: .*don't ask foolish questions`}},
	{name: "rpc/progress", backend: goProg("rpc/progress/backend", "--interval", "100ms"), frontend: goProg("rpc/progress/frontend"),
		expect: expectProgress},
	{name: "rpc/options", backend: goProg("rpc/options/backend"), frontend: goProg("rpc/options/frontend"), expect: expectOptions,
		backendWant: []string{`^square called from: \d+$`}},
	{name: "rpc/decorators", backend: goProg("rpc/decorators/backend"), frontend: goProg("rpc/decorators/frontend"),
		expect: expectDecorators,
		backendWant: []string{
			`^Ok, registered procedure com\.mathservice\.add2 with registration ID \d+$`,
			`^Ok, registered procedure com\.mathservice\.div2 with registration ID \d+$`,
			`^Ok, registered procedure com\.mathservice\.mul2 with registration ID \d+$`,
		}},
	{name: "pubsub/basic", backend: goProg("pubsub/basic/backend", "--interval", "50ms"), frontend: goProg("pubsub/basic/frontend"),
		expect: expectBasic},
	{name: "pubsub/complex", backend: goProg("pubsub/complex/backend", "--interval", "50ms"),
		frontend: goProg("pubsub/complex/frontend", "--duration", "500ms"), expect: expectPubSubComplex},
	{name: "pubsub/options", backend: goProg("pubsub/options/backend", "--interval", "50ms"), frontend: goProg("pubsub/options/frontend"),
		expect: expect{
			inOrder: slices.Repeat([]string{`^Got event, publication ID \d+, publisher \d+: \d+$`}, 6),
			check:   consecutiveEvents(`: (\d+)$`, 6),
		},
		// acknowledged, and received by the publisher too (exclude_me false)
		backendWant: []string{`^Event published with publication ID \d+$`, `^Got event: \d+$`}},
	{name: "pubsub/unsubscribe", backend: goProg("pubsub/unsubscribe/backend", "--interval", "50ms"),
		frontend: goProg("pubsub/unsubscribe/frontend", "--pause", "200ms"), frontendRS: true,
		expect: expect{inOrder: slices.Concat(
			[]string{`^Subscribed with subscription ID \d+$`}, slices.Repeat([]string{`^Got event: \d+$`}, 6),
			[]string{`^Unsubscribed \.\. continue in 200ms \.\.$`},
			[]string{`^Subscribed with subscription ID \d+$`}, slices.Repeat([]string{`^Got event: \d+$`}, 6),
		)}},
	{name: "pubsub/retained", backend: goProg("pubsub/retained/backend"), frontend: goProg("pubsub/retained/frontend"),
		expect: expect{
			anyOrder: []string{
				`^got_event\(\): topic=com\.example\.history retained=true args=\["some data, topic was 'com\.example\.history'"\], kwargs=\{\}$`,
				`^got_event\(\): topic=com\.example\.no_history_here retained=true args=\["some data, topic was 'com\.example\.no_history_here'"\], kwargs=\{\}$`,
			},
			inOrder: []string{`^(Using the WAMP Meta API:|The WAMP Meta API is not available here: .+)$`},
		},
		backendWant: []string{`^published: \d+$`, `^published: \d+$`}},
	{name: "overview", backend: goProg("overview/backend", "--interval", "50ms"), frontend: goProg("overview/frontend"),
		expect: expect{anyOrder: []string{`^Got result: 5$`, `^Got event: Hello, world!$`}}},
	{name: "overview/component", frontend: goProg("overview/component"),
		expect: expect{anyOrder: []string{`^Got result: 5$`, `^Got event: Hello, world!$`}}},
	{name: "auth/wampcra", gate: true, backend: goProg("auth/backend", "--countdown", "1"), frontend: goProg("auth/frontend"),
		expect:      expectAuth,
		backendWant: []string{`^session attached: authid=username authrole=backend authmethod=wampcra$`, `^  returning in 1$`, `^returning '42'$`}},
	{name: "auth/salted+ticket", gate: true, backend: goProg("auth/backend", "--countdown", "0", "--authid", "salted", "--secret", "s33kr1t"),
		frontend: goProg("auth/frontend", "--ticket", "p4ssw0rd"),
		expect: expect{inOrder: []string{
			`^Client session=\d+ authid=bob authrole=dynamic_authed authmethod=ticket$`, `^example\.foo\(\) = 42$`,
		}},
		backendWant: []string{`^session attached: authid=salted authrole=backend authmethod=wampcra$`}},
	{name: "auth/wrong-secret", gate: true, frontend: goProg("auth/frontend", "--secret", "wrong"),
		failWith: `wamp\.error\.authentication_failed`},

	// Autobahn|Python frontends against Go backends.
	{name: "python/rpc/arguments", backend: goProg("rpc/arguments/backend"), frontend: pyProg("rpc_arguments_frontend.py"),
		expect: expectArguments},
	{name: "python/rpc/complex", backend: goProg("rpc/complex/backend"), frontend: pyProg("rpc_complex_frontend.py"),
		expect: expectComplex},
	{name: "python/rpc/errors", backend: goProg("rpc/errors/backend"), frontend: pyProg("rpc_errors_frontend.py"),
		expect: expectErrors},
	{name: "python/rpc/progress", backend: goProg("rpc/progress/backend", "--interval", "100ms"),
		frontend: pyProg("rpc_progress_frontend.py"), expect: expectProgress},
	{name: "python/rpc/options", backend: goProg("rpc/options/backend"), frontend: pyProg("rpc_options_frontend.py"),
		expect: expectOptions},
	{name: "python/pubsub/complex", backend: goProg("pubsub/complex/backend", "--interval", "50ms"),
		frontend: pyProg("pubsub_complex_frontend.py", "--duration", "0.5"), expect: expectPubSubComplex},
	{name: "python/auth", gate: true, backend: goProg("auth/backend", "--countdown", "0"), frontend: pyProg("auth_frontend.py"),
		expect: expectAuth},

	// Go frontends against Autobahn|Python backends.
	{name: "python/backend/rpc/errors", backend: pyProg("rpc_errors_backend.py"), frontend: goProg("rpc/errors/frontend"),
		expect: expectErrors},
	{name: "python/backend/rpc/decorators", backend: pyProg("rpc_decorators_backend.py"), frontend: goProg("rpc/decorators/frontend"),
		expect: expectDecorators},
	{name: "python/backend/pubsub/basic", backend: pyProg("pubsub_basic_backend.py", "--interval", "0.05"),
		frontend: goProg("pubsub/basic/frontend"), expect: expectBasic},
}

// TestExamples builds every example and runs the pairs.
func TestExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every example as a process (-short)")
	}
	bins := buildExamples(t)
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			if p.frontend.py != "" || p.backend != nil && p.backend.py != "" {
				testpeer.RequirePython(t)
			}
			runPair(t, bins, p)
		})
	}
}

// buildExamples builds every main package under examples/wamp into a
// temporary directory (named after its path: rpc_timeservice_backend) and
// checks that the pairs run each one. The builds go through `go run -exec
// cp`, so that the go command's cache of executables spares relinking
// what has not changed.
func buildExamples(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the examples: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, goCmd, "list", "-f", `{{if eq .Name "main"}}{{.ImportPath}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []string
	for _, line := range strings.Fields(string(out)) {
		pkgs = append(pkgs, strings.TrimPrefix(line, module))
	}
	used := map[string]bool{}
	for _, p := range pairs {
		for _, pr := range []*prog{p.backend, p.frontend} {
			if pr != nil && pr.pkg != "" {
				used[pr.pkg] = true
			}
		}
	}
	for _, pkg := range pkgs {
		if !used[pkg] {
			t.Errorf("example %s is built but no pair runs it", pkg)
		}
	}
	for pkg := range used {
		if !slices.Contains(pkgs, pkg) {
			t.Errorf("a pair runs %s, which is not a main package here", pkg)
		}
	}

	dir := t.TempDir()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(pkgs))
	sem := make(chan struct{}, max(2, runtime.NumCPU()))
	for _, pkg := range pkgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			args := []string{"run"}
			if raceEnabled {
				args = append(args, "-race")
			}
			args = append(args, "-exec", "cp", "./"+pkg, filepath.Join(dir, binName(pkg)))
			if out, err := exec.CommandContext(ctx, goCmd, args...).CombinedOutput(); err != nil {
				errs <- fmt.Errorf("build %s: %v\n%s", pkg, err, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("built %d examples in %v (race detector: %t)", len(pkgs), time.Since(start).Round(time.Millisecond), raceEnabled)
	return dir
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func binName(pkg string) string { return strings.ReplaceAll(pkg, "/", "_") }

// runPair runs one pair against a router of its own.
func runPair(t *testing.T, bins string, p pair) {
	wsURL, rsURL := startRouter(t, p.gate)
	realm := p.realm
	if realm == "" {
		realm = "realm1"
	}
	urlFor := func(rs bool) string {
		if rs {
			return rsURL
		}
		return wsURL
	}

	if p.backend != nil {
		b := startBackend(t, bins, p.backend, urlFor(p.backendRS), realm)
		defer b.stop(t, p.backendWant)
	}

	ctx, cancel := context.WithTimeout(context.Background(), frontendTimeout)
	defer cancel()
	cmd := p.frontend.command(ctx, bins, urlFor(p.frontendRS), realm)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = stopTimeout
	started := time.Now()
	err := cmd.Run()
	took := time.Since(started).Round(time.Millisecond)
	report := func() {
		t.Logf("%s: stdout:\n%s\nstderr:\n%s", p.frontend, stdout.String(), stderr.String())
	}
	if p.failWith != "" {
		if err == nil {
			report()
			t.Fatalf("%s succeeded, want a failure matching %q", p.frontend, p.failWith)
		}
		if !regexp.MustCompile(p.failWith).MatchString(stderr.String()) {
			report()
			t.Fatalf("%s: %v; its stderr does not match %q", p.frontend, err, p.failWith)
		}
		return
	}
	if err != nil {
		report()
		t.Fatalf("%s: %v (after %v)", p.frontend, err, took)
	}
	if !checkLines(t, p.frontend.String(), stdout.String(), p.expect) {
		report()
	}
}

// startRouter serves a new router with realm1 and crossbardemo on
// WebSocket and RawSocket (through the authenticating gate when gate is
// set); everything is closed when the test ends.
func startRouter(t *testing.T, gate bool) (wsURL, rsURL string) {
	t.Helper()
	r, err := router.New(router.Options{Realms: []string{"realm1", "crossbardemo"}, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	accept := r.Accept
	var g *authGate
	if gate {
		g = newAuthGate(r)
		accept = g.Accept
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	ws, err := registry.Listen(ctx, "ws://127.0.0.1:0/ws", core.TransportConfig{}, accept)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := registry.Listen(ctx, "rs://127.0.0.1:0", core.TransportConfig{}, accept)
	if err != nil {
		ws.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ws.Close()
		rs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		r.Close(ctx)
		if g != nil {
			g.wait()
		}
	})
	return "ws://" + ws.Addr().String() + "/ws", "rs://" + rs.Addr().String()
}

// command returns the command that runs p against url and realm.
func (p *prog) command(ctx context.Context, bins, url, realm string) *exec.Cmd {
	flags := append([]string{"--url", url, "--realm", realm}, p.args...)
	if p.py != "" {
		cmd := exec.CommandContext(ctx, testpeer.Python, append([]string{filepath.Join("testdata", p.py)}, flags...)...)
		// testdata/common.py is imported: no __pycache__ in the tree
		cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
		return cmd
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bins, binName(p.pkg)), flags...)
	if raceEnabled {
		// The race runtime waits a second at exit (atexit_sleep_ms) for
		// reports from other goroutines: twice a pair, 28 times.
		cmd.Env = append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	}
	return cmd
}

// backend is a running backend process.
type backend struct {
	p      *prog
	cmd    *exec.Cmd
	stdout *lineBuffer
	stderr *lineBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // its exit, once done
}

// startBackend starts p and waits until it says it is ready. The process
// is killed when the test ends if it is still running then.
func startBackend(t *testing.T, bins string, p *prog, url, realm string) *backend {
	t.Helper()
	b := &backend{p: p, stdout: newLineBuffer(readyMarker), stderr: newLineBuffer(""), done: make(chan struct{})}
	b.cmd = p.command(context.Background(), bins, url, realm)
	b.cmd.Stdout, b.cmd.Stderr = b.stdout, b.stderr
	b.cmd.WaitDelay = stopTimeout
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p, err)
	}
	go func() {
		b.err = b.cmd.Wait()
		close(b.done)
	}()
	t.Cleanup(func() {
		select {
		case <-b.done:
		default:
			b.cmd.Process.Kill()
			<-b.done
		}
	})
	select {
	case <-b.stdout.ready:
		return b
	case <-b.done:
		t.Fatalf("%s exited before it was ready: %v\nstdout:\n%s\nstderr:\n%s", p, b.err, b.stdout, b.stderr)
	case <-time.After(readyTimeout):
		t.Fatalf("%s was not ready after %v\nstdout:\n%s\nstderr:\n%s", p, readyTimeout, b.stdout, b.stderr)
	}
	return nil
}

// stop interrupts the backend as a user would (SIGINT for the Go
// examples, SIGTERM for Autobahn's runner) and checks that a Go backend
// left its realm and exited with status 0, having printed want.
func (b *backend) stop(t *testing.T, want []string) {
	t.Helper()
	sig := os.Interrupt
	if b.p.py != "" {
		sig = syscall.SIGTERM
	}
	b.cmd.Process.Signal(sig)
	select {
	case <-b.done:
	case <-time.After(stopTimeout):
		b.cmd.Process.Kill()
		<-b.done
		t.Errorf("%s did not stop within %v of %v", b.p, stopTimeout, sig)
	}
	if b.p.py != "" {
		return
	}
	ok := true
	if b.err != nil {
		t.Errorf("%s exited with %v after %v, want status 0", b.p, b.err, sig)
		ok = false
	}
	if !checkLines(t, b.p.String(), b.stdout.String(), expect{inOrder: append(slices.Clone(want), `^Left the realm: `)}) || !ok {
		t.Logf("%s: stdout:\n%s\nstderr:\n%s", b.p, b.stdout, b.stderr)
	}
}

// checkLines checks output against e, and reports whether it matched.
func checkLines(t *testing.T, who, output string, e expect) bool {
	t.Helper()
	lines := strings.Split(strings.TrimRight(output, "\n"), "\n")
	ok := true
	next := 0
	for _, pat := range e.inOrder {
		re := regexp.MustCompile(pat)
		found := false
		for next < len(lines) {
			next++
			if re.MatchString(lines[next-1]) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: no line matching %q (in order)", who, pat)
			ok = false
			break
		}
	}
	for _, pat := range e.anyOrder {
		re := regexp.MustCompile(pat)
		if !slices.ContainsFunc(lines, re.MatchString) {
			t.Errorf("%s: no line matching %q", who, pat)
			ok = false
		}
	}
	for _, pat := range e.absent {
		re := regexp.MustCompile(pat)
		if i := slices.IndexFunc(lines, re.MatchString); i >= 0 {
			t.Errorf("%s: line %q should not be there", who, lines[i])
			ok = false
		}
	}
	if e.check != nil && ok {
		e.check(t, lines)
		ok = !t.Failed()
	}
	return ok
}

// consecutiveEvents checks that the lines matching pattern (whose first
// group is a counter) are n counts in a row: events arrive in publication
// order, none lost.
func consecutiveEvents(pattern string, n int) func(t *testing.T, lines []string) {
	re := regexp.MustCompile(pattern)
	return func(t *testing.T, lines []string) {
		t.Helper()
		var got []int
		for _, l := range lines {
			if m := re.FindStringSubmatch(l); m != nil {
				v, _ := strconv.Atoi(m[1])
				got = append(got, v)
			}
		}
		if len(got) != n {
			t.Errorf("%d events, want %d: %v", len(got), n, got)
			return
		}
		for i := 1; i < len(got); i++ {
			if got[i] != got[i-1]+1 {
				t.Errorf("events out of order or lost: %v", got)
				return
			}
		}
	}
}

// lineBuffer collects a process's output; ready is closed once a line
// contains the marker.
type lineBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	ready  chan struct{}
	seen   bool
}

func newLineBuffer(marker string) *lineBuffer {
	return &lineBuffer{marker: marker, ready: make(chan struct{})}
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if b.marker != "" && !b.seen && bytes.Contains(b.buf.Bytes(), []byte(b.marker)) {
		b.seen = true
		close(b.ready)
	}
	return len(p), nil
}

func (b *lineBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
