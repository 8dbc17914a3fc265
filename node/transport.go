package node

import (
	"net/url"
	"regexp"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"

	// The serializers a configuration can name.
	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/serializers/ubjson"
)

// transportRefusals are the transport types of Crossbar.io that autobahn
// serve does not run.
var transportRefusals = map[string]string{
	"mqtt":             "MQTT is not implemented",
	"flashpolicy":      "Flash policy files are not served",
	"websocket.testee": "the WebSocket testee is not part of autobahn serve",
	"stream.testee":    "the stream testee is not part of autobahn serve",
}

// transports reads the router worker's "transports" into listeners.
func (l *loader) transports(w obj) error {
	list, err := w.list("transports")
	if err != nil {
		return err
	}
	for i, v := range list {
		t, err := asObj(index(child(w.path, "transports"), i), v)
		if err != nil {
			return err
		}
		ln, err := l.transport(t)
		if err != nil {
			return err
		}
		l.cfg.Listeners = append(l.cfg.Listeners, ln)
	}
	return nil
}

// transport reads one listening transport.
func (l *loader) transport(t obj) (Listener, error) {
	ln := Listener{Path: t.path}
	var err error
	if ln.Type, err = t.mustStr("type"); err != nil {
		return ln, err
	}
	if _, _, err := t.str("id"); err != nil {
		return ln, err
	}
	switch ln.Type {
	case "websocket":
		err = l.websocketTransport(t, &ln)
	case "rawsocket":
		ln.RawSocket, err = l.rawsocket(t, true)
	case "web":
		err = l.webTransport(t, &ln)
	case "universal":
		err = l.universal(t, &ln)
	default:
		if why, ok := transportRefusals[ln.Type]; ok {
			return ln, errorf(child(t.path, "type"), "%q transports are not supported by autobahn serve: %s", ln.Type, why)
		}
		return ln, errorf(child(t.path, "type"), "%q is not a transport type (websocket, rawsocket, web or universal)", ln.Type)
	}
	if err != nil {
		return ln, err
	}
	ln.Endpoint, err = l.endpoint(t)
	return ln, err
}

// websocketTransport reads a "websocket" transport: one WebSocket service
// on every path of its endpoint.
func (l *loader) websocketTransport(t obj, ln *Listener) error {
	ws, err := l.websocket(t, true)
	if err != nil {
		return err
	}
	ln.Routes = []Route{{Name: "/", WebSocket: ws}}
	return nil
}

// websocket reads a WebSocket service: a websocket transport (withEndpoint),
// a web path of type websocket, or an entry of a universal transport's
// websocket map.
func (l *loader) websocket(t obj, withEndpoint bool) (*WebSocketService, error) {
	known := []string{"type", "id", "url", "serializers", "debug", "options", "auth"}
	if withEndpoint {
		known = append(known, "endpoint")
	}
	if err := t.check(schema{known: known, refused: map[string]string{
		"cookie": "cookie tracking is not implemented",
	}}); err != nil {
		return nil, err
	}
	if err := commonKeys(t); err != nil {
		return nil, err
	}
	ws := &WebSocketService{}
	var err error
	if ws.Serializers, err = serializers(t, true); err != nil {
		return nil, err
	}
	if ws.Options, err = webSocketOptions(t); err != nil {
		return nil, err
	}
	if ws.Auth, err = l.auth(t); err != nil {
		return nil, err
	}
	return ws, nil
}

// commonKeys checks the keys of a WAMP transport that change nothing here:
// "url" (the URL clients use, which Crossbar.io uses for its status page)
// and "debug" (use autobahn serve -v).
func commonKeys(t obj) error {
	if u, ok, err := t.str("url"); err != nil {
		return err
	} else if ok {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "ws" && pu.Scheme != "wss") {
			return errorf(child(t.path, "url"), "want a ws:// or wss:// URL, got %q", u)
		}
	}
	_, err := t.boolean("debug", false)
	return err
}

// rawsocket reads a RawSocket service: a rawsocket transport
// (withEndpoint) or the rawsocket part of a universal transport.
func (l *loader) rawsocket(t obj, withEndpoint bool) (*RawSocketService, error) {
	known := []string{"type", "id", "serializers", "debug", "options", "auth"}
	if withEndpoint {
		known = append(known, "endpoint")
	}
	if err := t.check(schema{known: known}); err != nil {
		return nil, err
	}
	if _, err := t.boolean("debug", false); err != nil {
		return nil, err
	}
	rs := &RawSocketService{}
	var err error
	if rs.Serializers, err = serializers(t, false); err != nil {
		return nil, err
	}
	if rs.Options, err = rawSocketOptions(t); err != nil {
		return nil, err
	}
	if rs.Auth, err = l.auth(t); err != nil {
		return nil, err
	}
	return rs, nil
}

// serializers reads a transport's "serializers": names of serializers,
// each with its batched variant over WebSocket (as Crossbar.io offers
// them). Absent means every registered serializer.
func serializers(t obj, batched bool) ([]core.Serializer, error) {
	if !t.has("serializers") {
		return nil, nil
	}
	names, err := t.strings("serializers")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errorf(child(t.path, "serializers"), "empty: no client could connect")
	}
	var out []core.Serializer
	for i, name := range names {
		p := index(child(t.path, "serializers"), i)
		switch name {
		case "json", "msgpack", "cbor", "ubjson":
		case "flatbuffers":
			return nil, errorf(p, "\"flatbuffers\" is not implemented (json, msgpack, cbor, ubjson)")
		default:
			// A plugin's serializer ("plugins"), or one a program registered.
			if _, err := registry.Default.Serializer(name); err != nil {
				return nil, errorf(p, "%q is not a serializer (json, msgpack, cbor, ubjson, or one of a plugin)", name)
			}
		}
		s, err := registry.Default.Serializer(name)
		if err != nil {
			return nil, wrapErr(p, err)
		}
		if batched {
			b, err := registry.Default.Serializer(name + ".batched")
			if err != nil {
				return nil, wrapErr(p, err)
			}
			out = append(out, b)
		}
		out = append(out, s)
	}
	return out, nil
}

