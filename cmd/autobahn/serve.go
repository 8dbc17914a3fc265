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
	defaultStatusPath    = "/status"
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
	fs := newFlags("serve", "[--ws ADDR] [--rawsocket ADDR] [--realm NAME]... [--metrics ADDR] [--metrics-path PATH] [--plugin PATH]... | --config FILE [--metrics ADDR] [--plugin PATH]...", stderr)
	wsAddr := fs.String("ws", defaultWSAddr, "address of WAMP over WebSocket, served at path /ws (\"\" for none)")
	var web webConfig
	fs.StringVar(&web.statusPath, "status-path", defaultStatusPath, "`PATH` of the router's status page on the WebSocket listener (JSON with ?format=json); it shows sessions' authids and addresses (\"\" for none)")
	metricsAddr := fs.String("metrics", "", "serve Prometheus metrics at http://`ADDR`/metrics, a listener of their own (\"\" for none)")
	fs.StringVar(&web.metricsPath, "metrics-path", "", "also serve Prometheus metrics at `PATH` on the WebSocket listener, e.g. /metrics (\"\" for none)")
	rsAddr := fs.String("rawsocket", defaultRawSocketAddr, "address of WAMP over RawSocket (\"\" for none)")
	var realms stringList
	fs.Var(&realms, "realm", "a realm to serve (repeatable; default "+defaultRealm+"); anonymous, everything allowed")
	autoRealms := fs.Bool("auto-realms", false, "create any realm a client asks for")
	looseURIs := fs.Bool("loose-uris", false, "accept URIs by WAMP's loose rules (default: strict, as Crossbar.io)")
	verbose := fs.Bool("v", false, "log debug messages")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the router to `FILE` until it stops")
	var plugins stringList
	fs.Var(&plugins, "plugin", "start the plugin binary at `PATH` and serve its serializers on every listener (repeatable; see payloadcodec/plugin)")
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
		return serveConfig(ctx, fs, *configFile, *metricsAddr, *verbose, *cpuprofile, plugins, stdout, stderr)
	}
	if *wsAddr == "" && *rsAddr == "" {
		return errors.New("nothing to serve: give --ws or --rawsocket an address")
	}
	if err := web.check(); err != nil {
		return err
	}
	if *wsAddr == "" && web.metricsPath != "" {
		return errors.New("--metrics-path serves metrics on the WebSocket listener, and --ws is \"\": give --ws an address, or use --metrics ADDR")
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
	// Plugins first: the listeners accept every registered serializer.
	if err := loadPlugins(ctx, plugins, logger, stdout, "autobahn serve: "); err != nil {
		return err
	}

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
	for _, name := range realms {
		fmt.Fprintf(stdout, "autobahn serve: realm %s\n", name)
	}
	metricsHandler := newMetricsHandler(r, *metricsAddr, web.metricsPath)
	if *wsAddr != "" {
		l, err := listenWeb(ctx, *wsAddr, r, metricsHandler, web, logger)
		if err != nil {
			return fmt.Errorf("--ws %s: %w", *wsAddr, err)
		}
		listeners = append(listeners, l)
		hp := hostPortOf(l.Addr())
		fmt.Fprintf(stdout, "autobahn serve: listening ws://%s%s\n", hp, wsPath)
		if web.statusPath != "" {
			fmt.Fprintf(stdout, "autobahn serve: status page http://%s%s\n", hp, web.statusPath)
		}
		if web.metricsPath != "" {
			fmt.Fprintf(stdout, "autobahn serve: metrics http://%s%s\n", hp, web.metricsPath)
		}
	}
	if *rsAddr != "" {
		l, err := registry.Listen(ctx, "rs://"+*rsAddr, core.TransportConfig{Options: rawsocket.Options{Logger: logger}}, r.Accept)
		if err != nil {
			return fmt.Errorf("--rawsocket %s: %w", *rsAddr, err)
		}
		listeners = append(listeners, l)
		fmt.Fprintf(stdout, "autobahn serve: listening rs://%s\n", hostPortOf(l.Addr()))
	}
	if *metricsAddr != "" {
		l, err := listenMetrics(ctx, *metricsAddr, metricsHandler, logger)
		if err != nil {
			return fmt.Errorf("--metrics %s: %w", *metricsAddr, err)
		}
		listeners = append(listeners, l)
		fmt.Fprintf(stdout, "autobahn serve: metrics http://%s/metrics\n", hostPortOf(l.Addr()))
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
