package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEExample loads the example configuration of the README, so that
// it stays a configuration that runs.
func TestREADMEExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Configuration file")
	_, block, ok2 := strings.Cut(section, "```json\n")
	doc, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("no JSON example in the README's section Configuration file")
	}
	root := fixtureDir(t)
	nodeDir := filepath.Join(root, "node")
	if err := os.Mkdir(nodeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"server.key", "server.crt"} {
		if err := os.Rename(filepath.Join(root, f), filepath.Join(nodeDir, f)); err != nil {
			t.Fatal(err)
		}
	}
	crt, err := os.ReadFile(filepath.Join(nodeDir, "server.crt"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(nodeDir, "intermediate.crt"), crt)
	env := func(name string) (string, bool) { return "app1-secret", name == "APP1_SECRET" }
	cfg, err := Parse([]byte(doc), LoadOptions{Dir: nodeDir, LookupEnv: env})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "realms", cfg.Router.Realms, []string{"realm1", "devices"})
	equal(t, "listeners", []string{cfg.Listeners[0].Type, cfg.Listeners[1].Type}, []string{"web", "rawsocket"})
	equal(t, "chain", len(cfg.Listeners[0].Endpoint.TLS.Certificates[0].Certificate), 2)
}