// webPath is Crossbar.io's rule for the names of web paths: one path
// component, or "/" for the root.
var webPath = regexp.MustCompile(`^([a-z0-9A-Z_\-]+|/)$`)

// webServiceRefusals are the web services of Crossbar.io that autobahn
// serve does not serve.
var webServiceRefusals = []string{
	"wsgi", "resource", "redirect", "reverseproxy", "websocket-reverseproxy", "json", "cgi", "longpoll",
	"publisher", "caller", "webhook", "path", "upload", "archive", "schemadoc", "fileupload", "wap", "rpc", "rest",
}

// webTransport reads a "web" transport: its paths and HTTP options.
func (l *loader) webTransport(t obj, ln *Listener) error {
	if err := t.check(schema{known: []string{"type", "id", "endpoint", "paths", "options"}}); err != nil {
		return err
	}
	return l.web(t, ln)
}

// web reads the "paths" and "options" of a web transport (or of a
// universal transport's "web" part) into ln.
func (l *loader) web(t obj, ln *Listener) error {
	paths, ok, err := t.object("paths")
	if err != nil {
		return err
	}
	if !ok || len(paths.m) == 0 {
		return errorf(paths.path, "missing or empty: a web transport needs paths to serve")
	}
	for _, name := range sortedKeys(paths.m) {
		p, err := asObj(child(paths.path, name), paths.m[name])
		if err != nil {
			return err
		}
		if !webPath.MatchString(name) {
			return errorf(p.path, "a web path is one path component of A-Z, a-z, 0-9, _ and - (or \"/\" for the root)")
		}
		r, err := l.webService(p, name)
		if err != nil {
			return err
		}
		ln.Routes = append(ln.Routes, r)
	}
	ln.Web, err = webOptions(t)
	return err
}

// webService reads one web path: a websocket, static or nodeinfo service.
func (l *loader) webService(p obj, name string) (Route, error) {
	r := Route{Name: name}
	typ, err := p.mustStr("type")
	if err != nil {
		return r, err
	}
	switch typ {
	case "websocket":
		r.WebSocket, err = l.websocket(p, false)
	case "static":
		r.Static, err = l.static(p)
	case "nodeinfo":
		if err = p.check(schema{known: []string{"type", "id"}}); err == nil {
			_, _, err = p.str("id")
		}
		r.NodeInfo = true
	default:
		for _, refused := range webServiceRefusals {
			if typ == refused {
				return r, errorf(child(p.path, "type"), "%q web services are not supported by autobahn serve (only static, websocket and nodeinfo)", typ)
			}
		}
		return r, errorf(child(p.path, "type"), "%q is not a web service type (autobahn serve has static, websocket and nodeinfo)", typ)
	}
	return r, err
}

// universal reads a "universal" transport: a RawSocket service, WebSocket
// services by path, and a web part, on one endpoint.
func (l *loader) universal(t obj, ln *Listener) error {
	err := t.check(schema{known: []string{"type", "id", "endpoint", "rawsocket", "websocket", "web"}, refused: map[string]string{
		"mqtt": "MQTT is not implemented",
	}})
	if err != nil {
		return err
	}
	if rs, ok, err := t.object("rawsocket"); err != nil {
		return err
	} else if ok {
		if err := wantType(rs, "rawsocket"); err != nil {
			return err
		}
		if ln.RawSocket, err = l.rawsocket(rs, false); err != nil {
			return err
		}
	}
	if w, ok, err := t.object("web"); err != nil {
		return err
	} else if ok {
		if err := w.check(schema{known: []string{"paths", "options"}}); err != nil {
			return err
		}
		if err := l.web(w, ln); err != nil {
			return err
		}
	}
	wsMap, ok, err := t.object("websocket")
	if err != nil {
		return err
	}
	if !ok && len(ln.Routes) == 0 && ln.RawSocket == nil {
		return errorf(t.path, "a universal transport needs rawsocket, websocket or web: it serves nothing")
	}
	for _, name := range sortedKeys(wsMap.m) {
		p, err := asObj(child(wsMap.path, name), wsMap.m[name])
		if err != nil {
			return err
		}
		if !webPath.MatchString(name) {
			return errorf(p.path, "a WebSocket path is one path component of A-Z, a-z, 0-9, _ and - (or \"/\" for the root)")
		}
		if err := wantType(p, "websocket"); err != nil {
			return err
		}
		ws, err := l.websocket(p, false)
		if err != nil {
			return err
		}
		ln.Routes = overrideRoute(ln.Routes, Route{Name: name, WebSocket: ws})
	}
	return nil
}

// wantType checks the optional "type" of a part of a universal transport.
func wantType(o obj, want string) error {
	typ, ok, err := o.str("type")
	if err != nil || !ok || typ == want {
		return err
	}
	return errorf(child(o.path, "type"), "want %q here, got %q", want, typ)
}

// overrideRoute puts r into routes, replacing a route of the same name: in
// a universal transport the WebSocket map is matched before the web part.
func overrideRoute(routes []Route, r Route) []Route {
	for i := range routes {
		if routes[i].Name == r.Name {
			routes[i] = r
			return routes
		}
	}
	return append(routes, r)
}
