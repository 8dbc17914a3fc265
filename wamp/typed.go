package wamp

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/autobahn-go/autobahn/core"
)

// Kwargs as the last parameter of a function given to Func receives the
// keyword arguments as they are (Python's **kwargs).
type Kwargs map[string]any

var (
	kwargsType     = reflect.TypeFor[Kwargs]()
	contextType    = reflect.TypeFor[context.Context]()
	invocationType = reflect.TypeFor[*Invocation]()
	errorType      = reflect.TypeFor[error]()
	resultType     = reflect.TypeFor[*Result]()
)

// Func turns a plain Go function into a [Handler] (Autobahn's
// @wamp.register): it may take a context.Context and then an *Invocation
// first, then one parameter per positional argument (the last may be
// variadic), and a last struct (or pointer to struct) parameter that the
// keyword arguments fill by field name or json tag, or a last Kwargs
// parameter that gets them as they are. It returns nothing, an
// error, one or more values (sent as positional results; structs as
// dictionaries), or a *Result, with an optional error last. Arguments that
// do not fit the parameters get ERROR wamp.error.invalid_argument naming
// the argument.
func Func(fn any) (Handler, error) {
	v := reflect.ValueOf(fn)
	t := v.Type()
	if t.Kind() != reflect.Func {
		return nil, fmt.Errorf("wamp: Func: %T is not a function", fn)
	}
	sig, err := analyze(t)
	if err != nil {
		return nil, fmt.Errorf("wamp: Func(%v): %w", t, err)
	}
	return func(ctx context.Context, inv *Invocation) (*Result, error) {
		in, err := sig.inputs(ctx, inv)
		if err != nil {
			return nil, &core.ApplicationError{URI: core.URIInvalidArgument, Args: []any{fmt.Sprintf("%s: %v", inv.Procedure, err)}}
		}
		return sig.outputs(v.Call(in))
	}, nil
}

// signature is what Func learnt about a function's parameters and results.
type signature struct {
	t                reflect.Type
	withCtx, withInv bool
	first            int          // index of the first argument parameter
	kwargs           reflect.Type // the struct filled from kwargs, or nil
	params           []reflect.Type
	returnsErr       bool
}

func analyze(t reflect.Type) (*signature, error) {
	sig := &signature{t: t}
	n := t.NumIn()
	i := 0
	if i < n && t.In(i) == contextType {
		sig.withCtx, i = true, i+1
	}
	if i < n && t.In(i) == invocationType {
		sig.withInv, i = true, i+1
	}
	sig.first = i
	for ; i < n; i++ {
		sig.params = append(sig.params, t.In(i))
	}
	if k := len(sig.params); k > 0 && !t.IsVariadic() {
		last := sig.params[k-1]
		if last == kwargsType || last.Kind() == reflect.Struct || last.Kind() == reflect.Pointer && last.Elem().Kind() == reflect.Struct {
			sig.kwargs, sig.params = last, sig.params[:k-1]
		}
	}
	if o := t.NumOut(); o > 0 && t.Out(o-1) == errorType {
		sig.returnsErr = true
	}
	for j := range t.NumOut() {
		if out := t.Out(j); out == resultType && t.NumOut()-btoi(sig.returnsErr) != 1 {
			return nil, errors.New("a *Result must be the only result besides an error")
		}
	}
	return sig, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// inputs converts an invocation's arguments to the function's parameters.
func (sig *signature) inputs(ctx context.Context, inv *Invocation) ([]reflect.Value, error) {
	in := make([]reflect.Value, 0, sig.t.NumIn())
	if sig.withCtx {
		in = append(in, reflect.ValueOf(ctx))
	}
	if sig.withInv {
		in = append(in, reflect.ValueOf(inv))
	}
	args, fixed := inv.Args, len(sig.params)
	variadic := sig.t.IsVariadic()
	if variadic {
		fixed--
	}
	if len(args) < fixed {
		return nil, fmt.Errorf("missing argument %d (%v): %d given, %d needed", len(args)+1, sig.params[len(args)], len(args), fixed)
	}
	if len(args) > fixed && !variadic {
		return nil, fmt.Errorf("%d positional arguments given, %d taken", len(args), fixed)
	}
	for i, a := range args {
		pt := sig.params[min(i, len(sig.params)-1)]
		if variadic && i >= fixed {
			pt = pt.Elem()
		}
		v, err := convert(a, pt)
		if err != nil {
			return nil, fmt.Errorf("argument %d (%v): %w", i+1, pt, err)
		}
		in = append(in, v)
	}
	if sig.kwargs != nil {
		kw := inv.Kwargs
		if kw == nil {
			kw = map[string]any{}
		}
		v, err := convert(kw, sig.kwargs)
		if err != nil {
			return nil, fmt.Errorf("keyword arguments: %w", err)
		}
		in = append(in, v)
	} else if len(inv.Kwargs) > 0 {
		return nil, fmt.Errorf("keyword arguments %s given, and the procedure takes none", strings.Join(slices.Sorted(maps.Keys(inv.Kwargs)), ", "))
	}
	return in, nil
}

// outputs turns the function's results into a Result or an error.
func (sig *signature) outputs(out []reflect.Value) (*Result, error) {
	if sig.returnsErr {
		if e := out[len(out)-1]; !e.IsNil() {
			return nil, e.Interface().(error)
		}
		out = out[:len(out)-1]
	}
	if len(out) == 1 && out[0].Type() == resultType {
		return out[0].Interface().(*Result), nil
	}
	if len(out) == 0 {
		return nil, nil
	}
	res := &Result{Args: make([]any, len(out))}
	for i, v := range out {
		res.Args[i] = toWAMP(v)
	}
	return res, nil
}

// toWAMP turns a Go value into what the serializers carry: structs become
// dictionaries, slices lists, sized numbers int64 / uint64 / float64.
func toWAMP(v reflect.Value) any { return toWAMPDepth(v, 0) }

// maxDepth bounds the nesting toWAMP follows: a cyclic value panics (which
// the handler's recovery turns into an ERROR) instead of overflowing the
// stack, which nothing can recover from.
const maxDepth = 1000

func toWAMPDepth(v reflect.Value, depth int) any {
	if depth > maxDepth {
		panic(fmt.Sprintf("wamp: a %v nested more than %d levels deep (a cycle?)", v.Type(), maxDepth))
	}
	toWAMP := func(v reflect.Value) any { return toWAMPDepth(v, depth+1) }
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return toWAMP(v.Elem())
	case reflect.Struct:
		m := structToMap(v)
		for k, e := range m {
			m[k] = toWAMP(reflect.ValueOf(e))
		}
		return m
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Bytes()
		}
		l := make([]any, v.Len())
		for i := range l {
			l[i] = toWAMP(v.Index(i))
		}
		return l
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return v.Interface()
		}
		m := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			m[it.Key().String()] = toWAMP(it.Value())
		}
		return m
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	}
	return v.Interface()
}

