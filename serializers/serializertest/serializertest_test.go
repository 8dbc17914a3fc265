package serializertest_test

import (
	"math/rand/v2"
	"testing"

	"github.com/autobahn-go/autobahn/serializers/msgpack"
	"github.com/autobahn-go/autobahn/serializers/serializertest"
)

// TestSuiteOnMsgpack runs the re-exported suite on a serializer of this
// module, as a serializer outside it would.
func TestSuiteOnMsgpack(t *testing.T) {
	suite := serializertest.Binary{Object: msgpack.Object, Plain: msgpack.Serializer, Batched: msgpack.Batched, RawSocketID: 2}
	suite.CheckRegistered(t)
	suite.CheckSerialize(t)
	suite.CheckUnserialize(t)
	r := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		data, err := msgpack.Object.Marshal(nil, serializertest.RandomValue(r, 0))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := serializertest.FuzzRoundTrip(t, msgpack.Object, data); !ok {
			t.Fatalf("msgpack rejects its own %x", data)
		}
	}
}
