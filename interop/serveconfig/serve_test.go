package serveconfig

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// binary is the autobahn command built from this checkout by TestMain
// ("" under -short, where every test skips).
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	if testing.Short() {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "autobahn-serveconfig")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "autobahn")
	build := exec.Command("go", "build", "-o", binary, "github.com/autobahn-go/autobahn/cmd/autobahn")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building cmd/autobahn:", err)
		return 1
	}
	return m.Run()
}

// The node under test runs testdata/config.json, a Crossbar.io
// configuration (version 2) written for these tests in the shape of the
// configurations of Crossbar.io's examples (github.com/crossbario/
// crossbar-examples), part by part:
//
//   - realm1's roles backend and frontend, with their exact and prefix
//     permissions (com.example.add2 callable, com.example. publishable,
//     com.example.topic2 and everything else denied, com.foobar.topic1
//     publishable), are those of authentication/ticket/static and
//     authentication/wampcra/static; frontend adds disclose caller on
//     com.example.add2 and the starred URI com.*.public (a wildcard, as
//     Crossbar's convert_starred_uri makes it);
//   - role authenticator, allowed only to register com.example.authenticate,
//     is authentication/ticket/dynamic's (there a router component; here an
//     Autobahn|Python session on its own anonymous transport);
//   - role device is the role of authentication/cryptosign/static and
//     cryptosign/tls (there in a realm "devices" with everything allowed;
//     here starred URIs: com.example.add2 exact, com.example.device.* a
//     prefix, and an explicit wildcard com.example..status);
//   - role app, decided by the dynamic authorizer com.example.authorize, is
//     authorization/dynamic's;
//   - the web transport with static files at / and WAMP at ws is the
//     transport of authentication/ticket/static (ticket principal client1
//     with "${MYTICKET}") and authentication/wampcra/static (users client1
//     with "${MYSECRET}" and salted client2 with salt123, 100 iterations,
//     key length 16 — that example's values), plus the static cryptosign
//     principal client01@example.com of authentication/cryptosign/static;
//   - its path dyn authenticates ticket, wampcra and cryptosign with the
//     dynamic authenticator com.example.authenticate in the client's realm
//     (no authenticator-realm), as authentication/ticket/dynamic and
//     wampcra/dynamic do;
//   - the TLS websocket transport with static cryptosign principals (one of
//     them with two keys) is authentication/cryptosign/tls's, with a
//     certificate made by the test;
//   - the rawsocket transport on which the backend components join
//     anonymously as role backend is authentication/wampcra/static's (there
//     on a Unix socket).
//
// Every port is 0 ("autobahn serve" picks free ones and prints them;
// Crossbar.io wants 1 to 65535).
const configFile = "testdata/config.json"

// Secrets of the configuration, given to "autobahn serve" in the
// environment as the examples' Makefiles give them to Crossbar.io.
const (
	myTicket = "ticket-of-client1"
	mySecret = "secret123"
)

// The lanes: what the peers connect to, by the URL "autobahn serve" prints
// for it.
const (
	laneWS            = "ws"            // web transport, path ws: static ticket, wampcra, cryptosign
	laneDyn           = "dyn"           // web transport, path dyn: dynamic authenticator
	laneTLS           = "wss"           // TLS websocket transport: static cryptosign
	laneTLS12         = "wss12"         // the same, the Python client offering at most TLS 1.2
	laneBackend       = "backend"       // rawsocket, anonymous as backend
	laneAuthenticator = "authenticator" // websocket, anonymous as authenticator
)

// seedHex is the Ed25519 seed of a cryptosign key of the tests, in hex;
// testdata/config.json holds the public keys of client01, client02a and
// client02b, auth_peer.py's authenticator knows grace, nobody unknown.
func seedHex(name string) string {
	s := sha256.Sum256([]byte("serveconfig " + name))
	return hex.EncodeToString(s[:])
}

// keys are the cryptosign keys the peers sign with.
func keys() map[string]string {
	out := map[string]string{}
	for _, name := range []string{"client01", "client02a", "client02b", "grace", "unknown"} {
		out[name] = seedHex(name)
	}
	return out
}

// serveNode is one "autobahn serve --config" process.
type serveNode struct {
	urls   map[string]string      // lane → URL
	static string                 // URL of the static files
	caPath string                 // the certificate of the TLS transport, to trust
	out    *testpeer.LockedBuffer // its stdout
}

