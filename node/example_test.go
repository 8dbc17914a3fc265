package node_test

import (
	"context"
	"fmt"
	"log"

	"github.com/autobahn-go/autobahn/node"
)

// A configuration is read into router options and listeners, and a node
// runs them.
func Example() {
	cfg, err := node.Parse([]byte(`{
	  "version": 2,
	  "workers": [{
	    "type": "router",
	    "realms": [{"name": "realm1", "roles": [{"name": "anonymous", "permissions": [
	      {"uri": "com.example.*", "allow": {"call": true, "register": true, "publish": true, "subscribe": true}}]}]}],
	    "transports": [{"type": "websocket", "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": 0}}]
	  }]
	}`), node.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	perm := cfg.Router.Roles["realm1"]["anonymous"].Permissions[0]
	fmt.Printf("realms %v; anonymous may call %q (%s)\n", cfg.Router.Realms, perm.URI, perm.Match)

	n, err := node.Start(context.Background(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer n.Close(context.Background())
	for _, l := range n.Listeners() {
		fmt.Println(l.Path, l.Type, l.Services[0].Kind)
	}
	// Output:
	// realms [realm1]; anonymous may call "com.example." (prefix)
	// workers[0].transports[0] websocket websocket
}

// Errors name the key path.
func ExampleParse_error() {
	_, err := node.Parse([]byte(`{"version": 2, "workers": [{"type": "router", "transports": [{"type": "mqtt"}]}]}`), node.LoadOptions{})
	fmt.Println(err)
	// Output:
	// config: workers[0].transports[0].type: "mqtt" transports are not supported by autobahn serve: MQTT is not implemented
}
