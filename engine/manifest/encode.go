package manifest

import (
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"

	"github.com/podplay/podplay/engine"
)

// Encode writes objects as kubectl get -o yaml does: one object as itself,
// several as a List.
func Encode(objs ...engine.Object) ([]byte, error) {
	var v any
	if len(objs) == 1 {
		v = objs[0]
	} else {
		v = map[string]any{"apiVersion": "v1", "kind": "List", "metadata": map[string]any{"resourceVersion": ""}, "items": objs}
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("manifest: encoding: %w", err)
	}
	out, err := yaml.JSONToYAML(data)
	if err != nil {
		return nil, fmt.Errorf("manifest: encoding: %w", err)
	}
	return out, nil
}

// EncodeJSON writes objects as kubectl get -o json does.
func EncodeJSON(objs ...engine.Object) ([]byte, error) {
	var v any
	if len(objs) == 1 {
		v = objs[0]
	} else {
		v = map[string]any{"apiVersion": "v1", "kind": "List", "metadata": map[string]any{"resourceVersion": ""}, "items": objs}
	}
	out, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return nil, fmt.Errorf("manifest: encoding: %w", err)
	}
	return append(out, '\n'), nil
}
