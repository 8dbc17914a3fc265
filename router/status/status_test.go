package status_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/router/status"
	"github.com/autobahn-go/autobahn/transports/memory"
)

const hostile = `<script>alert("x")</script>&`

// hostileAuth admits every session under an authid that is markup.
type hostileAuth struct{}

func (hostileAuth) Name() string { return "anonymous" }
func (hostileAuth) Hello(context.Context, *router.AuthRequest) (*router.Identity, *core.Challenge, any, error) {
	return &router.Identity{AuthID: hostile, AuthRole: "guest", AuthMethod: "anonymous"}, nil, nil, nil
}
func (hostileAuth) Verify(context.Context, any, *core.Authenticate) (*router.Identity, error) {
	return nil, io.EOF
}

// join joins realm1 over the in-memory transport and sends msgs, waiting
// for an answer to each.
func join(t *testing.T, r *router.Router, msgs ...core.Message) {
	t.Helper()
	rec := testpeer.NewRecorder()
	tr, err := memory.Connect(r.Accept, rec, memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Abort() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, m := range append([]core.Message{&core.Hello{Realm: "realm1", Details: core.HelloDetails{
		Roles: map[string]core.Role{core.RoleCallee: {}, core.RoleSubscriber: {}}}}}, msgs...) {
		if err := tr.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
		if got := rec.Next(t); got.Type() == core.TypeAbort || got.Type() == core.TypeError {
			t.Fatalf("%v answered with %v", m.Type(), got.Type())
		}
	}
}

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

func TestStatusPage(t *testing.T) {
	r, err := router.New(router.Options{Realms: []string{"realm1"}, Auth: []router.AuthMethod{hostileAuth{}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(context.Background()) }) // after the sessions' cleanups: they are gone
	h := status.NewHandler(r, status.Options{Refresh: 3 * time.Second})
	join(t, r, &core.Register{Request: 1, Procedure: "com.example.add"},
		&core.Subscribe{Request: 2, Topic: "com.example.", Options: core.SubscribeOptions{Match: core.MatchPrefix}})

	res := get(t, h, "/status")
	page := res.Body.String()
	if ct := res.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	for _, want := range []string{
		"<h2>Realm realm1</h2>",
		"<td>com.example.add</td><td>exact</td><td>single</td>",
		"<td>com.example.</td><td>prefix</td>",
		`<meta http-equiv="refresh" content="3">`,
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;",
		"<td>REGISTER</td><td class=\"n\">1</td>",
		"Rates appear on the next reload.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Fatalf("the hostile authid reached the page unescaped:\n%s", page)
	}
	if csp := res.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}

	// The JSON has the same, and the rates once a second has passed.
	time.Sleep(1100 * time.Millisecond)
	res = get(t, h, "/status?format=json")
	if ct := res.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var st struct {
		Totals struct {
			Sessions int64 `json:"sessions"`
		} `json:"totals"`
		Rates *struct {
			IntervalSeconds float64 `json:"interval_seconds"`
		} `json:"rates"`
		Received map[string]uint64 `json:"received"`
		Realms   []struct {
			Name         string `json:"name"`
			SessionCount int    `json:"session_count"`
			Sessions     []struct {
				ID     uint64 `json:"id"`
				AuthID string `json:"authid"`
			} `json:"sessions"`
			Registrations []struct {
				URI     string `json:"uri"`
				Callees int    `json:"callees"`
			} `json:"registrations"`
			Subscriptions []struct {
				URI         string `json:"uri"`
				Match       string `json:"match"`
				Subscribers int    `json:"subscribers"`
			} `json:"subscriptions"`
		} `json:"realms"`
	}
	if err := json.Unmarshal(res.Body.Bytes(), &st); err != nil {
		t.Fatalf("%v: %s", err, res.Body)
	}
	if st.Totals.Sessions != 1 || len(st.Realms) != 1 || st.Realms[0].SessionCount != 1 || len(st.Realms[0].Sessions) != 1 ||
		st.Realms[0].Sessions[0].AuthID != hostile || st.Received["HELLO"] != 1 {
		t.Fatalf("status %+v", st)
	}
	rl := st.Realms[0]
	if len(rl.Registrations) != 1 || rl.Registrations[0].URI != "com.example.add" || rl.Registrations[0].Callees != 1 {
		t.Fatalf("registrations %+v", rl.Registrations)
	}
	if len(rl.Subscriptions) != 1 || rl.Subscriptions[0].URI != "com.example." || rl.Subscriptions[0].Match != "prefix" || rl.Subscriptions[0].Subscribers != 1 {
		t.Fatalf("subscriptions %+v", rl.Subscriptions)
	}
	if st.Rates == nil || st.Rates.IntervalSeconds < 1 {
		t.Fatalf("rates %+v after a second", st.Rates)
	}
	if page := get(t, h, "/status").Body.String(); !strings.Contains(page, "Rates over the last") {
		t.Errorf("no rates on the page after a second:\n%s", page)
	}

	if res := get(t, h, "/status?format=xml"); res.Code != http.StatusBadRequest {
		t.Errorf("format=xml: status %d", res.Code)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/status", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d", rec.Code)
	}
}

func TestStatusPageListsAtMostMaxSessions(t *testing.T) {
	r, err := router.New(router.Options{Realms: []string{"realm1"}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(context.Background()) }) // after the sessions' cleanups: they are gone
	for range 3 {
		join(t, r)
	}
	st := status.NewHandler(r, status.Options{MaxSessions: 2}).Status()
	if rl := st.Realms[0]; len(rl.Sessions) != 2 || rl.SessionCount != 3 || rl.SessionsOmitted != 1 {
		t.Fatalf("realm %+v", rl)
	}
	page := get(t, status.NewHandler(r, status.Options{MaxSessions: 2}), "/").Body.String()
	if !strings.Contains(page, "… and 1 more.") || !strings.Contains(page, "Sessions (3)") {
		t.Fatalf("page:\n%s", page)
	}
}
