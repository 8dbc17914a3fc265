package wamp

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/optmap"
	"github.com/autobahn-go/autobahn/registry"
)

// TransportFromMap reads one transport of an Autobahn component config
// (the dicts of Component(transports=[...]), as JSON or YAML decode them):
// type (websocket or rawsocket), url, serializers (or serializer),
// options (the transport's options, by Autobahn's names), headers, proxy
// ({"type": "http"|"socks5", "host", "port"} or a URL), max_retries,
// initial_retry_delay, max_retry_delay, retry_delay_growth,
// retry_delay_jitter. A plain string is a URL. Unknown keys, and keys of
// features this library does not have (endpoint: the URL says where), are
// errors that name the key.
func TransportFromMap(v any, reg *registry.Registry) (Transport, error) {
	if reg == nil {
		reg = registry.Default
	}
	if s, ok := v.(string); ok {
		return Transport{URL: s}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return Transport{}, fmt.Errorf("wamp: transport config: want a URL or a dict, got %T", v)
	}
	var t Transport
	var kind string
	for k, val := range m {
		var err error
		switch k {
		case "type":
			kind, _ = val.(string)
			if kind != "websocket" && kind != "rawsocket" {
				err = fmt.Errorf("want websocket or rawsocket, got %v", val)
			}
		case "url":
			t.URL, _ = val.(string)
			if t.URL == "" {
				err = fmt.Errorf("want a URL string, got %v", val)
			}
		case "serializer", "serializers":
			err = readSerializers(val, reg, &t.Config)
		case "options":
			if _, ok := val.(map[string]any); !ok {
				err = fmt.Errorf("want a dict of options, got %T", val)
			}
			t.Config.Options = val
		case "headers":
			t.Config.Headers, err = readHeaders(val)
		case "proxy":
			t.Config.Proxy, err = readProxy(val)
		case "max_retries":
			var n int64
			if n, err = optmap.Int64(val); err == nil {
				t.MaxRetries = retriesOf(n)
			}
		case "initial_retry_delay":
			t.InitialRetryDelay, err = optmap.Seconds(val)
		case "max_retry_delay":
			t.MaxRetryDelay, err = optmap.Seconds(val)
		case "retry_delay_growth":
			t.RetryDelayGrowth, err = positive(val)
		case "retry_delay_jitter":
			t.RetryDelayJitter, err = positive(val)
		case "endpoint":
			err = fmt.Errorf("not supported: give the router's address in url")
		default:
			err = fmt.Errorf("unknown key")
		}
		if err != nil {
			return Transport{}, fmt.Errorf("wamp: transport config: %s: %w", k, err)
		}
	}
	if t.URL == "" {
		return Transport{}, fmt.Errorf("wamp: transport config: url is missing")
	}
	scheme, _, _ := strings.Cut(t.URL, "://")
	if kind == "websocket" && scheme != "ws" && scheme != "wss" || kind == "rawsocket" && scheme != "rs" && scheme != "rss" && scheme != "tcp" && scheme != "unix" {
		return Transport{}, fmt.Errorf("wamp: transport config: type %s does not go with url %s", kind, t.URL)
	}
	return t, nil
}

// retriesOf maps Autobahn's max_retries (-1 unlimited, 0 none, n) to
// Transport.MaxRetries (0 unlimited, negative none, n).
func retriesOf(n int64) int {
	switch {
	case n < 0:
		return 0
	case n == 0:
		return -1
	}
	return int(min(n, math.MaxInt32))
}

func positive(v any) (float64, error) {
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	default:
		i, err := optmap.Int64(v)
		if err != nil {
			return 0, err
		}
		f = float64(i)
	}
	if !(f > 0) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("want a positive number, got %v", v)
	}
	return f, nil
}

func readSerializers(v any, reg *registry.Registry, cfg *core.TransportConfig) error {
	names, err := optmap.Strings(v)
	if err != nil {
		if s, ok := v.(string); ok {
			names = []string{s}
		} else {
			return err
		}
	}
	for _, n := range names {
		ser, err := reg.Serializer(n)
		if err != nil {
			return err
		}
		cfg.Serializers = append(cfg.Serializers, ser)
	}
	return nil
}

func readHeaders(v any) (http.Header, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a dict of header values, got %T", v)
	}
	h := make(http.Header, len(m))
	for k, val := range m {
		s, ok := val.(string)
		if !ok {
			return nil, fmt.Errorf("header %s: want a string, got %T", k, val)
		}
		h.Set(k, s)
	}
	return h, nil
}

func readProxy(v any) (*url.URL, error) {
	if s, ok := v.(string); ok {
		return url.Parse(s)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a URL or {type, host, port}, got %T", v)
	}
	kind, _ := m["type"].(string)
	if kind == "" {
		kind = "http"
	}
	if !slices.Contains([]string{"http", "socks5"}, kind) {
		return nil, fmt.Errorf("type: want http or socks5, got %q", kind)
	}
	host, _ := m["host"].(string)
	port, err := optmap.Int64(m["port"])
	if host == "" || err != nil || port <= 0 || port > 65535 {
		return nil, fmt.Errorf("want host and port (1..65535)")
	}
	return &url.URL{Scheme: kind, Host: fmt.Sprintf("%s:%d", host, port)}, nil
}
