package node

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"gopkg.in/yaml.v3"
)

// decodeYAML decodes a YAML document (Crossbar.io's config.yaml) into the
// same values as decodeJSON: objects, lists, strings, bools, nil and
// json.Number, so that one reader serves both formats. It walks the YAML
// nodes itself, to refuse duplicate keys and non-string keys with their
// line, and to keep integers exact.
func decodeYAML(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{Reason: "not a YAML document: " + err.Error(), Err: err}
	}
	if doc.Kind == 0 {
		return nil, &Error{Reason: "empty YAML document"}
	}
	budget := yamlBudget(len(data))
	return yamlValue(&doc, 0, &budget)
}

// yamlBudget bounds the values a YAML document may expand to: aliases can
// repeat a subtree, and nested aliases double it at every level (the
// "billion laughs").
func yamlBudget(size int) int { return 1000 + 100*size }

// maxYAMLDepth bounds nesting (and alias expansion) of a YAML document.
const maxYAMLDepth = 100

func yamlValue(n *yaml.Node, depth int, budget *int) (any, error) {
	if depth > maxYAMLDepth {
		return nil, yamlErr(n, "nested too deeply")
	}
	if *budget--; *budget < 0 {
		return nil, yamlErr(n, "the document expands to too many values (aliases)")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return nil, yamlErr(n, "want one document")
		}
		return yamlValue(n.Content[0], depth+1, budget)
	case yaml.AliasNode:
		return yamlValue(n.Alias, depth+1, budget)
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := yamlValue(c, depth+1, budget)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yaml.MappingNode:
		return yamlMapping(n, depth, budget)
	case yaml.ScalarNode:
		return yamlScalar(n)
	}
	return nil, yamlErr(n, "unsupported YAML node")
}

func yamlMapping(n *yaml.Node, depth int, budget *int) (any, error) {
	out := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			return nil, yamlErr(k, "keys must be strings (merge keys are not supported)")
		}
		if _, dup := out[k.Value]; dup {
			return nil, yamlErr(k, fmt.Sprintf("key %q appears twice", k.Value))
		}
		val, err := yamlValue(v, depth+1, budget)
		if err != nil {
			return nil, err
		}
		out[k.Value] = val
	}
	return out, nil
}

func yamlScalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		err := n.Decode(&b)
		return b, err
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			return nil, yamlErr(n, "integer out of range")
		}
		return json.Number(strconv.FormatInt(i, 10)), nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, yamlErr(n, "not a finite number")
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return n.Value, nil // strings, timestamps and other tags as written
}

func yamlErr(n *yaml.Node, msg string) error {
	return &Error{Reason: fmt.Sprintf("line %d, column %d: %s", n.Line, n.Column, msg)}
}
