package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/wamp"
)

// testGoSubscriber (scenario 3): the Go session receives the peer's events
// in order, with the publisher's identity when it disclosed it.
func testGoSubscriber(t *testing.T, l *peerLang, rt *testRouter, b *peerBatch, c conf) {
	const count = 100
	s := dial(t, rt, c)
	prefix := uriOf(t)
	var (
		mu     sync.Mutex
		events []*wamp.Event
		end    = make(chan struct{})
	)
	_, err := s.Subscribe(testContext(t), prefix+".t", func(_ context.Context, ev *wamp.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, ev)
		if len(ev.Args) > 0 && ev.Args[0] == "end" {
			close(end)
		}
	}, core.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sc := b.add(t, "publisher", prefix, c, map[string]any{"count": count})
	t.Parallel()
	sc.waitDone(t)
	sc.noUnexpectedClose(t)
	select {
	case <-end:
	case <-time.After(wait):
		t.Fatal(`the Go subscriber did not get "end"`)
	}
	peer, _ := sc.get(t, "session").(map[string]any)
	peerID, _ := peer["session"].(json.Number).Int64()
	published, _ := sc.get(t, "published").(json.Number).Int64()
	time.Sleep(50 * time.Millisecond) // anything after "end" would show
	mu.Lock()
	defer mu.Unlock()
	if len(events) != count+3 {
		t.Fatalf("the Go subscriber got %d events, want %d", len(events), count+3)
	}
	pubs := map[uint64]bool{}
	for i, ev := range events {
		pubs[ev.Publication] = true
		if ev.Topic != prefix+".t" || ev.Subscription == 0 {
			t.Errorf("event %d: topic %q, subscription %d", i, ev.Topic, ev.Subscription)
		}
		if i >= count {
			continue
		}
		if !reflect.DeepEqual(ev.Args, []any{int64(i)}) || !reflect.DeepEqual(ev.Kwargs, map[string]any{"i": int64(i)}) {
			t.Errorf("event %d: %v %v, want [%d] {i: %d} (in publication order)", i, ev.Args, ev.Kwargs, i, i)
			break
		}
		if d := ev.Details; d.Publisher != uint64(peerID) || d.PublisherAuthID != peer["authid"] || d.PublisherAuthRole != "anonymous" {
			t.Errorf("event %d: publisher %d %q %q, want %v (disclose_me)", i, d.Publisher, d.PublisherAuthID, d.PublisherAuthRole, compact(peer))
			break
		}
	}
	if len(pubs) != count+3 {
		t.Errorf("%d distinct publication IDs among %d events", len(pubs), count+3)
	}
	bytesEv, anon, last := events[count], events[count+1], events[count+2]
	sameValue(t, "bytes event", []any{bytesEv.Args, bytesEv.Kwargs}, []any{[]any{"bytes", data}, map[string]any{"blob": data}})
	sameValue(t, "anonymous event", anon.Args, []any{"anon"})
	for _, ev := range []*wamp.Event{bytesEv, anon, last} {
		if ev.Details.Publisher != 0 || ev.Details.PublisherAuthID != "" {
			t.Errorf("event %v: publisher %d %q, want none (not disclosed)", ev.Args, ev.Details.Publisher, ev.Details.PublisherAuthID)
		}
	}
	if last.Publication != uint64(published) {
		t.Errorf(`"end" has publication %d, the peer's acknowledgement said %d`, last.Publication, published)
	}
}

