// Command bson is an autobahn plugin that serves the BSON serializer of
// examples/custom-serializer/bson out of process: a host that loads it
// ("autobahn serve --plugin ./bson", or plugin.Load in Go) speaks
// wamp.2.bson and wamp.2.bson.batched on WebSocket and RawSocket id 15 on
// RawSocket, without BSON compiled in.
//
//	go build -o bson ./examples/plugins/bson
//	autobahn serve --plugin ./bson
//	autobahn call rs://127.0.0.1:8081 com.example.add2 1 2 --plugin ./bson --serializer bson
//
// It takes no flags and needs no environment.
package main

import (
	"fmt"
	"os"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/examples/custom-serializer/bson"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin"
)

func main() {
	if len(os.Args) > 1 {
		fmt.Fprintf(os.Stderr, "bson plugin: unexpected argument %q (it takes none)\n", os.Args[1])
		os.Exit(1)
	}
	// The package's init registered BSON with this process's registry,
	// which nothing here uses: the host registers what Serve offers.
	plugin.Serve(plugin.Offer{Serializers: []core.ObjectSerializer{bson.New()}})
}
