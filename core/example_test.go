package core_test

import (
	"errors"
	"fmt"

	"github.com/autobahn-go/autobahn/core"
)

// A message goes to the wire as its list form and comes back through
// ParseMessage; an ERROR converts to an ApplicationError that errors.Is
// matches against the standard URIs.
func Example() {
	call := &core.Call{
		Request:   1,
		Procedure: "com.example.add",
		Args:      []any{int64(2), int64(3)},
		Options:   core.CallOptions{Timeout: new(int64(1500))},
	}
	l, err := call.List()
	fmt.Println(l, err)

	msg, err := core.ParseMessage([]any{int64(8), int64(48), int64(1), map[string]any{},
		"wamp.error.no_such_procedure", []any{"no callee registered"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	switch m := msg.(type) {
	case *core.Error:
		err := m.ApplicationError()
		fmt.Println(m.RequestType, err, errors.Is(err, core.ErrNoSuchProcedure))
	}

	_, err = core.ParseMessage([]any{int64(48), int64(2), map[string]any{"timeout": 1.5}, "com.example.add"})
	fmt.Println(err)
	// Output:
	// [48 1 map[timeout:1500] com.example.add [2 3]] <nil>
	// CALL wamp.error.no_such_procedure: no callee registered true
	// CALL.Options.timeout: must be a non-negative integer, got float64
}

func ExampleValidateURI() {
	fmt.Println(core.ValidateURI("com.example.add", true, core.MatchExact))
	fmt.Println(core.ValidateURI("com.example..add", false, core.MatchExact))
	fmt.Println(core.ValidateURI("com.example..add", false, core.MatchWildcard))
	fmt.Println(core.ValidateURI("com.Example.add", true, core.MatchExact))
	// Output:
	// <nil>
	// invalid URI "com.example..add": component 3 is empty
	// <nil>
	// invalid URI "com.Example.add": character 'E' is not allowed in a strict URI (only 0-9, a-z and _)
}
