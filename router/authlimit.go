package router

import (
	"net"
	"sync"
	"time"
)

// maxTrackedHosts bounds the hosts whose failed authentications the router
// remembers; past it, expired entries are swept, and hosts beyond are not
// tracked (logged).
const maxTrackedHosts = 100_000

// authLimiter refuses peers that fail authentication too often: guessing
// secrets, or a flood of HELLOs that make the router derive keys and call
// dynamic authenticators. It counts failures per peer host in fixed
// windows.
type authLimiter struct {
	max    int
	window time.Duration

	mu    sync.Mutex
	hosts map[string]*authFailures
}

type authFailures struct {
	start time.Time
	n     int
}

func newAuthLimiter(max int, window time.Duration) *authLimiter {
	return &authLimiter{max: max, window: window, hosts: make(map[string]*authFailures)}
}

// peerHost is the host a connection comes from; "" (not limited) for
// in-process transports.
func peerHost(a net.Addr) string {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP.String()
	case nil:
		return ""
	}
	if host, _, err := net.SplitHostPort(a.String()); err == nil {
		return host
	}
	return ""
}

// blocked reports whether host failed max times in the current window.
func (l *authLimiter) blocked(host string, now time.Time) bool {
	if host == "" {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.hosts[host]
	return f != nil && now.Sub(f.start) < l.window && f.n >= l.max
}

// failed records a failure of host; false when the host could not be
// tracked (the table is full of live entries).
func (l *authLimiter) failed(host string, now time.Time) bool {
	if host == "" {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.hosts[host]
	if f == nil || now.Sub(f.start) >= l.window {
		if f == nil && len(l.hosts) >= maxTrackedHosts {
			for h, old := range l.hosts {
				if now.Sub(old.start) >= l.window {
					delete(l.hosts, h)
				}
			}
			if len(l.hosts) >= maxTrackedHosts {
				return false
			}
		}
		f = &authFailures{start: now}
		l.hosts[host] = f
	}
	f.n++
	return true
}
