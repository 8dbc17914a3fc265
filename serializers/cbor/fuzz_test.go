package cbor

import (
	"regexp"
	"testing"

	"github.com/autobahn-go/autobahn/serializers/internal/serialtest"
	fxcbor "github.com/fxamacker/cbor/v2"
)

// FuzzUnmarshal checks that no input makes Unmarshal panic or hang, that
// whatever decodes re-encodes to bytes that decode to the same value, and
// that the reference library decodes it to the same value too.
func FuzzUnmarshal(f *testing.F) {
	serialtest.AddFuzzSeeds(f, Object, goldenFile, []string{
		"1b8000000000000000", "3b7fffffffffffffff", "3b8000000000000000", "f93e00", "fa47c35000",
		"f90001", "f7", "f0", "f814", "1c", "ff", "5f42010243030405ff", "7f657374726561646d696e67ff",
		"9f018202039f0405ffff", "bf61610161629f0203ffff", "a17f6161ff01", "a10102", "a1416102",
		"d84043010203", "d9d9f78101", "c11a514b67b0", "c24a0000ffffffffffffffff", "c3487fffffffffffffff",
		"c249010000000000000000", "9bffffffffffffffff00", "8181818181818101", "c1c1c1c101",
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, ok := serialtest.FuzzRoundTrip(t, Object, data)
		if !ok {
			return
		}
		lib, hasTime, err := libDecode(data)
		if err != nil {
			// The library checks the content of the date/time tags 0 and 1,
			// which we unwrap without looking.
			if hasTimeTag(data) {
				return
			}
			t.Fatalf("library cannot decode %x that we decode to %s: %v", data, serialtest.Show(v), err)
		}
		if !hasTime && !serialtest.Same(lib, v) {
			t.Fatalf("Unmarshal(%x) = %s, library decodes %s", data, serialtest.Show(v), serialtest.Show(lib))
		}
	})
}

// timeTag finds tag 0 or 1 in diagnostic notation. It may also match inside
// a text string, which only skips a comparison.
var timeTag = regexp.MustCompile(`(^|[^0-9])[01]\(`)

// hasTimeTag reports whether data holds the date/time tag 0 or 1.
func hasTimeTag(data []byte) bool {
	diag, err := fxcbor.Diagnose(data)
	return err != nil || timeTag.MatchString(diag)
}
