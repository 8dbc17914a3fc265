// Package peers runs the third-party peer processes of the interoperability
// tests (Autobahn|Python, AutobahnJS; see /work/shared/INTEROP.md) with a
// batch of scenarios each, and collects what every scenario reported.
//
// A peer script takes one JSON argument that holds, among what the test
// adds, "scenarios": [{"id", "kind", ...parameters}] (see [Batch.Specs]),
// runs them concurrently and prints one JSON object per line on stdout:
//
//	{"s": id, "k": key, "v": value}   a result the Go test asserts on
//	{"s": id, "done": true}           the scenario finished
//	{"s": id, "fail": message}        the scenario broke (or timed out)
//	{"end": true}                     every scenario ended; the process exits 0
//	{"fatal": message}                the process gave up
//
// Batch runs a script that runs to its end without the test interacting
// with it meanwhile (interop/router, interop/routerauth); a test that talks
// to its peer while it runs (interop/client) reads the output with
// ReadLines. Only tests import this package.
package peers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// EnvDump names the environment variable that, when set, makes Run log the
// whole output of every peer process (to see what the peers report).
const EnvDump = "AUTOBAHN_PEERS_DUMP"

// Batch is the scenarios of one peer process.
type Batch struct {
	// Name names the peer in reports ("python", "node").
	Name string

	specs   []map[string]any
	byID    map[string]*Scenario
	ran     bool
	problem string // the process did not end well
	stderr  string
}

// NewBatch returns an empty batch for the peer name.
func NewBatch(name string) *Batch {
	return &Batch{Name: name, byID: map[string]*Scenario{}}
}

// Scenario is what one scenario of a batch reported.
type Scenario struct {
	b     *Batch
	id    string
	vals  map[string]any // numbers as json.Number
	lines []string
	done  bool
	fail  string
}

// Add puts a scenario of kind with params into the batch; id must be unique
// in the batch.
func (b *Batch) Add(id, kind string, params map[string]any) *Scenario {
	if b.byID[id] != nil {
		panic("peers: scenario " + id + " added twice")
	}
	s := &Scenario{b: b, id: id, vals: map[string]any{}}
	spec := map[string]any{"id": id, "kind": kind}
	for k, v := range params {
		spec[k] = v
	}
	b.specs = append(b.specs, spec)
	b.byID[id] = s
	return s
}

// Specs returns the scenarios' specs, for the process's argument.
func (b *Batch) Specs() []map[string]any { return b.specs }

// Run runs cmd (made with exec.CommandContext, whose context bounds it) to
// its end and reads the scenarios' reports from its stdout. A process that
// does not end well (exit status, a fatal line, no end line, unparsable
// output) fails t; its stderr is logged when t has failed by the end of the
// test.
func (b *Batch) Run(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	runErr := cmd.Run()
	t.Logf("%s: %d scenarios in %v", b.Name, len(b.specs), time.Since(start).Round(time.Millisecond))
	b.ran = true
	if os.Getenv(EnvDump) != "" {
		t.Logf("%s output:\n%s", b.Name, stdout.String())
	}
	b.stderr = stderr.String()
	t.Cleanup(func() {
		if t.Failed() && b.stderr != "" {
			t.Logf("%s stderr:\n%s", b.Name, b.stderr)
		}
	})
	ended, problems := ReadLines(&stdout, func(l Line, text string) string {
		s := b.byID[l.S]
		if s == nil {
			return "line of an unknown scenario: " + text
		}
		s.lines = append(s.lines, text)
		switch {
		case l.Fail != nil:
			s.fail = *l.Fail
		case l.Done:
			s.done = true
		case l.K != nil:
			v, err := decode(l.V)
			s.vals[*l.K] = v
			if err != nil {
				return fmt.Sprintf("value of %s.%s: %v", l.S, *l.K, err)
			}
		}
		return ""
	})
	if runErr != nil {
		problems = append(problems, fmt.Sprintf("%s: %v (killed means it ran out of time)", b.Name, runErr))
	}
	if !ended {
		problems = append(problems, b.Name+" did not print its end line")
	}
	b.problem = strings.Join(problems, "\n")
	if b.problem != "" {
		t.Errorf("%s process:\n%s", b.Name, b.problem)
	}
}

