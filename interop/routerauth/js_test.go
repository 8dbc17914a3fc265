package routerauth

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/peers"
)

// nodeModules holds AutobahnJS and its tweetnacl (scripts/install-peers.sh).
const nodeModules = "../node/node_modules"

// jsTimeout bounds the node process; the script gives up by itself after
// 30 s (each scenario after 20 s).
const jsTimeout = 40 * time.Second

// TestJSAuthentication: AutobahnJS joins with ticket, WAMP-CRA (plain and
// salted) and cryptosign (tweetnacl) over WebSocket (JSON, MsgPack, CBOR)
// and RawSocket (JSON, the only serializer of AutobahnJS's RawSocket), and
// is refused wrong credentials and an unknown key. AutobahnJS implements no
// channel binding.
func TestJSAuthentication(t *testing.T) {
	modules := peers.RequireNode(t, nodeModules)
	t.Parallel()
	n := startNode(t)
	cases := []joinCase{
		{name: "ticket_ws", lane: "ws", serializer: "json", auth: ticket("alice", "alice-ticket"), want: welcome("alice", "user", "ticket")},
		{name: "ticket_rs", lane: "rs", serializer: "json", auth: ticket("alice", "alice-ticket"), want: welcome("alice", "user", "ticket")},
		{name: "wampcra_ws", lane: "ws", serializer: "msgpack", auth: wampcra("ann", "ann-secret"), want: welcome("ann", "user", "wampcra")},
		{name: "wampcra_salted_ws", lane: "ws", serializer: "cbor", auth: wampcra("bob", bobSecret), want: welcome("bob", "user", "wampcra")},
		{name: "wampcra_salted_rs", lane: "rs", serializer: "json", auth: wampcra("bob", bobSecret), want: welcome("bob", "user", "wampcra")},
		{name: "cryptosign_ws", lane: "ws", serializer: "json", auth: cryptosign("device1"), want: welcome("device1", "device", "cryptosign")},
		{name: "cryptosign_rs", lane: "rs", serializer: "json", auth: cryptosign("device1", "authid", "device1"), want: welcome("device1", "device", "cryptosign")},

		{name: "ticket_wrong", lane: "ws", serializer: "json", auth: ticket("alice", "guess"), reason: wrongCredentials},
		{name: "wampcra_wrong", lane: "ws", serializer: "json", auth: wampcra("ann", "guess"), reason: wrongCredentials},
		{name: "wampcra_salted_wrong", lane: "rs", serializer: "json", auth: wampcra("bob", "guess"), reason: wrongCredentials},
		{name: "cryptosign_unknown_key", lane: "ws", serializer: "cbor", auth: cryptosign("unknown"), reason: core.URINotAuthorized},
	}
	b := peers.NewBatch("node")
	scen := addJoins(b, cases)
	arg, err := json.Marshal(map[string]any{"urls": n.urls, "keys": keys(), "scenarios": b.Specs()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), jsTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "testdata/js_auth.js", string(arg))
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	b.Run(t, cmd)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkJoin(t, scen[c.name], c) })
	}
}
