package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/autobahn-go/autobahn/auth"
)

// LoadOptions tell [Parse] where the configuration comes from.
type LoadOptions struct {
	// Dir is the directory relative paths are taken from (Load: the
	// file's directory; empty: the working directory).
	Dir string
	// YAML reads the document as YAML instead of JSON (Load: for files
	// named *.yaml or *.yml).
	YAML bool
	// LoadPlugin starts a plugin of the "plugins" list and registers
	// what it offers (cmd/autobahn does so with payloadcodec/plugin.Load);
	// it is called for each, in order, before the transports are read, so
	// that they can name the plugins' serializers. Nil only records them
	// in Config.Plugins.
	LoadPlugin func(p Plugin) error
	// LookupEnv resolves the environment variables a configuration may
	// name ("${NAME}" for tickets and secrets, "$NAME" for a port, as in
	// Crossbar.io); nil means os.LookupEnv.
	LookupEnv func(name string) (string, bool)
}

// Load reads the configuration file at path: JSON, or YAML when the name
// ends in .yaml or .yml.
func Load(path string) (*Config, error) {
	return LoadFile(path, LoadOptions{})
}

// LoadFile is Load with options; Dir and YAML are set from path.
func LoadFile(path string, opts LoadOptions) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Reason: err.Error(), Err: err}
	}
	ext := strings.ToLower(filepath.Ext(path))
	opts.Dir, opts.YAML = filepath.Dir(path), ext == ".yaml" || ext == ".yml"
	return Parse(data, opts)
}

// Parse reads a configuration document. Every error is an [*Error] naming
// the key path at fault.
func Parse(data []byte, opts LoadOptions) (*Config, error) {
	return parse(data, opts, auth.DeriveKey)
}

// parse is Parse with the WAMP-CRA key derivation to use (the fuzz test's
// is cheaper: a configuration may ask for a million PBKDF2 iterations).
func parse(data []byte, opts LoadOptions, derive func(secret, salt string, iterations, keylen int) (string, error)) (*Config, error) {
	var doc any
	var err error
	if opts.YAML {
		doc, err = decodeYAML(data)
	} else {
		doc, err = decodeJSON(data)
	}
	if err != nil {
		return nil, err
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, &Error{Reason: err.Error(), Err: err}
	}
	l := &loader{dir: dir, env: opts.LookupEnv, derive: derive, loadPlugin: opts.LoadPlugin}
	return l.top(doc)
}

// decodeJSON decodes one JSON document, numbers kept as json.Number so
// that integers stay exact.
func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return nil, syntaxErr(data, err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, &Error{Reason: "unexpected data after the JSON document"}
	}
	return doc, nil
}

// syntaxErr places a JSON syntax error at its line and column.
func syntaxErr(data []byte, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return &Error{Reason: "not a JSON document: " + err.Error(), Err: err}
	}
	before := data[:min(int(se.Offset), len(data))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return &Error{Reason: fmt.Sprintf("line %d, column %d: %v", line, col, err), Err: err}
}

// loader reads one document.
type loader struct {
	dir    string
	env    func(string) (string, bool)
	derive func(secret, salt string, iterations, keylen int) (string, error)
	// loadPlugin is LoadOptions.LoadPlugin.
	loadPlugin func(Plugin) error
	cfg        Config
	// realms are the realm names of the router worker, for the checks of
	// the auth sections that name one.
	realms map[string]bool
}

// workerRefusals are the worker types Crossbar.io has and autobahn serve
// does not run, with what to do instead.
var workerRefusals = map[string]string{
	"guest":            "Crossbar.io starts guest programs; start the program yourself",
	"container":        "containers run Python components; run the components as clients of the router",
	"websocket-testee": "the WebSocket testee is not part of autobahn serve",
	"proxy":            "proxy workers are not implemented",
}

func (l *loader) top(doc any) (*Config, error) {
	o, err := asObj("", doc)
	if err != nil {
		return nil, &Error{Reason: "the configuration must be a JSON object, not " + describe(doc)}
	}
	if err := o.check(schema{known: []string{"$schema", "version", "controller", "plugins", "workers"}}); err != nil {
		return nil, err
	}
	if _, _, err := o.str("$schema"); err != nil {
		return nil, err
	}
	if v, ok := o.m["version"]; !ok {
		return nil, errorf("version", "missing: without it this is a version 1 configuration; only version 2 is supported (crossbar upgrade converts older ones)")
	} else if n, isNum := v.(json.Number); !isNum || n != "2" {
		return nil, errorf("version", "want 2, got %s: only version 2 is supported (crossbar upgrade converts older ones)", describe(v))
	}
	if c, ok, err := o.object("controller"); err != nil {
		return nil, err
	} else if ok {
		if err := controller(c); err != nil {
			return nil, err
		}
	}
	if err := l.plugins(o); err != nil {
		return nil, err
	}
	if err := l.workers(o); err != nil {
		return nil, err
	}
	return &l.cfg, nil
}

