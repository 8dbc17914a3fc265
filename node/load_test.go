package node

import (
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
)

// testEnv is the environment the tests' configurations see.
func testEnv(name string) (string, bool) {
	v, ok := map[string]string{"TEST_CRA_SECRET": "client1-secret", "TEST_PORT": "0"}[name]
	return v, ok
}

// parseIn parses doc with relative paths taken from dir.
func parseIn(dir, doc string) (*Config, error) {
	return Parse([]byte(doc), LoadOptions{Dir: dir, LookupEnv: testEnv})
}

// worker is a configuration with one router worker of realms and
// transports (JSON lists without their brackets).
func worker(realms, transports string) string {
	return `{"version": 2, "workers": [{"type": "router", "realms": [` + realms + `], "transports": [` + transports + `]}]}`
}

const realm1 = `{"name": "realm1", "roles": [{"name": "anonymous", "allow-by-default": true}]}`

// ws is a websocket transport on a free loopback port with more keys.
func ws(more string) string {
	if more != "" {
		more = ", " + more
	}
	return `{"type": "websocket", "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": 0}` + more + `}`
}

// wsAuth is a websocket transport with an auth section.
func wsAuth(section string) string { return worker(realm1, ws(`"auth": {`+section+`}`)) }

func TestBadConfigs(t *testing.T) {
	dir := fixtureDir(t)
	tcp := `"endpoint": {"type": "tcp", "port": 0}`
	for _, tc := range []struct {
		name, doc, path, reason string
	}{
		{"not an object", `[]`, "", "must be a JSON object, not a list"},
		{"syntax", "{\"version\": 2,\n  \"workers\": [}", "", "line 2, column"},
		{"trailing data", `{"version": 2} {}`, "", "after the JSON document"},
		{"no version", `{"workers": []}`, "version", "missing"},
		{"version 1", `{"version": 1, "workers": []}`, "version", "want 2, got number 1"},
		{"version string", `{"version": "2", "workers": []}`, "version", `want 2, got string "2"`},
		{"unknown top key", `{"version": 2, "nodes": []}`, "nodes", "unknown key (known here: $schema, controller, plugins, version, workers)"},
		{"workers not a list", `{"version": 2, "workers": {}}`, "workers", "want a list, got an object"},
		{"no worker", `{"version": 2, "workers": []}`, "workers", "no router worker"},
		{"guest worker", `{"version": 2, "workers": [{"type": "router"}, {"type": "guest", "executable": "node"}]}`,
			"workers[1].type", `"guest" workers are not supported by autobahn serve (only "router")`},
		{"container worker", `{"version": 2, "workers": [{"type": "container"}]}`, "workers[0].type", `"container" workers are not supported`},
		{"unknown worker", `{"version": 2, "workers": [{"type": "xbrmm"}]}`, "workers[0].type", `"xbrmm" is not a worker type`},
		{"worker type number", `{"version": 2, "workers": [{"type": 5}]}`, "workers[0].type", "want a string, got number 5"},
		{"two routers", `{"version": 2, "workers": [{"type": "router"}, {"type": "router"}]}`, "workers[1]", "a second router worker (the first is workers[0])"},
		{"router component", `{"version": 2, "workers": [{"type": "router", "components": [{"type": "class", "classname": "a.B", "realm": "realm1"}]}]}`,
			"workers[0].components[0]", "components inside the router worker"},
		{"worker env", `{"version": 2, "workers": [{"type": "router", "options": {"env": {"inherit": true}}}]}`, "workers[0].options.env", "not supported by autobahn serve"},
		{"worker disabled", `{"version": 2, "workers": [{"type": "router", "options": {"disabled": true}}]}`, "workers[0].options.disabled", "want false"},
		{"worker manhole", `{"version": 2, "workers": [{"type": "router", "manhole": {}}]}`, "workers[0].manhole", "not supported by autobahn serve"},
		{"controller manhole", `{"version": 2, "controller": {"manhole": {}}, "workers": []}`, "controller.manhole", "not supported by autobahn serve"},
		{"controller option", `{"version": 2, "controller": {"options": {"colour": "red"}}, "workers": []}`, "controller.options.colour", "unknown key"},
		{"controller shutdown", `{"version": 2, "controller": {"options": {"shutdown": ["shutdown_on_worker_exit", "never"]}}, "workers": []}`,
			"controller.options.shutdown[1]", `invalid shutdown mode string "never"`},

		{"realm without name", worker(`{"roles": []}`, ""), "workers[0].realms[0].name", "missing (a string is required here)"},
		{"realm name", worker(`{"name": "r"}`, ""), "workers[0].realms[0].name", "realm name must be 3 to 255 characters"},
		{"realm twice", worker(realm1+`, `+realm1, ""), "workers[0].realms[1].name", `realm "realm1" is configured twice`},
		{"realm not an object", worker(`"realm1"`, ""), "workers[0].realms[0]", `want an object, got string "realm1"`},
		{"role twice", worker(`{"name": "realm1", "roles": [{"name": "a"}, {"name": "a"}]}`, ""), "workers[0].realms[0].roles[1].name", "configured twice"},
		{"role both", worker(`{"name": "realm1", "roles": [{"name": "a", "authorizer": "com.x.authorize", "permissions": []}]}`, ""),
			"workers[0].realms[0].roles[0]", `"authorizer" or "permissions", not both`},
		{"role authorizer uri", worker(`{"name": "realm1", "roles": [{"name": "a", "authorizer": "com.x.Auth orize"}]}`, ""),
			"workers[0].realms[0].roles[0].authorizer", "invalid URI"},
		{"permission match", worker(`{"name": "realm1", "roles": [{"name": "a", "permissions": [{"uri": "com.", "match": "regex"}]}]}`, ""),
			"workers[0].realms[0].roles[0].permissions[0].match", `"regex" is not a match policy`},
		{"permission validate", worker(`{"name": "realm1", "roles": [{"name": "a", "permissions": [{"uri": "com.x", "validate": {"call": "uint32"}}]}]}`, ""),
			"workers[0].realms[0].roles[0].permissions[0].validate", "payload validation"},
		{"permission allow type", worker(`{"name": "realm1", "roles": [{"name": "a", "permissions": [{"uri": "com.x", "allow": {"call": "yes"}}]}]}`, ""),
			"workers[0].realms[0].roles[0].permissions[0].allow.call", `want a bool, got string "yes"`},
		{"permission allow key", worker(`{"name": "realm1", "roles": [{"name": "a", "permissions": [{"uri": "com.x", "allow": {"execute": true}}]}]}`, ""),
			"workers[0].realms[0].roles[0].permissions[0].allow.execute", "unknown key (known here: call, publish, register, subscribe)"},
		{"permission without uri", worker(`{"name": "realm1", "roles": [{"name": "a", "permissions": [{"allow": {}}]}]}`, ""),
			"workers[0].realms[0].roles[0].permissions[0].uri", "missing"},
		{"uri_check loose", worker(`{"name": "realm1", "options": {"uri_check": "loose"}}`, ""), "workers[0].realms[0].options.uri_check", `"loose" is not supported`},
		{"meta api off", worker(`{"name": "realm1", "options": {"enable_meta_api": false}}`, ""), "workers[0].realms[0].options.enable_meta_api", "always on"},
		{"call queue", worker(`{"name": "realm1", "store": {"type": "memory", "call-queue": []}}`, ""), "workers[0].realms[0].store.call-queue", "call queueing is not implemented"},
		{"store type", worker(`{"name": "realm1", "store": {"type": "cfxdb"}}`, ""), "workers[0].realms[0].store.type", `"cfxdb" stores are not supported`},
		{"history limit", worker(`{"name": "realm1", "store": {"type": "memory", "event-history": [{"uri": "com.x", "limit": 0}]}}`, ""),
			"workers[0].realms[0].store.event-history[0].limit", "0 is out of range"},

		{"transport mqtt", worker(realm1, `{"type": "mqtt", `+tcp+`}`), "workers[0].transports[0].type", `"mqtt" transports are not supported by autobahn serve`},
		{"transport unknown", worker(realm1, `{"type": "carrier-pigeon"}`), "workers[0].transports[0].type", `"carrier-pigeon" is not a transport type`},
		{"transport key", worker(realm1, ws(`"colour": "red"`)), "workers[0].transports[0].colour", "unknown key"},
		{"no endpoint", worker(realm1, `{"type": "rawsocket"}`), "workers[0].transports[0].endpoint", "missing"},
		{"onion endpoint", worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "onion"}}`), "workers[0].transports[0].endpoint.type", `"onion" endpoints are not supported`},
		{"port range", worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "tcp", "port": 70000}}`), "workers[0].transports[0].endpoint.port", "70000 is out of range (0..65535)"},
		{"port float", worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "tcp", "port": 80.5}}`), "workers[0].transports[0].endpoint.port", "want an integer, got number 80.5"},
		{"port env unset", worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "tcp", "port": "$NO_SUCH_PORT"}}`), "workers[0].transports[0].endpoint.port", "environment variable NO_SUCH_PORT is not set"},
		{"portrange", worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "tcp", "portrange": [8000, 8010]}}`), "workers[0].transports[0].endpoint.portrange", "port ranges are not supported"},
		{"ip version", worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "tcp", "port": 0, "version": 5}}`), "workers[0].transports[0].endpoint.version", "want 4 or 6"},
		{"shared port", worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "tcp", "port": 0, "shared": true}}`), "workers[0].transports[0].endpoint.shared", "true is not supported"},
		{"tls missing file", worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "tcp", "port": 0, "tls": {"key": "server.key", "certificate": "nope.crt"}}}`),
			"workers[0].transports[0].endpoint.tls.certificate", "no such file"},
		{"tls no key", worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "tcp", "port": 0, "tls": {"certificate": "server.crt"}}}`),
			"workers[0].transports[0].endpoint.tls.key", "missing"},
		{"tls cipher keyword", worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "tcp", "port": 0, "tls": {"key": "server.key", "certificate": "server.crt", "ciphers": "HIGH:!aNULL"}}}`),
			"workers[0].transports[0].endpoint.tls.ciphers", `"HIGH" is not a TLS 1.2 cipher suite`},
		{"tls only dhe", worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "tcp", "port": 0, "tls": {"key": "server.key", "certificate": "server.crt", "ciphers": "DHE-RSA-AES128-GCM-SHA256"}}}`),
			"workers[0].transports[0].endpoint.tls.ciphers", "no cipher suite that Go implements"},
		{"unix without path", worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "unix"}}`), "workers[0].transports[0].endpoint.path", "missing"},

		{"ws option unknown", worker(realm1, ws(`"options": {"turbo": true}`)), "workers[0].transports[0].options.turbo", "unknown key"},
		{"ws flash policy", worker(realm1, ws(`"options": {"flash_policy": "x"}`)), "workers[0].transports[0].options.flash_policy", "not supported by autobahn serve"},
		{"ws timeout ms", worker(realm1, ws(`"options": {"open_handshake_timeout": 500}`)), "workers[0].transports[0].options.open_handshake_timeout", "500 is in milliseconds, too small"},
		{"ws mask", worker(realm1, ws(`"options": {"mask_server_frames": true}`)), "workers[0].transports[0].options.mask_server_frames", "only false is supported"},
		{"ws max message", worker(realm1, ws(`"options": {"max_message_size": 0}`)), "workers[0].transports[0].options.max_message_size", "0 is out of range"},
		{"ws no versions", worker(realm1, ws(`"options": {"enable_hybi10": false, "enable_rfc6455": false}`)), "workers[0].transports[0].options", "no WebSocket version"},
		{"ws deflate memory", worker(realm1, ws(`"options": {"compression": {"deflate": {"memory_level": 5}}}`)), "workers[0].transports[0].options.compression.deflate.memory_level", "cannot be chosen"},
		{"ws deflate window", worker(realm1, ws(`"options": {"compression": {"deflate": {"max_window_bits": 10}}}`)), "workers[0].transports[0].options.compression.deflate.max_window_bits", "always 15 bits"},
		{"ws cookie", worker(realm1, ws(`"cookie": {"store": {"type": "memory"}}`)), "workers[0].transports[0].cookie", "cookie tracking is not implemented"},
		{"ws url", worker(realm1, ws(`"url": "http://example.com"`)), "workers[0].transports[0].url", "want a ws:// or wss:// URL"},
		{"serializer flatbuffers", worker(realm1, ws(`"serializers": ["json", "flatbuffers"]`)), "workers[0].transports[0].serializers[1]", `"flatbuffers" is not implemented`},
		{"serializer unknown", worker(realm1, ws(`"serializers": ["xml"]`)), "workers[0].transports[0].serializers[0]", `"xml" is not a serializer`},
		{"serializers empty", worker(realm1, ws(`"serializers": []`)), "workers[0].transports[0].serializers", "empty"},
		{"rawsocket size", worker(realm1, `{"type": "rawsocket", `+tcp+`, "options": {"max_message_size": 33554432}}`),
			"workers[0].transports[0].options.max_message_size", "more than RawSocket can announce"},
		{"rawsocket option", worker(realm1, `{"type": "rawsocket", `+tcp+`, "options": {"auto_ping_interval": 1000}}`),
			"workers[0].transports[0].options.auto_ping_interval", "unknown key (known here: max_message_size)"},

		{"auth cookie", wsAuth(`"cookie": {}`), "workers[0].transports[0].auth.cookie", "cookie authentication is not implemented"},
		{"auth tls", wsAuth(`"tls": {"type": "static"}`), "workers[0].transports[0].auth.tls", "TLS client certificate authentication"},
		{"auth unknown", wsAuth(`"kerberos": {}`), "workers[0].transports[0].auth.kerberos", "unknown key"},
		{"auth empty", wsAuth(``), "workers[0].transports[0].auth", "no authentication method"},
		{"ticket function type", wsAuth(`"ticket": {"type": "function"}`), "workers[0].transports[0].auth.ticket.type", `"function" authenticators (Python functions) are not supported`},
		{"ticket no principals", wsAuth(`"ticket": {"type": "static"}`), "workers[0].transports[0].auth.ticket.principals", "missing"},
		{"ticket no role", wsAuth(`"ticket": {"type": "static", "principals": {"joe@example.com": {"ticket": "x"}}}`),
			`workers[0].transports[0].auth.ticket.principals["joe@example.com"].role`, "missing"},
		{"ticket not string", wsAuth(`"ticket": {"type": "static", "principals": {"joe": {"ticket": 5, "role": "a"}}}`),
			"workers[0].transports[0].auth.ticket.principals.joe.ticket", "want a string, got number 5"},
		{"ticket dynamic realm", wsAuth(`"ticket": {"type": "dynamic", "authenticator": "com.x.auth", "authenticator-realm": "nowhere"}`),
			"workers[0].transports[0].auth.ticket.authenticator-realm", `realm "nowhere" is not a realm of the router worker`},
		{"ticket dynamic role", wsAuth(`"ticket": {"type": "dynamic", "authenticator": "com.x.auth", "authenticator-role": "auth"}`),
			"workers[0].transports[0].auth.ticket.authenticator-role", "trusted session"},
		{"ticket dynamic principals", wsAuth(`"ticket": {"type": "dynamic", "authenticator": "com.x.auth", "principals": {}}`),
			"workers[0].transports[0].auth.ticket.principals", "unknown key"},
		{"ticket dynamic uri", wsAuth(`"ticket": {"type": "dynamic", "authenticator": "bad uri"}`), "workers[0].transports[0].auth.ticket.authenticator", "invalid URI"},
		{"wampcra iterations", wsAuth(`"wampcra": {"type": "static", "users": {"a": {"secret": "s", "role": "r", "iterations": 10}}}`),
			"workers[0].transports[0].auth.wampcra.users.a", "iterations and keylen need a salt"},
		{"wampcra env", wsAuth(`"wampcra": {"type": "static", "users": {"a": {"secret": "${NOT_SET}", "role": "r"}}}`),
			"workers[0].transports[0].auth.wampcra.users.a.secret", "environment variable NOT_SET is not set"},
		{"wampcra keylen", wsAuth(`"wampcra": {"type": "static", "users": {"a": {"secret": "s", "role": "r", "salt": "x", "keylen": 4096}}}`),
			"workers[0].transports[0].auth.wampcra.users.a.keylen", "out of range"},
		{"cryptosign trustroots", wsAuth(`"cryptosign": {"type": "static", "trustroots": {}}`), "workers[0].transports[0].auth.cryptosign.trustroots", "not supported"},
		{"cryptosign key", wsAuth(`"cryptosign": {"type": "static", "principals": {"d": {"role": "r", "authorized_keys": ["abcd"]}}}`),
			"workers[0].transports[0].auth.cryptosign.principals.d.authorized_keys[0]", "64 hex characters"},
		{"cryptosign realm", wsAuth(`"cryptosign": {"type": "static", "principals": {"d": {"role": "r", "realm": "other", "authorized_keys": []}}}`),
			"workers[0].transports[0].auth.cryptosign.principals.d.realm", `realm "other" is not a realm`},
		{"anonymous dynamic", wsAuth(`"anonymous": {"type": "dynamic", "authenticator": "com.x.auth"}`), "workers[0].transports[0].auth.anonymous.type", `"dynamic" anonymous authentication is not supported`},

		{"web no paths", worker(realm1, `{"type": "web", `+tcp+`}`), "workers[0].transports[0].paths", "missing or empty"},
		{"web wsgi", worker(realm1, `{"type": "web", `+tcp+`, "paths": {"app": {"type": "wsgi", "module": "m", "object": "o"}}}`),
			"workers[0].transports[0].paths.app.type", `"wsgi" web services are not supported by autobahn serve (only static, websocket and nodeinfo)`},
		{"web path name", worker(realm1, `{"type": "web", `+tcp+`, "paths": {"a/b": {"type": "static", "directory": "web"}}}`),
			`workers[0].transports[0].paths["a/b"]`, "one path component"},
		{"static package", worker(realm1, `{"type": "web", `+tcp+`, "paths": {"/": {"type": "static", "package": "p", "resource": "r"}}}`),
			`workers[0].transports[0].paths["/"].package`, "Python package resources are not supported"},
		{"static missing dir", worker(realm1, `{"type": "web", `+tcp+`, "paths": {"/": {"type": "static", "directory": "nope"}}}`),
			`workers[0].transports[0].paths["/"].directory`, "no such file"},
		{"static option", worker(realm1, `{"type": "web", `+tcp+`, "paths": {"/": {"type": "static", "directory": "web", "options": {"allow_cross_origin": true}}}}`),
			`workers[0].transports[0].paths["/"].options.allow_cross_origin`, "unknown key"},
		{"web option", worker(realm1, `{"type": "web", `+tcp+`, "paths": {"/": {"type": "static", "directory": "web"}}, "options": {"hsts_max_age": -1}}`),
			"workers[0].transports[0].options.hsts_max_age", "out of range"},
		{"universal mqtt", worker(realm1, `{"type": "universal", `+tcp+`, "mqtt": {}}`), "workers[0].transports[0].mqtt", "MQTT is not implemented"},
		{"universal empty", worker(realm1, `{"type": "universal", `+tcp+`}`), "workers[0].transports[0]", "serves nothing"},
		{"universal endpoint inside", worker(realm1, `{"type": "universal", `+tcp+`, "rawsocket": {`+tcp+`}}`), "workers[0].transports[0].rawsocket.endpoint", "unknown key"},
		{"universal ws type", worker(realm1, `{"type": "universal", `+tcp+`, "websocket": {"ws": {"type": "rawsocket"}}}`),
			"workers[0].transports[0].websocket.ws.type", `want "websocket" here`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseIn(dir, tc.doc)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T), want a *node.Error", err, err)
			}
			if ce.Path != tc.path || !strings.Contains(ce.Reason, tc.reason) {
				t.Fatalf("error\n  %v\nwant path %q and reason containing %q", err, tc.path, tc.reason)
			}
			if want := "config: " + tc.path; tc.path != "" && !strings.HasPrefix(err.Error(), want+": ") {
				t.Fatalf("message %q does not start with %q", err, want)
			}
		})
	}
}

