package wamp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
)

type calculator struct{ calls int }

func (c *calculator) Add2(a, b int) int { c.calls++; return a + b }

func (c *calculator) SlowSquare(ctx context.Context, x float64) (float64, error) {
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	return x * x, nil
}

type order struct {
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
	Express  bool
}

// Split returns several positional results.
func (c *calculator) Split(s string, sep string) (head, tail string) {
	head, tail, _ = strings.Cut(s, sep)
	return head, tail
}

// Place takes keyword arguments into a struct and returns a struct.
func (c *calculator) Place(customer string, o order) (order, error) {
	if o.Quantity <= 0 {
		return order{}, fmt.Errorf("quantity %d", o.Quantity)
	}
	o.Item = customer + ":" + o.Item
	return o, nil
}

// Sum is variadic.
func (c *calculator) Sum(xs ...int64) int64 {
	var t int64
	for _, x := range xs {
		t += x
	}
	return t
}

func TestTypedHandlers(t *testing.T) {
	r := newRouter(t)
	callee, caller := joined(t, r, Config{}), joined(t, r, Config{})
	ctx := testContext(t)
	regs, err := callee.RegisterMethods(ctx, &calculator{}, "com.example.calc.", core.RegisterOptions{})
	if err != nil || len(regs) != 5 {
		t.Fatalf("RegisterMethods: %d registrations, %v", len(regs), err)
	}
	if sum, err := CallAs[int](ctx, caller, "com.example.calc.add2", []any{int64(2), int64(40)}, nil, CallOptions{}); err != nil || sum != 42 {
		t.Fatalf("add2: %v, %v", sum, err)
	}
	if sq, err := CallAs[float64](ctx, caller, "com.example.calc.slow_square", []any{int64(3)}, nil, CallOptions{}); err != nil || sq != 9 {
		t.Fatalf("slow_square: %v, %v", sq, err)
	}
	res, err := caller.Call(ctx, "com.example.calc.split", []any{"a/b", "/"}, nil, CallOptions{})
	if err != nil || len(res.Args) != 2 || res.Args[0] != "a" || res.Args[1] != "b" {
		t.Fatalf("split: %v, %v", res, err)
	}
	o, err := CallAs[order](ctx, caller, "com.example.calc.place", []any{"ann"}, map[string]any{"item": "tea", "quantity": int64(2), "express": true}, CallOptions{})
	if err != nil || o != (order{Item: "ann:tea", Quantity: 2, Express: true}) {
		t.Fatalf("place: %+v, %v", o, err)
	}
	if s, err := CallAs[int64](ctx, caller, "com.example.calc.sum", []any{int64(1), int64(2), int64(3)}, nil, CallOptions{}); err != nil || s != 6 {
		t.Fatalf("sum: %v, %v", s, err)
	}

	// Arguments that do not fit: wamp.error.invalid_argument naming them.
	for _, tc := range []struct {
		proc   string
		args   []any
		kwargs map[string]any
		want   string
	}{
		{"add2", []any{int64(1), "two"}, nil, `argument 2 (int): string "two" is not a int`},
		{"add2", []any{int64(1)}, nil, "missing argument 2 (int)"},
		{"add2", []any{int64(1), int64(2), int64(3)}, nil, "3 positional arguments given, 2 taken"},
		{"add2", []any{int64(1), 2.5}, nil, "argument 2 (int): 2.5 is not a int"},
		{"add2", []any{int64(1), int64(2)}, map[string]any{"x": int64(1)}, "keyword arguments x given"},
		{"place", []any{"ann"}, map[string]any{"colour": "red"}, `has no field for key "colour"`},
	} {
		_, err := caller.Call(ctx, "com.example.calc."+tc.proc, tc.args, tc.kwargs, CallOptions{})
		var ae *core.ApplicationError
		if !errors.As(err, &ae) || ae.URI != core.URIInvalidArgument || !strings.Contains(fmt.Sprint(ae.Args...), tc.want) {
			t.Errorf("%s%v: %v, want invalid_argument %q", tc.proc, tc.args, err, tc.want)
		}
	}
	// A plain error from a typed handler is a runtime error.
	_, err = caller.Call(ctx, "com.example.calc.place", []any{"ann"}, map[string]any{"quantity": int64(0)}, CallOptions{})
	if !errors.Is(err, &core.ApplicationError{URI: URIRuntimeError}) {
		t.Fatalf("place with quantity 0: %v", err)
	}
	if _, err := Func(42); err == nil {
		t.Fatal("Func(42) accepted")
	}
}

