package plugin_test

import (
	"context"
	"log"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin/internal/xortest"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/wamp"
)

// A host starts a plugin binary, whose codecs and serializers are then
// registered like in-process ones, and makes a session's codec with its
// configuration. (Not run: it needs the binary.)
func ExampleLoad() {
	ctx := context.Background()
	h, err := plugin.Load(ctx, "./zstd", plugin.Options{Args: []string{"-level", "better"}})
	if err != nil {
		log.Fatal(err) // says what the plugin wrote to stderr
	}
	defer h.Close()
	codec, err := registry.NewPayloadCodec("zstd", map[string]any{"level": "best"})
	if err != nil {
		log.Fatal(err)
	}
	s, err := wamp.Dial(ctx, "ws://127.0.0.1:8080/ws", core.TransportConfig{}, wamp.Config{PayloadCodec: codec})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close(ctx)
}

// A plugin binary's main serves what it offers. (Not run: the host starts
// it.)
func ExampleServe() {
	plugin.Serve(plugin.Offer{
		Codecs:      map[string]registry.PayloadCodecFactory{"xor": xortest.New},
		Serializers: nil, // core.ObjectSerializer values: bson.New(), …
	})
}