// Value turns a Go value (a struct, a slice of structs, sized numbers) into
// what the serializers carry, for the arguments of a call or a
// publication.
func Value(v any) any { return toWAMP(reflect.ValueOf(v)) }

// RegisterFunc registers a plain Go function (see [Func]) for procedure.
func (s *Session) RegisterFunc(ctx context.Context, procedure string, fn any, opts core.RegisterOptions) (*Registration, error) {
	h, err := Func(fn)
	if err != nil {
		return nil, err
	}
	return s.Register(ctx, procedure, h, opts)
}

// Methods returns a Handler for every exported method of obj, keyed by
// prefix plus the method's name in snake_case (Autobahn's register(obj,
// prefix=...)): SlowSquare under "com.example." is
// "com.example.slow_square".
func Methods(obj any, prefix string) (map[string]Handler, error) {
	v := reflect.ValueOf(obj)
	t := v.Type()
	if t.NumMethod() == 0 {
		return nil, fmt.Errorf("wamp: %T has no exported methods", obj)
	}
	out := make(map[string]Handler, t.NumMethod())
	for i := range t.NumMethod() {
		h, err := Func(v.Method(i).Interface())
		if err != nil {
			return nil, fmt.Errorf("wamp: method %s: %w", t.Method(i).Name, err)
		}
		out[prefix+snakeCase(t.Method(i).Name)] = h
	}
	return out, nil
}

// RegisterMethods registers every exported method of obj (see [Methods]).
func (s *Session) RegisterMethods(ctx context.Context, obj any, prefix string, opts core.RegisterOptions) ([]*Registration, error) {
	hs, err := Methods(obj, prefix)
	if err != nil {
		return nil, err
	}
	var regs []*Registration
	for _, proc := range slices.Sorted(maps.Keys(hs)) {
		r, err := s.Register(ctx, proc, hs[proc], opts)
		if err != nil {
			return regs, err
		}
		regs = append(regs, r)
	}
	return regs, nil
}

// SubscribeMethods subscribes every exported method of obj to prefix plus
// the method's name in snake_case (Autobahn's subscribe(obj) with
// @wamp.subscribe): an event's arguments convert to the method's
// parameters as for Func; an error it returns, or arguments that do not
// fit, go to OnUserError.
func (s *Session) SubscribeMethods(ctx context.Context, obj any, prefix string, opts core.SubscribeOptions) ([]*Subscription, error) {
	hs, err := Methods(obj, prefix)
	if err != nil {
		return nil, err
	}
	var subs []*Subscription
	for _, topic := range slices.Sorted(maps.Keys(hs)) {
		h := hs[topic]
		sub, err := s.Subscribe(ctx, topic, func(ctx context.Context, ev *Event) {
			if _, err := h(ctx, &Invocation{Args: ev.Args, Kwargs: ev.Kwargs, Procedure: ev.Topic}); err != nil {
				s.userError(fmt.Errorf("wamp: event handler of %s: %w", ev.Topic, err))
			}
		}, opts)
		if err != nil {
			return subs, err
		}
		subs = append(subs, sub)
	}
	return subs, nil
}

// CallAs calls procedure and converts its result to T: the first
// positional result, or the keyword results when T is a struct and the
// result has no positional value.
func CallAs[T any](ctx context.Context, s *Session, procedure string, args []any, kwargs map[string]any, opts CallOptions) (T, error) {
	var zero T
	res, err := s.Call(ctx, procedure, args, kwargs, opts)
	if err != nil {
		return zero, err
	}
	var src any
	switch {
	case len(res.Args) > 0:
		src = res.Args[0]
	case res.Kwargs != nil:
		src = res.Kwargs
	default:
		return zero, nil
	}
	v, err := convert(src, reflect.TypeFor[T]())
	if err != nil {
		return zero, fmt.Errorf("wamp: call %s: result: %w", procedure, err)
	}
	return v.Interface().(T), nil
}

// Ptr returns a pointer to v, for the optional fields of the core option
// structs: core.PublishOptions{Acknowledge: wamp.Ptr(true)}.
func Ptr[T any](v T) *T { return &v }
