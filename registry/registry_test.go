package registry

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
)

// fakeObject is a minimal object serializer: enough for the registry, which
// never encodes anything.
type fakeObject struct {
	name   string
	id     byte
	binary bool
}

func (f fakeObject) Name() string                              { return f.name }
func (f fakeObject) RawSocketID() byte                         { return f.id }
func (f fakeObject) Binary() bool                              { return f.binary }
func (f fakeObject) Marshal(dst []byte, _ any) ([]byte, error) { return dst, nil }
func (f fakeObject) Unmarshal([]byte) (any, error)             { return nil, errors.New("fake") }

// newFull returns a registry with json, msgpack, cbor and ubjson, plain and
// batched, registered in a scrambled order.
func newFull() *Registry {
	var r Registry
	for _, o := range []fakeObject{{"ubjson", 4, true}, {"json", 1, false}, {"cbor", 3, true}, {"msgpack", 2, true}} {
		r.RegisterSerializer(core.NewSerializer(o, true))
		r.RegisterSerializer(core.NewSerializer(o, false))
	}
	return &r
}

func names(ss []core.Serializer) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Name()
	}
	return out
}

func TestZeroValueLookupsFailWithListing(t *testing.T) {
	var r Registry
	_, err := r.Serializer("json")
	if err == nil || !strings.Contains(err.Error(), `"json"`) || !strings.Contains(err.Error(), "registered: none") {
		t.Fatalf("Serializer on empty registry: %v", err)
	}
	if _, err := r.Transport("ws"); err == nil {
		t.Fatal("Transport on empty registry: no error")
	}
	if _, err := r.PayloadCodec("cryptobox"); err == nil {
		t.Fatal("PayloadCodec on empty registry: no error")
	}
	if got := r.Serializers(); len(got) != 0 {
		t.Fatalf("Serializers on empty registry = %v", names(got))
	}
}

func TestSerializerLookups(t *testing.T) {
	r := newFull()
	tests := []struct {
		lookup func() (core.Serializer, error)
		want   string
	}{
		{func() (core.Serializer, error) { return r.Serializer("cbor.batched") }, "cbor.batched"},
		{func() (core.Serializer, error) { return r.SerializerBySubprotocol("wamp.2.json") }, "json"},
		{func() (core.Serializer, error) { return r.SerializerBySubprotocol("wamp.2.msgpack.batched") }, "msgpack.batched"},
		{func() (core.Serializer, error) { return r.SerializerByRawSocketID(4) }, "ubjson"},
		{func() (core.Serializer, error) { return r.SerializerByRawSocketID(1) }, "json"},
	}
	for _, tt := range tests {
		s, err := tt.lookup()
		if err != nil || s.Name() != tt.want {
			t.Errorf("lookup: got %v, %v; want %s", s, err, tt.want)
		}
	}
	_, err := r.SerializerByRawSocketID(9)
	if err == nil || !strings.Contains(err.Error(), "1 (json), 2 (msgpack), 3 (cbor), 4 (ubjson)") {
		t.Errorf("SerializerByRawSocketID(9) error = %v", err)
	}
	_, err = r.SerializerBySubprotocol("wamp.2.xml")
	if err == nil || !strings.Contains(err.Error(), "wamp.2.cbor, wamp.2.cbor.batched") {
		t.Errorf("SerializerBySubprotocol error = %v", err)
	}
}

func TestListingsAreSortedAndOrdered(t *testing.T) {
	r := newFull()
	wantNames := []string{"cbor", "cbor.batched", "json", "json.batched", "msgpack", "msgpack.batched", "ubjson", "ubjson.batched"}
	if got := r.SerializerNames(); !slices.Equal(got, wantNames) {
		t.Errorf("SerializerNames = %v", got)
	}
	wantPref := []string{"cbor.batched", "cbor", "msgpack.batched", "msgpack", "ubjson.batched", "ubjson", "json.batched", "json"}
	if got := names(r.Serializers()); !slices.Equal(got, wantPref) {
		t.Errorf("Serializers = %v, want %v", got, wantPref)
	}
	if got := names(r.RawSocketSerializers()); !slices.Equal(got, []string{"cbor", "msgpack", "ubjson", "json"}) {
		t.Errorf("RawSocketSerializers = %v", got)
	}
}

func TestNegotiateClientOrderWins(t *testing.T) {
	r := newFull()
	json, _ := r.Serializer("json")
	cbor, _ := r.Serializer("cbor")
	tests := []struct {
		offered   []string
		supported []core.Serializer
		want      string
	}{
		{[]string{"wamp.2.json", "wamp.2.cbor.batched"}, nil, "json"},
		{[]string{"wamp.2.xml", " wamp.2.msgpack.batched", "wamp.2.msgpack"}, nil, "msgpack.batched"},
		{[]string{"wamp.2.cbor.batched", "wamp.2.json", "wamp.2.cbor"}, []core.Serializer{cbor, json}, "json"},
	}
	for _, tt := range tests {
		s, err := r.Negotiate(tt.offered, tt.supported)
		if err != nil || s.Name() != tt.want {
			t.Errorf("Negotiate(%v) = %v, %v; want %s", tt.offered, s, err, tt.want)
		}
	}
	_, err := r.Negotiate([]string{"wamp.2.xml", "chat"}, []core.Serializer{json})
	if err == nil || !strings.Contains(err.Error(), "wamp.2.xml, chat") || !strings.Contains(err.Error(), "supported: wamp.2.json") {
		t.Errorf("Negotiate without match: %v", err)
	}
	if got := Subprotocols([]core.Serializer{cbor, json}); !slices.Equal(got, []string{"wamp.2.cbor", "wamp.2.json"}) {
		t.Errorf("Subprotocols = %v", got)
	}
}

