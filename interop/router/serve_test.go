package router

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The router under test: "autobahn serve" built from this checkout and
// started once for the package, on free loopback ports.
var (
	// WSURL is the router's WAMP-over-WebSocket URL, e.g. ws://127.0.0.1:41234/ws.
	WSURL string
	// RSURL is the router's RawSocket URL, e.g. rs://127.0.0.1:41235.
	RSURL string
	// Realm is the realm every test joins; tests use their own URIs.
	Realm = "realm1"
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		// Every test here needs the router process; they skip under -short.
		os.Exit(m.Run())
	}
	os.Exit(runWithRouter(m))
}

// runWithRouter builds cmd/autobahn, starts "autobahn serve" and runs the
// tests; the router is stopped with SIGTERM afterwards, and must exit 0.
func runWithRouter(m *testing.M) int {
	dir, err := os.MkdirTemp("", "autobahn-interop-router")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "autobahn")
	build := exec.Command("go", "build", "-o", bin, "github.com/autobahn-go/autobahn/cmd/autobahn")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building cmd/autobahn:", err)
		return 1
	}
	cmd := exec.Command(bin, "serve", "--ws", "127.0.0.1:0", "--rawsocket", "127.0.0.1:0", "--realm", Realm)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "starting autobahn serve:", err)
		return 1
	}
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(os.Stderr, "[router]", line)
			if u, ok := strings.CutPrefix(line, "autobahn serve: listening "); ok {
				switch {
				case strings.HasPrefix(u, "ws://"):
					WSURL = u
				case strings.HasPrefix(u, "rs://"):
					RSURL = u
				}
			}
			if line == "autobahn serve: ready" {
				ready <- nil
				go io.Copy(io.Discard, out)
				return
			}
		}
		ready <- fmt.Errorf("autobahn serve ended its output before \"ready\": %v", sc.Err())
	}()
	select {
	case err = <-ready:
	case <-time.After(60 * time.Second):
		err = fmt.Errorf("autobahn serve not ready after 60 s")
	}
	if err != nil || WSURL == "" || RSURL == "" {
		fmt.Fprintln(os.Stderr, "router did not start:", err, WSURL, RSURL)
		cmd.Process.Kill()
		cmd.Wait()
		return 1
	}
	code := m.Run()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			fmt.Fprintln(os.Stderr, "autobahn serve did not exit cleanly after SIGTERM:", err)
			code = 1
		}
	case <-time.After(15 * time.Second):
		fmt.Fprintln(os.Stderr, "autobahn serve still running 15 s after SIGTERM")
		cmd.Process.Kill()
		code = 1
	}
	return code
}

// uniqueURI returns a URI prefix no other test uses: "test.<name>".
func uniqueURI(t *testing.T) string {
	r := strings.NewReplacer("/", "_", "-", "_", " ", "_")
	return "test." + strings.ToLower(r.Replace(t.Name()))
}

// hostPort returns "127.0.0.1:port" of a ws:// or rs:// URL.
func hostPort(u string) string {
	u = u[strings.Index(u, "://")+3:]
	if i := strings.IndexByte(u, '/'); i >= 0 {
		u = u[:i]
	}
	return u
}

var _ = context.Background
