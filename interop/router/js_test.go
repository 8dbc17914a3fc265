package router

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// The tests here run AutobahnJS 22.11.1 and wampy 8 (Node 20) against the
// router, one node process per scenario (testdata/js_*.js, helpers in
// testdata/jslib.js). A script prints one JSON result per line; the test
// asserts on them. See /work/shared/INTEROP.md for the peers.

// jsNodeModules holds autobahn, wampy and ws (installed by
// scripts/install-peers.sh).
const jsNodeModules = "../node/node_modules"

// jsRunTimeout bounds one node process; the scripts give up by themselves
// after 20 s.
const jsRunTimeout = 30 * time.Second

// Features the router announces in WELCOME (see router.Features).
var (
	wantBrokerFeatures = []string{"publisher_identification", "pattern_based_subscription",
		"subscriber_blackwhite_listing", "publisher_exclusion", "event_retention", "payload_passthru_mode", "session_meta_api",
		"subscription_meta_api", "subscription_revocation", "event_history"}
	wantDealerFeatures = []string{"progressive_call_results", "progressive_call_invocations", "call_timeout",
		"call_canceling", "caller_identification", "pattern_based_registration", "shared_registration",
		"payload_passthru_mode", "registration_revocation", "session_meta_api", "registration_meta_api",
		"testament_meta_api"}
)

var jsProbe struct {
	once    sync.Once
	problem string
}

// requireJS skips the test under -short, and when node or the JS peers are
// missing (failing it instead when AUTOBAHN_INTEROP=1).
func requireJS(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("interop test (-short)")
	}
	jsProbe.once.Do(func() {
		node, err := exec.LookPath("node")
		if err != nil {
			jsProbe.problem = "node is not installed"
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), jsRunTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, "-e", `require('autobahn'); require('wampy'); require('ws');
require('wampy/JsonSerializer.js'); require('wampy/MsgpackSerializer.js'); require('wampy/CborSerializer.js');
if (require('autobahn').version !== '22.11.1') throw new Error('autobahn ' + require('autobahn').version + ', want 22.11.1');`)
		cmd.Env = append(os.Environ(), "NODE_PATH="+jsAbsPath(jsNodeModules))
		if out, err := cmd.CombinedOutput(); err != nil {
			jsProbe.problem = fmt.Sprintf("AutobahnJS / wampy peers unavailable (run scripts/install-peers.sh): %v\n%s", err, out)
		}
	})
	if jsProbe.problem != "" {
		testpeer.Unavailable(t, jsProbe.problem)
	}
	if WSURL == "" || RSURL == "" {
		t.Fatal("the router is not running")
	}
}

func jsAbsPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// jsResult is what one node scenario reported.
type jsResult struct {
	prefix string
	vals   map[string]json.RawMessage
	keys   []string
}

