//go:build !unix

package netutil

import "syscall"

type rawConn = syscall.RawConn

// newTryWriter: writes without waiting are implemented for Unix systems
// only; elsewhere every message goes through the transport's writer.
func newTryWriter(syscall.Conn) (TryWriter, bool) { return TryWriter{}, false }

func (w TryWriter) write([]byte) int { return 0 }
