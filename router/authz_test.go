package router

import (
	"context"
	"testing"

	"github.com/autobahn-go/autobahn/core"
)

func TestRolesAuthorize(t *testing.T) {
	roles, err := NewRoles(map[string][]Permission{
		"user": {
			{URI: "com.example.", Match: core.MatchPrefix, Call: true, Subscribe: true},
			{URI: "com.example.admin.", Match: core.MatchPrefix},
			{URI: "com.example.news", Publish: true, Subscribe: true},
			{URI: "com..status", Match: core.MatchWildcard, Publish: true},
		},
		"service": {{URI: "", Match: core.MatchPrefix, Call: true, Register: true, Publish: true, Subscribe: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := newRouter(t, Options{Authorizer: roles, Auth: []AuthMethod{Anonymous{Role: "user"}}})
	user, other := join(t, r, "realm1"), join(t, r, "realm1")

	// Allowed and denied, each with the standard ERROR.
	req := user.next()
	user.send(&core.Register{Request: req, Procedure: "com.example.add"})
	user.expectError(core.TypeRegister, req, core.URINotAuthorized)
	req = user.call("com.example.admin.reset", core.CallOptions{})
	user.expectError(core.TypeCall, req, core.URINotAuthorized)
	req = user.call("com.example.add", core.CallOptions{})
	user.expectError(core.TypeCall, req, core.URINoSuchProcedure) // allowed: nobody registered it
	user.subscribe("com.example.news", "")
	req = user.next()
	user.send(&core.Subscribe{Request: req, Topic: "org.other"})
	user.expectError(core.TypeSubscribe, req, core.URINotAuthorized)
	req = user.publish("com.example.other", core.PublishOptions{Acknowledge: ptr(true)})
	user.expectError(core.TypePublish, req, core.URINotAuthorized)
	user.publish("com.x.status", core.PublishOptions{Acknowledge: ptr(true)}) // wildcard permission
	expect[*core.Published](user)
	other.subscribe("com.example.news", "")
	user.publish("com.example.news", core.PublishOptions{}, "hi")
	equal(t, "event", expect[*core.Event](other).Args, []any{"hi"})

	// A role the authorizer does not know may do nothing.
	unknown, err := NewRoles(map[string][]Permission{})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := unknown.Authorize(context.Background(), SessionInfo{AuthRole: "user"}, "com.example.add", ActionCall, nil); d.Allow {
		t.Fatal("unknown role allowed")
	}
	if d, _ := roles.Authorize(context.Background(), SessionInfo{AuthRole: "service"}, "anything.at.all", ActionRegister, nil); !d.Allow {
		t.Fatal("empty prefix does not match everything")
	}
	if _, err := NewRoles(map[string][]Permission{"x": {{URI: "bad uri"}}}); err == nil {
		t.Fatal("invalid permission URI accepted")
	}
}
