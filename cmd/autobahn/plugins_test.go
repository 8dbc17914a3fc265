package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// TestMain ends the plugins the tests started (main does so on exit) and
// removes their binaries.
func TestMain(m *testing.M) {
	code := m.Run()
	closePlugins()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// built are the plugin binaries built by this test process, by package:
// a plugin is started once per process (see loaded), so its binary stays
// where it was built until the process ends.
var built struct {
	mu   sync.Mutex
	dir  string
	bins map[string]string
}

// buildPlugin builds the plugin of a package of this module (the build
// cache makes it quick) and returns the binary's path.
func buildPlugin(t *testing.T, pkg string) string {
	t.Helper()
	built.mu.Lock()
	defer built.mu.Unlock()
	if bin := built.bins[pkg]; bin != "" {
		return bin
	}
	if built.dir == "" {
		dir, err := os.MkdirTemp("", "autobahn-plugins")
		if err != nil {
			t.Fatal(err)
		}
		built.dir, built.bins = dir, map[string]string{}
	}
	bin := filepath.Join(built.dir, filepath.Base(pkg))
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	built.bins[pkg] = bin
	return bin
}

// TestCodecPluginCommands calls and publishes between client commands
// that encode payloads with the zstd plugin's codec.
func TestCodecPluginCommands(t *testing.T) {
	zstd := buildPlugin(t, "github.com/autobahn-go/autobahn/examples/plugins/zstd")
	ws, rs := benchRouter(t)
	reg := background(t, "register", rs, "com.example.echo", "--plugin", zstd, "--codec", "zstd", "--", "echo", "said:")
	waitFor(t, reg, "registered com.example.echo")
	if !strings.Contains(reg.String(), "plugin "+zstd+" (pid ") || !strings.Contains(reg.String(), "payload codecs zstd") {
		t.Errorf("register did not say what the plugin offers: %q", reg.String())
	}
	big := strings.Repeat("wamp ", 400)
	code, out, errOut := runOnce(t, "call", ws, "com.example.echo", big, "--plugin", zstd, "--codec", "zstd", "--codec-opt", "level=best")
	if code != 0 || out != fmt.Sprintf("%q\n", "said: "+big) {
		t.Fatalf("call: exit %d, stdout %.80q, stderr %q", code, out, errOut)
	}
	// Without the codec the caller cannot read the encoded result: the
	// payload did travel compressed.
	code, _, errOut = runOnce(t, "call", ws, "com.example.echo", "x")
	if code != 1 || !strings.Contains(errOut, "wamp.error.encryption.no_payload_codec") || !strings.Contains(errOut, "zstd") {
		t.Fatalf("call without the codec: exit %d, stderr %q", code, errOut)
	}

	sub := background(t, "subscribe", ws, "com.example.news", "--plugin", zstd, "--codec", "zstd")
	waitFor(t, sub, "joined realm")
	code, _, errOut = runOnce(t, "publish", rs, "com.example.news", "hello", "--kw", "n=1", "--ack", "--plugin", zstd, "--codec", "zstd")
	if code != 0 {
		t.Fatalf("publish: exit %d, stderr %q", code, errOut)
	}
	waitFor(t, sub, `{"args":["hello"],"kwargs":{"n":1},`)

	// --codec takes an in-process codec as well: cryptobox with its key
	// ring inline.
	keys := `keys=[{"uri": "com.example.secret", "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}]`
	sec := background(t, "register", rs, "com.example.secret", "--codec", "cryptobox", "--codec-opt", keys, "--", "echo", "said:")
	waitFor(t, sec, "registered com.example.secret")
	code, out, errOut = runOnce(t, "call", ws, "com.example.secret", "psst", "--codec", "cryptobox", "--codec-opt", keys)
	if code != 0 || out != `"said: psst"`+"\n" {
		t.Fatalf("call with cryptobox: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--codec", "zstd", "--codec-opt", "speed=1"}, `--codec zstd: registry: payload codec "zstd": plugin zstd: codec "zstd": zstd: unknown config key "speed" (level, dict)`},
		{[]string{"--codec", "nosuch"}, `--codec nosuch: registry: no payload codec for algorithm "nosuch"`},
		{[]string{"--codec-opt", "level=1"}, "--codec-opt without --codec"},
		{[]string{"--codec", "zstd", "--codec-opt", "level"}, `--codec-opt "level": want KEY=VALUE`},
		{[]string{"--plugin", filepath.Join(t.TempDir(), "nosuch")}, "nosuch"},
		// An in-process codec is there too, with its own configuration.
		{[]string{"--codec", "cryptobox", "--codec-opt", "bogus=1"}, `--codec cryptobox: registry: payload codec "cryptobox": cryptobox: unknown configuration key(s) bogus`},
	} {
		code, _, errOut := runOnce(t, append([]string{"call", ws, "com.example.echo", "--plugin", zstd}, tc.args...)...)
		if code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, errOut, tc.want)
		}
	}
}

