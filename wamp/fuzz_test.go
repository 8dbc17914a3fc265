package wamp

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/json"
)

type fuzzStruct struct {
	Name  string           `json:"name"`
	Count uint8            `json:"count"`
	Tags  []string         `json:"tags"`
	Inner *fuzzStruct      `json:"inner"`
	Map   map[string]int32 `json:"map"`
	Arr   [2]float32       `json:"arr"`
	Raw   []byte           `json:"raw"`
	Any   any              `json:"any"`
}

// FuzzTypedArguments feeds arbitrary WAMP values (the args and kwargs of a
// PUBLISH in JSON, as a peer sends them) to typed handlers: conversion must never panic, and either
// call the function or answer wamp.error.invalid_argument.
func FuzzTypedArguments(f *testing.F) {
	for _, seed := range []string{
		`[16, 1, {}, "t", [1, "a", true], {}]`, `[16, 1, {}, "t", [], {"name": "x", "count": 300}]`, `[16, 1, {}, "t", [1.5, -1], {"inner": {"inner": {"tags": ["a", 1]}}}]`,
		`[16, 1, {}, "t", ["\u0000AAEC"], {"map": {"k": 99999999999}, "arr": [1, 2, 3]}]`,
		`[16, 1, {}, "t", [null, null], {"raw": "\u0000AQI=", "any": [1, {}]}]`,
	} {
		f.Add([]byte(seed))
	}
	handlers := []Handler{}
	for _, fn := range []any{
		func(a int, b string, c bool) {},
		func(ctx context.Context, s fuzzStruct) (fuzzStruct, error) { return s, nil },
		func(xs ...int16) int { return len(xs) },
		func(p *fuzzStruct) {},
		func(a []map[string][]uint64, b *[3]int8) {},
		func(inv *Invocation, a any, b []byte) {},
	} {
		h, err := Func(fn)
		if err != nil {
			f.Fatal(err)
		}
		handlers = append(handlers, h)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs, err := json.Serializer.Unserialize(data)
		if err != nil || len(msgs) == 0 {
			return
		}
		// The JSON serializer parses WAMP messages; wrap the value in a
		// PUBLISH to get arbitrary args and kwargs decoded as peers send them.
		p, ok := msgs[0].(*core.Publish)
		if !ok {
			return
		}
		inv := &Invocation{Args: p.Args, Kwargs: p.Kwargs, Procedure: "com.example.f"}
		for _, h := range handlers {
			_, err := h(context.Background(), inv)
			var ae *core.ApplicationError
			if err != nil && (!errors.As(err, &ae) || ae.URI != core.URIInvalidArgument) {
				t.Fatalf("%v: %v", reflect.TypeOf(h), err)
			}
		}
	})
}
