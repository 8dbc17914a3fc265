package wire

import (
	"bytes"
	"testing"
)

func TestCursor(t *testing.T) {
	b := []byte{OpDecode}
	b = AppendBool(b, true)
	b = AppendString(b, "com.example")
	b = AppendBytes(b, []byte{1, 2, 3})
	b = AppendString(b, "")
	cur := NewCursor(b)
	if op, orig, uri, p, empty := cur.Byte(), cur.Bool(), cur.Str(), cur.Bytes(), cur.StrLike(""); op != OpDecode || !orig || uri != "com.example" || !bytes.Equal(p, []byte{1, 2, 3}) || empty != "" {
		t.Fatalf("read %d %v %q %v %q", op, orig, uri, p, empty)
	}
	if cur.End(); cur.Err() != nil {
		t.Fatal(cur.Err())
	}
	// Every shorter body is an error, not a panic.
	for n := range len(b) - 1 {
		cur := NewCursor(b[:n])
		cur.Byte()
		cur.Bool()
		cur.Str()
		cur.Bytes()
		cur.Str()
		if cur.End(); cur.Err() == nil {
			t.Errorf("%d bytes: no error", n)
		}
	}
	// A length past the end, a flag that is not 0 or 1, bytes left over.
	for _, bad := range [][]byte{{0x7f, 'a'}, {2}, {0, 0}} {
		cur := NewCursor(bad)
		if bad[0] == 2 {
			cur.Bool()
		} else {
			cur.Str()
		}
		if cur.End(); cur.Err() == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
