package router

import "math/rand/v2"

// maxID is 2^53, the largest WAMP ID (IDs must be exact in a double).
const maxID = 1 << 53

// randomID returns a global-scope WAMP ID (session, publication,
// subscription, registration): random in [1, 2^53], as the spec asks so
// that IDs do not reveal how many came before.
func randomID() uint64 { return rand.Uint64N(maxID) + 1 }
