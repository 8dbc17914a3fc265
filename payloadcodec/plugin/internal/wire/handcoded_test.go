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
	// Values: a list, a map, nil for either, and one of the wrong kind.
	b = nil
	for _, v := range []any{[]any{[]byte{1}, "x", int64(-3)}, map[string]any{"k": true}, nil, nil, "s"} {
		var err error
		if b, err = AppendValue(b, v); err != nil {
			t.Fatal(err)
		}
	}
	cur = NewCursor(b)
	l, m, nl, nm := cur.List(), cur.Map(), cur.List(), cur.Map()
	if cur.Err() != nil || len(l) != 3 || l[1] != "x" || l[2] != int64(-3) || m["k"] != true || nl != nil || nm != nil {
		t.Fatalf("values: %v %v %v %v %v", l, m, nl, nm, cur.Err())
	}
	if cur.List(); cur.Err() == nil {
		t.Error("a string read as a list")
	}
	if cur := NewCursor(b[:len(b)-1]); cur.List() == nil || cur.Map() == nil || cur.List() != nil || cur.Map() != nil || cur.Value() != nil || cur.Err() == nil {
		t.Error("a value cut short: no error")
	}
}
