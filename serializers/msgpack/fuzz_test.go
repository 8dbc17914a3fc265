package msgpack

import (
	"testing"

	"github.com/autobahn-go/autobahn/serializers/internal/serialtest"
)

// FuzzUnmarshal checks that no input makes Unmarshal panic or hang, that
// whatever decodes re-encodes to bytes that decode to the same value, and
// that the reference library decodes it to the same value too.
func FuzzUnmarshal(f *testing.F) {
	serialtest.AddFuzzSeeds(f, Object, goldenFile, []string{
		"cf8000000000000000", "d38000000000000000", "ca3fc00000", "c1", "d40100",
		"c70105 00", "81 01 02", "81 c4 01 61 02", "dd ffffffff c0", "df ffffffff c0c0",
		"92 91 01", "de0001a16101", "82a16101a16102", "9191919191919101",
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, ok := serialtest.FuzzRoundTrip(t, Object, data)
		if !ok {
			return
		}
		lib, err := libDecode(data)
		if err != nil {
			t.Fatalf("library cannot decode %x that we decode to %s: %v", data, serialtest.Show(v), err)
		}
		if !serialtest.Same(lib, v) {
			t.Fatalf("Unmarshal(%x) = %s, library decodes %s", data, serialtest.Show(v), serialtest.Show(lib))
		}
	})
}
