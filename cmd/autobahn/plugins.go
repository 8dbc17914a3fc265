package main

// The --plugin flag of serve and the client commands: plugin binaries
// (package payloadcodec/plugin) whose serializers and payload codecs are
// registered with registry.Default like the built-in ones, and the
// --codec and --codec-opt flags of the client commands that pick a payload
// codec from the registry.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin"
	"github.com/autobahn-go/autobahn/registry"

	// The in-process payload codecs --codec can name beside the plugins'.
	_ "github.com/autobahn-go/autobahn/payloadcodec/cryptobox"
)

// loaded are the plugins this process started, by path and arguments:
// registry.Default cannot forget what a plugin registered, so a plugin is
// started once per process (run may be called many times, as by the
// tests) and ended by closePlugins when the process ends.
var loaded struct {
	mu    sync.Mutex
	hosts map[string]*plugin.Host
}

// loadPlugin starts the plugin binary at path (once per process), and
// returns its host.
func loadPlugin(ctx context.Context, path string, args []string, logger *slog.Logger) (*plugin.Host, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("--plugin %s: %w", path, err)
	}
	real := abs
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		real = r // the same binary by another name is the same plugin
	}
	key := real + "\x00" + strings.Join(args, "\x00")
	loaded.mu.Lock()
	defer loaded.mu.Unlock()
	if h := loaded.hosts[key]; h != nil {
		return h, nil
	}
	h, err := plugin.Load(ctx, abs, plugin.Options{Args: args, Logger: logger})
	if err != nil {
		return nil, err
	}
	if loaded.hosts == nil {
		loaded.hosts = map[string]*plugin.Host{}
	}
	loaded.hosts[key] = h
	return h, nil
}

// loadPlugins starts the plugins of --plugin flags and says what each
// offers.
func loadPlugins(ctx context.Context, paths []string, logger *slog.Logger, w io.Writer, prefix string) error {
	for _, p := range paths {
		h, err := loadPlugin(ctx, p, nil, logger)
		if err != nil {
			return err
		}
		describePlugin(w, prefix, p, h)
	}
	return nil
}

func describePlugin(w io.Writer, prefix, path string, h *plugin.Host) {
	var what []string
	if s := h.SerializerNames(); len(s) > 0 {
		what = append(what, "serializers "+strings.Join(s, ", "))
	}
	if c := h.CodecNames(); len(c) > 0 {
		what = append(what, "payload codecs "+strings.Join(c, ", "))
	}
	fmt.Fprintf(w, "%splugin %s (pid %d): %s\n", prefix, path, h.Stats().Pid, strings.Join(what, "; "))
}

// closePlugins ends every plugin this process started.
func closePlugins() {
	loaded.mu.Lock()
	defer loaded.mu.Unlock()
	for key, h := range loaded.hosts {
		h.Close()
		delete(loaded.hosts, key)
	}
}

// payloadCodec makes the codec of --codec with the config of --codec-opt
// (nil when --codec is not given).
func (f *clientFlags) payloadCodec() (core.PayloadCodec, error) {
	if f.codec == "" {
		if len(f.codecOpts) > 0 {
			return nil, fmt.Errorf("--codec-opt without --codec: name the payload codec (registered: %s)", strings.Join(registry.Default.PayloadCodecNames(), ", "))
		}
		return nil, nil
	}
	c, err := registry.Default.NewPayloadCodec(f.codec, f.codecOpts)
	if err != nil {
		return nil, fmt.Errorf("--codec %s: %w", f.codec, err)
	}
	return c, nil
}

// codecOpt adds one --codec-opt KEY=VALUE; VALUE is a string, as given.
func (f *clientFlags) codecOpt(val string) error {
	k, v, ok := strings.Cut(val, "=")
	if !ok || k == "" {
		return fmt.Errorf("--codec-opt %q: want KEY=VALUE", val)
	}
	if _, dup := f.codecOpts[k]; dup {
		return fmt.Errorf("--codec-opt %s given twice", k)
	}
	if f.codecOpts == nil {
		f.codecOpts = map[string]any{}
	}
	f.codecOpts[k] = v
	return nil
}
