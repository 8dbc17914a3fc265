package memory_test

import (
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/transports/memory"
	"github.com/autobahn-go/autobahn/transports/transporttest"
)

func harness(ser core.Serializer, maxSize int) transporttest.Harness {
	return transporttest.Harness{
		Connect: func(t *testing.T, client, server core.TransportHandler, opts transporttest.Options) {
			_, _, err := memory.Pair(client, server, memory.Options{Serializer: ser, MaxMessageSize: maxSize, Queue: opts.ClientQueue})
			if err != nil {
				t.Fatal(err)
			}
		},
		Serializer:     ser,
		MaxMessageSize: maxSize,
	}
}

func TestConformancePassThrough(t *testing.T) {
	transporttest.Run(t, harness(nil, 0))
}

func TestConformanceSerialized(t *testing.T) {
	transporttest.Run(t, harness(json.Serializer, 1<<20))
}
