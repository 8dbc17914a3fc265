package wamp

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/autobahn-go/autobahn/core"
)

// The router's roles and features in WELCOME are the same for every
// session of a router, and read-only once parsed: the sessions of a process
// share one copy of each distinct set instead of holding a map of maps each
// (about 1 KiB per idle session). At most maxInternedRoles distinct sets
// are kept; beyond that each session keeps its own.
var (
	internedRoles sync.Map // canonical form → map[string]core.Role
	internedCount atomic.Int32
)

const maxInternedRoles = 64

func internRoles(roles map[string]core.Role) map[string]core.Role {
	key, ok := rolesKey(roles)
	if !ok {
		return roles
	}
	if v, ok := internedRoles.Load(key); ok {
		return v.(map[string]core.Role)
	}
	if internedCount.Add(1) > maxInternedRoles {
		return roles
	}
	v, _ := internedRoles.LoadOrStore(key, roles)
	return v.(map[string]core.Role)
}

// rolesKey is a canonical form of roles; false when they carry extra keys,
// which are not worth comparing.
func rolesKey(roles map[string]core.Role) (string, bool) {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(roles)) {
		r := roles[name]
		if len(r.Extra) > 0 {
			return "", false
		}
		b.WriteString(name)
		b.WriteByte(':')
		for _, f := range slices.Sorted(maps.Keys(r.Features)) {
			if r.Features[f] {
				b.WriteString(f)
				b.WriteByte(',')
			}
		}
		b.WriteByte(';')
	}
	return b.String(), true
}