func TestYAMLErrors(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"duplicate key", "version: 2\nversion: 2\n", `line 2, column 1: key "version" appears twice`},
		{"not yaml", "version: [2\n", "not a YAML document"},
		{"empty", "", "empty YAML document"},
		{"mapping key", "? [a]\n: 1\n", "keys must be strings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), LoadOptions{YAML: true})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestLoadFull loads the complete example configuration and checks what
// each part became.
func TestLoadFull(t *testing.T) {
	dir := fixtureDir(t)
	cfg := loadFull(t, dir)
	o := cfg.Router
	equal(t, "realms", o.Realms, []string{"realm1", "realm2"})
	front := o.Roles["realm1"]["frontend"].Permissions
	equal(t, "starred URIs", [][2]string{{front[0].URI, front[0].Match}, {front[1].URI, front[1].Match}, {front[3].URI, front[3].Match}},
		[][2]string{{"com.example.add2", "exact"}, {"com.example.", "prefix"}, {"com..public", "wildcard"}})
	equal(t, "frontend publish", front[1], router.Permission{URI: "com.example.", Match: "prefix", Publish: true, Subscribe: true, DisclosePublisher: true})
	back := o.Roles["realm1"]["backend"].Permissions[0]
	equal(t, "backend", back, router.Permission{URI: "", Match: "prefix", Call: true, Register: true, Publish: true, Subscribe: true, DiscloseCaller: true, DisclosePublisher: true, Cache: true})
	equal(t, "allow-by-default", o.Roles["realm2"]["backend"].Permissions, []router.Permission{{URI: "", Match: core.MatchPrefix, Call: true, Register: true, Publish: true, Subscribe: true}})
	equal(t, "authorizer", o.Roles["realm2"]["device"], router.Role{Authorizer: "com.example.authorize"})
	equal(t, "event history", o.EventHistory, map[string][]router.EventHistory{"realm2": {
		{URI: "com.example.history", Match: "exact", Limit: 10}, {URI: "com.example.logs.", Match: "prefix", Limit: 50}}})

	if len(cfg.Listeners) != 4 {
		t.Fatalf("%d listeners", len(cfg.Listeners))
	}
	web := cfg.Listeners[0]
	equal(t, "web endpoint", [2]string{web.Endpoint.Network, web.Endpoint.Address}, [2]string{"tcp", "127.0.0.1:0"})
	equal(t, "ciphers (DHE skipped)", web.Endpoint.TLS.CipherSuites, []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256})
	equal(t, "web options", web.Web, WebOptions{HSTS: true, HSTSMaxAge: 600e9})
	equal(t, "routes", []string{web.Routes[0].Name, web.Routes[1].Name}, []string{"/", "ws"})
	ws := web.Routes[1].WebSocket
	equal(t, "serializers", names(ws.Serializers), []string{"json.batched", "json", "msgpack.batched", "msgpack", "cbor.batched", "cbor"})
	wo := ws.Options.WebSocket
	equal(t, "websocket options", []any{wo.MaxMessagePayloadSize, wo.AutoPingInterval.Seconds(), wo.AutoPingTimeout.Seconds(), wo.FailByClose, wo.PerMessageCompressionAccept != nil},
		[]any{int64(1 << 20), 10.0, 5.0, true, true})
	derived, err := auth.DeriveKey("salted-secret-of-client2", "salt123", 100, 16)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "auth methods", ws.Auth, []router.AuthMethod{
		cryptosignAuth{Cryptosign: router.Cryptosign{Principals: map[string]router.Principal{"device1@example.com": {Role: "device",
			PubKeys: []string{"79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664"}}}}, realms: map[string]string{"device1@example.com": "realm2"}},
		router.Dynamic{Method: "ticket", Procedure: "com.example.authenticate", Realm: "realm1"},
		router.WAMPCRA{Principals: map[string]router.Principal{
			"client1": {Role: "frontend", Secret: "client1-secret"},
			"client2": {Role: "frontend", Secret: derived, Salt: "salt123", Iterations: 100, KeyLen: 16}}},
	})
	static := web.Routes[0].Static
	equal(t, "static", []any{static.Directory, static.CacheTimeout.Seconds(), static.MIMETypes[".wamp"]}, []any{filepath.Join(dir, "web"), 60.0, "application/x-wamp"})

	rs := cfg.Listeners[1].RawSocket
	equal(t, "rawsocket", []any{names(rs.Serializers), rs.Options.MaxMessagePayloadSize, rs.Auth}, []any{[]string{"cbor", "json"}, 1 << 20, []router.AuthMethod{router.Anonymous{Role: "backend"}}})
	uni := cfg.Listeners[2]
	equal(t, "universal", []any{uni.RawSocket != nil, len(uni.Routes), uni.Routes[1].Name, uni.Routes[1].NodeInfo, uni.Routes[2].Name, uni.Routes[2].WebSocket != nil}, []any{true, 3, "info", true, "ws", true})
	unix := cfg.Listeners[3]
	equal(t, "unix endpoint", [2]string{unix.Endpoint.Network, unix.Endpoint.Address}, [2]string{"unix", filepath.Join(dir, "node.sock")})
	equal(t, "anonymous with realm", unix.RawSocket.Auth, []router.AuthMethod{anonymousAuth{Anonymous: router.Anonymous{Role: "backend"}, authid: "local-backend", realm: "realm2"}})
}

