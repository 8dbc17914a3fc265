// Package metrics exports the counters of an embedded router
// ([router.Router.Stats]) to Prometheus.
//
// The router keeps its own counters as plain atomics and knows nothing of
// Prometheus, so that a program embedding it pulls in no metrics library
// unless it imports this package. The collector here keeps no counters of
// its own: at every scrape it reads Router.Stats and the realms' session
// counts once and turns them into constant metrics, so the numbers a
// scrape shows are exactly the router's and there is one set of books.
//
// It lives under router/ because it is an adapter of that package's Stats,
// not a general metrics layer of the module: the transports keep their own
// per-connection stats (core.StatsReporter), which could get a collector of
// their own beside this one.
//
// Use [Handler] for a ready /metrics endpoint with its own registry, or
// register [NewCollector] with a registry of your own:
//
//	http.Handle("/metrics", metrics.Handler(r))
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
)

// The metrics' names and help texts. Counters end in _total, as Prometheus
// names them; the message type label is the WAMP message name ("CALL").
var (
	descSessions = prometheus.NewDesc("autobahn_sessions",
		"Sessions joined to the realm now.", []string{"realm"}, nil)
	descSessionsJoined = prometheus.NewDesc("autobahn_sessions_joined_total",
		"Sessions that joined a realm of the router.", nil, nil)
	descReceived = prometheus.NewDesc("autobahn_messages_received_total",
		"WAMP messages the router received from sessions, by message type.", []string{"type"}, nil)
	descSent = prometheus.NewDesc("autobahn_messages_sent_total",
		"WAMP messages the router queued to sessions, by message type.", []string{"type"}, nil)
	descDropped = prometheus.NewDesc("autobahn_messages_dropped_total",
		"WAMP messages the transports' drop policy discarded for slow sessions, by message type.", []string{"type"}, nil)
	descPublications = prometheus.NewDesc("autobahn_publications_total",
		"PUBLISH messages routed.", nil, nil)
	descCalls = prometheus.NewDesc("autobahn_calls_total",
		"CALL messages routed to a callee.", nil, nil)
	descCallsInFlight = prometheus.NewDesc("autobahn_calls_in_flight",
		"Invocations that callees are running now.", nil, nil)
	descCallDuration = prometheus.NewDesc("autobahn_call_duration_seconds",
		"Time from routing a CALL to the caller's final RESULT or ERROR.", nil, nil)
	descEventsDelivered = prometheus.NewDesc("autobahn_events_delivered_total",
		"EVENT messages queued to subscribers.", nil, nil)
	descEventsDropped = prometheus.NewDesc("autobahn_events_dropped_total",
		"EVENT messages the transports' drop policy discarded for slow subscribers.", nil, nil)
	descSlowDisconnects = prometheus.NewDesc("autobahn_slow_consumer_disconnects_total",
		"Sessions disconnected because their send queue was full.", nil, nil)
	descAuthFailures = prometheus.NewDesc("autobahn_auth_failures_total",
		"Authentications the router refused.", nil, nil)
	descAuthThrottled = prometheus.NewDesc("autobahn_auth_throttled_total",
		"HELLOs refused because their host failed authentication too often.", nil, nil)
	descHandshakeTimeouts = prometheus.NewDesc("autobahn_handshake_timeouts_total",
		"Connections closed for not joining a realm within the handshake timeout.", nil, nil)
	descRefused = prometheus.NewDesc("autobahn_connections_refused_total",
		"Connections refused because the router served the most sessions allowed.", nil, nil)
	descViolations = prometheus.NewDesc("autobahn_protocol_violations_total",
		"Sessions aborted for a protocol violation.", nil, nil)
	descRetainedRefused = prometheus.NewDesc("autobahn_retained_refused_total",
		"Retained publications not kept because their realm holds the most retained topics allowed.", nil, nil)
)

