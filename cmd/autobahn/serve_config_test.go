package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeConfig runs "autobahn serve --config" with a configuration of a
// websocket and a rawsocket transport on free loopback ports, and calls
// through both with the client commands; --metrics serves the router's
// counters beside it.
func TestServeConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	writeFile(t, path, `{
  "version": 2,
  "controller": {"options": {"title": "serve test"}},
  "workers": [{
    "type": "router",
    "realms": [{"name": "realm1", "roles": [{"name": "anonymous", "permissions": [
      {"uri": "com.example.*", "allow": {"call": true, "register": true, "publish": true, "subscribe": true}}]}]}],
    "transports": [
      {"type": "websocket", "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": 0}, "serializers": ["json"]},
      {"type": "rawsocket", "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": 0}}
    ]
  }]
}`)
	out := background(t, "serve", "--config", path, "--metrics", "127.0.0.1:0")
	waitFor(t, out, "autobahn serve: ready")
	urls := regexp.MustCompile(`listening ((?:ws|rs)://127\.0\.0\.1:\d+/?)`).FindAllStringSubmatch(out.String(), -1)
	if len(urls) != 2 || !strings.Contains(out.String(), "autobahn serve: realm realm1\n") {
		t.Fatalf("serve printed %q", out.String())
	}
	ws, rs := urls[0][1], urls[1][1]
	reg := background(t, "register", ws, "com.example.echo", "--", "echo")
	waitFor(t, reg, "registered com.example.echo")
	code, stdout, stderr := runOnce(t, "call", rs, "com.example.echo", "hi")
	if code != 0 || stdout != `"hi"`+"\n" {
		t.Fatalf("call: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = runOnce(t, "call", rs, "com.other.echo")
	if code != 1 || !strings.Contains(stderr, "wamp.error.not_authorized") {
		t.Fatalf("denied call: exit %d, stderr %q", code, stderr)
	}
	m := regexp.MustCompile(`metrics (http://127\.0\.0\.1:\d+/metrics)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("serve printed no metrics URL: %q", out.String())
	}
	resp, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	scrape, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(scrape), `autobahn_messages_received_total{type="REGISTER"} 1`+"\n") {
		t.Fatalf("metrics of serve --config:\n%s", scrape)
	}
}

// TestServeConfigErrors checks that a bad configuration stops serve before
// it listens, with the key path in the message, and that --config does not
// combine with the flags it replaces.
func TestServeConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	writeFile(t, bad, `{"version": 2, "workers": [{"type": "router"}, {"type": "guest", "executable": "node"}]}`)
	code, stdout, stderr := runOnce(t, "serve", "--config", bad)
	want := `autobahn serve: --config ` + bad + `: config: workers[1].type: "guest" workers are not supported by autobahn serve (only "router")`
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, want) {
		t.Fatalf("bad config: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = runOnce(t, "serve", "--config", filepath.Join(dir, "missing.json"))
	if code != 1 || !strings.Contains(stderr, "no such file") {
		t.Fatalf("missing config: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runOnce(t, "serve", "--config", bad, "--realm", "x", "--ws", "127.0.0.1:0")
	if code != 2 || !strings.Contains(stderr, "--config cannot be combined with --realm, --ws") {
		t.Fatalf("--config with --ws: exit %d, stderr %q", code, stderr)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}
