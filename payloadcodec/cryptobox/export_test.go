package cryptobox

import (
	"io"
	"testing"

	"golang.org/x/crypto/nacl/box"

	"github.com/autobahn-go/autobahn/core"
)

// SetRand replaces the nonce source of r, for tests that need known bytes.
func SetRand(r *KeyRing, rnd io.Reader) { r.rand = rnd }

// SealRaw seals plain as the payload of uri on the side originating, as a
// peer would that wrote any plaintext; nil when r has no box for that.
func SealRaw(t testing.TB, r *KeyRing, originating bool, uri string, plain []byte) *core.EncodedPayload {
	k := r.Key(uri)
	if k == nil || k.box(originating) == nil {
		return nil
	}
	var nonce [nonceSize]byte
	out := box.SealAfterPrecomputation(nonce[:], plain, &nonce, k.box(originating))
	return &core.EncodedPayload{Payload: out, Algo: Algo, Serializer: innerSerializer}
}