type overdrawnError struct {
	Account string `json:"account"`
	Balance int64  `json:"balance"`
}

func (e *overdrawnError) Error() string {
	return fmt.Sprintf("account %s is overdrawn (%d)", e.Account, e.Balance)
}

func TestDefinedErrors(t *testing.T) {
	errs := &Errors{}
	if err := DefineError[*overdrawnError](errs, "com.example.error.overdrawn"); err != nil {
		t.Fatal(err)
	}
	if err := DefineError[error](errs, "com.example.bad"); err == nil {
		t.Fatal("DefineError of an interface type accepted")
	}
	r := newRouter(t)
	callee, caller := joined(t, r, Config{Errors: errs}), joined(t, r, Config{Errors: errs})
	plain := joined(t, r, Config{})
	ctx := testContext(t)
	if _, err := callee.RegisterFunc(ctx, "com.example.withdraw", func(account string, amount int64) (int64, error) {
		return 0, fmt.Errorf("withdraw: %w", &overdrawnError{Account: account, Balance: 10 - amount})
	}, core.RegisterOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := caller.Call(ctx, "com.example.withdraw", []any{"acc1", int64(25)}, nil, CallOptions{})
	var od *overdrawnError
	if !errors.As(err, &od) || od.Account != "acc1" || od.Balance != -15 {
		t.Fatalf("defined error: %v", err)
	}
	var ae *core.ApplicationError
	if !errors.As(err, &ae) || ae.URI != "com.example.error.overdrawn" {
		t.Fatalf("defined error as an application error: %v", err)
	}
	// A session without the definition sees the application error.
	_, err = plain.Call(ctx, "com.example.withdraw", []any{"acc1", int64(25)}, nil, CallOptions{})
	if !errors.As(err, &ae) || ae.Kwargs["balance"] != int64(-15) || ae.Args[0] != "account acc1 is overdrawn (-15)" {
		t.Fatalf("plain session: %#v", err)
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{"Add2": "add2", "SlowSquare": "slow_square", "HTTPGet": "http_get", "GetID": "get_id"} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%s) = %s, want %s", in, got, want)
		}
	}
}

type newsDesk struct{ got chan string }

func (d *newsDesk) Headline(title string, kw Kwargs) { d.got <- fmt.Sprint(title, " ", kw["by"]) }

func TestKwargsAndSubscribeMethods(t *testing.T) {
	r := newRouter(t)
	pub, sub := joined(t, r, Config{}), joined(t, r, Config{})
	ctx := testContext(t)
	d := &newsDesk{got: make(chan string, 1)}
	if subs, err := sub.SubscribeMethods(ctx, d, "com.example.news.", core.SubscribeOptions{}); err != nil || len(subs) != 1 || subs[0].Topic() != "com.example.news.headline" {
		t.Fatalf("SubscribeMethods: %v, %v", subs, err)
	}
	if _, err := pub.Publish(ctx, "com.example.news.headline", []any{"rain"}, map[string]any{"by": "ann"}, core.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := <-d.got; got != "rain ann" {
		t.Fatalf("event handler got %q", got)
	}
}

type cyclic struct{ Next *cyclic }

func TestCyclicResultIsAnError(t *testing.T) {
	r := newRouter(t)
	callee, caller := joined(t, r, Config{}), joined(t, r, Config{})
	ctx := testContext(t)
	if _, err := callee.RegisterFunc(ctx, "com.example.cycle", func() *cyclic {
		c := &cyclic{}
		c.Next = c
		return c
	}, core.RegisterOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := caller.Call(ctx, "com.example.cycle", nil, nil, CallOptions{})
	var ae *core.ApplicationError
	if !errors.As(err, &ae) || ae.URI != URIRuntimeError || !strings.Contains(fmt.Sprint(ae.Args...), "nested more than") {
		t.Fatalf("cyclic result: %v", err)
	}
}