// TestServePluginThatCannotStart: serve fails at start with the plugin's
// own words.
func TestServePluginThatCannotStart(t *testing.T) {
	zstd := buildPlugin(t, "github.com/autobahn-go/autobahn/examples/plugins/zstd")
	// The zstd plugin refuses a flag it does not know; --plugin takes no
	// arguments, so a config file gives them.
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	writeFile(t, path, `{"version": 2, "plugins": [{"path": "`+zstd+`", "args": ["-level", "warp"]}],
  "workers": [{"type": "router", "realms": [{"name": "realm1", "roles": [{"name": "anonymous", "allow-by-default": true}]}],
    "transports": [{"type": "rawsocket", "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": 0}}]}]}`)
	code, _, errOut := runOnce(t, "serve", "--config", path)
	if code != 1 || !regexp.MustCompile(`config: plugins\[0\]: plugin .*zstd: starting it: it exited; the plugin's stderr:\nzstd plugin: zstd: level "warp"`).MatchString(errOut) {
		t.Fatalf("serve: exit %d, stderr %q", code, errOut)
	}
}

// TestServeSerializerPlugin serves the BSON plugin's serializer on
// WebSocket and RawSocket and connects clients that offer only BSON, from
// flags and from a configuration file that names it.
func TestServeSerializerPlugin(t *testing.T) {
	bin, name := buildPlugin(t, "github.com/autobahn-go/autobahn/examples/plugins/bson"), "bson"
	lines := startServe(t, "--ws", "127.0.0.1:0", "--rawsocket", "127.0.0.1:0", "--plugin", bin)
	if !strings.Contains(strings.Join(lines, "\n"), "plugin "+bin+" (pid ") || !strings.Contains(strings.Join(lines, "\n"), "serializers bson, bson.batched") {
		t.Errorf("serve did not say what the plugin offers: %q", lines)
	}
	listening := printedURLs(lines, "listening")
	if len(listening) != 2 {
		t.Fatalf("serve printed %q", lines)
	}
	ws, rs := listening[0], listening[1]
	checkOnly(t, ws, rs, bin, name)

	dir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(dir, "serializer-plugin")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.json")
	writeFile(t, path, `{"version": 2, "plugins": [{"path": "serializer-plugin"}],
  "workers": [{"type": "router", "realms": [{"name": "realm1", "roles": [{"name": "anonymous", "allow-by-default": true}]}],
    "transports": [
      {"type": "websocket", "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": 0}, "serializers": ["`+name+`"]},
      {"type": "rawsocket", "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": 0}, "serializers": ["`+name+`"]}]}]}`)
	out := background(t, "serve", "--config", path)
	waitFor(t, out, "autobahn serve: ready")
	urls := regexp.MustCompile(`listening ((?:ws|rs)://127\.0\.0\.1:\d+/?)`).FindAllStringSubmatch(out.String(), -1)
	if len(urls) != 2 {
		t.Fatalf("serve printed %q", out.String())
	}
	checkOnly(t, urls[0][1], urls[1][1], bin, name)
	// Only the plugin's serializer is served there.
	code, _, errOut := runOnce(t, "call", urls[1][1], "com.example.echo", "--serializer", "json")
	if code != 1 || !strings.Contains(errOut, "serializer") {
		t.Errorf("a JSON client: exit %d, stderr %q", code, errOut)
	}
}

// checkOnly registers over RawSocket and calls over WebSocket, both
// clients offering only the plugin's serializer.
func checkOnly(t *testing.T, ws, rs, bin, name string) {
	t.Helper()
	reg := background(t, "register", rs, "com.example.echo", "--plugin", bin, "--serializer", name, "--", "echo", "said:")
	waitFor(t, reg, "registered com.example.echo")
	want := `"said: 1 {\"a\":[1,2.5,\"x\"]} two words"` + "\n"
	code, out, errOut := runOnce(t, "call", ws, "com.example.echo", "1", `{"a":[1,2.5,"x"]}`, "two words", "--plugin", bin, "--serializer", name+".batched")
	if code != 0 || out != want {
		t.Fatalf("call over %s.batched: exit %d, stdout %q, stderr %q", name, code, out, errOut)
	}
	code, out, errOut = runOnce(t, "call", rs, "com.example.echo", "1", `{"a":[1,2.5,"x"]}`, "two words", "--plugin", bin, "--serializer", name)
	if code != 0 || out != want {
		t.Fatalf("call over %s: exit %d, stdout %q, stderr %q", name, code, out, errOut)
	}
}
