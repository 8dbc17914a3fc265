package websocket

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestOptionsFromMap(t *testing.T) {
	tests := []struct {
		name string
		m    map[string]any
		want Options
	}{
		{"empty", map[string]any{}, Options{}},
		{"defaults spelled out", map[string]any{
			"utf8validateIncoming": true, "failByDrop": true, "tcpNoDelay": true, "webStatus": true,
			"allowNullOrigin": true, "requireMaskedClientFrames": true, "maskServerFrames": false,
			"applyMask": true, "maskClientFrames": true, "acceptMaskedServerFrames": false,
			"serveFlashSocketPolicy": false, "flashSocketPolicy": "<x/>", "autoPingRestartOnAnyTraffic": true,
		}, Options{}},
		{"numbers", map[string]any{
			"maxFramePayloadSize": int64(1000), "maxMessagePayloadSize": 2000.0, "autoFragmentSize": 512,
			"autoPingInterval": 10, "autoPingTimeout": 2.5, "autoPingSize": uint64(40),
			"maxConnections": int64(100), "trustXForwardedFor": 2, "version": 18,
			"readBufferSize": 2048, "writeBufferSize": 8192, "writeTimeout": 3,
		}, Options{MaxFramePayloadSize: 1000, MaxMessagePayloadSize: 2000, AutoFragmentSize: 512,
			AutoPingInterval: 10 * time.Second, AutoPingTimeout: 2500 * time.Millisecond, AutoPingSize: 40,
			MaxConnections: 100, TrustXForwardedFor: 2, Version: 18,
			ReadBufferSize: 2048, WriteBufferSize: 8192, WriteTimeout: 3 * time.Second}},
		{"timeouts", map[string]any{"openHandshakeTimeout": 0, "closeHandshakeTimeout": 0.5, "serverConnectionDropTimeout": 3},
			Options{OpenHandshakeTimeout: -1, CloseHandshakeTimeout: 500 * time.Millisecond, ServerConnectionDropTimeout: 3 * time.Second}},
		{"negated bools", map[string]any{
			"utf8validateIncoming": false, "failByDrop": false, "tcpNoDelay": false, "webStatus": false,
			"allowNullOrigin": false, "echoCloseCodeReason": true, "autoPingRestartOnAnyTraffic": false,
		}, Options{DisableUTF8Validation: true, FailByClose: true, DisableTCPNoDelay: true, DisableWebStatus: true,
			DenyNullOrigin: true, EchoCloseCodeReason: true, DisableAutoPingRestartOnAnyTraffic: true}},
		{"lists", map[string]any{"versions": []any{int64(13)}, "allowedOrigins": []any{"https://*.example.com:443"}},
			Options{Versions: []int{13}, AllowedOrigins: []string{"https://*.example.com:443"}}},
		{"offers", map[string]any{"perMessageCompressionOffers": []any{map[string]any{
			"accept_no_context_takeover": true, "accept_max_window_bits": false, "request_no_context_takeover": true}}},
			Options{PerMessageCompressionOffers: []DeflateOffer{ClientDeflateOffer}}},
		{"offers true", map[string]any{"perMessageCompressionOffers": true}, Options{PerMessageCompressionOffers: []DeflateOffer{ClientDeflateOffer}}},
	}
	for _, tt := range tests {
		got, err := OptionsFromMap(tt.m)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
		if _, err := got.resolve(true); err != nil {
			t.Errorf("%s: resolve server: %v", tt.name, err)
		}
		if _, err := got.resolve(false); err != nil {
			t.Errorf("%s: resolve client: %v", tt.name, err)
		}
	}

	o, err := OptionsFromMap(map[string]any{"perMessageCompressionAccept": true})
	if err != nil || o.PerMessageCompressionAccept == nil {
		t.Errorf("perMessageCompressionAccept true: %v", err)
	}
	// snake_case names and duration strings, as Autobahn's Component
	// configurations write them; the debugging options.
	o, err = OptionsFromMap(map[string]any{"auto_ping_interval": "1.5s", "log_frames": true, "logOctets": true, "trackTimings": true})
	if err != nil || o.AutoPingInterval != 1500*time.Millisecond || !o.LogFrames || !o.LogOctets || !o.TrackTimings {
		t.Errorf("snake case and debugging options: %+v, %v", o, err)
	}

	bad := []struct {
		m   map[string]any
		err string
	}{
		{map[string]any{"noSuchOption": 1}, `"noSuchOption": unknown WebSocket option`},
		{map[string]any{"logFrame": true}, "unknown WebSocket option"},
		{map[string]any{"log_octets": "yes"}, "want a bool"},
		{map[string]any{"failByDrop": "yes"}, "want a bool, got string"},
		{map[string]any{"maxFramePayloadSize": 1.5}, "want an integer"},
		{map[string]any{"maxConnections": -1}, "negative"},
		{map[string]any{"autoPingSize": 11}, "outside 12..125"},
		{map[string]any{"autoPingInterval": "10"}, `"autoPingInterval": time: missing unit`},
		{map[string]any{"autoPingInterval": []any{}}, "want a number of seconds"},
		{map[string]any{"autoPingTimeout": -1.0}, "want a number of seconds"},
		{map[string]any{"requireMaskedClientFrames": false}, "only true is supported"},
		{map[string]any{"maskServerFrames": true}, "only false is supported"},
		{map[string]any{"applyMask": false}, "only true is supported"},
		{map[string]any{"acceptMaskedServerFrames": true}, "only false is supported"},
		{map[string]any{"serveFlashSocketPolicy": true}, "only false is supported"},
		{map[string]any{"versions": []any{"13"}}, "element 0"},
		{map[string]any{"allowedOrigins": "*"}, "want a list"},
		{map[string]any{"perMessageCompressionAccept": 1}, "want a bool or a func"},
		{map[string]any{"perMessageCompressionOffers": []any{map[string]any{"bogus": 1}}}, "unknown offer parameter"},
	}
	for _, tt := range bad {
		_, err := OptionsFromMap(tt.m)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("OptionsFromMap(%v) error %v, want %q", tt.m, err, tt.err)
		}
	}
}

