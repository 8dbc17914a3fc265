package router

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/internal/peers"
	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// TestPythonRPC: progressive results, cancel (each mode), timeout,
// pattern-based registrations, every shared-registration policy,
// registration revocation (force_reregister) and caller identification, with
// Autobahn|Python callers and callees.
func TestPythonRPC(t *testing.T) {
	testpeer.RequirePython(t)
	t.Parallel()
	b := newPyBatch()

	t.Run("progressive", func(t *testing.T) {
		s := b.add(t, "progressive", nil)
		t.Parallel()
		s.ready(t)
		want := `[{"progress": [1], "kwargs": {"step": "p1"}}, {"progress": [2], "kwargs": {"step": "p2"}},
			{"progress": [3], "kwargs": {"step": "p3"}}, {"result": "final 3"}]`
		s.eq(t, "spaced", want)
		s.eq(t, "burst", want)
		s.eq(t, "plain", `"final 3"`)
		// INVOCATION.Details.receive_progress only when the caller asked.
		s.eq(t, "callee_progress_callable", `[true, true, false]`)
	})

	// Cancel: Autobahn sends CANCEL without a mode (the router's default,
	// killnowait, applies); kill and skip are set on the wire.
	for _, mode := range []string{"default", "kill", "skip"} {
		t.Run("cancel_"+mode, func(t *testing.T) {
			params := map[string]any{}
			if mode != "default" {
				params["mode"] = mode
			}
			s := b.add(t, "cancel", params)
			t.Parallel()
			s.ready(t)
			// Twisted fails the cancelled Deferred at once.
			s.eq(t, "caller", `{"exception": "CancelledError"}`)
			var sentMode any
			if mode != "default" {
				sentMode = mode
			}
			s.eq(t, "cancel_sent", []any{map[string]any{"mode": sentMode}})
			s.eq(t, "caller_results", `[]`)
			s.eq(t, "after", `"alive"`)
			errs, _ := s.get(t, "caller_errors").([]any)
			if len(errs) != 1 {
				t.Fatalf("caller got %d ERRORs for the CALL, want 1: %s", len(errs), peers.Compact(errs))
			}
			callerErr := pyErr(errs[0])
			switch mode {
			case "default":
				s.eq(t, "interrupts", `[{"mode": "killnowait", "reason": "wamp.error.canceled"}]`)
				s.eq(t, "callee", `["invoked", "canceled"]`)
				if callerErr != "wamp.error.canceled" {
					t.Errorf("caller's ERROR %s, want wamp.error.canceled", callerErr)
				}
			case "kill":
				// The callee answers the INTERRUPT with an ERROR (Autobahn maps
				// the CancelledError to a URI); kill forwards that ERROR.
				s.eq(t, "interrupts", `[{"mode": "kill", "reason": "wamp.error.canceled"}]`)
				s.eq(t, "callee", `["invoked", "canceled"]`)
				sent, _ := s.get(t, "callee_sent").([]any)
				if len(sent) != 1 || peers.At(sent[0], "type") != "Error" {
					t.Fatalf("callee sent %s, want one ERROR", peers.Compact(sent))
				}
				if want := peers.At(sent[0], "error"); callerErr != want {
					t.Errorf("caller's ERROR %s, want the callee's %s", callerErr, want)
				}
			case "skip":
				// The callee is not interrupted; its late YIELD is dropped.
				s.eq(t, "interrupts", `[]`)
				s.eq(t, "callee", `["invoked"]`)
				s.eq(t, "callee_sent", `[{"type": "Yield", "error": null}]`)
				if callerErr != "wamp.error.canceled" {
					t.Errorf("caller's ERROR %s, want wamp.error.canceled", callerErr)
				}
			}
		})
	}

	t.Run("timeout", func(t *testing.T) {
		const ms = 300
		s := b.add(t, "timeout", map[string]any{"timeout_ms": ms})
		t.Parallel()
		s.ready(t)
		r := s.get(t, "caller")
		if e := pyErr(r); e != "wamp.error.timeout" {
			t.Errorf("caller got %s, want wamp.error.timeout", e)
		}
		if el := pyFloat(t, "elapsed", peers.At(r, "elapsed")); el < 0.9*ms/1000 || el > 3 {
			t.Errorf("timeout after %.3f s, want about %.1f s", el, float64(ms)/1000)
		}
		s.eq(t, "interrupts", `[{"mode": "killnowait", "reason": "wamp.error.timeout"}]`)
		s.eq(t, "callee", `["invoked", "canceled"]`)
		s.eq(t, "fast", `{"result": "fast"}`)
		if got := peers.At(s.get(t, "call_options"), 0, "timeout"); peers.Compact(got) != fmt.Sprint(ms) {
			t.Errorf("CALL.Options.timeout = %s, want %d", peers.Compact(got), ms)
		}
	})

	t.Run("pattern_registrations", func(t *testing.T) {
		s := b.add(t, "pattern_registrations", nil)
		t.Parallel()
		s.ready(t)
		calls := s.get(t, "calls")
		// exact beats prefix beats wildcard; the longest prefix wins.
		for suffix, label := range map[string]string{
			".a.b.c": "exact", ".a.b.d": "prefix_ab", ".a.b": "prefix_ab", ".a.x": "prefix_a",
			".a.z.c": "prefix_a", ".x.y.z": "wildcard_xz", ".x.y.w.z": "", ".q": "",
		} {
			got := peers.At(calls, suffix)
			if label == "" {
				if e := pyErr(got); e != "wamp.error.no_such_procedure" {
					t.Errorf("call %s: %s, want wamp.error.no_such_procedure", suffix, e)
				}
				continue
			}
			want := pyJSON(t, map[string]any{"result": map[string]any{"label": label,
				"procedure": s.prefix + suffix, "args": []string{suffix}}})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("call %s:\n got %s\nwant %s", suffix, peers.Compact(got), peers.Compact(want))
			}
		}
	})

	for _, policy := range []string{"default", "single", "roundrobin", "random", "first", "last", "clash"} {
		t.Run("shared_"+policy, func(t *testing.T) {
			s := b.add(t, "shared", map[string]any{"policy": policy})
			t.Parallel()
			s.ready(t)
			if policy == "clash" {
				// c1 registered with roundrobin: any other policy is refused.
				exists := `{"error": "wamp.error.procedure_already_exists"}`
				reg := s.get(t, "register")
				for _, other := range []string{"random", "single", "first", "last", "default"} {
					if e := pyErr(peers.At(reg, other)); e != "wamp.error.procedure_already_exists" {
						t.Errorf("register with %s on a roundrobin registration: %s, want %s", other, peers.Compact(peers.At(reg, other)), exists)
					}
				}
				if got := peers.At(reg, "roundrobin"); got != "registered" {
					t.Errorf("register with roundrobin: %s, want registered", peers.Compact(got))
				}
				return
			}
			calls := pyStrings(t, "calls", s.get(t, "calls"))
			count := map[string]int{}
			for _, c := range calls {
				count[c]++
			}
			switch policy {
			case "default", "single":
				if e := pyErr(s.get(t, "second")); e != "wamp.error.procedure_already_exists" {
					t.Errorf("second register: %s, want wamp.error.procedure_already_exists", e)
				}
				if count["c1"] != len(calls) {
					t.Errorf("calls went to %v, want c1 only", calls)
				}
				s.eq(t, "after_unregister", `"registered"`)
				s.eq(t, "after_call", `{"result": "c2"}`)
				return
			}
			s.eq(t, "second", `"registered"`)
			switch policy {
			case "roundrobin":
				for i := 1; i < len(calls); i++ {
					if calls[i] == calls[i-1] {
						t.Errorf("roundrobin calls do not alternate: %v", calls)
						break
					}
				}
			case "random":
				if count["c1"] == 0 || count["c2"] == 0 || count["c1"]+count["c2"] != len(calls) {
					t.Errorf("random calls went to %v, want both callees", count)
				}
			case "first":
				if count["c1"] != len(calls) {
					t.Errorf("first: calls went to %v, want c1 (registered first) only", calls)
				}
				s.eq(t, "after_unregister", `["c2", "c2", "c2"]`)
			case "last":
				if count["c2"] != len(calls) {
					t.Errorf("last: calls went to %v, want c2 (registered last) only", calls)
				}
				s.eq(t, "after_unregister", `["c1", "c1", "c1"]`)
			}
		})
	}

	t.Run("registration_revocation", func(t *testing.T) {
		s := b.add(t, "revocation", nil)
		t.Parallel()
		s.ready(t)
		s.eq(t, "before", `"c1"`)
		s.eq(t, "takeover", `"registered"`)
		revoked, _ := s.get(t, "revoked").([]any)
		if len(revoked) != 1 {
			t.Fatalf("former callee got %s, want one UNREGISTERED", peers.Compact(revoked))
		}
		for k, want := range map[string]any{"request": json.Number("0"), "own_registration": true,
			"reason": "wamp.close.force_reregister"} {
			if got := peers.At(revoked[0], k); got != want {
				t.Errorf("UNREGISTERED %s = %s, want %v", k, peers.Compact(got), want)
			}
		}
		s.eq(t, "after", `"c2"`)
		s.eq(t, "c1_alive", `"c1 again"`)
	})

	t.Run("caller_identification", func(t *testing.T) {
		s := b.add(t, "caller_identification", nil)
		t.Parallel()
		s.ready(t)
		who := s.get(t, "caller_session")
		id := pyID(t, "caller session", peers.At(who, "session"))
		calls := s.get(t, "calls")
		s.eq(t, "register_options", `[{}, {"disclose_caller": true}]`)
		if got, want := peers.At(calls, "plain"), pyJSON(t, map[string]any{"caller": nil, "caller_authid": nil,
			"caller_authrole": nil, "procedure": s.prefix + ".plain"}); !reflect.DeepEqual(got, want) {
			t.Errorf("undisclosed caller:\n got %s\nwant %s", peers.Compact(got), peers.Compact(want))
		}
		for key, proc := range map[string]string{"plain_disclose_me": ".plain", "disclosing": ".disclosing"} {
			want := pyJSON(t, map[string]any{"caller": id, "caller_authid": peers.At(who, "authid"),
				"caller_authrole": "anonymous", "procedure": s.prefix + proc})
			if got := peers.At(calls, key); !reflect.DeepEqual(got, want) {
				t.Errorf("%s:\n got %s\nwant %s", key, peers.Compact(got), peers.Compact(want))
			}
		}
	})

	b.run(t)
}

