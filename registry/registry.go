// Package registry keeps track of which plugin provides what: serializers by
// name, WebSocket subprotocol and RawSocket id; transport factories by URL
// scheme; payload codecs by algorithm name.
//
// Plugins register themselves with the [Default] registry in init(), so that a
// blank import enables them, like database/sql drivers:
//
//	import _ "github.com/autobahn-go/autobahn/serializers/cbor"
//
// An application that wants a different set builds its own [Registry] (the
// zero value is ready to use) or passes serializers and transports directly.
// Registering a duplicate or empty key panics, so that a conflict shows at
// start-up; a failed lookup returns an error that names the key and lists
// what is registered.
package registry

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/autobahn-go/autobahn/core"
)

// Registry maps names to plugins. The zero value is an empty registry ready to
// use; it is safe for concurrent use.
type Registry struct {
	mu          sync.RWMutex
	serializers map[string]core.Serializer // by name: "json", "json.batched"
	bySubproto  map[string]core.Serializer
	byRawSocket map[byte]core.Serializer // plain serializers only
	transports  map[string]core.TransportFactory
	codecs      map[string]PayloadCodecFactory
}

// Default is the registry that plugins register with in init() and that the
// package-level functions use.
var Default = &Registry{}

// preference is the default client offer order (WIRE.md §2); serializers not
// named here follow, sorted by name.
var preference = []string{
	"cbor.batched", "cbor", "msgpack.batched", "msgpack",
	"ubjson.batched", "ubjson", "json.batched", "json",
}

// RegisterSerializer adds s under its name and subprotocol, and a plain
// serializer also under its RawSocket id. It panics if s is nil, has an empty
// name, or any of its keys is taken.
func (r *Registry) RegisterSerializer(s core.Serializer) {
	if s == nil || s.Name() == "" {
		panic("registry: RegisterSerializer with a nil serializer or an empty name")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	name, proto := s.Name(), s.Subprotocol()
	if _, dup := r.serializers[name]; dup {
		panic(fmt.Sprintf("registry: serializer %q registered twice", name))
	}
	if _, dup := r.bySubproto[proto]; dup {
		panic(fmt.Sprintf("registry: subprotocol %q registered twice", proto))
	}
	if !s.Batched() {
		if id := s.RawSocketID(); id != 0 {
			if other, dup := r.byRawSocket[id]; dup {
				panic(fmt.Sprintf("registry: RawSocket serializer id %d registered twice (%q and %q)", id, other.Name(), name))
			}
			if r.byRawSocket == nil {
				r.byRawSocket = make(map[byte]core.Serializer)
			}
			r.byRawSocket[id] = s
		}
	}
	if r.serializers == nil {
		r.serializers = make(map[string]core.Serializer)
		r.bySubproto = make(map[string]core.Serializer)
	}
	r.serializers[name] = s
	r.bySubproto[proto] = s
}

// Serializer returns the serializer with the given name ("cbor",
// "json.batched", …).
func (r *Registry) Serializer(name string) (core.Serializer, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if s, ok := r.serializers[name]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("registry: no serializer named %q (registered: %s)", name, listing(keys(r.serializers)))
}

// SerializerBySubprotocol returns the serializer for a WebSocket subprotocol
// such as "wamp.2.msgpack.batched".
func (r *Registry) SerializerBySubprotocol(subprotocol string) (core.Serializer, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if s, ok := r.bySubproto[subprotocol]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("registry: no serializer for subprotocol %q (registered: %s)", subprotocol, listing(keys(r.bySubproto)))
}

// SerializerByRawSocketID returns the plain serializer with the given
// RawSocket serializer id (1 json, 2 msgpack, 3 cbor, 4 ubjson).
func (r *Registry) SerializerByRawSocketID(id byte) (core.Serializer, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if s, ok := r.byRawSocket[id]; ok {
		return s, nil
	}
	ids := make([]string, 0, len(r.byRawSocket))
	for _, k := range slices.Sorted(maps.Keys(r.byRawSocket)) {
		ids = append(ids, fmt.Sprintf("%d (%s)", k, r.byRawSocket[k].Name()))
	}
	return nil, fmt.Errorf("registry: no serializer with RawSocket id %d (registered: %s)", id, listing(ids))
}

// SerializerNames returns the names of all registered serializers, sorted.
func (r *Registry) SerializerNames() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return keys(r.serializers)
}

// Serializers returns all registered serializers in the default preference
// order: cbor.batched, cbor, msgpack.batched, msgpack, ubjson.batched, ubjson,
// json.batched, json, then any others sorted by name.
func (r *Registry) Serializers() []core.Serializer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]core.Serializer, 0, len(r.serializers))
	for _, s := range r.serializers {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b core.Serializer) int {
		return cmp.Or(cmp.Compare(rank(a.Name()), rank(b.Name())), strings.Compare(a.Name(), b.Name()))
	})
	return out
}

// RawSocketSerializers returns the plain serializers in the default preference
// order (a RawSocket client's default is the first: CBOR, MsgPack, UBJSON,
// JSON).
func (r *Registry) RawSocketSerializers() []core.Serializer {
	var out []core.Serializer
	for _, s := range r.Serializers() {
		if !s.Batched() && s.RawSocketID() != 0 {
			out = append(out, s)
		}
	}
	return out
}