func TestOptionsResolve(t *testing.T) {
	cfg, err := (&Options{}).resolve(true)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.validateUTF8 || !cfg.failByDrop || !cfg.webStatus || !cfg.allowNull || !cfg.noDelay ||
		cfg.openTimeout != 5*time.Second || cfg.closeTimeout != time.Second || cfg.dropTimeout != time.Second ||
		cfg.pingSize != 12 || !cfg.pingRestart || cfg.versionHeader != "13,8" || cfg.readBuf != 512 || cfg.writeBuf != 4096 {
		t.Errorf("defaults: %+v", cfg)
	}
	cfg, _ = (&Options{OpenHandshakeTimeout: -1, AutoFragmentSize: 100, Versions: []int{13}}).resolve(true)
	if cfg.openTimeout != 0 || cfg.writeBuf != 100 || cfg.versionHeader != "13" {
		t.Errorf("resolved: %+v", cfg)
	}
	bad := []struct {
		o   Options
		err string
	}{
		{Options{Versions: []int{7}}, "invalid WebSocket protocol version 7"},
		{Options{Versions: []int{}}, "Versions: empty"},
		{Options{Version: 9}, "invalid WebSocket draft version 9"},
		{Options{Version: 19}, "invalid WebSocket draft version 19"},
		{Options{AutoPingSize: 126}, "outside 12..125"},
		{Options{MaxMessagePayloadSize: -1}, "negative"},
		{Options{PerMessageCompressionOffers: []DeflateOffer{{RequestMaxWindowBits: 8}}}, "invalid value 8 for request_max_window_bits"},
	}
	for _, tt := range bad {
		if _, err := tt.o.resolve(false); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("resolve(%+v) error %v, want %q", tt.o, err, tt.err)
		}
	}
}

func TestDeflateOffers(t *testing.T) {
	tests := []struct {
		header string
		want   DeflateOffer
		err    string
	}{
		{"permessage-deflate", DeflateOffer{}, ""},
		{"permessage-deflate; client_max_window_bits", DeflateOffer{AcceptMaxWindowBits: true}, ""},
		{"permessage-deflate; client_max_window_bits=10; server_no_context_takeover", DeflateOffer{AcceptMaxWindowBits: true, RequestNoContextTakeover: true}, ""},
		{`permessage-deflate; server_max_window_bits="12"; client_no_context_takeover`, DeflateOffer{RequestMaxWindowBits: 12, AcceptNoContextTakeover: true}, ""},
		{"permessage-deflate; server_max_window_bits", DeflateOffer{}, "illegal extension parameter value '' for parameter 'server_max_window_bits'"},
		{"permessage-deflate; client_max_window_bits=8", DeflateOffer{}, "illegal extension parameter value '8'"},
		{"permessage-deflate; client_no_context_takeover=1", DeflateOffer{}, "illegal extension parameter value '1'"},
		{"permessage-deflate; foo", DeflateOffer{}, "illegal extension parameter 'foo'"},
		{"permessage-deflate; server_no_context_takeover; server_no_context_takeover", DeflateOffer{}, "multiple occurrence"},
	}
	for _, tt := range tests {
		exts := parseExtensions(tt.header)
		if len(exts) != 1 || exts[0].Name != "permessage-deflate" {
			t.Fatalf("parseExtensions(%q) = %+v", tt.header, exts)
		}
		got, err := parseDeflateOffer(exts[0].Params)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.header, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: %+v %v, want %+v", tt.header, got, err, tt.want)
		}
	}
	offers := []DeflateOffer{{RequestMaxWindowBits: 10}, {RequestMaxWindowBits: 15}, {}}
	if got := AcceptDeflate(offers); got != &offers[1] {
		t.Errorf("AcceptDeflate chose %+v", got)
	}
	if AcceptDeflate(offers[:1]) != nil {
		t.Error("AcceptDeflate accepted a small window")
	}
	if s := ClientDeflateOffer.String(); s != "permessage-deflate; client_no_context_takeover; server_no_context_takeover" {
		t.Errorf("ClientDeflateOffer = %q", s)
	}
	exts := parseExtensions(`x-a; p=1, permessage-deflate ; Q="v" ,, x-b`)
	want := []Extension{{"x-a", []ExtensionParam{{"p", "1", true}}}, {"permessage-deflate", []ExtensionParam{{"q", "v", true}}}, {"x-b", nil}}
	if !reflect.DeepEqual(exts, want) {
		t.Errorf("parseExtensions = %+v", exts)
	}
	if s := exts[0].String(); s != "x-a; p=1" {
		t.Errorf("String = %q", s)
	}
}

