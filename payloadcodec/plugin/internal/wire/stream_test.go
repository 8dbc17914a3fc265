package wire

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// TestReaderKeepsBodies reads items that straddle slabs, one larger than
// a slab and an empty one, a byte per Read, and checks that every body
// returned earlier is still intact at the end (slabs are never reused).
func TestReaderKeepsBodies(t *testing.T) {
	sizes := []int{0, 1, 1000, slabSize - HeaderSize - 5, 3 * slabSize, 7, slabSize, 12}
	var stream []byte
	for i, n := range sizes {
		it := NewItem()
		it.B = append(it.B, bytes.Repeat([]byte{byte(i + 1)}, n)...)
		stream = append(stream, it.Seal(uint64(100+i)).B...)
	}
	for name, r := range map[string]io.Reader{"whole": bytes.NewReader(stream), "byte by byte": iotest.OneByteReader(bytes.NewReader(stream))} {
		rd := NewReader(r)
		var bodies [][]byte
		for i, n := range sizes {
			id, body, err := rd.Next()
			if err != nil || id != uint64(100+i) || len(body) != n {
				t.Fatalf("%s: item %d: id %d, %d bytes, %v", name, i, id, len(body), err)
			}
			bodies = append(bodies, body)
		}
		for i, b := range bodies {
			if !bytes.Equal(b, bytes.Repeat([]byte{byte(i + 1)}, sizes[i])) {
				t.Errorf("%s: body %d changed", name, i)
			}
		}
		if _, _, err := rd.Next(); err != io.EOF {
			t.Errorf("%s: at the end: %v", name, err)
		}
	}
}

func TestReaderErrors(t *testing.T) {
	it := NewItem()
	it.B = append(it.B, "abc"...)
	whole := it.Seal(1).B
	if _, _, err := NewReader(bytes.NewReader(whole[:len(whole)-1])).Next(); err != io.ErrUnexpectedEOF {
		t.Errorf("cut short: %v", err)
	}
	huge := append([]byte(nil), whole[:HeaderSize]...)
	huge[8] = 0xff // a length of more than MaxMessage
	if _, _, err := NewReader(bytes.NewReader(huge)).Next(); !errors.Is(err, ErrItem) {
		t.Errorf("huge: %v", err)
	}
}
