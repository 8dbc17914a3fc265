package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
)

// The request stream is a Unix-domain socket that the plugin listens on
// and names in its Describe answer, not a gRPC stream: gRPC's framing,
// flow control and per-message buffers were a fifth of either process's
// CPU time per payload, and its message buffers most of the host's
// garbage. On the socket, items simply follow each other (header, then
// body), in both directions.

// SocketFile is the name of the socket in the plugin's private directory.
const SocketFile = "stream.sock"

// Listen listens on a socket in a new directory that only this user can
// enter, so that no other user can connect to the plugin. The plugin
// removes both (RemoveSocket) once the host has connected or it exits.
func Listen() (*net.UnixListener, string, error) {
	dir, err := os.MkdirTemp("", "autobahn-plugin-")
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(dir, SocketFile)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		os.Remove(dir)
		return nil, "", err
	}
	ln.SetUnlinkOnClose(true)
	return ln, path, nil
}

// RemoveSocket removes a socket made by Listen and its directory; only
// an empty directory is removed, so a wrong path removes nothing else.
func RemoveSocket(path string) {
	if filepath.Base(path) != SocketFile {
		return
	}
	os.Remove(path)
	os.Remove(filepath.Dir(path))
}

// slabSize is the size of a Reader's buffer: room for a few dozen 1 KiB
// items, read with one system call when they are there, and small enough
// that a payload a caller keeps (which aliases its slab) pins little.
const slabSize = 32 << 10

// ErrItem is the error of an item header that cannot be right.
var ErrItem = errors.New("malformed item")

// Reader reads the items of a stream into large buffers that it never
// writes again once it has returned a body in them: a body (and what a
// decoder aliases of it) stays valid for as long as it is referenced, at
// the cost of one allocation per slab instead of one per message.
type Reader struct {
	r    io.Reader
	buf  []byte // the current slab
	head int    // start of the unread bytes in buf
	tail int    // end of the read bytes in buf
}

// NewReader reads items from r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

// Next returns the next item; body aliases the reader's buffer, which is
// not reused.
func (rd *Reader) Next() (id uint64, body []byte, err error) {
	if err := rd.fill(HeaderSize); err != nil {
		return 0, nil, err
	}
	id = binary.BigEndian.Uint64(rd.buf[rd.head:])
	size := binary.BigEndian.Uint32(rd.buf[rd.head+8:])
	if size > MaxMessage {
		return 0, nil, fmt.Errorf("%w: item %d has %d bytes, more than %d", ErrItem, id, size, MaxMessage)
	}
	rd.head += HeaderSize
	if err := rd.fill(int(size)); err != nil {
		return 0, nil, err
	}
	body = rd.buf[rd.head : rd.head+int(size) : rd.head+int(size)]
	rd.head += int(size)
	return id, body, nil
}

// fill reads until n unread bytes are buffered. When the slab has no room
// for them, the unread bytes move to a new slab: the old one may hold
// bodies still in use.
func (rd *Reader) fill(n int) error {
	if rd.tail-rd.head >= n {
		return nil
	}
	if len(rd.buf)-rd.head < n {
		slab := make([]byte, max(slabSize, n))
		rd.tail = copy(slab, rd.buf[rd.head:rd.tail])
		rd.buf, rd.head = slab, 0
	}
	for rd.tail-rd.head < n {
		m, err := rd.r.Read(rd.buf[rd.tail:])
		rd.tail += m
		if err != nil {
			if rd.tail-rd.head >= n {
				return nil
			}
			if errors.Is(err, io.EOF) && rd.tail > rd.head {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// Writer writes the items queued on a channel to w, as many as are queued
// at the time in one system call (writev), up to MaxBatch bytes, and
// returns them to the pool once written: the write is synchronous, so
// the requests that queue meanwhile go together in the next one. It
// returns when done is closed or a write fails.
func Writer(w net.Conn, queue <-chan *Item, done <-chan struct{}) error {
	var batch []*Item
	var bufs net.Buffers
	for {
		select {
		case it := <-queue:
			batch = append(batch[:0], it)
		case <-done:
			return nil
		}
		// Let the goroutines that are about to queue an item (callers
		// woken by the last answers, handlers finishing) do so first:
		// fewer, fuller writes (measured: 10–20 % less host CPU per
		// payload at 64–256 callers).
		runtime.Gosched()
		size := len(batch[0].B)
	more:
		for size < MaxBatch {
			select {
			case it := <-queue:
				batch = append(batch, it)
				size += len(it.B)
			default:
				break more
			}
		}
		bufs = bufs[:0]
		for _, it := range batch {
			bufs = append(bufs, it.B)
		}
		v := bufs // WriteTo consumes its receiver
		_, err := v.WriteTo(w)
		for i, it := range batch {
			FreeItem(it)
			batch[i] = nil
		}
		if err != nil {
			return err
		}
	}
}

// Buffered is the number of bytes read and not yet returned: items that
// arrived with the last one.
func (rd *Reader) Buffered() int { return rd.tail - rd.head }
