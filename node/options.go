package node

import (
	"time"

	"github.com/autobahn-go/autobahn/transports/rawsocket"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// wsOption sets one of Crossbar.io's WebSocket options (the value at path
// v) on o.
type wsOption func(o *websocket.Options, path string, v any) error

// wsOptions are Crossbar.io's WebSocket options (check_websocket_options)
// with their meaning here. Durations are milliseconds, 0 meaning none, as
// in Crossbar.io.
var wsOptions = map[string]wsOption{
	"allowed_origins": func(o *websocket.Options, p string, v any) (err error) {
		o.AllowedOrigins, err = stringList(p, v)
		return err
	},
	"allow_null_origin":                boolOpt(func(o *websocket.Options, b bool) { o.DenyNullOrigin = !b }),
	"enable_webstatus":                 boolOpt(func(o *websocket.Options, b bool) { o.DisableWebStatus = !b }),
	"validate_utf8":                    boolOpt(func(o *websocket.Options, b bool) { o.DisableUTF8Validation = !b }),
	"fail_by_drop":                     boolOpt(func(o *websocket.Options, b bool) { o.FailByClose = !b }),
	"echo_close_codereason":            boolOpt(func(o *websocket.Options, b bool) { o.EchoCloseCodeReason = b }),
	"tcp_nodelay":                      boolOpt(func(o *websocket.Options, b bool) { o.DisableTCPNoDelay = !b }),
	"auto_ping_restart_on_any_traffic": boolOpt(func(o *websocket.Options, b bool) { o.DisableAutoPingRestartOnAnyTraffic = !b }),
	"enable_hybi10":                    boolOpt(func(o *websocket.Options, b bool) { o.Versions = version(o.Versions, 8, b) }),
	"enable_rfc6455":                   boolOpt(func(o *websocket.Options, b bool) { o.Versions = version(o.Versions, 13, b) }),
	"max_frame_size":                   sizeOpt(0, 1<<62, func(o *websocket.Options, n int64) { o.MaxFramePayloadSize = offWhenZero(n) }),
	"max_message_size":                 sizeOpt(1, 64<<20, func(o *websocket.Options, n int64) { o.MaxMessagePayloadSize = n }),
	"auto_fragment_size":               sizeOpt(0, 64<<20, func(o *websocket.Options, n int64) { o.AutoFragmentSize = int(offWhenZero(n)) }),
	"auto_ping_size":                   sizeOpt(12, 125, func(o *websocket.Options, n int64) { o.AutoPingSize = int(n) }),
	"open_handshake_timeout":           msOpt(func(o *websocket.Options, d time.Duration) { o.OpenHandshakeTimeout = d }),
	"close_handshake_timeout":          msOpt(func(o *websocket.Options, d time.Duration) { o.CloseHandshakeTimeout = d }),
	"auto_ping_interval":               msOpt(func(o *websocket.Options, d time.Duration) { o.AutoPingInterval = d }),
	"auto_ping_timeout":                msOpt(func(o *websocket.Options, d time.Duration) { o.AutoPingTimeout = d }),
	"mask_server_frames":               fixedOpt(false, "a server never masks its frames (RFC 6455)"),
	"require_masked_client_frames":     fixedOpt(true, "unmasked client frames always fail the connection (RFC 6455)"),
	"apply_mask":                       fixedOpt(true, "masked payloads are always unmasked"),
	"enable_flash_policy":              fixedOpt(false, "Flash policy files are not served"),
	"require_websocket_subprotocol":    fixedOpt(true, "a client must offer a wamp.2.* subprotocol"),
	"show_server_version":              anyBool, // AutobahnGo's Server header has no version either way
	"external_port": func(_ *websocket.Options, p string, v any) error {
		_, err := asInt(p, v, 1, 65535) // the port clients see; only Crossbar.io's status page shows it
		return err
	},
	"compression": compression,
}

// wsRefusals are WebSocket options of Crossbar.io that are not supported.
var wsRefusals = map[string]string{
	"flash_policy": "Flash policy files are not served",
}

// webSocketOptions reads a WebSocket service's "options". A router's
// defaults are Crossbar.io's where they differ from Autobahn's: a
// protocol violation fails the connection with a close frame
// (fail_by_drop false).
func webSocketOptions(t obj) (websocket.WAMPOptions, error) {
	o := websocket.WAMPOptions{WebSocket: websocket.Options{FailByClose: true}}
	opts, ok, err := t.object("options")
	if err != nil || !ok {
		return o, err
	}
	known := sortedKeys(wsOptions)
	if err := opts.check(schema{known: known, refused: wsRefusals}); err != nil {
		return o, err
	}
	for _, k := range sortedKeys(opts.m) {
		if err := wsOptions[k](&o.WebSocket, child(opts.path, k), opts.m[k]); err != nil {
			return o, err
		}
	}
	if opts.has("enable_hybi10") || opts.has("enable_rfc6455") {
		if len(o.WebSocket.Versions) == 0 {
			return o, errorf(opts.path, "enable_hybi10 and enable_rfc6455 are both false: no WebSocket version is left")
		}
	}
	return o, nil
}

func boolOpt(set func(*websocket.Options, bool)) wsOption {
	return func(o *websocket.Options, p string, v any) error {
		b, ok := v.(bool)
		if !ok {
			return typeErr(p, "a bool", v)
		}
		set(o, b)
		return nil
	}
}

func anyBool(o *websocket.Options, p string, v any) error {
	return boolOpt(func(*websocket.Options, bool) {})(o, p, v)
}

func sizeOpt(lo, hi int64, set func(*websocket.Options, int64)) wsOption {
	return func(o *websocket.Options, p string, v any) error {
		n, err := asInt(p, v, lo, hi)
		if err == nil {
			set(o, n)
		}
		return err
	}
}

// msOpt reads milliseconds: 0 (none, the options' -1), or at least 1000,
// as Crossbar.io's checker demands.
func msOpt(set func(*websocket.Options, time.Duration)) wsOption {
	return func(o *websocket.Options, p string, v any) error {
		n, err := asInt(p, v, 0, 1<<31-1)
		if err != nil {
			return err
		}
		if n != 0 && n < 1000 {
			return errorf(p, "%d is in milliseconds, too small (0 for none, or at least 1000)", n)
		}
		set(o, offWhenZero(time.Duration(n)*time.Millisecond))
		return nil
	}
}

// fixedOpt accepts only the one value this implementation has.
func fixedOpt(want bool, why string) wsOption {
	return func(_ *websocket.Options, p string, v any) error {
		b, ok := v.(bool)
		if !ok {
			return typeErr(p, "a bool", v)
		}
		if b != want {
			return errorf(p, "only %v is supported: %s", want, why)
		}
		return nil
	}
}

// offWhenZero maps Crossbar.io's 0 ("none") to the options' -1.
func offWhenZero[N int64 | time.Duration](n N) N {
	if n == 0 {
		return -1
	}
	return n
}

// version adds or removes a WebSocket version from the accepted ones
// (default 8 and 13).
func version(vs []int, v int, on bool) []int {
	if vs == nil {
		vs = []int{8, 13}
	}
	out := vs[:0:0]
	for _, x := range vs {
		if x != v {
			out = append(out, x)
		}
	}
	if on {
		out = append(out, v)
	}
	if out == nil {
		out = []int{}
	}
	return out
}

func stringList(p string, v any) ([]string, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, typeErr(p, "a list of strings", v)
	}
	out := make([]string, len(l))
	for i, x := range l {
		if out[i], ok = x.(string); !ok {
			return nil, typeErr(index(p, i), "a string", x)
		}
	}
	return out, nil
}

