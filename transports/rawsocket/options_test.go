package rawsocket

import (
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

func TestOptionsFromMap(t *testing.T) {
	tests := []struct {
		in      map[string]any
		want    Options
		wantErr string
	}{
		{in: map[string]any{}, want: Options{}},
		{in: map[string]any{"maxMessagePayloadSize": 65536}, want: Options{MaxMessagePayloadSize: 65536}},
		{in: map[string]any{"max_message_payload_size": float64(1000)}, want: Options{MaxMessagePayloadSize: 1000}},
		{in: map[string]any{"max_message_size": int64(131072)}, want: Options{MaxMessagePayloadSize: 131072}},
		{in: map[string]any{"openHandshakeTimeout": 2.5, "close_timeout": "250ms", "write_timeout": 1}, want: Options{OpenHandshakeTimeout: 2500 * time.Millisecond, CloseHandshakeTimeout: 250 * time.Millisecond, Queue: core.QueueOptions{StallTimeout: time.Second}}},
		{in: map[string]any{"maxConnections": 10, "tcpNoDelay": false, "send_queue_size": 4096, "minPeerMaxMessageSize": 1024}, want: Options{MaxConnections: 10, DisableTCPNoDelay: true, Queue: core.QueueOptions{MaxBytes: 4096}, MinPeerMaxMessageSize: 1024}},
		{in: map[string]any{"tcp_nodelay": true}, want: Options{}},
		{in: map[string]any{"autoPingInterval": 10}, wantErr: `unknown option "autoPingInterval"`},
		{in: map[string]any{"maxMessagePayloadSize": 1 << 25}, wantErr: "out of range"},
		{in: map[string]any{"maxMessagePayloadSize": 0}, wantErr: "out of range"},
		{in: map[string]any{"maxMessagePayloadSize": 1.5}, wantErr: "want an integer"},
		{in: map[string]any{"maxMessagePayloadSize": "big"}, wantErr: "want an integer"},
		{in: map[string]any{"maxConnections": -1}, wantErr: "negative"},
		{in: map[string]any{"tcpNoDelay": "yes"}, wantErr: "want a bool"},
		{in: map[string]any{"handshake_timeout": "soon"}, wantErr: "handshake_timeout"},
		{in: map[string]any{"handshake_timeout": []any{}}, wantErr: "want a number of seconds"},
		{in: map[string]any{"write_timeout": -1}, wantErr: "0..1e9"},
		{in: map[string]any{"slow_peer_policy": "drop", "sendQueueMessages": 10, "stallTimeout": 0, "log_frames": true, "logOctets": true, "trackTimings": true, "frame_timeout": 2},
			want: Options{Queue: core.QueueOptions{Policy: core.SlowPeerDrop, MaxMessages: 10, StallTimeout: -1}, LogFrames: true, LogOctets: true, TrackTimings: true, FrameTimeout: 2 * time.Second}},
		{in: map[string]any{"slowPeerPolicy": "later"}, wantErr: "unknown slow-peer policy"},
	}
	for _, tc := range tests {
		got, err := OptionsFromMap(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("OptionsFromMap(%v): %v; want error containing %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("OptionsFromMap(%v) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestOptionsResolved(t *testing.T) {
	tests := []struct {
		size, want int
	}{
		{0, MaxMessageSize}, {1, 512}, {512, 512}, {513, 1024}, {1000, 1024}, {65536, 65536}, {65537, 131072}, {MaxMessageSize - 1, MaxMessageSize}, {MaxMessageSize, MaxMessageSize},
	}
	for _, tc := range tests {
		o, err := Options{MaxMessagePayloadSize: tc.size}.resolved()
		if err != nil || o.MaxMessagePayloadSize != tc.want {
			t.Errorf("MaxMessagePayloadSize %d resolves to %d (%v), want %d", tc.size, o.MaxMessagePayloadSize, err, tc.want)
		}
	}
	o, _ := Options{}.resolved()
	if o.OpenHandshakeTimeout != DefaultOpenHandshakeTimeout || o.CloseHandshakeTimeout != DefaultCloseHandshakeTimeout || o.FrameTimeout != DefaultFrameTimeout ||
		o.Queue.MaxBytes != core.DefaultQueueMaxBytes || o.Queue.StallTimeout != core.DefaultQueueStallTimeout || o.Logger == nil {
		t.Errorf("defaults: %+v", o)
	}
	if _, err := (Options{MaxMessagePayloadSize: MaxMessageSize + 1}).resolved(); err == nil {
		t.Error("MaxMessageSize above 16 MiB accepted")
	}
}

func TestLengthExp(t *testing.T) {
	for exp := range 16 {
		size := 1 << (9 + exp)
		if got := lengthExp(size); int(got) != exp {
			t.Errorf("lengthExp(%d) = %d, want %d", size, got, exp)
		}
		if exp > 0 {
			if got := lengthExp(size/2 + 1); int(got) != exp {
				t.Errorf("lengthExp(%d) = %d, want %d", size/2+1, got, exp)
			}
		}
	}
}
