package wamp

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"

	"github.com/autobahn-go/autobahn/core"
)

// Errors maps Go error types to WAMP error URIs (Autobahn's define): a
// handler that returns a defined error sends ERROR with its URI, its
// message as the first argument and its exported fields as keyword
// arguments; a caller that receives that URI gets the error back as a
// value of the Go type (errors.As), which also matches the
// *core.ApplicationError. Set Config.Errors to use it; it is safe for
// concurrent use.
type Errors struct {
	mu     sync.RWMutex
	byURI  map[string]reflect.Type
	byType map[reflect.Type]string
}

// DefineError maps the error type E (a struct or a pointer to a struct)
// to uri. Its exported fields travel as keyword arguments (none when it has
// none, so that Autobahn builds its exception from the message alone);
// positional arguments a peer sends beyond them stay reachable through the
// *core.ApplicationError in the received error's chain.
func DefineError[E error](e *Errors, uri string) error {
	t := reflect.TypeFor[E]()
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() != reflect.Struct {
		return fmt.Errorf("wamp: DefineError(%s): %v is not a struct or a pointer to one", uri, t)
	}
	if err := core.ValidateURI(uri, false, core.MatchExact); err != nil {
		return fmt.Errorf("wamp: DefineError: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.byURI == nil {
		e.byURI, e.byType = make(map[string]reflect.Type), make(map[reflect.Type]string)
	}
	e.byURI[uri], e.byType[t] = t, uri
	return nil
}

// encode returns the ERROR payload of err if its type (anywhere in its
// chain) is defined.
func (e *Errors) encode(err error) (*core.ApplicationError, bool) {
	if e == nil {
		return nil, false
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, uri := range slices.Sorted(maps.Keys(e.byURI)) { // in URI order: the same choice every time
		t := e.byURI[uri]
		target := reflect.New(t)
		if errors.As(err, target.Interface()) {
			v := target.Elem()
			sv := v
			if sv.Kind() == reflect.Pointer {
				sv = sv.Elem()
			}
			kwargs, _ := toWAMP(sv).(map[string]any)
			if len(kwargs) == 0 {
				kwargs = nil // a peer builds its exception from args alone (Autobahn: E(*args))
			}
			return &core.ApplicationError{URI: uri, Args: []any{v.Interface().(error).Error()}, Kwargs: kwargs}, true
		}
	}
	return nil, false
}

// decode returns the defined Go error for an application error, or ae
// itself.
func (e *Errors) decode(ae *core.ApplicationError) error {
	if e == nil {
		return ae
	}
	e.mu.RLock()
	t, ok := e.byURI[ae.URI]
	e.mu.RUnlock()
	if !ok {
		return ae
	}
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	kw := ae.Kwargs
	if kw == nil {
		kw = map[string]any{}
	}
	v, err := convertStruct(kw, st)
	if err != nil {
		return ae // the payload does not fit the type: the plain error
	}
	if t.Kind() == reflect.Pointer {
		p := reflect.New(st)
		p.Elem().Set(v)
		v = p
	}
	return &definedError{typed: v.Interface().(error), app: ae}
}

// definedError is a defined error as a caller receives it: the Go value,
// and the application error it came as.
type definedError struct {
	typed error
	app   *core.ApplicationError
}

func (d *definedError) Error() string   { return d.typed.Error() }
func (d *definedError) Unwrap() []error { return []error{d.typed, d.app} }