// messageTypes are the WAMP message types, each exported with its count
// (zero too, so that every series exists from the first scrape).
var messageTypes = []core.MessageType{
	core.TypeHello, core.TypeWelcome, core.TypeAbort, core.TypeChallenge, core.TypeAuthenticate,
	core.TypeGoodbye, core.TypeError, core.TypePublish, core.TypePublished, core.TypeSubscribe,
	core.TypeSubscribed, core.TypeUnsubscribe, core.TypeUnsubscribed, core.TypeEvent, core.TypeCall,
	core.TypeCancel, core.TypeResult, core.TypeRegister, core.TypeRegistered, core.TypeUnregister,
	core.TypeUnregistered, core.TypeInvocation, core.TypeInterrupt, core.TypeYield,
}

// Collector is a prometheus.Collector of a router's counters.
type Collector struct {
	r *router.Router
}

var _ prometheus.Collector = (*Collector)(nil)

// NewCollector returns a collector that reads r's counters at every scrape.
func NewCollector(r *router.Router) *Collector {
	return &Collector{r: r}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		descSessions, descSessionsJoined, descReceived, descSent, descDropped, descPublications,
		descCalls, descCallsInFlight, descCallDuration, descEventsDelivered, descEventsDropped,
		descSlowDisconnects, descAuthFailures, descAuthThrottled, descHandshakeTimeouts, descRefused, descViolations,
		descRetainedRefused,
	} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: one Router.Stats, and the
// session count of each realm.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	st := c.r.Stats()
	for _, rl := range c.r.Realms() {
		ch <- prometheus.MustNewConstMetric(descSessions, prometheus.GaugeValue, float64(rl.SessionCount()), rl.Name())
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	byType := func(d *prometheus.Desc, counts *router.MessageCounts) {
		for _, t := range messageTypes {
			counter(d, counts[t], t.String())
		}
		if counts[0] != 0 {
			counter(d, counts[0], "unknown")
		}
	}
	counter(descSessionsJoined, st.SessionsTotal)
	byType(descReceived, &st.Received)
	byType(descSent, &st.Sent)
	byType(descDropped, &st.DroppedByType)
	counter(descPublications, st.Publications)
	counter(descCalls, st.Calls)
	ch <- prometheus.MustNewConstMetric(descCallsInFlight, prometheus.GaugeValue, float64(st.CallsInFlight))
	ch <- callDurations(&st.CallDurations)
	counter(descEventsDelivered, st.Sent[core.TypeEvent])
	counter(descEventsDropped, st.DroppedByType[core.TypeEvent])
	counter(descSlowDisconnects, st.SlowDisconnects)
	counter(descAuthFailures, st.AuthFailures)
	counter(descAuthThrottled, st.AuthThrottled)
	counter(descHandshakeTimeouts, st.HandshakeTimeouts)
	counter(descRefused, st.Refused)
	counter(descViolations, st.ProtocolViolations)
	counter(descRetainedRefused, st.RetainedRefused)
}

// callDurations turns the router's histogram (counts per bucket) into
// Prometheus's (cumulative counts per upper bound in seconds).
func callDurations(h *router.CallDurations) prometheus.Metric {
	bounds := h.Bounds()
	buckets := make(map[float64]uint64, len(bounds))
	var cum uint64
	for i, b := range bounds {
		cum += h.Counts[i]
		buckets[b.Seconds()] = cum
	}
	cum += h.Counts[len(bounds)]
	return prometheus.MustNewConstHistogram(descCallDuration, cum, h.Sum.Seconds(), buckets)
}

// NewRegistry returns a registry with the router's collector and the Go
// runtime and process collectors, for a program that adds its own
// collectors before serving it with promhttp.
func NewRegistry(r *router.Router) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(r),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Handler returns an http.Handler that serves r's metrics, with the Go
// runtime's and the process's, in the Prometheus exposition formats. It
// has a registry of its own (NewRegistry), so it neither needs nor touches
// prometheus.DefaultRegisterer, and several routers in one process can
// each have theirs.
func Handler(r *router.Router) http.Handler {
	reg := NewRegistry(r)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}
