package cryptobox

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
)

func init() {
	registry.RegisterPayloadCodecFactory(Algo, NewFromConfig)
}

// Configuration keys of [NewFromConfig] (the registry's factory, which the
// command line's --codec-opt and the config file fill).
const (
	// ConfigKeyRing is the path of a key-ring file.
	ConfigKeyRing = "keyring"
	// ConfigKeys is a key ring's content inline: its JSON text, or the
	// list as decoded from a config file.
	ConfigKeys = "keys"
)

// NewFromConfig makes a key ring from a codec configuration: "keyring" (the
// path of a key-ring file) and/or "keys" (the same content inline, as JSON
// text or as an already decoded list); with both, the entries of both are
// used and a URI may appear only once. Other keys are refused, naming them.
func NewFromConfig(config map[string]any) (core.PayloadCodec, error) {
	var unknown []string
	for k := range config {
		if k != ConfigKeyRing && k != ConfigKeys {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("cryptobox: unknown configuration key(s) %s (known: %q, %q)",
			strings.Join(unknown, ", "), ConfigKeyRing, ConfigKeys)
	}
	var specs []KeySpec
	if v, ok := config[ConfigKeyRing]; ok {
		path, ok := v.(string)
		if !ok || path == "" {
			return nil, fmt.Errorf("cryptobox: %q is the path of a key-ring file, not %T %v", ConfigKeyRing, v, v)
		}
		s, err := readSpecs(path)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s...)
	}
	if v, ok := config[ConfigKeys]; ok {
		data, isText := v.(string)
		if !isText {
			b, err := stdjson.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("cryptobox: %q: %w", ConfigKeys, err)
			}
			data = string(b)
		}
		s, err := parseSpecs([]byte(data))
		if err != nil {
			return nil, fmt.Errorf("%w (in %q)", err, ConfigKeys)
		}
		specs = append(specs, s...)
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("cryptobox: no keys: give %q (a key-ring file) or %q (its content)", ConfigKeyRing, ConfigKeys)
	}
	return newKeyRing(specs)
}

// LoadKeyRing reads the key-ring file at path (see the package doc for its
// format).
func LoadKeyRing(path string) (*KeyRing, error) {
	specs, err := readSpecs(path)
	if err != nil {
		return nil, err
	}
	r, err := newKeyRing(specs)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return r, nil
}

// readSpecs reads the entries of the key-ring file at path; its errors
// name the file.
func readSpecs(path string) ([]KeySpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cryptobox: reading the key ring: %w", err)
	}
	specs, err := parseSpecs(data)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return specs, nil
}

// ParseKeyRing reads a key ring from its JSON text (see the package doc).
func ParseKeyRing(data []byte) (*KeyRing, error) {
	specs, err := parseSpecs(data)
	if err != nil {
		return nil, err
	}
	return newKeyRing(specs)
}

// NewKeyRingFrom makes a key ring of specs; a URI may appear only once.
func NewKeyRingFrom(specs ...KeySpec) (*KeyRing, error) { return newKeyRing(specs) }

func newKeyRing(specs []KeySpec) (*KeyRing, error) {
	r := NewKeyRing()
	seen := map[string]bool{}
	for i, s := range specs {
		if seen[s.URI] {
			return nil, fmt.Errorf("cryptobox: key %d: the URI %q has a key already", i, s.URI)
		}
		seen[s.URI] = true
		k, err := newKey(s)
		if err != nil {
			return nil, fmt.Errorf("cryptobox: key %d (uri %q): %w", i, s.URI, err)
		}
		r.SetKey(s.URI, k)
	}
	return r, nil
}

// specFields are the fields of an entry of a key-ring file.
var specFields = []string{"uri", "key", "originator_priv", "originator_pub", "responder_priv", "responder_pub"}

// parseSpecs reads the list of a key-ring file, strictly: every entry an
// object with a string "uri" and only known fields.
func parseSpecs(data []byte) ([]KeySpec, error) {
	var entries []map[string]stdjson.RawMessage
	dec := stdjson.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("cryptobox: a key ring is a JSON list of {\"uri\", keys…} objects: %w", err)
	}
	if dec.More() {
		return nil, errors.New("cryptobox: a key ring is one JSON list, and there is more after it")
	}
	specs := make([]KeySpec, 0, len(entries))
	for i, e := range entries {
		if e == nil {
			return nil, fmt.Errorf("cryptobox: key %d is null, not an object", i)
		}
		var unknown []string
		for _, k := range slices.Sorted(maps.Keys(e)) {
			if !slices.Contains(specFields, k) {
				unknown = append(unknown, fmt.Sprintf("%q", k))
			}
		}
		if len(unknown) > 0 {
			return nil, fmt.Errorf("cryptobox: key %d: unknown field(s) %s (known: %s)", i, strings.Join(unknown, ", "), strings.Join(specFields, ", "))
		}
		if _, ok := e["uri"]; !ok {
			return nil, fmt.Errorf(`cryptobox: key %d has no "uri" (use "" for the default key)`, i)
		}
		var s KeySpec
		for _, f := range specFields {
			raw, ok := e[f]
			if !ok {
				continue
			}
			var v string
			if err := stdjson.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("cryptobox: key %d: %q is %s, not a string", i, f, raw)
			}
			*s.field(f) = v
		}
		specs = append(specs, s)
	}
	return specs, nil
}

// field returns the field of s named as in a key-ring file.
func (s *KeySpec) field(name string) *string {
	switch name {
	case "uri":
		return &s.URI
	case "key":
		return &s.Key
	case "originator_priv":
		return &s.OriginatorPriv
	case "originator_pub":
		return &s.OriginatorPub
	case "responder_priv":
		return &s.ResponderPriv
	default:
		return &s.ResponderPub
	}
}
