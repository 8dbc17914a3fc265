package plugin

import (
	"fmt"
	"slices"

	"github.com/autobahn-go/autobahn/payloadcodec/plugin/internal/wire"
)

// description is what a plugin offers, as its Describe answer says.
type description struct {
	Protocol    int
	Codecs      []string
	Serializers []serializerInfo
	// Socket is the path of the socket of the request stream, which
	// changes with every run (so equal ignores it).
	Socket string
}

func (d description) withSocket(path string) description {
	d.Socket = path
	return d
}

// serializerInfo describes one object serializer of a plugin; the host
// makes its message serializers (subprotocol wamp.2.<Name> and
// wamp.2.<Name>.batched) with core.NewSerializer.
type serializerInfo struct {
	Name        string
	RawSocketID byte
	Binary      bool
}

func (d description) value() map[string]any {
	codecs := make([]any, len(d.Codecs))
	for i, c := range d.Codecs {
		codecs[i] = c
	}
	sers := make([]any, len(d.Serializers))
	for i, s := range d.Serializers {
		sers[i] = []any{s.Name, "wamp.2." + s.Name, int64(s.RawSocketID), s.Binary}
	}
	return map[string]any{"protocol": int64(d.Protocol), "codecs": codecs, "serializers": sers, "socket": d.Socket}
}

// parseDescription reads a Describe answer; a plugin of another protocol
// version is refused.
func parseDescription(v any) (description, error) {
	var d description
	m, ok := v.(map[string]any)
	if !ok {
		return d, fmt.Errorf("the description is not a map")
	}
	f := wire.NewFields([]any{m["protocol"], m["codecs"], m["serializers"], m["socket"]}, 4, "description")
	d.Protocol = f.Int(0)
	codecs, sers := f.List(1), f.List(2)
	d.Socket = f.OptStr(3)
	if f.Err() != nil {
		return d, f.Err()
	}
	if d.Protocol != wire.ProtocolVersion {
		return d, fmt.Errorf("the plugin speaks protocol %d, this host %d: rebuild the plugin with this version of package payloadcodec/plugin", d.Protocol, wire.ProtocolVersion)
	}
	if d.Socket == "" {
		return d, fmt.Errorf("the description names no socket for the request stream")
	}
	for i, c := range codecs {
		name, ok := c.(string)
		if !ok || name == "" {
			return d, fmt.Errorf("codec %d: not a name", i)
		}
		d.Codecs = append(d.Codecs, name)
	}
	for i, s := range sers {
		f := wire.NewFields(s, 4, fmt.Sprintf("serializer %d", i))
		si := serializerInfo{Name: f.Str(0), Binary: f.Bool(3)}
		proto, id := f.Str(1), f.Uint(2)
		if f.Err() != nil {
			return d, f.Err()
		}
		if si.Name == "" || proto != "wamp.2."+si.Name || id > 15 {
			return d, fmt.Errorf("serializer %d: name %q, subprotocol %q, RawSocket id %d: want a name, wamp.2.<name> and an id of 0..15", i, si.Name, proto, id)
		}
		si.RawSocketID = byte(id)
		d.Serializers = append(d.Serializers, si)
	}
	return d, nil
}

// equal reports whether a restarted plugin still offers what was
// registered.
func (d description) equal(o description) bool {
	return d.Protocol == o.Protocol && slices.Equal(d.Codecs, o.Codecs) && slices.Equal(d.Serializers, o.Serializers)
}