// TestYAMLLikeJSON checks that a YAML document reads as the same JSON one.
func TestYAMLLikeJSON(t *testing.T) {
	dir := fixtureDir(t)
	yamlDoc := `
version: 2
workers:
  - type: router
    realms:
      - name: realm1
        roles:
          - name: frontend
            permissions:
              - uri: "com.example.*"
                allow: {call: true, subscribe: true}
                cache: true
        store: {type: memory, event-history: [{uri: com.example.x, limit: 0x10}]}
    transports:
      - type: rawsocket
        endpoint: {type: tcp, port: $TEST_PORT, interface: 127.0.0.1}
        options: {max_message_size: 65536}
        auth:
          ticket:
            type: static
            principals:
              joe: &p {ticket: "${TEST_CRA_SECRET}", role: frontend}
              ann: *p
`
	jsonDoc := worker(`{"name": "realm1", "roles": [{"name": "frontend", "permissions": [{"uri": "com.example.*", "allow": {"call": true, "subscribe": true}, "cache": true}]}],
		"store": {"type": "memory", "event-history": [{"uri": "com.example.x", "limit": 16}]}}`,
		`{"type": "rawsocket", "endpoint": {"type": "tcp", "port": 0, "interface": "127.0.0.1"}, "options": {"max_message_size": 65536},
		"auth": {"ticket": {"type": "static", "principals": {"joe": {"ticket": "client1-secret", "role": "frontend"}, "ann": {"ticket": "client1-secret", "role": "frontend"}}}}}`)
	fromYAML, err := Parse([]byte(yamlDoc), LoadOptions{Dir: dir, YAML: true, LookupEnv: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := parseIn(dir, jsonDoc)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "YAML and JSON", fromYAML, fromJSON)
}

func TestConvertStarredURI(t *testing.T) {
	for _, tc := range [][3]string{
		{"com.example.add2", "com.example.add2", "exact"},
		{"com.example.*", "com.example.", "prefix"},
		{"*", "", "prefix"},
		{"com.*.update", "com..update", "wildcard"},
		{"com.*.*", "com..", "wildcard"},
		{"", "", "exact"},
	} {
		uri, match := convertStarredURI(tc[0])
		equal(t, tc[0], [2]string{uri, match}, [2]string{tc[1], tc[2]})
	}
}

func TestLoadFile(t *testing.T) {
	dir := fixtureDir(t)
	path := filepath.Join(dir, "config.yml")
	doc := "version: 2\nworkers: [{type: router, realms: [{name: realm1}], transports: [{type: rawsocket, endpoint: {type: unix, path: r.sock}}]}]\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "relative to the file", cfg.Listeners[0].Endpoint.Address, filepath.Join(dir, "r.sock"))
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "config: open ") {
		t.Fatalf("missing file: %v", err)
	}
}

func names(sers []core.Serializer) []string {
	out := make([]string, len(sers))
	for i, s := range sers {
		out[i] = s.Name()
	}
	return out
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}
