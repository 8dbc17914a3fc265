package routerauth

import (
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
	cases := []peers.Join{
		{Name: "ticket_ws", Lane: "ws", Serializer: "json", Auth: peers.Ticket("alice", "alice-ticket"), Want: welcome("alice", "user", "ticket")},
		{Name: "ticket_rs", Lane: "rs", Serializer: "json", Auth: peers.Ticket("alice", "alice-ticket"), Want: welcome("alice", "user", "ticket")},
		{Name: "wampcra_ws", Lane: "ws", Serializer: "msgpack", Auth: peers.WAMPCRA("ann", "ann-secret"), Want: welcome("ann", "user", "wampcra")},
		{Name: "wampcra_salted_ws", Lane: "ws", Serializer: "cbor", Auth: peers.WAMPCRA("bob", bobSecret), Want: welcome("bob", "user", "wampcra")},
		{Name: "wampcra_salted_rs", Lane: "rs", Serializer: "json", Auth: peers.WAMPCRA("bob", bobSecret), Want: welcome("bob", "user", "wampcra")},
		{Name: "cryptosign_ws", Lane: "ws", Serializer: "json", Auth: peers.Cryptosign("device1"), Want: welcome("device1", "device", "cryptosign")},
		{Name: "cryptosign_rs", Lane: "rs", Serializer: "json", Auth: peers.Cryptosign("device1", "authid", "device1"), Want: welcome("device1", "device", "cryptosign")},

		{Name: "ticket_wrong", Lane: "ws", Serializer: "json", Auth: peers.Ticket("alice", "guess"), Reason: wrongCredentials},
		{Name: "wampcra_wrong", Lane: "ws", Serializer: "json", Auth: peers.WAMPCRA("ann", "guess"), Reason: wrongCredentials},
		{Name: "wampcra_salted_wrong", Lane: "rs", Serializer: "json", Auth: peers.WAMPCRA("bob", "guess"), Reason: wrongCredentials},
		{Name: "cryptosign_unknown_key", Lane: "ws", Serializer: "cbor", Auth: peers.Cryptosign("unknown"), Reason: core.URINotAuthorized},
	}
	b := peers.NewBatch("node")
	scen := peers.AddJoins(b, cases)
	b.RunNode(t, jsTimeout, modules, "../testdata/auth_peer.js", map[string]any{"urls": n.urls, "keys": keys()})
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { peers.CheckJoin(t, scen[c.Name], c) })
	}
}
