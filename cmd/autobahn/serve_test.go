package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startServe runs "autobahn serve" with args until the test ends and
// returns the lines it printed up to "ready".
func startServe(t *testing.T, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := runServe(ctx, args, pw, io.Discard)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("runServe: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("runServe did not return within 15 s of its context's end")
		}
	})
	var lines []string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if sc.Text() == "autobahn serve: ready" {
			go io.Copy(io.Discard, pr) // keep draining stdout
			return lines
		}
		lines = append(lines, sc.Text())
	}
	t.Fatalf("autobahn serve ended before it was ready: %q", lines)
	return nil
}

// printedURLs returns the URLs after prefix in lines.
func printedURLs(lines []string, prefix string) []string {
	var out []string
	for _, l := range lines {
		if u, ok := strings.CutPrefix(l, "autobahn serve: "+prefix+" "); ok {
			out = append(out, u)
		}
	}
	return out
}

func httpGet(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// series returns the value of one series of a Prometheus text scrape.
func series(scrape, name string) string {
	for _, l := range strings.Split(scrape, "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			return v
		}
	}
	return ""
}

func TestServeMetricsAndStatusPage(t *testing.T) {
	lines := startServe(t, "--ws", "127.0.0.1:0", "--rawsocket", "", "--metrics", "127.0.0.1:0", "--metrics-path", "/metrics")
	ws := printedURLs(lines, "listening")
	statusPages := printedURLs(lines, "status page")
	metricsURLs := printedURLs(lines, "metrics")
	if len(ws) != 1 || len(statusPages) != 1 || len(metricsURLs) != 2 || metricsURLs[0] == metricsURLs[1] {
		t.Fatalf("printed %q", lines)
	}
	wsHost := strings.TrimSuffix(strings.TrimPrefix(ws[0], "ws://"), "/ws")
	if statusPages[0] != "http://"+wsHost+"/status" || metricsURLs[0] != "http://"+wsHost+"/metrics" {
		t.Fatalf("status page %s and metrics %s not on the WebSocket listener %s", statusPages[0], metricsURLs[0], ws[0])
	}

	reg := background(t, "register", ws[0], "com.example.echo", "--", "echo", "said:")
	waitFor(t, reg, "registered com.example.echo")
	sub := background(t, "subscribe", ws[0], "com.example.news")
	waitFor(t, sub, "joined realm realm1")
	if code, out, errOut := runOnce(t, "call", ws[0], "com.example.echo", "1"); code != 0 || out != "\"said: 1\"\n" {
		t.Fatalf("call: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := runOnce(t, "publish", ws[0], "com.example.news", "2", "--ack"); code != 0 {
		t.Fatalf("publish: exit %d, stderr %q", code, errOut)
	}
	waitFor(t, sub, `"args":[2]`)

	want := map[string]string{
		`autobahn_sessions{realm="realm1"}`:                  "2", // register and subscribe
		`autobahn_sessions_joined_total`:                     "4",
		`autobahn_calls_total`:                               "1",
		`autobahn_calls_in_flight`:                           "0",
		`autobahn_call_duration_seconds_count`:               "1",
		`autobahn_publications_total`:                        "1",
		`autobahn_events_delivered_total`:                    "1",
		`autobahn_messages_received_total{type="REGISTER"}`:  "1",
		`autobahn_messages_received_total{type="SUBSCRIBE"}`: "1",
		`autobahn_messages_received_total{type="CALL"}`:      "1",
		`autobahn_messages_received_total{type="PUBLISH"}`:   "1",
		`autobahn_messages_sent_total{type="INVOCATION"}`:    "1",
		`autobahn_messages_sent_total{type="RESULT"}`:        "1",
		`autobahn_messages_sent_total{type="PUBLISHED"}`:     "1",
		`autobahn_auth_failures_total`:                       "0",
	}
	for _, u := range metricsURLs {
		var scrape string
		// The call and publish sessions leave as their commands end; their
		// router side may take a moment to notice.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			res, body := httpGet(t, u)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", u, res.StatusCode)
			}
			scrape = body
			if series(scrape, `autobahn_sessions{realm="realm1"}`) == "2" || time.Now().After(deadline) {
				break
			}
		}
		for name, v := range want {
			if got := series(scrape, name); got != v {
				t.Errorf("%s: %s = %q, want %s", u, name, got, v)
			}
		}
		if series(scrape, "go_goroutines") == "" {
			t.Errorf("%s: no Go runtime metrics", u)
		}
	}

	res, page := httpGet(t, statusPages[0])
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(page, "<h2>Realm realm1</h2>") || !strings.Contains(page, "<td>com.example.echo</td>") ||
		!strings.Contains(page, "<td>com.example.news</td>") {
		t.Fatalf("status page: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), page)
	}
	if res, body := httpGet(t, statusPages[0]+"?format=json"); res.Header.Get("Content-Type") != "application/json" || !strings.Contains(body, `"uri": "com.example.echo"`) {
		t.Fatalf("status JSON: %s\n%s", res.Header.Get("Content-Type"), body)
	}
	// What was there before stays: a plain GET of the WebSocket URL gets the
	// WebSocket server's page; the metrics listener serves only /metrics.
	if res, body := httpGet(t, "http://"+wsHost+"/ws"); res.StatusCode != http.StatusOK || !strings.Contains(body, "Autobahn") {
		t.Fatalf("GET /ws: %d\n%s", res.StatusCode, body)
	}
	if res, _ := httpGet(t, strings.TrimSuffix(metricsURLs[1], "/metrics")+"/status"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /status on the metrics listener: %d", res.StatusCode)
	}
}

func TestServeWebFlagsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--status-path", "status"}, "--status-path \"status\": want an absolute URL path"},
		{[]string{"--metrics-path", "/ws"}, "that path already serves WAMP"},
		{[]string{"--metrics-path", "/x", "--status-path", "/x"}, "that path already serves --status-path"},
		{[]string{"--metrics-path", "GET /x"}, "want an absolute URL path"},
		{[]string{"--ws", "", "--metrics-path", "/metrics"}, "--metrics-path serves metrics on the WebSocket listener"},
	} {
		err := runServe(context.Background(), append([]string{"--rawsocket", "127.0.0.1:0"}, tc.args...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.want)
		}
	}
}
