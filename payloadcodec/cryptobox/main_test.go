package cryptobox_test

import (
	"os"
	"testing"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// TestMain checks that the sessions and routers of the tests are gone at
// the end.
func TestMain(m *testing.M) {
	os.Exit(testpeer.RunWithLeakCheck(m, "autobahn/wamp.", "autobahn/router.", "autobahn/transports/"))
}
