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
	if len(objs) == 1 {
		return toYAML(objs[0])
	}
	return toYAML(list(objs))
}

// EncodeJSON writes objects as kubectl get -o json does.
func EncodeJSON(objs ...engine.Object) ([]byte, error) {
	if len(objs) == 1 {
		return toJSON(objs[0])
	}
	return toJSON(list(objs))
}

// EncodeList writes objects as a List whatever their number, as kubectl
// does for a query that is not for one named object.
func EncodeList(objs []engine.Object, asJSON bool) ([]byte, error) {
	if asJSON {
		return toJSON(list(objs))
	}
	return toYAML(list(objs))
}

func list(objs []engine.Object) any {
	if objs == nil {
		objs = []engine.Object{}
	}
	return map[string]any{"apiVersion": "v1", "kind": "List", "metadata": map[string]any{"resourceVersion": ""}, "items": objs}
}

func toYAML(v any) ([]byte, error) {
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

func toJSON(v any) ([]byte, error) {
	out, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return nil, fmt.Errorf("manifest: encoding: %w", err)
	}
	return append(out, '\n'), nil
}