// testGoPublisher (scenario 3): the peer's subscribers get the Go session's
// events, filtered by exclude / eligible, with the publication IDs of the
// acknowledgements.
func testGoPublisher(t *testing.T, l *peerLang, rt *testRouter, b *peerBatch, c conf) {
	s := dial(t, rt, c)
	prefix := uriOf(t)
	sc := b.add(t, "subscriber", prefix, c, map[string]any{"labels": []string{"s1", "s2", "s3"}})
	t.Parallel()
	ready := canon(t, json.RawMessage(sc.await(t, "ready"))).(map[string]any)
	id := func(label string) uint64 {
		n, _ := ready[label].(map[string]any)["session"].(json.Number).Int64()
		return uint64(n)
	}
	authid := func(label string) string {
		a, _ := ready[label].(map[string]any)["authid"].(string)
		return a
	}
	ended := false
	t.Cleanup(func() {
		if !ended { // let the peer's scenario end
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			s.Publish(ctx, prefix+".t", []any{"end"}, nil, core.PublishOptions{})
		}
	})
	ctx := testContext(t)
	type pub struct {
		label  string
		args   []any
		kwargs map[string]any
		opts   core.PublishOptions
		to     []string // the subscribers that get it
	}
	pubs := []pub{
		{"all", nil, nil, core.PublishOptions{}, []string{"s1", "s2", "s3"}},
		{"bytes", []any{data}, map[string]any{"blob": data}, core.PublishOptions{}, []string{"s1", "s2", "s3"}},
		{"exclude_s1", nil, nil, core.PublishOptions{Exclude: []uint64{id("s1")}}, []string{"s2", "s3"}},
		{"eligible_s2", nil, nil, core.PublishOptions{Eligible: []uint64{id("s2")}}, []string{"s2"}},
		{"eligible_s1_s3_exclude_s3", nil, nil, core.PublishOptions{Eligible: []uint64{id("s1"), id("s3")},
			Exclude: []uint64{id("s3")}}, []string{"s1"}},
		{"eligible_authid_s3", nil, nil, core.PublishOptions{EligibleAuthID: []string{authid("s3")}}, []string{"s3"}},
		{"exclude_authrole", nil, nil, core.PublishOptions{ExcludeAuthRole: []string{"anonymous"}}, nil},
		{"disclosed", nil, nil, core.PublishOptions{DiscloseMe: ptr(true)}, []string{"s1", "s2", "s3"}},
	}
	// Then 20 events without acknowledgement (their publication IDs are
	// unknown here), which must arrive in order, before "end".
	for i := 0; i < 20; i++ {
		pubs = append(pubs, pub{fmt.Sprintf("burst_%d", i), []any{int64(i)}, nil, core.PublishOptions{Acknowledge: ptr(false)},
			[]string{"s1", "s2", "s3"}})
	}
	pubs = append(pubs, pub{"end", nil, nil, core.PublishOptions{}, []string{"s1", "s2", "s3"}})
	want := map[string][]any{"s1": {}, "s2": {}, "s3": {}}
	for _, p := range pubs {
		acked := p.opts.Acknowledge == nil
		if acked {
			p.opts.Acknowledge = ptr(true)
		}
		pubID, err := s.Publish(ctx, prefix+".t", append([]any{p.label}, p.args...), p.kwargs, p.opts)
		if err != nil {
			t.Fatalf("publish %s: %v", p.label, err)
		}
		var publication any = pubID
		switch {
		case acked && pubID == 0:
			t.Errorf("publish %s: publication ID 0", p.label)
		case !acked && pubID != 0:
			t.Errorf("publish %s without acknowledgement: publication ID %d, want 0", p.label, pubID)
		case !acked:
			publication = anyID
		}
		var publisher any
		if p.opts.DiscloseMe != nil {
			publisher = s.ID()
		}
		args := []any{p.label}
		for _, a := range p.args {
			if bs, ok := a.([]byte); ok {
				a = l.bytesFor(c.serializer, bs)
			}
			args = append(args, a)
		}
		kwargs := map[string]any{}
		for k, v := range p.kwargs {
			kwargs[k] = l.bytesFor(c.serializer, v.([]byte))
		}
		for _, sub := range p.to {
			want[sub] = append(want[sub], map[string]any{"args": args, "kwargs": kwargs, "publication": publication, "publisher": publisher})
		}
	}
	ended = true
	sc.waitDone(t)
	sc.noUnexpectedClose(t)
	got := sc.get(t, "events").(map[string]any)
	for _, sub := range []string{"s1", "s2", "s3"} {
		w := canon(t, want[sub])
		matchAnyID(got[sub], w)
		if !reflect.DeepEqual(got[sub], w) {
			t.Errorf("%s subscriber %s got:\n%s\nwant\n%s", l.name, sub, compactLines(got[sub]), compactLines(w))
		}
	}
}

func compactLines(v any) string {
	l, ok := v.([]any)
	if !ok {
		return compact(v)
	}
	var b bytes.Buffer
	for _, x := range l {
		b.WriteString("  " + compact(x) + "\n")
	}
	return b.String()
}

// anyID stands for a publication ID that is not known in advance.
const anyID = "$any_id"

// matchAnyID replaces, in the events of want whose publication is anyID,
// anyID by the ID of the same event in got when that is a number.
func matchAnyID(got, want any) {
	g, _ := got.([]any)
	w, _ := want.([]any)
	for i := range min(len(g), len(w)) {
		we, _ := w[i].(map[string]any)
		ge, _ := g[i].(map[string]any)
		if we == nil || ge == nil || we["publication"] != anyID {
			continue
		}
		if _, ok := ge["publication"].(json.Number); ok {
			we["publication"] = ge["publication"]
		}
	}
}
