package cryptobox

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/nacl/box"

	"github.com/autobahn-go/autobahn/core"
)

// Algo is the algorithm name of WAMP-cryptobox (enc_algo, ppt_scheme).
const Algo = "cryptobox"

// Cipher is the cipher named in the ppt_* spelling (ppt_cipher).
const Cipher = "xsalsa20poly1305"

// innerSerializer is the only serializer of the sealed payload (Autobahn's).
const innerSerializer = "json"

const (
	nonceSize = 24
	// overhead is what the wire adds to the plaintext: nonce and tag.
	overhead = nonceSize + box.Overhead
)

// KeyRing holds the keys of URI prefixes and is the [core.PayloadCodec] of
// WAMP-cryptobox (Autobahn's KeyRing). Its zero value is an empty ring, like
// [NewKeyRing]'s; [ParseKeyRing] and [LoadKeyRing] fill one from a key-ring
// file. A KeyRing is safe for concurrent use; SetKey may run while sessions
// encode and decode (key rotation), which then see the old or the new set of
// keys, never a mix.
type KeyRing struct {
	keys atomic.Pointer[keySet] // nil: no keys
	mu   sync.Mutex             // serializes SetKey
	rand io.Reader              // nonce source; nil: crypto/rand's
}

// keySet is an immutable snapshot of the ring's keys.
type keySet struct {
	byPrefix map[string]*Key // without the default key
	lengths  []int           // the distinct lengths of byPrefix's keys, longest first
	def      *Key            // the default key (URI ""), or nil
}

var _ core.PayloadCodec = (*KeyRing)(nil)

// NewKeyRing returns an empty key ring: every payload in the clear until
// keys are set.
func NewKeyRing() *KeyRing { return &KeyRing{} }

// SetKey sets the key of the URI prefix uri ("" for the default key); a nil
// key removes it.
func (r *KeyRing) SetKey(uri string, k *Key) {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := &keySet{}
	if old := r.keys.Load(); old != nil {
		next.byPrefix, next.def = maps.Clone(old.byPrefix), old.def
	}
	switch {
	case uri == "":
		next.def = k
	case k == nil:
		delete(next.byPrefix, uri)
	default:
		if next.byPrefix == nil {
			next.byPrefix = map[string]*Key{}
		}
		next.byPrefix[uri] = k
	}
	for p := range next.byPrefix {
		if !slices.Contains(next.lengths, len(p)) {
			next.lengths = append(next.lengths, len(p))
		}
	}
	slices.SortFunc(next.lengths, func(a, b int) int { return b - a })
	r.keys.Store(next)
}

// Key returns the key used for uri: the one of its longest prefix, else the
// default key; nil when there is none (the payload travels in the clear).
func (r *KeyRing) Key(uri string) *Key {
	ks := r.keys.Load()
	if ks == nil {
		return nil
	}
	// Only the lengths that some prefix has are looked up: rings hold a few
	// prefixes, so this is a few map lookups whatever the URI's length.
	for _, n := range ks.lengths {
		if n <= len(uri) {
			if k := ks.byPrefix[uri[:n]]; k != nil {
				return k
			}
		}
	}
	return ks.def
}

// Encode seals uri, args and kwargs with the key of uri, on the
// originator's side (CALL, PUBLISH) or the responder's (YIELD, ERROR). It
// returns nil, nil when uri has no key: that payload is sent in the clear.
// It fails when the key lacks the box of that side.
func (r *KeyRing) Encode(_ context.Context, originating bool, uri string, args []any, kwargs map[string]any) (*core.EncodedPayload, error) {
	k := r.Key(uri)
	if k == nil {
		return nil, nil
	}
	shared := k.box(originating)
	if shared == nil {
		return nil, fmt.Errorf("cryptobox: the key for %q has no %s box (%s), and its payload must not go in the clear",
			uri, side(originating), needs(originating))
	}
	bp := plainPool.Get().(*[]byte)
	defer plainPool.Put(bp)
	plain, err := marshalInner((*bp)[:0], uri, args, kwargs)
	*bp = plain[:0]
	if err != nil {
		return nil, err
	}
	out := make([]byte, nonceSize, overhead+len(plain))
	rnd := r.rand
	if rnd == nil {
		rnd = rand.Reader
	}
	if _, err := io.ReadFull(rnd, out); err != nil {
		return nil, fmt.Errorf("cryptobox: reading a nonce: %w", err)
	}
	out = box.SealAfterPrecomputation(out, plain, (*[nonceSize]byte)(out), shared)
	return &core.EncodedPayload{Payload: out, Algo: Algo, Serializer: innerSerializer, Cipher: Cipher}, nil
}

// plainPool recycles the plaintext buffers of Encode (the plaintext never
// leaves it).
var plainPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Decode opens an encoded payload received for uri, on the originator's side
// (RESULT, ERROR) or the responder's (INVOCATION, EVENT), and returns the
// URI, args and kwargs sealed inside. Its errors say why: another
// algorithm, serializer or cipher, no key or no box of that side for uri, a
// payload too short, a failed authentication (wrong key or tampered
// bytes), a plaintext that is not the expected JSON.
func (r *KeyRing) Decode(_ context.Context, originating bool, uri string, p *core.EncodedPayload) (string, []any, map[string]any, error) {
	if p == nil {
		return "", nil, nil, fmt.Errorf("cryptobox: no encoded payload for %q", uri)
	}
	if p.Algo != Algo {
		return "", nil, nil, fmt.Errorf("cryptobox: the payload for %q is encoded with %q, not %q", uri, p.Algo, Algo)
	}
	if p.Serializer != innerSerializer {
		return "", nil, nil, fmt.Errorf("cryptobox: the payload for %q is serialized with %q; only %q is known", uri, p.Serializer, innerSerializer)
	}
	if p.Cipher != "" && p.Cipher != Cipher {
		return "", nil, nil, fmt.Errorf("cryptobox: the payload for %q names the cipher %q; cryptobox uses %q", uri, p.Cipher, Cipher)
	}
	k := r.Key(uri)
	if k == nil {
		return "", nil, nil, fmt.Errorf("cryptobox: no key for %q", uri)
	}
	shared := k.box(originating)
	if shared == nil {
		return "", nil, nil, fmt.Errorf("cryptobox: the key for %q has no %s box (%s)", uri, side(originating), needs(originating))
	}
	if len(p.Payload) < overhead {
		return "", nil, nil, fmt.Errorf("cryptobox: the payload for %q has %d bytes, fewer than nonce and tag (%d)", uri, len(p.Payload), overhead)
	}
	plain, ok := box.OpenAfterPrecomputation(nil, p.Payload[nonceSize:], (*[nonceSize]byte)(p.Payload[:nonceSize]), shared)
	if !ok {
		return "", nil, nil, fmt.Errorf("cryptobox: the payload for %q does not authenticate with the %s key (wrong key, or altered on the way)", uri, side(originating))
	}
	return unmarshalInner(plain)
}

func side(originating bool) string {
	if originating {
		return "originator"
	}
	return "responder"
}

func needs(originating bool) string {
	if originating {
		return "needs originator_priv and responder_pub"
	}
	return "needs responder_priv and originator_pub"
}
