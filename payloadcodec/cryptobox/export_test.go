package cryptobox

import "io"

// SetRand replaces the nonce source of r, for tests that need known bytes.
func SetRand(r *KeyRing, rnd io.Reader) { r.rand = rnd }