func decode(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// Report describes the scenario's output, for failures.
func (s *Scenario) Report() string {
	var w strings.Builder
	if !s.b.ran {
		w.WriteString("the peer process did not run\n")
	}
	if s.fail != "" {
		fmt.Fprintf(&w, "scenario failed:\n%s\n", s.fail)
	}
	if s.b.problem != "" {
		fmt.Fprintf(&w, "%s process: %s\n", s.b.Name, s.b.problem)
	}
	fmt.Fprintf(&w, "%s output of %s:\n  %s", s.b.Name, s.id, strings.Join(s.lines, "\n  "))
	return w.String()
}

// Ready reports whether the scenario ran to its end; when it did not, it
// fails t with the scenario's output.
func (s *Scenario) Ready(t testing.TB) bool {
	t.Helper()
	if s.done && s.fail == "" {
		return true
	}
	t.Errorf("the %s scenario did not finish\n%s", s.b.Name, s.Report())
	return false
}

// Has reports whether the scenario reported key.
func (s *Scenario) Has(key string) bool {
	_, ok := s.vals[key]
	return ok
}

// Get returns the value reported under key (objects as map[string]any,
// numbers as json.Number); a missing key ends the test.
func (s *Scenario) Get(t testing.TB, key string) any {
	t.Helper()
	v, ok := s.vals[key]
	if !ok {
		t.Fatalf("the %s scenario reported no %q\n%s", s.b.Name, key, s.Report())
	}
	return v
}

// Eq checks that the value reported under key equals want, compared as
// JSON (want is a Go value, marshalled, or JSON text as a json.RawMessage).
func (s *Scenario) Eq(t testing.TB, key string, want any) {
	t.Helper()
	Equal(t, key, s.Get(t, key), want)
}

// Equal checks that got (a decoded report) equals want compared as JSON;
// what names the value in the failure.
func Equal(t testing.TB, what string, got, want any) bool {
	t.Helper()
	w := Normalize(t, want)
	if !reflect.DeepEqual(got, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, Compact(got), Compact(w))
		return false
	}
	return true
}

// Normalize turns v into the form of decoded reports: marshalled to JSON
// (a json.RawMessage is taken as is) and decoded with numbers as
// json.Number.
func Normalize(t testing.TB, v any) any {
	t.Helper()
	raw, ok := v.(json.RawMessage)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("peers: marshal %#v: %v", v, err)
		}
		raw = b
	}
	out, err := decode(raw)
	if err != nil {
		t.Fatalf("peers: bad JSON %s: %v", raw, err)
	}
	return out
}

// Compact is v as compact JSON, for messages.
func Compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// At returns the element of a decoded report at path (map keys and list
// indexes), nil when there is none.
func At(v any, path ...any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[p]
		case int:
			l, ok := v.([]any)
			if !ok || p < 0 || p >= len(l) {
				return nil
			}
			v = l[p]
		default:
			return nil
		}
	}
	return v
}

// Uint returns v, a decoded number, as a uint64 (a WAMP ID); anything else
// ends the test.
func Uint(t testing.TB, what string, v any) uint64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%s: %s is not a number", what, Compact(v))
	}
	var u uint64
	if _, err := fmt.Sscan(n.String(), &u); err != nil {
		t.Fatalf("%s: %s is not an unsigned integer", what, n)
	}
	return u
}

// RunPython runs the batch in one process of script under Autobahn|Python's
// interpreter (testpeer.Python): its argument is arg as JSON, with the
// batch's "scenarios" added; timeout bounds the process.
func (b *Batch) RunPython(t testing.TB, timeout time.Duration, script string, arg map[string]any) {
	t.Helper()
	b.runScript(t, timeout, nil, testpeer.Python, script, arg)
}

// RunNode runs the batch in one node process of script like RunPython,
// with NODE_PATH=modules (see RequireNode) and the environment variables
// env ("NAME=value") added.
func (b *Batch) RunNode(t testing.TB, timeout time.Duration, modules, script string, arg map[string]any, env ...string) {
	t.Helper()
	b.runScript(t, timeout, append([]string{"NODE_PATH=" + modules}, env...), "node", script, arg)
}

func (b *Batch) runScript(t testing.TB, timeout time.Duration, env []string, program, script string, arg map[string]any) {
	t.Helper()
	full := map[string]any{"scenarios": b.Specs()}
	for k, v := range arg {
		full[k] = v
	}
	js, err := json.Marshal(full)
	if err != nil {
		t.Fatalf("%s: argument: %v", b.Name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, script, string(js))
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	b.Run(t, cmd)
}
