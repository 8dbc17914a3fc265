package msgpack

import (
	"testing"

	"github.com/autobahn-go/autobahn/serializers/internal/serialtest"
)

// goldenFile holds how Autobahn|Python's MessagePack serializer encodes each
// value of serialtest.GoldenValues. Regenerate it from the serializers
// directory with:
//
//	/usr/bin/python3 internal/serialtest/golden.py msgpack
const goldenFile = "testdata/golden.json"

// TestGoldenPython checks that every value encodes to exactly the bytes of
// Autobahn|Python and that Python's bytes decode to the value.
func TestGoldenPython(t *testing.T) {
	serialtest.CheckGolden(t, Object, goldenFile)
}