// compression reads {"deflate": {...}}: permessage-deflate is accepted
// when a client offers it. The deflate implementation never takes over
// context and uses 15-bit windows, which satisfies any
// request_no_context_takeover / no_context_takeover setting; other window
// sizes and memory levels cannot be chosen.
func compression(o *websocket.Options, p string, v any) error {
	c, err := asObj(p, v)
	if err != nil {
		return err
	}
	if err := c.check(schema{known: []string{"deflate"}}); err != nil {
		return err
	}
	d, ok, err := c.object("deflate")
	if err != nil || !ok {
		return err
	}
	err = d.check(schema{known: []string{"request_no_context_takeover", "no_context_takeover", "request_max_window_bits", "max_window_bits"}, refused: map[string]string{
		"memory_level": "the deflate memory level cannot be chosen",
	}})
	if err != nil {
		return err
	}
	for _, k := range []string{"request_no_context_takeover", "no_context_takeover"} {
		if _, err := d.boolean(k, false); err != nil {
			return err
		}
	}
	for _, k := range []string{"request_max_window_bits", "max_window_bits"} {
		if n, ok, err := d.integer(k, 0, 15); err != nil {
			return err
		} else if ok && n != 0 && n != 15 {
			return errorf(child(d.path, k), "%d is not supported: the window is always 15 bits (give 15 or 0)", n)
		}
	}
	o.PerMessageCompressionAccept = websocket.AcceptDeflate
	return nil
}

// rawSocketOptions reads a RawSocket service's "options": Crossbar.io has
// max_message_size only.
func rawSocketOptions(t obj) (rawsocket.Options, error) {
	var o rawsocket.Options
	opts, ok, err := t.object("options")
	if err != nil || !ok {
		return o, err
	}
	if err := opts.check(schema{known: []string{"max_message_size"}}); err != nil {
		return o, err
	}
	n, ok, err := opts.integer("max_message_size", 1, 64<<20)
	if err != nil || !ok {
		return o, err
	}
	if n > rawsocket.MaxMessageSize {
		return o, errorf(child(opts.path, "max_message_size"), "%d is more than RawSocket can announce (16 MiB)", n)
	}
	o.MaxMessagePayloadSize = int(n)
	return o, nil
}

// webOptions reads a web transport's "options". display_tracebacks is
// accepted and has no effect: nothing here has a Python traceback.
func webOptions(t obj) (WebOptions, error) {
	w := WebOptions{HSTSMaxAge: 31536000 * time.Second}
	o, ok, err := t.object("options")
	if err != nil || !ok {
		return w, err
	}
	if err := o.check(schema{known: []string{"access_log", "display_tracebacks", "hsts", "hsts_max_age", "client_timeout"}}); err != nil {
		return w, err
	}
	if w.AccessLog, err = o.boolean("access_log", false); err != nil {
		return w, err
	}
	if _, err = o.boolean("display_tracebacks", false); err != nil {
		return w, err
	}
	if w.HSTS, err = o.boolean("hsts", false); err != nil {
		return w, err
	}
	if n, ok, err := o.integer("hsts_max_age", 0, 1<<40); err != nil {
		return w, err
	} else if ok {
		w.HSTSMaxAge = time.Duration(n) * time.Second
	}
	if v, ok := o.m["client_timeout"]; ok && v != nil {
		n, err := asInt(child(o.path, "client_timeout"), v, 1, 86400)
		if err != nil {
			return w, err
		}
		w.ClientTimeout = time.Duration(n) * time.Second
	}
	return w, nil
}