// TestPythonPubSub: pattern-based subscriptions, publisher exclusion,
// black- and whitelisting, retained events, publisher identification and
// acknowledged publications, with Autobahn|Python publishers and subscribers.
func TestPythonPubSub(t *testing.T) {
	testpeer.RequirePython(t)
	t.Parallel()
	b := newPyBatch()

	t.Run("pattern_subscriptions", func(t *testing.T) {
		s := b.add(t, "pattern_subscriptions", nil)
		t.Parallel()
		s.ready(t)
		type ev struct{ label, arg, topic string }
		var got []ev
		for _, e := range s.get(t, "events").([]any) {
			l, _ := peers.At(e, "label").(string)
			a, _ := peers.At(e, "arg").(string)
			tp, _ := peers.At(e, "topic").(string)
			got = append(got, ev{l, a, tp})
		}
		want := []ev{{"exact", ".news.world", ""}, {"prefix", ".news.world", ""}, {"prefix", ".news.tech", ""},
			{"wildcard", ".uk.sports", ""}, {"prefix", ".news.sports", ""}, {"wildcard", ".news.sports", ""},
			{"fence", ".fence", ""}}
		for i := range want {
			want[i].topic = s.prefix + want[i].arg
		}
		less := func(a, b ev) int { return strings.Compare(a.label+a.arg, b.label+b.arg) }
		slices.SortFunc(got, less)
		slices.SortFunc(want, less)
		if !slices.Equal(got, want) {
			t.Errorf("events (label, payload, details.topic):\n got %v\nwant %v", got, want)
		}
	})

	t.Run("publisher_exclusion", func(t *testing.T) {
		s := b.add(t, "publisher_exclusion", nil)
		t.Parallel()
		s.ready(t)
		s.eq(t, "publisher_got", `["exclude_me_false"]`)
		s.eq(t, "subscriber_got", `["default", "exclude_me_false", "exclude_me_true"]`)
	})

	t.Run("blackwhite", func(t *testing.T) {
		s := b.add(t, "blackwhite", nil)
		t.Parallel()
		s.ready(t)
		s.eq(t, "authroles", `{"s1": "anonymous", "s2": "anonymous", "s3": "anonymous"}`)
		authids := map[string]string{}
		for _, n := range []string{"s1", "s2", "s3"} {
			authids[n], _ = peers.At(s.get(t, "authids"), n).(string)
		}
		all := []string{"s1", "s2", "s3"}
		where := func(f func(n string) bool) []string {
			var out []string
			for _, n := range all {
				if f(n) {
					out = append(out, n)
				}
			}
			return out
		}
		pubs := []struct {
			label string
			to    []string
		}{
			{"exclude_s1", []string{"s2", "s3"}},
			{"eligible_s1_s2", []string{"s1", "s2"}},
			{"eligible_s1_s2_exclude_s2", []string{"s1"}},
			{"exclude_authrole_anonymous", nil},
			{"eligible_authrole_anonymous", all},
			{"eligible_authrole_other", nil},
			{"eligible_authid_s3", where(func(n string) bool { return authids[n] == authids["s3"] })},
			{"exclude_authid_s1", where(func(n string) bool { return authids[n] != authids["s1"] })},
			{"eligible_authid_s1_exclude_s1", where(func(n string) bool { return n != "s1" && authids[n] == authids["s1"] })},
			{"fence", all},
		}
		want := map[string][]string{"s1": {}, "s2": {}, "s3": {}}
		for _, p := range pubs {
			for _, n := range p.to {
				want[n] = append(want[n], p.label)
			}
		}
		s.eq(t, "got", want)
	})

	t.Run("retained", func(t *testing.T) {
		s := b.add(t, "retained", nil)
		t.Parallel()
		s.ready(t)
		pubs := s.get(t, "publications")
		p2 := pyID(t, "second publication", peers.At(pubs, 1))
		topic := s.prefix + ".t"
		late, _ := s.get(t, "late").([]any)
		if len(late) != 2 {
			t.Fatalf("late subscriber (get_retained) got %s, want the retained r2 and then live", peers.Compact(late))
		}
		if got, want := late[0], pyJSON(t, map[string]any{"args": []string{"r2"}, "kwargs": map[string]int{"n": 2},
			"publication": p2, "retained": true, "topic": topic}); !reflect.DeepEqual(got, want) {
			t.Errorf("retained event:\n got %s\nwant %s", peers.Compact(got), peers.Compact(want))
		}
		plain, _ := s.get(t, "plain").([]any)
		if len(plain) != 1 {
			t.Fatalf("subscriber without get_retained got %s, want only live", peers.Compact(plain))
		}
		for what, e := range map[string]any{"late": late[1], "plain": plain[0]} {
			if peers.Compact(peers.At(e, "args")) != `["live"]` || peers.At(e, "retained") == true {
				t.Errorf("%s subscriber's live event: %s", what, peers.Compact(e))
			}
		}
		if !reflect.DeepEqual(peers.At(late[1], "publication"), peers.At(plain[0], "publication")) {
			t.Errorf("live event publications differ: %s, %s", peers.Compact(late[1]), peers.Compact(plain[0]))
		}
	})

	t.Run("publisher_identification", func(t *testing.T) {
		s := b.add(t, "publisher_identification", nil)
		t.Parallel()
		s.ready(t)
		who := s.get(t, "publisher_session")
		id := pyID(t, "publisher session", peers.At(who, "session"))
		s.eq(t, "events", []map[string]any{
			{"args": []string{"anonymous"}, "publisher": nil, "publisher_authid": nil, "publisher_authrole": nil},
			{"args": []string{"disclosed"}, "publisher": id, "publisher_authid": peers.At(who, "authid"),
				"publisher_authrole": "anonymous"},
		})
	})

	t.Run("acknowledged", func(t *testing.T) {
		s := b.add(t, "acknowledged", nil)
		t.Parallel()
		s.ready(t)
		pubs, _ := s.get(t, "publications").([]any)
		if len(pubs) != 3 {
			t.Fatalf("publications %s", peers.Compact(pubs))
		}
		var ids []int64
		for i, p := range pubs[:2] {
			if peers.At(p, "type") != "Publication" {
				t.Errorf("acknowledged publish %d returned %s, want a Publication", i+1, peers.Compact(p))
				continue
			}
			ids = append(ids, pyID(t, "publication", peers.At(p, "id")))
		}
		if peers.Compact(pubs[2]) != `{"id":null,"type":"NoneType"}` {
			t.Errorf("unacknowledged publish returned %s, want None", peers.Compact(pubs[2]))
		}
		if len(ids) == 2 && ids[0] == ids[1] {
			t.Errorf("two publications with ID %d", ids[0])
		}
		events, _ := s.get(t, "events").([]any)
		if len(events) != 3 {
			t.Fatalf("events %s, want 3", peers.Compact(events))
		}
		seen := map[int64]bool{}
		for i, e := range events {
			if got := pyInt(t, "event payload", peers.At(e, "arg")); got != int64(i+1) {
				t.Errorf("event %d carries %d", i+1, got)
			}
			id := pyID(t, "event publication", peers.At(e, "publication"))
			if i < len(ids) && id != ids[i] {
				t.Errorf("event %d: publication %d, PUBLISHED said %d", i+1, id, ids[i])
			}
			if seen[id] {
				t.Errorf("event %d: publication %d again", i+1, id)
			}
			seen[id] = true
		}
		if e := pyErr(s.get(t, "invalid_uri")); e != "wamp.error.invalid_uri" {
			t.Errorf("acknowledged publish to a URI that is not strict: %s, want wamp.error.invalid_uri", e)
		}
		s.eq(t, "no_subscribers", `{"type": "Publication", "error": null}`)
	})

	b.run(t)
}
