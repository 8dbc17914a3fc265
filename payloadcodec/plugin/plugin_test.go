package plugin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin"
	"github.com/autobahn-go/autobahn/registry"
)

// testPlugin is the path of the test plugin, built once by TestMain.
var testPlugin string

func TestMain(m *testing.M) {
	if os.Getenv("PLUGIN_TEST_HOST") != "" {
		runHost() // a host process for TestPluginDiesWithHost
		return
	}
	dir, err := os.MkdirTemp("", "plugintest")
	if err != nil {
		panic(err)
	}
	testPlugin = filepath.Join(dir, "testplugin")
	if out, err := exec.Command("go", "build", "-o", testPlugin, "./testdata/testplugin").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the test plugin: %v\n%s", err, out)
		os.Exit(1)
	}
	// Every Host closed by the tests must leave none of its goroutines
	// (stream reader, batcher, expiry, restarts) nor go-plugin's behind.
	code := testpeer.RunWithLeakCheck(m, "payloadcodec/plugin.", "hashicorp/go-plugin.")
	os.RemoveAll(dir)
	os.Exit(code)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// load loads the test plugin into a registry of its own, closed at the
// end of the test.
func load(t testing.TB, opts plugin.Options, args ...string) (*plugin.Host, *registry.Registry) {
	t.Helper()
	reg := &registry.Registry{}
	opts.Registry, opts.Args = reg, args
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	h, err := plugin.Load(context.Background(), testPlugin, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h, reg
}

func newCodec(t testing.TB, reg *registry.Registry, config map[string]any) core.PayloadCodec {
	t.Helper()
	c, err := reg.NewPayloadCodec("xor", config)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func roundTrip(ctx context.Context, c core.PayloadCodec, arg any) error {
	args, kwargs := []any{arg, int64(-3), []byte{0, 1}}, map[string]any{"k": 1.5}
	enc, err := c.Encode(ctx, true, "com.example.x", args, kwargs)
	if err != nil {
		return err
	}
	uri, a, kw, err := c.Decode(ctx, true, "com.example.x", enc)
	if err != nil {
		return err
	}
	if uri != "com.example.x" || !reflect.DeepEqual(a, args) || !reflect.DeepEqual(kw, kwargs) {
		return fmt.Errorf("round trip: got %s %#v %#v", uri, a, kw)
	}
	return nil
}

func TestLoadRegistersCodecsAndSerializers(t *testing.T) {
	h, reg := load(t, plugin.Options{})
	if got := reg.PayloadCodecNames(); !reflect.DeepEqual(got, []string{"cryptobox", "xor"}) {
		t.Errorf("codecs %v", got)
	}
	if got := h.SerializerNames(); !reflect.DeepEqual(got, []string{"testjson", "testjson.batched"}) {
		t.Errorf("serializers %v", got)
	}
	ctx := context.Background()
	if err := roundTrip(ctx, newCodec(t, reg, map[string]any{"key": "k"}), "hello"); err != nil {
		t.Fatal(err)
	}
	// The config goes to the plugin's factory, whose error names the key.
	_, err := reg.NewPayloadCodec("xor", map[string]any{"level": "9"})
	if err == nil || !strings.Contains(err.Error(), `unknown config key "level"`) || !strings.Contains(err.Error(), "plugin testplugin") {
		t.Errorf("bad config: %v", err)
	}
	// Codecs with different configs are different codecs.
	a, b := newCodec(t, reg, map[string]any{"key": "a"}), newCodec(t, reg, map[string]any{"key": "b"})
	enc, err := a.Encode(ctx, true, "u", []any{"x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := b.Decode(ctx, true, "u", enc); err == nil {
		t.Error("a payload of key a decoded with key b")
	}

	s, err := reg.SerializerByRawSocketID(9)
	if err != nil || s.Name() != "testjson" || s.Binary() {
		t.Fatalf("RawSocket id 9: %v %v", s, err)
	}
	bs, err := reg.SerializerBySubprotocol("wamp.2.testjson.batched")
	if err != nil || !bs.Batched() {
		t.Fatalf("batched: %v %v", bs, err)
	}
	for _, ser := range []core.Serializer{s, bs} {
		msg := &core.Publish{Request: 7, Topic: "com.example.t", Args: []any{"x", int64(1)}}
		data, err := ser.Serialize(msg)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(`"com.example.t"`)) {
			t.Errorf("%s: %q is not the plugin's JSON", ser.Name(), data)
		}
		msgs, err := ser.Unserialize(data)
		if err != nil || len(msgs) != 1 || !reflect.DeepEqual(msgs[0].(*core.Publish).Args, msg.Args) {
			t.Errorf("%s: %v %v", ser.Name(), msgs, err)
		}
	}
	if _, err := s.Unserialize([]byte("[16, not json")); err == nil || !strings.Contains(err.Error(), `plugin testplugin: serializer "testjson": unmarshal`) {
		t.Errorf("bad JSON: %v", err)
	}
}

func TestCodecErrorsAndPanicsNameThePlugin(t *testing.T) {
	h, reg := load(t, plugin.Options{})
	c := newCodec(t, reg, nil)
	err := roundTrip(context.Background(), c, "panic")
	if err == nil || !strings.Contains(err.Error(), `plugin testplugin: codec "xor": encode: panic: xor: asked to panic`) {
		t.Fatalf("panic: %v", err)
	}
	if err := roundTrip(context.Background(), c, "fine"); err != nil {
		t.Fatal(err)
	}
	if st := h.Stats(); st.Crashes != 0 {
		t.Errorf("a panic counted as a crash: %+v", st)
	}
}

func TestCrashIsRestarted(t *testing.T) {
	logs := newMessages()
	h, reg := load(t, plugin.Options{Logger: slog.New(logs)})
	c := newCodec(t, reg, map[string]any{"key": "q"})
	pid := h.Stats().Pid
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := roundTrip(ctx, c, "crash")
	if err == nil || !strings.Contains(err.Error(), "plugin testplugin") || !strings.Contains(err.Error(), "testplugin: crashing as asked") {
		t.Fatalf("crash: %v", err)
	}
	// Later payloads go to the restarted plugin, with the codec opened
	// there again with its config.
	if err := roundTrip(ctx, c, "after"); err != nil {
		t.Fatal(err)
	}
	st := h.Stats()
	if st.Crashes != 1 || st.Restarts != 1 || st.Pid == pid || st.Pid == 0 {
		t.Errorf("stats %+v (pid before %d)", st, pid)
	}
	if alive(pid) {
		t.Errorf("the crashed plugin %d is still there", pid)
	}
	for _, want := range []string{"plugin crashed; restarting it", "plugin restarted"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no %q in the log:\n%s", want, logs.String())
		}
	}
}

func TestHangIsBoundedByTheDeadline(t *testing.T) {
	h, reg := load(t, plugin.Options{})
	c := newCodec(t, reg, nil)
	var wg sync.WaitGroup
	wg.Add(1)
	var hangErr error
	start := time.Now()
	go func() {
		defer wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		hangErr = roundTrip(ctx, c, "hang")
	}()
	// Other payloads are not held up by the hung one, sent one after the
	// other or together (then some share its batch in the plugin).
	for i := range 20 {
		if err := roundTrip(context.Background(), c, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	fine := make(chan error, 99)
	go roundTrip(ctx, c, "hang")
	sent := time.Now()
	for range cap(fine) {
		go func() { fine <- roundTrip(ctx, c, "fine") }()
	}
	for range cap(fine) {
		if err := <-fine; err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(sent); d > time.Second {
		t.Errorf("payloads sent with a hung one took %v", d)
	}
	wg.Wait()
	if hangErr == nil || !errors.Is(hangErr, context.DeadlineExceeded) || !strings.Contains(hangErr.Error(), `plugin testplugin: codec "xor": encode: no answer from the plugin`) {
		t.Errorf("hang: %v", hangErr)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the hung request took %v", d)
	}
	if st := h.Stats(); st.Crashes != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestHangWithoutDeadlineIsBoundedByCallTimeout(t *testing.T) {
	_, reg := load(t, plugin.Options{CallTimeout: 300 * time.Millisecond})
	start := time.Now()
	err := roundTrip(context.Background(), newCodec(t, reg, nil), "hang")
	if err == nil || !strings.Contains(err.Error(), "no answer from the plugin within 300ms") {
		t.Errorf("hang: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the hung request took %v", d)
	}
}

func TestGarbageAnswers(t *testing.T) {
	_, reg := load(t, plugin.Options{}, "-garbage")
	_, err := reg.NewPayloadCodec("xor", nil)
	if err == nil || !strings.Contains(err.Error(), `plugin testplugin: codec "xor": the plugin answered garbage`) {
		t.Fatalf("garbage: %v", err)
	}
}

func TestCannotStart(t *testing.T) {
	reg := &registry.Registry{}
	_, err := plugin.Load(context.Background(), testPlugin, plugin.Options{Registry: reg, Args: []string{"-fail-start"}})
	if err == nil || !strings.Contains(err.Error(), "cannot open /nonexistent/model.bin") || !strings.Contains(err.Error(), testPlugin) {
		t.Fatalf("fail-start: %v", err)
	}
	if len(reg.PayloadCodecNames()) != 0 {
		t.Error("a plugin that did not start registered codecs")
	}
	_, err = plugin.Load(context.Background(), filepath.Join(t.TempDir(), "missing"), plugin.Options{Registry: reg})
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing binary: %v", err)
	}
}

func TestPluginGetsNoEnvironment(t *testing.T) {
	t.Setenv("AUTOBAHN_TEST_SECRET", "s3cret")
	_, err := plugin.Load(context.Background(), testPlugin, plugin.Options{Registry: &registry.Registry{}, Args: []string{"-print-env"}})
	if err == nil || !strings.Contains(err.Error(), "AUTOBAHN_PLUGIN=") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("the plugin's environment: %v", err)
	}
	_, err = plugin.Load(context.Background(), testPlugin, plugin.Options{Registry: &registry.Registry{}, Args: []string{"-print-env"}, Env: []string{"LEVEL=3"}})
	if err == nil || !strings.Contains(err.Error(), "LEVEL=3") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("the plugin's environment with Options.Env: %v", err)
	}
}

func TestNotStartedByAHost(t *testing.T) {
	out, err := exec.Command(testPlugin).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "plugin") {
		t.Fatalf("run directly: %v %s", err, out)
	}
}

func TestDuplicateNamesFailLoad(t *testing.T) {
	_, reg := load(t, plugin.Options{})
	_, err := plugin.Load(context.Background(), testPlugin, plugin.Options{Registry: reg})
	if err == nil || !strings.Contains(err.Error(), `payload codec "cryptobox", and one is registered under that name already`) {
		t.Fatalf("duplicate: %v", err)
	}
}

func TestCloseEndsThePlugin(t *testing.T) {
	h, reg := load(t, plugin.Options{})
	c := newCodec(t, reg, nil)
	pid := h.Stats().Pid
	if !alive(pid) {
		t.Fatalf("plugin %d not running", pid)
	}
	h.Close()
	if alive(pid) {
		t.Errorf("plugin %d outlived Close", pid)
	}
	if err := roundTrip(context.Background(), c, "x"); !errors.Is(err, plugin.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

// TestPluginDiesWithHost kills a host process (this test binary again,
// see runHost) with SIGKILL and checks that its plugin goes too.
func TestPluginDiesWithHost(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PLUGIN_TEST_HOST="+testPlugin)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Fscan(stdout, &pid); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("reading the plugin's pid: %v", err)
	}
	if !alive(pid) {
		t.Fatalf("plugin %d not running", pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("plugin %d outlived its killed host", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runHost loads the plugin, prints its pid and waits to be killed.
func runHost() {
	h, err := plugin.Load(context.Background(), os.Getenv("PLUGIN_TEST_HOST"), plugin.Options{Registry: &registry.Registry{}})
	if err != nil {
		fmt.Println(0)
		os.Exit(1)
	}
	fmt.Println(h.Stats().Pid)
	time.Sleep(time.Minute)
	os.Exit(1)
}

// alive reports whether pid is a process that has not exited (a zombie
// left to an init that does not reap counts as exited).
func alive(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: trust kill
	}
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

// messages is a slog.Handler that keeps the messages logged.
type messages struct {
	mu   *sync.Mutex
	msgs *[]string
}

func newMessages() messages { return messages{mu: new(sync.Mutex), msgs: new([]string)} }

func (m messages) Enabled(context.Context, slog.Level) bool { return true }
func (m messages) WithAttrs([]slog.Attr) slog.Handler       { return m }
func (m messages) WithGroup(string) slog.Handler            { return m }
func (m messages) Handle(_ context.Context, r slog.Record) error {
	m.mu.Lock()
	*m.msgs = append(*m.msgs, r.Message)
	m.mu.Unlock()
	return nil
}

func (m messages) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.Join(*m.msgs, "\n")
}
