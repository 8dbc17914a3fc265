package main

// "autobahn bench idle": opens --sessions sessions (each joined, over its
// own connection), holds them for --hold, and closes them again. With --pid
// of a router on this machine it reads the router's resident memory
// (VmRSS of /proc/PID/status) before the first session and after the last
// one joined (and the hold), and divides the difference by the number of
// sessions: what one idle session costs the router, the figure DESIGN.md
// bounds at 10 KiB. The bench's own RSS per session is reported too; it is
// the bench's minimal peer, not a full client, so it is only a hint.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// idleReport is the result of "bench idle".
type idleReport struct {
	benchInfo
	Sessions           int     `json:"sessions"`
	JoinS              float64 `json:"join_s"`
	JoinsPerS          float64 `json:"joins_per_s"`
	HoldS              float64 `json:"hold_s"`
	SessionsLost       int64   `json:"sessions_lost"`
	PID                int     `json:"pid,omitempty"`
	RouterRSSBeforeKiB float64 `json:"router_rss_before_kib,omitempty"`
	RouterRSSAfterKiB  float64 `json:"router_rss_after_kib,omitempty"`
	RouterKiBPerSess   float64 `json:"router_kib_per_session,omitempty"`
	BenchKiBPerSess    float64 `json:"bench_kib_per_session"`
}

func (r *idleReport) rows() [][2]string {
	rows := append(r.benchInfo.rows(), [][2]string{
		{"sessions", fmtInt(r.Sessions)},
		{"joining", fmtSecs(r.JoinS)},
		{"joins/s", fmtRate(r.JoinsPerS)},
		{"held", fmtSecs(r.HoldS)},
		{"sessions lost", fmt.Sprint(r.SessionsLost)},
	}...)
	if r.PID != 0 {
		rows = append(rows, [][2]string{
			{"router pid", fmtInt(r.PID)},
			{"router RSS before", fmtKiB(r.RouterRSSBeforeKiB)},
			{"router RSS after", fmtKiB(r.RouterRSSAfterKiB)},
			{"router RSS per session", fmtKiB(r.RouterKiBPerSess)},
		}...)
	}
	return append(rows, [2]string{"bench RSS per session", fmtKiB(r.BenchKiBPerSess)})
}

func benchIdle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := benchFlags("idle", stderr)
	n := fs.Int("sessions", 2000, "sessions to open and hold, each on its own connection")
	pid := fs.Int("pid", 0, "process id of the router (on this machine) whose RSS to measure")
	hold := fs.Duration("hold", 0, "how long to hold the sessions before measuring and closing them")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	switch {
	case *n < 1:
		return c.errorf("--sessions must be at least 1")
	case *pid < 0:
		return c.errorf("--pid must be a process id")
	case *hold < 0:
		return c.errorf("--hold must not be negative")
	}
	stopProfile, err := c.startProfile()
	if err != nil {
		return err
	}
	defer stopProfile()

	r := &idleReport{benchInfo: c.info(), Sessions: *n, PID: *pid}
	if *pid != 0 {
		if r.RouterRSSBeforeKiB, err = readRSS(*pid); err != nil {
			return c.errorf("--pid: %w", err)
		}
	}
	selfBefore, err := readRSS(os.Getpid())
	if err != nil {
		return c.errorf("%w", err)
	}

	var joined, lost atomic.Int64
	holding := atomic.Bool{}
	stopProgress := c.progress(func(_, _ time.Duration) string {
		if holding.Load() {
			return fmt.Sprintf("holding %d sessions, %d lost", *n, lost.Load())
		}
		return fmt.Sprintf("joined %d/%d", joined.Load(), *n)
	})
	roles := clientRoles(core.RoleCaller, core.RoleCallee, core.RolePublisher, core.RoleSubscriber)
	ignore := func(core.Message) {}
	onLost := func(error) { lost.Add(1) }
	start := time.Now()
	peers, err := dialMany(ctx, *n, c.dialConc, &joined, func(ctx context.Context, i int) (*benchPeer, error) {
		return dialPeer(ctx, c, fmt.Sprintf("session %d", i+1), roles, ignore, onLost)
	})
	if err != nil {
		stopProgress()
		return c.errorf("%w", err)
	}
	joinTime := time.Since(start)
	holding.Store(true)
	held := time.Now()
	select {
	case <-time.After(*hold):
	case <-ctx.Done():
	}
	r.HoldS = round2(time.Since(held).Seconds())
	if *pid != 0 {
		if r.RouterRSSAfterKiB, err = readRSS(*pid); err != nil {
			err = c.errorf("--pid: %w", err)
		}
	}
	selfAfter, selfErr := readRSS(os.Getpid())
	stopProgress()
	leaveAll(peers, c.dialConc)
	if err != nil {
		return err
	}
	if selfErr != nil {
		return c.errorf("%w", selfErr)
	}

	r.JoinS = round2(joinTime.Seconds())
	r.JoinsPerS = perSecond(uint64(*n), joinTime)
	r.SessionsLost = lost.Load()
	if *pid != 0 {
		r.RouterKiBPerSess = round2((r.RouterRSSAfterKiB - r.RouterRSSBeforeKiB) / float64(*n))
	}
	r.BenchKiBPerSess = round2((selfAfter - selfBefore) / float64(*n))
	return c.report(stdout, r)
}

// readRSS returns the resident set size of process pid in KiB, from the
// VmRSS line of /proc/PID/status (Linux).
func readRSS(pid int) (float64, error) {
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("reading the RSS of process %d: %w", pid, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			break
		}
		kib, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			break
		}
		return kib, nil
	}
	return 0, fmt.Errorf("reading the RSS of process %d: no VmRSS line in %s (a kernel thread, or not Linux?)", pid, path)
}