func rank(name string) int {
	if i := slices.Index(preference, name); i >= 0 {
		return i
	}
	return len(preference)
}

// Negotiate picks the serializer for a WebSocket opening handshake, following
// WIRE.md §2: the first subprotocol in the client's order that the server
// supports wins. supported restricts the choice to those serializers (nil means
// every registered one). An error (answered with HTTP 400) says what was
// offered and what is supported.
func (r *Registry) Negotiate(offered []string, supported []core.Serializer) (core.Serializer, error) {
	if supported == nil {
		supported = r.Serializers()
	}
	for _, proto := range offered {
		proto = strings.TrimSpace(proto)
		for _, s := range supported {
			if s.Subprotocol() == proto {
				return s, nil
			}
		}
	}
	names := make([]string, len(supported))
	for i, s := range supported {
		names[i] = s.Subprotocol()
	}
	return nil, fmt.Errorf("registry: none of the offered subprotocols [%s] is supported (supported: %s)", strings.Join(offered, ", "), listing(names))
}

// Subprotocols returns the WebSocket subprotocols of serializers, in order, as
// a client offers them.
func Subprotocols(serializers []core.Serializer) []string {
	out := make([]string, len(serializers))
	for i, s := range serializers {
		out[i] = s.Subprotocol()
	}
	return out
}

// RegisterTransport makes f serve URLs with the given scheme. It panics if f
// is nil, the scheme is empty or already taken.
func (r *Registry) RegisterTransport(scheme string, f core.TransportFactory) {
	if f == nil || scheme == "" {
		panic("registry: RegisterTransport with a nil factory or an empty scheme")
	}
	scheme = strings.ToLower(scheme)
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.transports[scheme]; dup {
		panic(fmt.Sprintf("registry: transport scheme %q registered twice", scheme))
	}
	if r.transports == nil {
		r.transports = make(map[string]core.TransportFactory)
	}
	r.transports[scheme] = f
}

// Transport returns the transport factory for a URL scheme.
func (r *Registry) Transport(scheme string) (core.TransportFactory, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if f, ok := r.transports[strings.ToLower(scheme)]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("registry: no transport for URL scheme %q (registered: %s)", scheme, listing(keys(r.transports)))
}

// TransportSchemes returns the registered URL schemes, sorted.
func (r *Registry) TransportSchemes() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return keys(r.transports)
}

// PayloadCodecFactory makes a payload codec from its configuration: the
// keys and options that a program, a command-line flag or the config file
// give (cryptobox takes its key ring so). config is nil when none is given;
// a factory refuses keys it does not know with an error naming them.
type PayloadCodecFactory func(config map[string]any) (core.PayloadCodec, error)

// RegisterPayloadCodecFactory makes the codecs of f available under the
// algorithm name algo ("cryptobox", a plugin's names, …). It panics if f is
// nil, algo is empty or already taken.
func (r *Registry) RegisterPayloadCodecFactory(algo string, f PayloadCodecFactory) {
	if f == nil || algo == "" {
		panic("registry: RegisterPayloadCodec with a nil codec or an empty algorithm")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.codecs[algo]; dup {
		panic(fmt.Sprintf("registry: payload codec %q registered twice", algo))
	}
	if r.codecs == nil {
		r.codecs = make(map[string]PayloadCodecFactory)
	}
	r.codecs[algo] = f
}

// RegisterPayloadCodec makes c, a codec that needs no configuration,
// available under the algorithm name algo. It panics if c is nil, algo is
// empty or already taken.
func (r *Registry) RegisterPayloadCodec(algo string, c core.PayloadCodec) {
	if c == nil {
		panic("registry: RegisterPayloadCodec with a nil codec or an empty algorithm")
	}
	r.RegisterPayloadCodecFactory(algo, func(config map[string]any) (core.PayloadCodec, error) {
		if len(config) > 0 {
			return nil, fmt.Errorf("registry: payload codec %q takes no configuration (given: %s)", algo, listing(keys(config)))
		}
		return c, nil
	})
}

// NewPayloadCodec makes the payload codec of an algorithm name with config
// (nil for none).
func (r *Registry) NewPayloadCodec(algo string, config map[string]any) (core.PayloadCodec, error) {
	r.mu.RLock()
	f, ok := r.codecs[algo]
	names := keys(r.codecs)
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("registry: no payload codec for algorithm %q (registered: %s)", algo, listing(names))
	}
	c, err := f(config)
	if err != nil {
		return nil, fmt.Errorf("registry: payload codec %q: %w", algo, err)
	}
	return c, nil
}

// PayloadCodec returns the payload codec of an algorithm name, made without
// configuration.
func (r *Registry) PayloadCodec(algo string) (core.PayloadCodec, error) {
	return r.NewPayloadCodec(algo, nil)
}

// PayloadCodecNames returns the registered algorithm names, sorted.
func (r *Registry) PayloadCodecNames() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return keys(r.codecs)
}

func keys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func listing(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
