package plugin

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
)

// stderrTail collects what the plugin writes: its stderr (file descriptor
// 2: what log, slog and the Go runtime write, a crash's panic included) and
// what go-plugin forwards of os.Stdout and os.Stderr, which it redirects in
// the plugin. It logs each line and keeps the last ones, so that an error
// about the plugin (it did not start, it crashed) can show what the plugin
// said.
type stderrTail struct {
	name   string
	logger *slog.Logger

	mu    sync.Mutex
	lines []string
}

const tailLines = 20

// source is one of the plugin's output streams, assembling its lines.
type source struct {
	t    *stderrTail
	line []byte
}

func (t *stderrTail) source() *source { return &source{t: t} }

func (s *source) Write(p []byte) (int, error) {
	t := s.t
	t.mu.Lock()
	defer t.mu.Unlock()
	for rest := p; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			s.line = append(s.line, rest...)
			break
		}
		s.line = append(s.line, rest[:i]...)
		rest = rest[i+1:]
		line := string(s.line)
		s.line = s.line[:0]
		if line == "" {
			continue
		}
		t.logger.Info("plugin stderr", "line", line)
		if len(t.lines) == tailLines {
			t.lines = append(t.lines[:0], t.lines[1:]...)
		}
		t.lines = append(t.lines, line)
	}
	return len(p), nil
}

// String returns the last lines, or "" when the plugin said nothing.
func (t *stderrTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// withStderr appends what the plugin said to a message.
func (t *stderrTail) withStderr(msg string) string {
	if s := t.String(); s != "" {
		return msg + "; the plugin's stderr:\n" + s
	}
	return msg + " (the plugin wrote nothing to stderr)"
}
