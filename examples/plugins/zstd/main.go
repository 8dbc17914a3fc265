// Command zstd is an autobahn plugin that offers the payload codec "zstd":
// application payloads (args and kwargs, with the URI they belong to)
// compressed with Zstandard, so that large payloads cross the router
// smaller. Every peer of a topic or procedure needs the codec (and the same
// dictionary, when one is used).
//
//	autobahn call --plugin ./zstd --codec zstd --codec-opt level=best URL PROCEDURE ARG...
//
// The compression level and dictionary come from the flags (defaults for
// every codec of the process) or from the codec's config (keys "level" and
// "dict"), which a session gives with --codec-opt or in Go:
//
//	-level fastest|default|better|best   (or 1..4; default "default")
//	-dict FILE                           a Zstandard dictionary (zstd --train)
//
// A compressed payload travels as an encoded payload (enc_algo "zstd",
// enc_serializer "cbor"): the CBOR of [uri, args, kwargs], compressed.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin"
	"github.com/autobahn-go/autobahn/registry"
)

func main() {
	var defaults settings
	flag.StringVar(&defaults.level, "level", "default", "compression `level`: fastest, default, better, best or 1..4")
	flag.StringVar(&defaults.dict, "dict", "", "a Zstandard dictionary `FILE` (zstd --train); every peer needs the same")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "zstd plugin: unexpected argument %q\n", flag.Arg(0))
		os.Exit(1)
	}
	// Check the flags now, so that a bad one fails "autobahn --plugin"
	// at start with this message, not the first codec.
	if _, err := newCodec(defaults, nil); err != nil {
		fmt.Fprintf(os.Stderr, "zstd plugin: %v\n", err)
		os.Exit(1)
	}
	plugin.Serve(plugin.Offer{Codecs: map[string]registry.PayloadCodecFactory{
		"zstd": func(config map[string]any) (core.PayloadCodec, error) { return newCodec(defaults, config) },
	}})
}