// controller checks the controller section: only what concerns Crossbar's
// process management and changes nothing here is accepted.
func controller(c obj) error {
	err := c.check(schema{known: []string{"id", "options"}, refused: map[string]string{
		"manhole":     "the manhole (a Python shell) does not exist in autobahn serve",
		"connections": "node management connections are not supported",
		"keyring":     "node keys are not supported",
	}})
	if err != nil {
		return err
	}
	if _, _, err := c.str("id"); err != nil {
		return err
	}
	opts, ok, err := c.object("options")
	if err != nil || !ok {
		return err
	}
	if err := opts.check(schema{known: []string{"title", "shutdown", "enable_parallel_worker_start"}}); err != nil {
		return err
	}
	if _, _, err := opts.str("title"); err != nil {
		return err
	}
	if _, err := opts.boolean("enable_parallel_worker_start", false); err != nil {
		return err
	}
	return shutdownModes(opts)
}

// shutdownModes checks controller.options.shutdown: a mode or a list of
// them. With a single in-process router they all mean the same: the node
// stops when autobahn serve is stopped.
func shutdownModes(opts obj) error {
	v, ok := opts.m["shutdown"]
	if !ok {
		return nil
	}
	p := child(opts.path, "shutdown")
	valid := func(m any) bool {
		s, _ := m.(string)
		switch s {
		case "shutdown_on_shutdown_requested", "shutdown_on_worker_exit", "shutdown_on_worker_exit_with_error", "shutdown_on_last_worker_exit":
			return true
		}
		return false
	}
	const modes = "shutdown_on_shutdown_requested, shutdown_on_worker_exit, shutdown_on_worker_exit_with_error or shutdown_on_last_worker_exit"
	l, isList := v.([]any)
	if !isList {
		if !valid(v) {
			return errorf(p, "invalid shutdown mode %s (%s)", describe(v), modes)
		}
		return nil
	}
	for i, m := range l {
		if !valid(m) {
			return errorf(index(p, i), "invalid shutdown mode %s (%s)", describe(m), modes)
		}
	}
	return nil
}

// workers reads the workers list: exactly one router worker.
func (l *loader) workers(o obj) error {
	list, err := o.list("workers")
	if err != nil {
		return err
	}
	routerAt := ""
	for i, v := range list {
		p := index("workers", i)
		w, err := asObj(p, v)
		if err != nil {
			return err
		}
		typ, err := w.mustStr("type")
		if err != nil {
			return err
		}
		if why, refused := workerRefusals[typ]; refused {
			return errorf(child(p, "type"), "%q workers are not supported by autobahn serve (only \"router\"): %s", typ, why)
		}
		if typ != "router" {
			return errorf(child(p, "type"), "%q is not a worker type (only \"router\" is supported)", typ)
		}
		if routerAt != "" {
			return errorf(p, "a second router worker (the first is %s): autobahn serve runs one router; put all realms and transports into one worker", routerAt)
		}
		routerAt = p
		if err := l.routerWorker(w); err != nil {
			return err
		}
	}
	if routerAt == "" {
		return errorf("workers", "no router worker: nothing to serve")
	}
	return nil
}

// routerWorker reads the router worker: options, realms, transports.
func (l *loader) routerWorker(w obj) error {
	err := w.check(schema{known: []string{"id", "type", "options", "realms", "transports", "components"}, refused: map[string]string{
		"manhole":     "the manhole (a Python shell) does not exist in autobahn serve",
		"connections": "router-to-router connections are not supported",
	}})
	if err != nil {
		return err
	}
	if _, _, err := w.str("id"); err != nil {
		return err
	}
	if err := workerOptions(w); err != nil {
		return err
	}
	if comps, err := w.list("components"); err != nil {
		return err
	} else if len(comps) > 0 {
		return errorf(index(child(w.path, "components"), 0), "components inside the router worker (Python classes) are not supported by autobahn serve: run them as clients of the router")
	}
	if err := l.realmList(w); err != nil {
		return err
	}
	return l.transports(w)
}

// workerOptions checks a router worker's "options": the keys that only
// concern Crossbar.io's Python worker process are accepted and have no
// effect; those that would change how the router runs are refused.
func workerOptions(w obj) error {
	opts, ok, err := w.object("options")
	if err != nil || !ok {
		return err
	}
	err = opts.check(schema{known: []string{"title", "extra", "pythonpath", "python", "disabled"}, refused: map[string]string{
		"cpu_affinity":      "the router runs in the autobahn serve process; set its CPU affinity from outside (taskset)",
		"env":               "the router runs in the autobahn serve process, with its environment",
		"expose_controller": "there is no node controller to expose",
		"expose_shared":     "there is no node controller to expose",
	}})
	if err != nil {
		return err
	}
	for _, k := range []string{"title", "python"} {
		if _, _, err := opts.str(k); err != nil {
			return err
		}
	}
	if _, err := opts.strings("pythonpath"); err != nil {
		return err
	}
	if _, ok := opts.m["disabled"]; ok {
		if d, err := opts.boolean("disabled", false); err != nil || d {
			return errorf(child(opts.path, "disabled"), "want false: a disabled router worker would leave nothing to serve")
		}
	}
	return nil
}