// runJS runs testdata/<script> with the router's addresses, the realm, the
// test's own URI prefix and params. It fails the test when the script does
// not finish, and when a session closed unexpectedly, unless its label is in
// expectClosed (then it must have closed).
func runJS(t *testing.T, script string, params map[string]any, expectClosed ...string) *jsResult {
	t.Helper()
	host, port, err := net.SplitHostPort(hostPort(RSURL))
	if err != nil {
		t.Fatalf("RawSocket address %q: %v", RSURL, err)
	}
	portNum, _ := strconv.Atoi(port)
	cfg := map[string]any{"ws": WSURL, "rsHost": host, "rsPort": portNum, "realm": Realm, "prefix": uniqueURI(t)}
	for k, v := range params {
		cfg[k] = v
	}
	arg, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), jsRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script, string(arg))
	cmd.Dir = "testdata"
	cmd.Env = append(os.Environ(), "NODE_PATH="+jsAbsPath(jsNodeModules))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	runErr := cmd.Run()
	t.Logf("node %s: %v", script, time.Since(start).Round(time.Millisecond))

	r := &jsResult{prefix: cfg["prefix"].(string), vals: map[string]json.RawMessage{}}
	var failMsg string
	done := false
	var other strings.Builder
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var line struct {
			K    *string         `json:"k"`
			V    json.RawMessage `json:"v"`
			Fail *string         `json:"fail"`
			Done bool            `json:"done"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			other.Write(sc.Bytes())
			other.WriteByte('\n')
			continue
		}
		switch {
		case line.Fail != nil:
			failMsg = *line.Fail
		case line.Done:
			done = true
		case line.K != nil:
			if _, dup := r.vals[*line.K]; !dup {
				r.keys = append(r.keys, *line.K)
			}
			r.vals[*line.K] = line.V
		default:
			other.Write(sc.Bytes())
			other.WriteByte('\n')
		}
	}
	if failMsg != "" || runErr != nil || !done {
		t.Fatalf("node %s: exit %v, done %v, fail: %s\nresults:\n%s\nother stdout:\n%s\nstderr:\n%s",
			script, runErr, done, failMsg, r.dump(), other.String(), stderr.String())
	}
	for _, k := range r.keys {
		label, ok := strings.CutPrefix(k, "unexpected_close.")
		if !ok {
			label, ok = strings.CutPrefix(k, "wampy_error.")
		}
		if ok && !slices.Contains(expectClosed, label) {
			t.Errorf("session %s closed or failed unexpectedly: %s", label, r.vals[k])
		}
	}
	for _, label := range expectClosed {
		if _, ok := r.vals["unexpected_close."+label]; !ok {
			t.Errorf("session %s should have been closed (see the script), but stayed open", label)
		}
	}
	if t.Failed() {
		t.Logf("results:\n%s\nstderr:\n%s", r.dump(), stderr.String())
	}
	return r
}

func (r *jsResult) dump() string {
	var b strings.Builder
	for _, k := range r.keys {
		fmt.Fprintf(&b, "  %s: %s\n", k, r.vals[k])
	}
	return b.String()
}

// value returns the decoded result key, following path (dot-separated
// object keys or list indexes); ok is false if any part is absent.
func (r *jsResult) value(key, path string) (v any, ok bool) {
	raw, ok := r.vals[key]
	if !ok {
		return nil, false
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false
	}
	if path == "" {
		return v, true
	}
	for _, p := range strings.Split(path, ".") {
		switch c := v.(type) {
		case map[string]any:
			if v, ok = c[p]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// eq checks that result key (at path, "" for all of it) equals want, a JSON
// text in which $P stands for the test's URI prefix.
func (r *jsResult) eq(t *testing.T, key, path, want string) {
	t.Helper()
	want = strings.ReplaceAll(want, "$P", r.prefix)
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation for %s %s: %v\n%s", key, path, err, want)
	}
	got, ok := r.value(key, path)
	name := key
	if path != "" {
		name += "." + path
	}
	if !ok {
		t.Errorf("%s: no such result; want %s", name, jsCompact(w))
		return
	}
	if !reflect.DeepEqual(got, w) {
		t.Errorf("%s:\n got  %s\n want %s", name, jsCompact(got), jsCompact(w))
	}
}

// list returns result key (at path) as a list of strings.
func (r *jsResult) list(t *testing.T, key, path string) []string {
	t.Helper()
	v, ok := r.value(key, path)
	list, isList := v.([]any)
	if !ok || !isList {
		t.Errorf("%s %s: not a list: %v", key, path, v)
		return nil
	}
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = fmt.Sprint(e)
	}
	return out
}

// number returns result key (at path) as a float64.
func (r *jsResult) number(t *testing.T, key, path string) float64 {
	t.Helper()
	v, ok := r.value(key, path)
	f, isNum := v.(float64)
	if !ok || !isNum {
		t.Errorf("%s %s: not a number: %v", key, path, v)
	}
	return f
}

func jsCompact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// jsCheckFeatures checks that a WELCOME (as reported under key) has the
// realm, the anonymous authrole and every feature the router announces.
func jsCheckFeatures(t *testing.T, r *jsResult, key string) {
	t.Helper()
	r.eq(t, key, "realm", strconv.Quote(Realm))
	r.eq(t, key, "authrole", `"anonymous"`)
	for role, want := range map[string][]string{"broker": wantBrokerFeatures, "dealer": wantDealerFeatures} {
		got := r.list(t, key, role)
		for _, f := range want {
			if !slices.Contains(got, f) {
				t.Errorf("WELCOME roles.%s.features lacks %s (has %v)", role, f, got)
			}
		}
	}
}

// TestJSAutobahn: AutobahnJS callee + caller and subscriber + publisher over
// WebSocket (json, msgpack, cbor) and RawSocket (json, the only serializer
// AutobahnJS's Node RawSocket transport has).
func TestJSAutobahn(t *testing.T) {
	requireJS(t)
	t.Parallel()
	cases := []struct{ name, transport, serializer string }{
		{"ws_json", "websocket", "json"},
		{"ws_msgpack", "websocket", "msgpack"},
		{"ws_cbor", "websocket", "cbor"},
		{"rawsocket_json", "rawsocket", "json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := runJS(t, "js_autobahn.js", map[string]any{"transport": c.transport, "serializer": c.serializer})
			jsCheckFeatures(t, r, "welcome")
			r.eq(t, "welcome", "authmethod", `"anonymous"`)
			r.eq(t, "welcome", "authid_is_string", `true`)
			r.eq(t, "welcome", "session_is_id", `true`)
			r.eq(t, "protocol", "", strconv.Quote("wamp.2."+c.serializer))

			r.eq(t, "call", "", `{"args": [5], "kwargs": {
				"kwargs": {"s": "héllo ☃ 𝄞", "f": 1.5, "neg": -7, "big": 4503599627370496, "n": null, "t": true,
				           "l": [1, "x", {"d": false}], "e": {}},
				"procedure": "$P.add", "caller": null, "caller_authrole": null}}`)
			r.eq(t, "call_disclosed", "", `{"args": [42], "caller": true, "caller_authrole": "anonymous"}`)
			r.eq(t, "call_single", "", `{"ok": "x!"}`)
			r.eq(t, "call_noargs", "", `{"ok": "0/0"}`)
			r.eq(t, "call_kwargs_only", "", `{"ok": "0/1"}`)
			r.eq(t, "call_error", "", `{"err": {"error": "com.example.oops", "args": ["bad", 1], "kwargs": {"why": "test"}}}`)
			r.eq(t, "call_unknown", "err.error", `"wamp.error.no_such_procedure"`)

			r.eq(t, "published_ack", "", `{"ok": true}`)
			r.eq(t, "events", "", `[
				{"args": ["a", 1], "kwargs": {"k": "v"}, "topic": "$P.topic", "publisher": null, "publisher_authrole": null},
				{"args": [], "kwargs": {}, "topic": "$P.topic", "publisher": true, "publisher_authrole": "anonymous"},
				{"args": ["last"], "kwargs": {}, "topic": "$P.topic", "publisher": null, "publisher_authrole": null}]`)
			r.eq(t, "after_unsubscribe", "", `{"first": 3, "second": ["after"]}`)
		})
	}
}

// TestJSWampy: wampy 8 callee + caller and subscriber + publisher over
// WebSocket with each of its serializers.
func TestJSWampy(t *testing.T) {
	requireJS(t)
	t.Parallel()
	for _, ser := range []string{"json", "msgpack", "cbor"} {
		t.Run(ser, func(t *testing.T) {
			t.Parallel()
			r := runJS(t, "js_wampy.js", map[string]any{"serializer": ser})
			jsCheckFeatures(t, r, "welcome")
			r.eq(t, "protocol", "", strconv.Quote("wamp.2."+ser))
			r.eq(t, "call", "", `{"argsList": [1, "two", 3.5, null, [true], "back"],
				"argsDict": {"got": {"k": "v", "nested": {"a": [false, -1]}}}}`)
			r.eq(t, "call_single", "", `{"argsList": [42]}`)
			r.eq(t, "call_disclosed", "", `[true, "anonymous"]`)
			r.eq(t, "call_error", "", `{"err": {"error": "com.example.oops", "args": ["bad"], "kwargs": {"why": "test"}, "name": "CallError"}}`)
			r.eq(t, "call_unknown", "", `"wamp.error.no_such_procedure"`)
			r.eq(t, "subscribed", "", `true`)
			r.eq(t, "published_ack", "", `true`)
			r.eq(t, "events", "", `[
				{"argsList": ["a", 1], "argsDict": {"k": "v"}, "publisher": null},
				{"argsList": ["only"], "argsDict": null, "publisher": true},
				{"argsList": [], "argsDict": {"kw": 1}, "publisher": null}]`)
			// wampy's subscribe() without options sends {match: undefined,
			// get_retained: undefined}; msgpackr writes undefined as its
			// extension fixext1 type 0 (d4 00 00), which the router must
			// read as nil, as it reads CBOR undefined (cbor-x: f7).
			r.eq(t, "default_subscribe", "", `true`)
			r.eq(t, "default_subscribe_event", "", `["to default"]`)
		})
	}
}

// TestJSBytes: byte strings between serializers. Bytes are 00 01 02 7f 80
// fe ff (base64 AAECf4D+/w==). msgpack5 and node-cbor decode bytes as
// Buffer, cbor-x (wampy) as Uint8Array; node-cbor encodes a Uint8Array (not
// a Buffer) and cbor-x every byte array as CBOR tag 64. A JSON receiver gets
// the router's "\u0000"+base64 text as is (AutobahnJS JSON has no bytes
// convention), and the router reads such text from a JSON sender as bytes.
func TestJSBytes(t *testing.T) {
	requireJS(t)
	t.Parallel()
	const (
		buf   = `{"$bytes": "0001027f80feff", "$type": "Buffer"}`
		u8    = `{"$bytes": "0001027f80feff", "$type": "Uint8Array"}`
		str   = `"\u0000AAECf4D+/w=="`
		buf0  = `{"$bytes": "", "$type": "Buffer"}`
		u80   = `{"$bytes": "", "$type": "Uint8Array"}`
		str0  = `"\u0000"`
		plain = `"plain"`
	)
	r := runJS(t, "js_bytes.js", nil)
	r.eq(t, "wampy_cbor_from_mp", "", `[`+u8+`]`)
	r.eq(t, "wampy_cbor_from_cbor", "", `{"args": [`+u8+`, `+u8+`], "kwargs": {"b": `+u8+`}}`)
	r.eq(t, "mp_callee_got", "", `{"type": "Buffer", "hex": "0001027f80feff"}`)
	r.eq(t, "json_callee_got", "", str)
	r.eq(t, "json_callee_returned", "", `[`+u8+`]`)

	r.eq(t, "cbor_pub_to_mp", "", `{"args": [`+buf+`, `+buf+`, `+buf0+`], "kwargs": {"b": `+buf+`}}`)
	r.eq(t, "cbor_pub_to_json", "", `{"args": [`+str+`, `+str+`, `+str0+`], "kwargs": {"b": `+str+`}}`)
	r.eq(t, "cbor_pub_to_wampy_cbor", "", `{"args": [`+u8+`, `+u8+`, `+u80+`], "kwargs": {"b": `+u8+`}}`)
	r.eq(t, "json_pub_to_mp", "", `{"args": [`+buf+`, `+plain+`, `+buf0+`], "kwargs": {"b": `+buf+`}}`)
	r.eq(t, "json_pub_to_json", "", `{"args": [`+str+`, `+plain+`, `+str0+`], "kwargs": {"b": `+str+`}}`)
	r.eq(t, "json_pub_to_wampy_cbor", "", `{"args": [`+u8+`, `+plain+`, `+u80+`], "kwargs": {"b": `+u8+`}}`)
}

// TestJSProgressive: progressive call results from an AutobahnJS callee, in
// order, to an AutobahnJS caller and a wampy caller.
func TestJSProgressive(t *testing.T) {
	requireJS(t)
	t.Parallel()
	r := runJS(t, "js_progressive.js", nil)
	r.eq(t, "autobahn", "", `{"progress": [1, 2, 3, 4, 5, {"args": ["late"], "kwargs": {"after": "sleep"}}],
		"final": {"args": ["done"], "kwargs": {"total": 5}}}`)
	r.eq(t, "autobahn_no_progress", "", `{"ok": "no progress requested"}`)
	r.eq(t, "wampy", "", `{"progress": [
		{"args": [1], "progress": true}, {"args": [2], "progress": true}, {"args": [3], "progress": true},
		{"args": [4], "progress": true}, {"args": ["late"], "kwargs": {"after": "sleep"}, "progress": true}],
		"final": {"args": ["done"], "kwargs": {"total": 4}}}`)
}

// TestJSCancel: call canceling. The callees (AutobahnJS) do not announce
// call_canceling, so the router answers wamp.error.canceled without
// INTERRUPT and drops their late YIELDs. AutobahnJS's cancel() with mode
// skip rejects locally and then treats the router's ERROR as a protocol
// violation, closing its own connection: a limitation of AutobahnJS
// 22.11.1, asserted as such (session ab_skip_caller).
func TestJSCancel(t *testing.T) {
	requireJS(t)
	t.Parallel()
	r := runJS(t, "js_cancel.js", nil, "ab_skip_caller")
	r.eq(t, "autobahn_kill", "result.err.error", `"wamp.error.canceled"`)
	r.eq(t, "autobahn_kill", "fast", `true`)
	r.eq(t, "wampy_skip", "err.error", `"wamp.error.canceled"`)
	r.eq(t, "wampy_killnowait", "err.error", `"wamp.error.canceled"`)
	r.eq(t, "autobahn_ping_after", "", `{"ok": "pong"}`)
	r.eq(t, "wampy_ping_after", "", `["pong"]`)
	r.eq(t, "callee_counts", "", `{"invocations": 3, "yields": 3}`)
	r.eq(t, "autobahn_skip", "err.error", `"Cancelled"`)
}

// TestJSTimeout: CALL.Options.timeout enforced by the router.
func TestJSTimeout(t *testing.T) {
	requireJS(t)
	t.Parallel()
	r := runJS(t, "js_timeout.js", nil)
	for _, k := range []string{"autobahn", "wampy"} {
		r.eq(t, k, "result.err.error", `"wamp.error.timeout"`)
		if ms := r.number(t, k, "elapsed_ms"); ms < 250 || ms > 3000 {
			t.Errorf("%s: timeout error after %v ms, want about 300", k, ms)
		}
	}
	r.eq(t, "in_time", "", `{"ok": "in time"}`)
	r.eq(t, "ping_after", "", `{"ok": "pong"}`)
	r.eq(t, "invocations", "", `2`)
}

// TestJSPatterns: pattern-based subscriptions and registrations.
func TestJSPatterns(t *testing.T) {
	requireJS(t)
	t.Parallel()
	t.Run("subscriptions", func(t *testing.T) {
		t.Parallel()
		r := runJS(t, "js_pattern_subscriptions.js", nil)
		prefix := `[["$P.pfx.exact", "1"], ["$P.pfx.a.b", "2"], ["$P.pfx", "6"], ["$P.pfx.end", "end"]]`
		wildcard := `[["$P.wc.mid.end", "3"]]`
		r.eq(t, "events", "", `{"prefix": `+prefix+`, "wildcard": `+wildcard+`, "exact": [["$P.pfx.exact", "1"]],
			"wampy_prefix": `+prefix+`, "wampy_wildcard": `+wildcard+`}`)
	})
	t.Run("registrations", func(t *testing.T) {
		t.Parallel()
		r := runJS(t, "js_pattern_registrations.js", nil)
		r.eq(t, "autobahn_caller", "", `{
			"prec.a.b": "exact:$P.prec.a.b",
			"prec.a.c": "prefix_long:$P.prec.a.c",
			"prec.x": "prefix:$P.prec.x",
			"prec": "prefix:$P.prec",
			"prec.z.b": "prefix:$P.prec.z.b",
			"wild.q.z": "wildcard:$P.wild.q.z",
			"wild.q.y": "wamp.error.no_such_procedure",
			"wp.k.l": "wampy_prefix:$P.wp.k.l",
			"xw.any.z": "wampy_wildcard:$P.xw.any.z",
			"wpw.any.z": "wampy_prefix:$P.wpw.any.z"}`)
		r.eq(t, "wampy_caller", "", `{"prec.a.c": "prefix_long:$P.prec.a.c", "wild.w.z": "wildcard:$P.wild.w.z",
			"wp": "wampy_prefix:$P.wp"}`)
	})
}

// TestJSSharedRegistration: invoke policies with two AutobahnJS callees
// (and a wampy one joining the roundrobin group).
func TestJSSharedRegistration(t *testing.T) {
	requireJS(t)
	t.Parallel()
	r := runJS(t, "js_shared_registration.js", nil)
	jsCheckCycle(t, "roundrobin", r.list(t, "roundrobin", ""), []string{"A", "B"})
	r.eq(t, "first", "", `["A", "A", "A"]`)
	r.eq(t, "last", "", `["B", "B", "B"]`)
	for _, v := range r.list(t, "random", "") {
		if v != "A" && v != "B" {
			t.Errorf("random: a call got %q", v)
		}
	}
	r.eq(t, "clash", "", `"wamp.error.procedure_already_exists"`)
	r.eq(t, "single_twice", "", `"wamp.error.procedure_already_exists"`)
	r.eq(t, "wampy_joined", "", `true`)
	jsCheckCycle(t, "roundrobin_three", r.list(t, "roundrobin_three", ""), []string{"A", "B", "W"})
	r.eq(t, "first_after_unregister", "", `["B", "B"]`)
	r.eq(t, "last_after_unregister", "", `["A", "A"]`)
}

// jsCheckCycle checks that got goes round the callees in a fixed order, each
// once per round.
func jsCheckCycle(t *testing.T, what string, got, callees []string) {
	t.Helper()
	n := len(callees)
	if len(got) < 2*n || len(got)%n != 0 {
		t.Errorf("%s: %d results, want a multiple of %d: %v", what, len(got), n, got)
		return
	}
	round := slices.Clone(got[:n])
	slices.Sort(round)
	cycles := slices.Equal(round, callees)
	for i := n; i < len(got); i++ {
		cycles = cycles && got[i] == got[i-n]
	}
	if !cycles {
		t.Errorf("%s: calls went to %v, want each of %v once per round, in a fixed order", what, got, callees)
	}
}

// TestJSPublisherExclusion: exclude_me.
func TestJSPublisherExclusion(t *testing.T) {
	requireJS(t)
	t.Parallel()
	r := runJS(t, "js_publisher_exclusion.js", nil)
	r.eq(t, "publisher", "", `["exclude_me_false", "end"]`)
	r.eq(t, "other", "", `["default", "exclude_me_false", "exclude_me_true", "end"]`)
}

// TestJSBlackWhiteListing: eligible / exclude by session id, authid and
// authrole, from AutobahnJS and wampy publishers.
func TestJSBlackWhiteListing(t *testing.T) {
	requireJS(t)
	t.Parallel()
	r := runJS(t, "js_blackwhite.js", nil)
	r.eq(t, "authids", "", `{"distinct": 3, "strings": true}`)
	r.eq(t, "events", "s1", `["eligible_s1", "eligible_s1_s2_exclude_s2", "eligible_authrole", "exclude_authid_s2", "end"]`)
	r.eq(t, "events", "s2", `["exclude_s1", "eligible_authrole", "eligible_authid_s2", "wampy_exclude_s1_s3", "end"]`)
	r.eq(t, "events", "s3", `["exclude_s1", "eligible_authrole", "exclude_authid_s2", "wampy_eligible_s3", "end"]`)
}

// TestJSRetained: event retention (retain / get_retained).
func TestJSRetained(t *testing.T) {
	requireJS(t)
	t.Parallel()
	r := runJS(t, "js_retained.js", nil)
	r.eq(t, "events", "", `{
		"get_retained": [{"args": ["r2"], "kwargs": {"n": 2}, "retained": true}, {"args": ["live"], "kwargs": {}, "retained": false}],
		"plain": [{"args": ["live"], "kwargs": {}, "retained": false}],
		"wampy_get_retained": [{"args": ["r2"], "kwargs": {"n": 2}, "retained": true}, {"args": ["live"], "retained": false}],
		"no_retained_topic": []}`)
}

// TestJSPassthru: payload passthru mode (ppt_*) between wampy peers on
// cbor and msgpack; the router forwards the options and the opaque binary
// payload untouched.
func TestJSPassthru(t *testing.T) {
	requireJS(t)
	t.Parallel()
	r := runJS(t, "js_passthru.js", nil)
	r.eq(t, "events", "", `[
		{"args": ["p", "cbor", {"$bytes": "0102", "$type": "Uint8Array"}], "kwargs": {"k": 1}, "ppt_scheme": "x_test", "ppt_serializer": "cbor", "ppt_keyid": "key1"},
		{"args": ["p", "msgpack", {"$bytes": "0102", "$type": "Uint8Array"}], "kwargs": {"k": 1}, "ppt_scheme": "x_test", "ppt_serializer": "msgpack", "ppt_keyid": "key1"}]`)
	r.eq(t, "invocation", "", `{"args": ["q"], "kwargs": {"z": true}, "ppt_scheme": "x_test", "ppt_serializer": "msgpack", "ppt_keyid": "key1"}`)
	r.eq(t, "result", "", `{"args": ["back", "q"], "ppt_scheme": "x_test", "ppt_serializer": "cbor", "ppt_keyid": "key1"}`)
}
