package plugin_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/cryptobox"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin/internal/xortest"
	"github.com/autobahn-go/autobahn/serializers/cbor"
)

// payload1K is the benchmarks' payload: 1 KiB of bytes and a small map.
var payload1K = func() []any {
	b := make([]byte, 1024-24)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return []any{b, "com.example.payload", int64(42)}
}()

// op is one payload's trip: encoded, then decoded.
type op func(ctx context.Context) error

func codecOp(c core.PayloadCodec) op {
	return func(ctx context.Context) error {
		enc, err := c.Encode(ctx, true, "com.example.topic", payload1K, nil)
		if err != nil {
			return err
		}
		_, _, _, err = c.Decode(ctx, false, "com.example.topic", enc)
		return err
	}
}

// plainOp is the baseline without a codec: the payload is serialized
// (CBOR) and parsed once, as a message carrying it in the clear would be.
func plainOp(context.Context) error {
	b, err := cbor.Object.Marshal(nil, []any{"com.example.topic", payload1K})
	if err != nil {
		return err
	}
	_, err = cbor.Object.Unmarshal(b)
	return err
}

// runCallers runs n ops spread over callers goroutines and returns the
// wall time.
func runCallers(tb testing.TB, callers, n int, o op) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	ctx := context.Background()
	start := time.Now()
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := o(ctx); err != nil {
					tb.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// BenchmarkCodec1KiB measures a 1 KiB payload encoded and decoded with no
// codec (plain: serialized and parsed), with cryptobox in process, and
// with the same codec in the test plugin, by N concurrent callers: what
// issue 10 asks for, all in one run. ns/op is wall time per payload (so
// payloads/s = 1e9 / ns/op); the plugin's runs also report x-inproc,
// their time over the in-process codec's, measured in the same run with
// the same callers, and the CPU time per payload of the host and of the
// plugin process (wall time on a shared machine is noisy, CPU time much
// less). PLUGIN_BENCH_ENV gives the plugin an environment (GOMAXPROCS=1,
// say), PLUGIN_BENCH_PROFILE a CPU profile of it.
func BenchmarkCodec1KiB(b *testing.B) {
	priv, _, err := cryptobox.GenerateKeyPair(nil)
	if err != nil {
		b.Fatal(err)
	}
	// One private key for both sides: the originator's Encode and the
	// responder's Decode then work with the one ring.
	config := map[string]any{cryptobox.ConfigKeys: `[{"uri": "", "key": "` + priv + `"}]`}
	var args []string
	if f := os.Getenv("PLUGIN_BENCH_PROFILE"); f != "" {
		args = []string{"-cpuprofile", f}
	}
	h, reg := load(b, plugin.Options{Env: strings.Fields(os.Getenv("PLUGIN_BENCH_ENV"))}, args...)
	// cryptobox, which issue 10 names, and xor, a codec that costs little
	// itself, so that the plugin's own overhead shows.
	codecs := []struct {
		name   string
		config map[string]any
		make   func(map[string]any) (core.PayloadCodec, error)
	}{
		{cryptobox.Algo, config, cryptobox.NewFromConfig},
		{"xor", nil, xortest.New},
	}
	for _, callers := range []int{1, 16, 64, 256} {
		report := func(b *testing.B, d time.Duration) {
			b.ReportMetric(float64(b.N)/d.Seconds(), "payloads/s")
		}
		b.Run(fmt.Sprintf("plain/callers=%d", callers), func(b *testing.B) {
			report(b, runCallers(b, callers, b.N, plainOp))
		})
		for _, c := range codecs {
			inproc, err := c.make(c.config)
			if err != nil {
				b.Fatal(err)
			}
			remote, err := reg.NewPayloadCodec(c.name, c.config)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s-inproc/callers=%d", c.name, callers), func(b *testing.B) {
				cpu := processCPU()
				report(b, runCallers(b, callers, b.N, codecOp(inproc)))
				b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(b.N), "host-cpu-ns/op")
			})
			b.Run(fmt.Sprintf("%s-plugin/callers=%d", c.name, callers), func(b *testing.B) {
				// The baseline: the in-process codec with the same callers,
				// the faster of a run before and one after (the machine's
				// load varies).
				const baseN = 5000
				base := runCallers(b, callers, baseN, codecOp(inproc)).Seconds() / baseN
				b.ResetTimer()
				hostCPU, pluginCPU := processCPU(), threadsCPU(h.Stats().Pid)
				d := runCallers(b, callers, b.N, codecOp(remote))
				hostCPU, pluginCPU = processCPU()-hostCPU, threadsCPU(h.Stats().Pid)-pluginCPU
				report(b, d)
				b.StopTimer()
				base = min(base, runCallers(b, callers, baseN, codecOp(inproc)).Seconds()/baseN)
				b.ReportMetric(d.Seconds()/float64(b.N)/base, "x-inproc")
				// CPU time per payload, which the load of other processes on
				// the machine does not change as it changes wall time.
				b.ReportMetric(float64(hostCPU.Nanoseconds())/float64(b.N), "host-cpu-ns/op")
				if pluginCPU > 0 {
					b.ReportMetric(float64(pluginCPU.Nanoseconds())/float64(b.N), "plugin-cpu-ns/op")
				}
			})
		}
	}
}

// processCPU is the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// threadsCPU is the CPU time process pid has used, from the scheduler
// statistics of its threads (0 where there is no /proc).
func threadsCPU(pid int) time.Duration {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		var ns int64
		fmt.Sscan(string(b), &ns)
		sum += time.Duration(ns)
	}
	return sum
}
