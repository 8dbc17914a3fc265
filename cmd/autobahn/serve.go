package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/transports/rawsocket"
	"github.com/autobahn-go/autobahn/transports/websocket"

	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/serializers/ubjson"
)

// Defaults of "autobahn serve": what a fresh user gets with no flags.
const (
	defaultWSAddr        = "127.0.0.1:8080"
	defaultRawSocketAddr = "127.0.0.1:8081"
	defaultRealm         = "realm1"
	// shutdownGrace bounds the wait for sessions to answer GOODBYE.
	shutdownGrace = 5 * time.Second
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// runServe runs the embedded router until ctx ends (SIGINT / SIGTERM), then
// says GOODBYE (wamp.close.system_shutdown) to every session and returns.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "[--ws ADDR] [--rawsocket ADDR] [--realm NAME]... | --config FILE", stderr)
	wsAddr := fs.String("ws", defaultWSAddr, "address of WAMP over WebSocket, served at path /ws (\"\" for none)")
	rsAddr := fs.String("rawsocket", defaultRawSocketAddr, "address of WAMP over RawSocket (\"\" for none)")
	var realms stringList
	fs.Var(&realms, "realm", "a realm to serve (repeatable; default "+defaultRealm+"); anonymous, everything allowed")
	autoRealms := fs.Bool("auto-realms", false, "create any realm a client asks for")
	looseURIs := fs.Bool("loose-uris", false, "accept URIs by WAMP's loose rules (default: strict, as Crossbar.io)")
	verbose := fs.Bool("v", false, "log debug messages")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the router to `FILE` until it stops")
	configFile := fs.String("config", "", "serve the router node that the Crossbar.io configuration `FILE` describes (config.json version 2, or .yaml), instead of --ws, --rawsocket and --realm")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "autobahn serve: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	if *configFile != "" {
		return serveConfig(ctx, fs, *configFile, *verbose, *cpuprofile, stdout, stderr)
	}
	if *wsAddr == "" && *rsAddr == "" {
		return errors.New("nothing to serve: give --ws or --rawsocket an address")
	}
	stopProfile, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	if len(realms) == 0 {
		realms = stringList{defaultRealm}
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	r, err := router.New(router.Options{Realms: realms, AutoCreateRealms: *autoRealms, LooseURIs: *looseURIs,
		ShutdownTimeout: shutdownGrace, Logger: logger})
	if err != nil {
		return err
	}
	var listeners []core.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	listen := func(url string) (core.Listener, error) {
		c := core.TransportConfig{Options: rawsocket.Options{Logger: logger}}
		if strings.HasPrefix(url, "ws") {
			c.Options = websocket.WAMPOptions{Logger: logger}
		}
		l, err := registry.Listen(ctx, url, c, r.Accept)
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		return l, nil
	}
	for _, name := range realms {
		fmt.Fprintf(stdout, "autobahn serve: realm %s\n", name)
	}
	if *wsAddr != "" {
		l, err := listen("ws://" + *wsAddr + "/ws")
		if err != nil {
			return fmt.Errorf("--ws %s: %w", *wsAddr, err)
		}
		fmt.Fprintf(stdout, "autobahn serve: listening ws://%s/ws\n", hostPortOf(l.Addr()))
	}
	if *rsAddr != "" {
		l, err := listen("rs://" + *rsAddr)
		if err != nil {
			return fmt.Errorf("--rawsocket %s: %w", *rsAddr, err)
		}
		fmt.Fprintf(stdout, "autobahn serve: listening rs://%s\n", hostPortOf(l.Addr()))
	}
	fmt.Fprintln(stdout, "autobahn serve: ready")

	<-ctx.Done()
	fmt.Fprintln(stdout, "autobahn serve: shutting down")
	for _, l := range listeners {
		l.Close()
	}
	listeners = nil
	if err := r.Close(context.Background()); err != nil {
		logger.Warn("autobahn serve: shutdown", "err", err)
	}
	st := r.Stats()
	fmt.Fprintf(stdout, "autobahn serve: stopped (%d sessions served, %d publications, %d calls)\n", st.SessionsTotal, st.Publications, st.Calls)
	return nil
}

// hostPortOf returns "host:port" of a listener address.
func hostPortOf(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return net.JoinHostPort(ta.IP.String(), fmt.Sprint(ta.Port))
	}
	return a.String()
}