// startServe runs "autobahn serve --config" with testdata/config.json in a
// directory of its own (with the TLS certificate and key it names, and the
// static files) and waits until it is ready. When t ends, the process gets
// SIGTERM and must exit with status 0 after printing its "stopped" line.
func startServe(t *testing.T) *serveNode {
	t.Helper()
	if binary == "" {
		t.Skip("needs the autobahn binary (not built under -short)")
	}
	dir := t.TempDir()
	cfg, err := os.ReadFile(configFile)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "config.json"), cfg)
	writeFile(t, filepath.Join(dir, "web", "index.html"), []byte(indexHTML))
	cert := testpeer.NewCert(t)
	key, err := x509.MarshalPKCS8PrivateKey(cert.Certificate.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "server.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}))
	writeFile(t, filepath.Join(dir, "server.crt"), cert.PEM)

	cmd := exec.Command(binary, "serve", "--config", filepath.Join(dir, "config.json"))
	cmd.Env = append(os.Environ(), "MYTICKET="+myTicket, "MYSECRET="+mySecret)
	var stderr testpeer.LockedBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting autobahn serve: %v", err)
	}
	n := &serveNode{urls: map[string]string{}, caPath: filepath.Join(dir, "server.crt"), out: &testpeer.LockedBuffer{}}
	ready := make(chan struct{})
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			fmt.Fprintln(n.out, sc.Text())
			if sc.Text() == "autobahn serve: ready" {
				close(ready)
			}
		}
	}()
	exited := make(chan error, 1)
	go func() {
		<-copied // Wait closes the pipe: read it to its end first
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		stop(t, cmd, n, exited)
		if t.Failed() {
			t.Logf("autobahn serve stdout:\n%s\nstderr:\n%s", n.out.String(), stderr.String())
		}
	})
	select {
	case <-ready:
	case err := <-exited:
		t.Fatalf("autobahn serve exited before it was ready: %v\n%s%s", err, n.out.String(), stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("autobahn serve not ready after 20 s")
	}
	n.readURLs(t)
	return n
}

const indexHTML = "<!doctype html><title>serveconfig</title>\n"

// readURLs finds the lanes in the lines "autobahn serve: listening URL"
// and "serving files at URL". The configuration makes each one of a kind:
// the TLS transport is the only wss://, the backend the only rs://, the
// authenticator's transport the only ws:// at the root.
func (n *serveNode) readURLs(t *testing.T) {
	t.Helper()
	for _, line := range strings.Split(n.out.String(), "\n") {
		if u, ok := strings.CutPrefix(line, "autobahn serve: serving files at "); ok {
			n.static = u
			continue
		}
		u, ok := strings.CutPrefix(line, "autobahn serve: listening ")
		if !ok {
			continue
		}
		p, err := url.Parse(u)
		if err != nil {
			t.Fatalf("serve printed %q: %v", line, err)
		}
		var lane string
		switch {
		case p.Scheme == "ws" && p.Path == "/ws":
			lane = laneWS
		case p.Scheme == "ws" && p.Path == "/dyn":
			lane = laneDyn
		case p.Scheme == "ws" && p.Path == "/":
			lane = laneAuthenticator
		case p.Scheme == "wss":
			lane = laneTLS
			n.urls[laneTLS12] = u
		case p.Scheme == "rs":
			lane = laneBackend
		default:
			t.Fatalf("serve printed an unexpected service: %q", line)
		}
		if n.urls[lane] != "" {
			t.Fatalf("two services for lane %s: %s and %s", lane, n.urls[lane], u)
		}
		n.urls[lane] = u
	}
	for _, lane := range []string{laneWS, laneDyn, laneTLS, laneBackend, laneAuthenticator} {
		if n.urls[lane] == "" {
			t.Fatalf("serve printed no URL for lane %s:\n%s", lane, n.out.String())
		}
	}
	if n.static == "" {
		t.Fatalf("serve printed no static files URL:\n%s", n.out.String())
	}
}

// stop sends SIGTERM and checks that serve shuts down cleanly: exit status
// 0 and its last line "autobahn serve: stopped (…)".
func stop(t *testing.T, cmd *exec.Cmd, n *serveNode, exited <-chan error) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("SIGTERM: %v", err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("autobahn serve did not exit cleanly after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Errorf("autobahn serve still running 15 s after SIGTERM")
		return
	}
	out := strings.TrimSpace(n.out.String())
	if last := out[strings.LastIndex(out, "\n")+1:]; !strings.HasPrefix(last, "autobahn serve: stopped (") {
		t.Errorf("the last line of autobahn serve is %q, want its \"stopped\" line", last)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestServe runs the configuration without peers: it loads, serves every
// transport it names (the lanes, and the static files of the web
// transport) and stops cleanly on SIGTERM (checked by startServe's
// cleanup).
func TestServe(t *testing.T) {
	t.Parallel()
	n := startServe(t)
	if !strings.Contains(n.out.String(), "autobahn serve: realm realm1\n") {
		t.Errorf("serve did not name realm realm1:\n%s", n.out.String())
	}
	res, err := http.Get(n.static)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || string(body) != indexHTML {
		t.Errorf("GET %s: %s %q %v, want the index page", n.static, res.Status, body, err)
	}
	// The public keys of the configuration are those of the seeds.
	cfg, err := os.ReadFile(configFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"client01", "client02a", "client02b"} {
		seed, _ := hex.DecodeString(seedHex(name))
		pub := hex.EncodeToString(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey))
		if !bytes.Contains(cfg, []byte(`"`+pub+`"`)) {
			t.Errorf("%s lacks the public key of %s (%s)", configFile, name, pub)
		}
	}
}
