package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/autobahn-go/autobahn/node"
	"github.com/autobahn-go/autobahn/router/metrics"
)

// configExclusive are the serve flags that a configuration file replaces:
// it says itself what to listen on and which realms to serve, and where
// the status page is (a "nodeinfo" web path). --metrics ADDR still works.
var configExclusive = []string{"ws", "rawsocket", "realm", "auto-realms", "loose-uris", "status-path", "metrics-path"}

// serveConfig runs the router node of a Crossbar.io configuration file
// until ctx ends, then shuts it down as runServe does. A configuration
// that does not load fails before anything listens.
func serveConfig(ctx context.Context, fs *flag.FlagSet, path, metricsAddr string, verbose bool, cpuprofile string, plugins []string, stdout, stderr io.Writer) error {
	var clash []string
	fs.Visit(func(f *flag.Flag) {
		for _, name := range configExclusive {
			if f.Name == name {
				clash = append(clash, "--"+name)
			}
		}
	})
	if len(clash) > 0 {
		fmt.Fprintf(stderr, "autobahn serve: --config cannot be combined with %s: the configuration file says what to serve\n", strings.Join(clash, ", "))
		fs.Usage()
		return errUsage
	}
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	// --plugin and the "plugins" of the file start before the transports
	// are read, so that they can name the plugins' serializers.
	if err := loadPlugins(ctx, plugins, logger, stdout, "autobahn serve: "); err != nil {
		return err
	}
	cfg, err := node.LoadFile(path, node.LoadOptions{LoadPlugin: func(p node.Plugin) error {
		h, err := loadPlugin(ctx, p.Path, p.Args, logger)
		if err == nil {
			describePlugin(stdout, "autobahn serve: ", p.Path, h)
		}
		return err
	}})
	if err != nil {
		return fmt.Errorf("--config %s: %w", path, err)
	}
	stopProfile, err := startCPUProfile(cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	cfg.Router.Logger = logger
	cfg.Router.ShutdownTimeout = shutdownGrace
	n, err := node.Start(ctx, cfg)
	if err != nil {
		return fmt.Errorf("--config %s: %w", path, err)
	}
	if metricsAddr != "" {
		l, err := listenMetrics(ctx, metricsAddr, metrics.Handler(n.Router), cfg.Router.Logger)
		if err != nil {
			n.Close(context.Background())
			return fmt.Errorf("--metrics %s: %w", metricsAddr, err)
		}
		defer l.Close()
		fmt.Fprintf(stdout, "autobahn serve: metrics http://%s/metrics\n", hostPortOf(l.Addr()))
	}
	printNode(stdout, cfg, n)

	<-ctx.Done()
	fmt.Fprintln(stdout, "autobahn serve: shutting down")
	if err := n.Close(context.Background()); err != nil {
		cfg.Router.Logger.Warn("autobahn serve: shutdown", "err", err)
	}
	st := n.Router.Stats()
	fmt.Fprintf(stdout, "autobahn serve: stopped (%d sessions served, %d publications, %d calls)\n", st.SessionsTotal, st.Publications, st.Calls)
	return nil
}

// printNode says what the node serves, in the lines runServe prints.
func printNode(w io.Writer, cfg *node.Config, n *node.Node) {
	for _, name := range cfg.Router.Realms {
		fmt.Fprintf(w, "autobahn serve: realm %s\n", name)
	}
	for _, b := range n.Listeners() {
		for _, s := range b.Services {
			if s.Kind == "static" {
				fmt.Fprintf(w, "autobahn serve: serving files at %s\n", s.URL)
				continue
			}
			fmt.Fprintf(w, "autobahn serve: listening %s\n", s.URL)
		}
	}
	fmt.Fprintln(w, "autobahn serve: ready")
}
