package node

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestPluginsKey(t *testing.T) {
	dir := t.TempDir()
	doc := `{"version": 2, "plugins": [{"path": "plugins/bson", "args": ["-x", "1"]}, {"path": "/opt/zstd"}],` + worker(realm1, ws(""))[1:]
	var loaded []Plugin
	cfg, err := Parse([]byte(doc), LoadOptions{Dir: dir, LoadPlugin: func(p Plugin) error { loaded = append(loaded, p); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	want := []Plugin{{Path: filepath.Join(dir, "plugins/bson"), Args: []string{"-x", "1"}, KeyPath: "plugins[0]"}, {Path: "/opt/zstd", Args: []string{}, KeyPath: "plugins[1]"}}
	equal(t, "plugins", cfg.Plugins, want)
	equal(t, "loaded", loaded, want)

	for _, tc := range []struct{ doc, path, reason string }{
		{`{"version": 2, "plugins": {}}`, "plugins", "want a list"},
		{`{"version": 2, "plugins": [{"args": []}]}`, "plugins[0].path", "missing"},
		{`{"version": 2, "plugins": [{"path": ""}]}`, "plugins[0].path", "empty"},
		{`{"version": 2, "plugins": [{"path": "p", "env": []}]}`, "plugins[0].env", "unknown key (known here: args, path)"},
		{`{"version": 2, "plugins": [{"path": "p", "args": [1]}]}`, "plugins[0].args[0]", "want a string"},
	} {
		_, err := Parse([]byte(tc.doc), LoadOptions{Dir: dir})
		var ce *Error
		if !errors.As(err, &ce) || ce.Path != tc.path || !strings.Contains(ce.Reason, tc.reason) {
			t.Errorf("%s: got %v, want %s: %s", tc.doc, err, tc.path, tc.reason)
		}
	}
	// A plugin that does not start fails the load at its entry.
	_, err = Parse([]byte(`{"version": 2, "plugins": [{"path": "p"}]}`), LoadOptions{Dir: dir, LoadPlugin: func(Plugin) error { return errors.New("no such file") }})
	var ce *Error
	if !errors.As(err, &ce) || ce.Path != "plugins[0]" || ce.Reason != "no such file" {
		t.Errorf("failing plugin: %v", err)
	}
}
