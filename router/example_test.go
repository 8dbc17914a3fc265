package router_test

import (
	"context"
	"fmt"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
)

// inbox is a minimal in-process component: it hands every message it
// receives to a channel.
type inbox chan core.Message

func (in inbox) OnOpen(core.Transport)    {}
func (in inbox) OnMessage(m core.Message) { in <- m }
func (in inbox) OnClose(error)            { close(in) }

// An in-process component joins an embedded router over the memory
// transport: no socket and no serialization.
func ExampleRouter_Connect() {
	r, err := router.New(router.Options{Realms: []string{"realm1"}})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	defer r.Close(ctx)

	in := make(inbox, 16)
	t, err := r.Connect(in)
	if err != nil {
		panic(err)
	}
	t.Send(ctx, &core.Hello{Realm: "realm1", Details: core.HelloDetails{Roles: map[string]core.Role{core.RoleCaller: {}}}})
	w := (<-in).(*core.Welcome)
	fmt.Println("joined", w.Details.Realm, "as", w.Details.AuthRole)

	t.Send(ctx, &core.Call{Request: 1, Procedure: "com.example.nobody"})
	e := (<-in).(*core.Error)
	fmt.Println(e.Error)

	t.Send(ctx, &core.Goodbye{Reason: core.URICloseNormal})
	fmt.Println((<-in).(*core.Goodbye).Reason)
	// Output:
	// joined realm1 as anonymous
	// wamp.error.no_such_procedure
	// wamp.close.goodbye_and_out
}
