// Command testplugin is the plugin the tests of package plugin build and
// load. It offers the codecs "xor" (package internal/xortest) and
// "cryptobox" (package payloadcodec/cryptobox, for the benchmarks) and the serializer
// "testjson" (JSON under another name, RawSocket id 9), and misbehaves on
// demand:
//
//	-fail-start   writes a reason to stderr and exits before the handshake
//	-print-env    writes its environment to stderr and exits likewise
//	-garbage      answers every request with bytes that are not CBOR
//	-cpuprofile FILE   profiles the plugin (benchmarks: PLUGIN_BENCH_PROFILE)
//
// and for payloads whose first argument is "crash" (exits), "hang" (never
// answers) or "panic" (the codec panics).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/cryptobox"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin/internal/xortest"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/serializers/json"
)

func main() {
	failStart := flag.Bool("fail-start", false, "exit before the handshake")
	printEnv := flag.Bool("print-env", false, "write the environment to stderr and exit before the handshake")
	garbage := flag.Bool("garbage", false, "answer garbage")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to `FILE` until the host lets the plugin go")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *printEnv {
		fmt.Fprintln(os.Stderr, strings.Join(os.Environ(), " "))
		os.Exit(1)
	}
	if *failStart {
		fmt.Fprintln(os.Stderr, "testplugin: cannot open /nonexistent/model.bin: no such file")
		os.Exit(1)
	}
	if *garbage {
		serveGarbage()
		return
	}
	xortest.Hook = misbehave
	plugin.Serve(plugin.Offer{
		Codecs:      map[string]registry.PayloadCodecFactory{"xor": xortest.New, "cryptobox": cryptobox.NewFromConfig},
		Serializers: []core.ObjectSerializer{renamed{json.Object}},
	})
}

// misbehave runs as the codec's hook.
func misbehave(arg any) {
	switch arg {
	case "crash":
		log.Print("testplugin: crashing as asked")
		os.Exit(3)
	case "hang":
		time.Sleep(time.Hour)
	case "panic":
		panic("xor: asked to panic")
	}
}

// renamed is JSON under the name "testjson" and RawSocket id 9.
type renamed struct{ core.ObjectSerializer }

func (renamed) Name() string      { return "testjson" }
func (renamed) RawSocketID() byte { return 9 }
