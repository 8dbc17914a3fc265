// Package status serves a human-readable status page of an embedded
// router: its realms with their sessions, registrations and subscriptions,
// its counters, and message rates per second — and the same as JSON for
// scripts (?format=json).
//
// It reads what the router already keeps (Router.Snapshot and
// Router.Stats) when a page is asked for; nothing runs in between. Rates
// come from two Stats samples: the handler keeps the last one it took and,
// on a request at least a second later, divides the difference by the time
// between them. The page reloads itself every few seconds (a meta refresh:
// no script, no external asset, so it works under the strictest Content
// Security Policy, which it sends).
//
// The page lists session IDs, authids and peers' addresses: mount it where
// only operators reach it. Everything shown is escaped by html/template.
package status

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
)

// Options configure a Handler; the zero value means the defaults.
type Options struct {
	// Refresh is how often the HTML page reloads itself (default 5 s;
	// negative: never).
	Refresh time.Duration
	// MaxSessions bounds the sessions listed per realm (default 500), so
	// that a router with 100,000 sessions does not serve megabytes every
	// few seconds; the count of all is still given. Negative lists all.
	MaxSessions int
}

// minRateInterval is the shortest time between the two samples of a rate:
// requests closer together show the rates computed before.
const minRateInterval = time.Second

// Handler serves the status page of a router: HTML, or JSON when the query
// has format=json. It is safe for concurrent use.
type Handler struct {
	r    *router.Router
	opts Options

	mu    sync.Mutex
	prev  sample // the sample the next rates start from
	rates *Rates // the last rates computed; nil before there are two samples
}

type sample struct {
	at time.Time
	st router.Stats
}

var _ http.Handler = (*Handler)(nil)

// NewHandler returns the status page of r. It takes its first Stats
// sample now, so that the first page shown a second or more later already
// has rates.
func NewHandler(r *router.Router, opts Options) *Handler {
	if opts.Refresh == 0 {
		opts.Refresh = 5 * time.Second
	}
	if opts.MaxSessions == 0 {
		opts.MaxSessions = 500
	}
	return &Handler{r: r, opts: opts, prev: sample{at: time.Now(), st: r.Stats()}}
}

// Status is what the page shows, and the JSON document.
type Status struct {
	Time   time.Time `json:"time"`
	Totals Totals    `json:"totals"`
	// Rates are nil until the handler has two samples a second apart.
	Rates *Rates `json:"rates"`
	// Received and Sent count the messages by type name ("CALL"); types
	// with no message are left out.
	Received map[string]uint64 `json:"received"`
	Sent     map[string]uint64 `json:"sent"`
	Realms   []Realm           `json:"realms"`
}

// Totals are the router's counters (see router.Stats for each).
type Totals struct {
	Sessions           int64   `json:"sessions"`
	SessionsJoined     uint64  `json:"sessions_joined"`
	Calls              uint64  `json:"calls"`
	CallsInFlight      int64   `json:"calls_in_flight"`
	CallsAnswered      uint64  `json:"calls_answered"`
	MeanCallSeconds    float64 `json:"mean_call_seconds"`
	Publications       uint64  `json:"publications"`
	EventsDelivered    uint64  `json:"events_delivered"`
	EventsDropped      uint64  `json:"events_dropped"`
	SlowDisconnects    uint64  `json:"slow_disconnects"`
	AuthFailures       uint64  `json:"auth_failures"`
	AuthThrottled      uint64  `json:"auth_throttled"`
	ProtocolViolations uint64  `json:"protocol_violations"`
	HandshakeTimeouts  uint64  `json:"handshake_timeouts"`
	Refused            uint64  `json:"refused"`
	RetainedRefused    uint64  `json:"retained_refused"`
}

// Rates are per second, over the IntervalSeconds between two samples.
type Rates struct {
	IntervalSeconds float64 `json:"interval_seconds"`
	Received        float64 `json:"received"`
	Sent            float64 `json:"sent"`
	Calls           float64 `json:"calls"`
	Publications    float64 `json:"publications"`
	EventsDelivered float64 `json:"events_delivered"`
	// ReceivedByType and SentByType leave out the types with rate 0.
	ReceivedByType map[string]float64 `json:"received_by_type"`
	SentByType     map[string]float64 `json:"sent_by_type"`
}

// Realm is one realm: its snapshot, with the count of all its sessions
// when Sessions lists only the first Options.MaxSessions.
type Realm struct {
	router.RealmSnapshot
	SessionCount    int `json:"session_count"`
	SessionsOmitted int `json:"sessions_omitted"`
}

// Status takes a snapshot of the router and its counters, and the rates
// since the last sample (taking a new sample when that is a second old).
func (h *Handler) Status() Status {
	snap := h.r.Snapshot()
	st := h.r.Stats()
	out := Status{Time: snap.Time, Totals: totals(&st), Rates: h.sampleRates(sample{at: snap.Time, st: st}),
		Received: byName(&st.Received), Sent: byName(&st.Sent), Realms: make([]Realm, len(snap.Realms))}
	for i, rl := range snap.Realms {
		out.Realms[i] = Realm{RealmSnapshot: rl, SessionCount: len(rl.Sessions)}
		if n := h.opts.MaxSessions; n >= 0 && len(rl.Sessions) > n {
			out.Realms[i].Sessions = rl.Sessions[:n]
			out.Realms[i].SessionsOmitted = len(rl.Sessions) - n
		}
	}
	return out
}

