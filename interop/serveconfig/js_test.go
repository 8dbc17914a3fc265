package serveconfig

import (
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/peers"
)

// nodeModules holds AutobahnJS and its tweetnacl (scripts/install-peers.sh).
const nodeModules = "../node/node_modules"

// jsTimeout bounds the node process; it gives up by itself after 30 s.
const jsTimeout = 40 * time.Second

// TestJS: AutobahnJS 22.11.1 (Node) against "autobahn serve --config": it
// joins with ticket, WAMP-CRA (plain and salted) and cryptosign
// (tweetnacl) — over the web transport and the TLS transport (AutobahnJS
// implements no channel binding) — with JSON, MsgPack and CBOR, is refused
// wrong secrets and an unknown key, and roles frontend and device allow
// and deny its calls, registrations, subscriptions and publications as
// they do Autobahn|Python's (wamp.error.not_authorized). The callee of
// com.example.add2 is an AutobahnJS session on the backend transport
// (RawSocket, JSON).
func TestJS(t *testing.T) {
	modules := peers.RequireNode(t, nodeModules)
	t.Parallel()
	n := startServe(t)
	joins := []peers.Join{
		{Name: "ticket", Lane: laneWS, Serializer: "json", Auth: peers.Ticket("client1", myTicket), Want: welcome("client1", "frontend", "ticket")},
		{Name: "wampcra", Lane: laneWS, Serializer: "msgpack", Auth: peers.WAMPCRA("client1", mySecret), Want: welcome("client1", "frontend", "wampcra")},
		{Name: "wampcra_salted", Lane: laneWS, Serializer: "cbor", Auth: peers.WAMPCRA("client2", mySecret), Want: welcome("client2", "frontend", "wampcra")},
		{Name: "cryptosign", Lane: laneWS, Serializer: "json", Auth: peers.Cryptosign("client01"),
			Want: welcome("client01@example.com", "device", "cryptosign")},
		{Name: "cryptosign_tls", Lane: laneTLS, Serializer: "cbor", Auth: peers.Cryptosign("client02b", "authid", "client02@example.com"),
			Want: welcome("client02@example.com", "device", "cryptosign")},

		{Name: "ticket_wrong", Lane: laneWS, Serializer: "json", Auth: peers.Ticket("client1", "guess"), Reason: wrongCredentials},
		{Name: "wampcra_wrong", Lane: laneWS, Serializer: "json", Auth: peers.WAMPCRA("client1", "wrongpassword"), Reason: wrongCredentials},
		{Name: "wampcra_salted_wrong", Lane: laneWS, Serializer: "msgpack", Auth: peers.WAMPCRA("client2", "wrongpassword"), Reason: wrongCredentials},
		{Name: "cryptosign_unknown_key", Lane: laneTLS, Serializer: "json", Auth: peers.Cryptosign("unknown"), Reason: core.URINotAuthorized},
	}
	actions := []actionsCase{
		{name: "frontend_ticket", lane: laneWS, serializer: "json", auth: peers.Ticket("client1", myTicket),
			welcome: welcome("client1", "frontend", "ticket"), actions: frontendActions("client1")},
		{name: "frontend_wampcra_salted", lane: laneWS, serializer: "msgpack", auth: peers.WAMPCRA("client2", mySecret),
			welcome: welcome("client2", "frontend", "wampcra"), actions: frontendActions("client2")},
		{name: "device_tls", lane: laneTLS, serializer: "cbor", auth: peers.Cryptosign("client01"),
			welcome: welcome("client01@example.com", "device", "cryptosign"), actions: deviceActions},
	}
	b := peers.NewBatch("node")
	joinScen := peers.AddJoins(b, joins)
	actScen := addActions(b, actions)
	b.RunNode(t, jsTimeout, modules, "../testdata/auth_peer.js",
		map[string]any{"urls": n.urls, "keys": keys(), "backend": []string{"callee"}},
		"NODE_EXTRA_CA_CERTS="+n.caPath)
	for _, c := range joins {
		t.Run(c.Name, func(t *testing.T) { peers.CheckJoin(t, joinScen[c.Name], c) })
	}
	for _, c := range actions {
		t.Run(c.name, func(t *testing.T) { checkActions(t, actScen[c.name], c) })
	}
}