func TestDuplicateAndEmptyRegistrationsPanic(t *testing.T) {
	r := newFull()
	tests := map[string]func(){
		"duplicate serializer":   func() { r.RegisterSerializer(core.NewSerializer(fakeObject{"json", 7, false}, false)) },
		"duplicate rawsocket id": func() { r.RegisterSerializer(core.NewSerializer(fakeObject{"xml", 1, false}, false)) },
		"nil serializer":         func() { r.RegisterSerializer(nil) },
		"empty name":             func() { r.RegisterSerializer(core.NewSerializer(fakeObject{"", 9, false}, false)) },
		"empty scheme":           func() { r.RegisterTransport("", fakeFactory{}) },
		"nil factory":            func() { r.RegisterTransport("ws", nil) },
		"duplicate scheme":       func() { r.RegisterTransport("x", fakeFactory{}); r.RegisterTransport("X", fakeFactory{}) },
		"empty algorithm":        func() { r.RegisterPayloadCodec("", fakeCodec{}) },
		"duplicate algorithm":    func() { r.RegisterPayloadCodec("c", fakeCodec{}); r.RegisterPayloadCodec("c", fakeCodec{}) },
	}
	for name, register := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			register()
		})
	}
}

type fakeFactory struct{}

func (f fakeFactory) Dial(_ context.Context, u *url.URL, _ core.TransportConfig, _ core.TransportHandler) (core.Transport, error) {
	return nil, errors.New("fake dial of " + u.Host)
}

func (f fakeFactory) Listen(context.Context, *url.URL, core.TransportConfig, core.Acceptor) (core.Listener, error) {
	return nil, errors.New("fake listen")
}

type fakeCodec struct{}

func (fakeCodec) Encode(context.Context, bool, string, []any, map[string]any) (*core.EncodedPayload, error) {
	return nil, nil
}

func (fakeCodec) Decode(context.Context, bool, string, *core.EncodedPayload) (string, []any, map[string]any, error) {
	return "", nil, nil, nil
}

func TestDialSelectsByScheme(t *testing.T) {
	var r Registry
	r.RegisterTransport("fake", fakeFactory{})
	_, err := r.Dial(context.Background(), "FAKE://example.org:1", core.TransportConfig{}, nil)
	if err == nil || !strings.Contains(err.Error(), "fake dial of example.org:1") {
		t.Errorf("Dial fake: %v", err)
	}
	for _, bad := range []string{"nope://x", "example.org:80", "://x", "%zz"} {
		_, err := r.Dial(context.Background(), bad, core.TransportConfig{}, nil)
		if err == nil {
			t.Errorf("Dial(%q): no error", bad)
		}
	}
	_, err = r.Dial(context.Background(), "nope://x", core.TransportConfig{}, nil)
	if err == nil || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "registered: fake") {
		t.Errorf("Dial unknown scheme: %v", err)
	}
	if got := r.TransportSchemes(); !slices.Equal(got, []string{"fake"}) {
		t.Errorf("TransportSchemes = %v", got)
	}
}

func TestPayloadCodecs(t *testing.T) {
	var r Registry
	r.RegisterPayloadCodec("b", fakeCodec{})
	r.RegisterPayloadCodec("a", fakeCodec{})
	if _, err := r.PayloadCodec("a"); err != nil {
		t.Fatal(err)
	}
	_, err := r.PayloadCodec("cryptobox")
	if err == nil || !strings.Contains(err.Error(), "registered: a, b") {
		t.Errorf("PayloadCodec miss: %v", err)
	}
	if got := r.PayloadCodecNames(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("PayloadCodecNames = %v", got)
	}
	if _, err := r.NewPayloadCodec("a", map[string]any{"key": "k"}); err == nil || !strings.Contains(err.Error(), "takes no configuration (given: key)") {
		t.Errorf("configuration for a codec without any: %v", err)
	}
	// A factory gets the configuration, and its error names the codec.
	var got map[string]any
	r.RegisterPayloadCodecFactory("keyed", func(config map[string]any) (core.PayloadCodec, error) {
		if got = config; config["key"] == nil {
			return nil, errors.New("no key")
		}
		return fakeCodec{}, nil
	})
	if _, err := r.NewPayloadCodec("keyed", map[string]any{"key": "k"}); err != nil || got["key"] != "k" {
		t.Errorf("factory: %v, got config %v", err, got)
	}
	if _, err := r.PayloadCodec("keyed"); err == nil || err.Error() != `registry: payload codec "keyed": no key` {
		t.Errorf("factory refusing: %v", err)
	}
}