func (h *Handler) sampleRates(cur sample) *Rates {
	h.mu.Lock()
	defer h.mu.Unlock()
	dt := cur.at.Sub(h.prev.at)
	if dt < minRateInterval {
		return h.rates
	}
	h.rates = rates(&h.prev.st, &cur.st, dt)
	h.prev = cur
	return h.rates
}

func totals(st *router.Stats) Totals {
	t := Totals{
		Sessions: st.Sessions, SessionsJoined: st.SessionsTotal, Calls: st.Calls, CallsInFlight: st.CallsInFlight,
		CallsAnswered: st.CallDurations.Count(), Publications: st.Publications,
		EventsDelivered: st.Sent[core.TypeEvent], EventsDropped: st.DroppedByType[core.TypeEvent],
		SlowDisconnects: st.SlowDisconnects, AuthFailures: st.AuthFailures, AuthThrottled: st.AuthThrottled, ProtocolViolations: st.ProtocolViolations,
		HandshakeTimeouts: st.HandshakeTimeouts, Refused: st.Refused, RetainedRefused: st.RetainedRefused,
	}
	if t.CallsAnswered > 0 {
		t.MeanCallSeconds = st.CallDurations.Sum.Seconds() / float64(t.CallsAnswered)
	}
	return t
}

func rates(a, b *router.Stats, dt time.Duration) *Rates {
	s := dt.Seconds()
	per := func(x, y uint64) float64 {
		if y < x {
			return 0
		}
		return float64(y-x) / s
	}
	r := &Rates{IntervalSeconds: s,
		Received: per(a.Received.Total(), b.Received.Total()), Sent: per(a.Sent.Total(), b.Sent.Total()),
		Calls: per(a.Calls, b.Calls), Publications: per(a.Publications, b.Publications),
		EventsDelivered: per(a.Sent[core.TypeEvent], b.Sent[core.TypeEvent]),
		ReceivedByType:  map[string]float64{}, SentByType: map[string]float64{}}
	for t := range a.Received {
		if v := per(a.Received[t], b.Received[t]); v > 0 {
			r.ReceivedByType[typeName(t)] = v
		}
		if v := per(a.Sent[t], b.Sent[t]); v > 0 {
			r.SentByType[typeName(t)] = v
		}
	}
	return r
}

func byName(c *router.MessageCounts) map[string]uint64 {
	m := map[string]uint64{}
	for t, n := range c {
		if n > 0 {
			m[typeName(t)] = n
		}
	}
	return m
}

// typeName names the message type of index t of a router.MessageCounts.
func typeName(t int) string {
	if t == 0 {
		return "unknown"
	}
	return core.MessageType(t).String()
}

// ServeHTTP serves the page (GET or HEAD): JSON for ?format=json, HTML
// otherwise.
func (h *Handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed: the status page is read with GET", http.StatusMethodNotAllowed)
		return
	}
	st := h.Status()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	switch f := req.URL.Query().Get("format"); f {
	case "json":
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(st)
	case "", "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		if err := pageTemplate.Execute(w, h.view(&st)); err != nil {
			// The header is out: all that is left is to end the page.
			fmt.Fprintf(w, "<p>status page: %s</p>", template.HTMLEscapeString(err.Error()))
		}
	default:
		http.Error(w, fmt.Sprintf("unknown format %q: want json or html", f), http.StatusBadRequest)
	}
}

//go:embed page.html
var pageHTML string

var pageTemplate = template.Must(template.New("status").Funcs(template.FuncMap{
	"rate": func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"ms":   func(seconds float64) string { return fmt.Sprintf("%.3f", seconds*1000) },
}).Parse(pageHTML))

// view is what the template gets: the status, its message types as rows
// in WAMP's order, and the meta refresh.
type view struct {
	*Status
	Types       []typeRow
	AllReceived uint64
	AllSent     uint64
	Refresh     int           // seconds; 0: no reload
	RefreshTag  template.HTML // the meta refresh element, built from Refresh
}

type typeRow struct {
	Name                   string
	Received, Sent         uint64
	ReceivedRate, SentRate float64
	HasRates               bool
}

func (h *Handler) view(st *Status) *view {
	v := &view{Status: st}
	if h.opts.Refresh > 0 {
		v.Refresh = max(1, int(h.opts.Refresh.Round(time.Second)/time.Second))
		v.RefreshTag = template.HTML(fmt.Sprintf(`<meta http-equiv="refresh" content="%d">`, v.Refresh))
	}
	for t := range len(router.MessageCounts{}) {
		name := typeName(t)
		row := typeRow{Name: name, Received: st.Received[name], Sent: st.Sent[name], HasRates: st.Rates != nil}
		if st.Rates != nil {
			row.ReceivedRate, row.SentRate = st.Rates.ReceivedByType[name], st.Rates.SentByType[name]
		}
		v.AllReceived += row.Received
		v.AllSent += row.Sent
		if row.Received > 0 || row.Sent > 0 {
			v.Types = append(v.Types, row)
		}
	}
	return v
}