// TestCompressionNegotiation: client offers, server accept, both directions
// compressed, and a declined offer.
func TestCompressionNegotiation(t *testing.T) {
	autobahnOffer := DeflateOffer{AcceptNoContextTakeover: true, AcceptMaxWindowBits: true, RequestNoContextTakeover: true}
	for _, tt := range []struct {
		accept bool
		offers []DeflateOffer
	}{
		{false, []DeflateOffer{ClientDeflateOffer}},
		{true, []DeflateOffer{ClientDeflateOffer}},
		{true, []DeflateOffer{{RequestMaxWindowBits: 10}, autobahnOffer}},
	} {
		accept := tt.accept
		opts := Options{}
		if accept {
			opts.PerMessageCompressionAccept = AcceptDeflate
		}
		url, handlers := startServer(t, &Server{Options: opts})
		c, rec := dialTest(t, &Dialer{Options: Options{PerMessageCompressionOffers: tt.offers}}, url)
		srec := recv(t, handlers, "handler")
		req := recv(t, srec.requests, "request")
		if len(req.Extensions) != len(tt.offers) || req.Extensions[0].Name != "permessage-deflate" {
			t.Errorf("request extensions %+v", req.Extensions)
		}
		if c.Compressed() != accept || (len(c.Response().Extensions) == 1) != accept {
			t.Errorf("accept %v: Compressed() = %v, extensions %+v", accept, c.Compressed(), c.Response().Extensions)
		}
		msg := []byte(strings.Repeat("compress me ", 1000))
		c.SendMessage(msg, false)
		if m := recv(t, rec.messages, "echo"); string(m.payload) != string(msg) {
			t.Errorf("echo of %d bytes", len(m.payload))
		}
	}
}

// TestSharedWAMPConfig checks that WAMP dials with the default options
// share one config (made again for a new slog.Default()), and that other
// options get their own.
func TestSharedWAMPConfig(t *testing.T) {
	a, err := wampConfigFrom(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{WAMPOptions{}, &WAMPOptions{}, Options{}, map[string]any{}} {
		if b, err := wampConfigFrom(v, false); err != nil || b != a {
			t.Errorf("wampConfigFrom(%#v) = %p, %v; want the shared %p", v, b, err, a)
		}
	}
	if s, _ := wampConfigFrom(nil, true); s == a || !s.cfg.isServer || len(s.cfg.origins) != 1 {
		t.Errorf("server config %+v", s)
	}
	if a.cfg.isServer || a.cfg.origins != nil || a.cfg.versions != nil || len(a.cfg.offers) != 1 {
		t.Errorf("client config holds server parts or no offer: %+v", a.cfg)
	}
	if b, _ := wampConfigFrom(WAMPOptions{WebSocket: Options{AutoPingSize: 20}}, false); b == a || b.cfg.pingSize != 20 {
		t.Errorf("other options share the default config")
	}
	// A shared config made under another slog.Default() is replaced (not
	// with slog.SetDefault, which would redirect package log for good).
	stale := &wampConfig{log: quietLog}
	defaultWAMPConfigs[0].Store(stale)
	if b, _ := wampConfigFrom(nil, false); b == stale || b.log != slog.Default() {
		t.Errorf("the shared config keeps an old slog.Default()")
	}
}
