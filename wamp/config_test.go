package wamp

import (
	"strings"
	"testing"
	"time"
)

func TestTransportFromMap(t *testing.T) {
	tr, err := TransportFromMap(map[string]any{
		"type": "websocket", "url": "ws://127.0.0.1:8080/ws", "serializers": []any{"msgpack", "json"},
		"options":     map[string]any{"autoPingInterval": int64(10)},
		"headers":     map[string]any{"X-Token": "abc"},
		"proxy":       map[string]any{"type": "socks5", "host": "127.0.0.1", "port": int64(1080)},
		"max_retries": int64(5), "initial_retry_delay": 0.5, "max_retry_delay": int64(30),
		"retry_delay_growth": 2.0, "retry_delay_jitter": 0.2,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := tr.Config
	if tr.URL != "ws://127.0.0.1:8080/ws" || len(c.Serializers) != 2 || c.Serializers[0].Name() != "msgpack" ||
		c.Headers.Get("X-Token") != "abc" || c.Proxy.String() != "socks5://127.0.0.1:1080" || tr.MaxRetries != 5 ||
		tr.InitialRetryDelay != 500*time.Millisecond || tr.MaxRetryDelay != 30*time.Second || tr.RetryDelayGrowth != 2 || tr.RetryDelayJitter != 0.2 {
		t.Fatalf("transport %+v", tr)
	}
	for in, want := range map[int64]int{-1: 0, 0: -1, 3: 3} {
		tr, _ := TransportFromMap(map[string]any{"url": "rs://h:1", "max_retries": in}, nil)
		if tr.MaxRetries != want {
			t.Errorf("max_retries %d → %d, want %d", in, tr.MaxRetries, want)
		}
	}
	if tr, err := TransportFromMap("rs://127.0.0.1:8081", nil); err != nil || tr.URL != "rs://127.0.0.1:8081" {
		t.Fatalf("URL string: %v, %v", tr, err)
	}
	for _, tc := range []struct {
		in   any
		want string
	}{
		{map[string]any{"url": "ws://h/ws", "endpoint": map[string]any{}}, "endpoint: not supported"},
		{map[string]any{"url": "ws://h/ws", "retry_delay": 1}, "retry_delay: unknown key"},
		{map[string]any{"type": "websocket"}, "url is missing"},
		{map[string]any{"type": "rawsocket", "url": "ws://h/ws"}, "does not go with"},
		{map[string]any{"url": "ws://h/ws", "serializers": []any{"bson"}}, "serializers"},
		{map[string]any{"url": "ws://h/ws", "retry_delay_growth": -1}, "retry_delay_growth"},
		{42, "want a URL or a dict"},
	} {
		if _, err := TransportFromMap(tc.in, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error with %q", tc.in, err, tc.want)
		}
	}
}
