package peers

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

var nodeProbes sync.Map // node_modules directory → *nodeProbe

type nodeProbe struct {
	once    sync.Once
	problem string
}

// AutobahnJSVersion is the AutobahnJS release the tests pin
// (interop/node/package.json).
const AutobahnJSVersion = "22.11.1"

// RequireNode skips the test under -short, and when node, or AutobahnJS
// AutobahnJSVersion with tweetnacl (its cryptosign) in nodeModules, is
// missing — failing it instead when AUTOBAHN_INTEROP=1. It returns the
// absolute path of nodeModules, for NODE_PATH.
func RequireNode(t testing.TB, nodeModules string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("interop test (-short)")
	}
	dir, err := filepath.Abs(nodeModules)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := nodeProbes.LoadOrStore(dir, &nodeProbe{})
	probe := p.(*nodeProbe)
	probe.once.Do(func() {
		node, err := exec.LookPath("node")
		if err != nil {
			probe.problem = "node is not installed"
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, "-e", `require('tweetnacl');
const v = require('autobahn').version;
if (v !== '`+AutobahnJSVersion+`') throw new Error('autobahn ' + v + ', want `+AutobahnJSVersion+`');`)
		cmd.Env = append(os.Environ(), "NODE_PATH="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			probe.problem = fmt.Sprintf("AutobahnJS unavailable (run scripts/install-peers.sh): %v\n%s", err, out)
		}
	})
	if probe.problem != "" {
		testpeer.Unavailable(t, probe.problem)
	}
	return dir
}
