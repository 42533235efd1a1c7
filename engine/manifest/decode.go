package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	sjson "sigs.k8s.io/json"

	"github.com/podplay/podplay/engine"
)

// MaxBytes is the largest manifest accepted, as the API server's request
// limit.
const MaxBytes = 3 << 20

// maxNodes bounds the YAML nodes one input may expand to (aliases
// included), so an alias bomb fails fast.
const maxNodes = 200_000

// Object is one decoded document.
type Object struct {
	Object engine.Object
	// Line is the line the document starts on.
	Line int
	// Warnings name valid fields the engine does not simulate.
	Warnings []string
	// Raw is the document as written, as JSON values (what kubectl apply
	// keeps in its last-applied-configuration annotation).
	Raw map[string]any
}

// Error is a manifest that cannot be accepted, with the line it came from
// (0 if unknown) and the API server's or kubectl's wording.
type Error struct {
	Line    int
	Message string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return e.Message
}

type kindType struct {
	apiVersion string
	newTyped   func() any
	newEngine  func() engine.Object
}

// kinds maps each simulated kind to its API version and types.
var kinds = map[string]kindType{
	"Namespace":             {"v1", func() any { return &corev1.Namespace{} }, func() engine.Object { return &engine.Namespace{} }},
	"Node":                  {"v1", func() any { return &corev1.Node{} }, func() engine.Object { return &engine.Node{} }},
	"Pod":                   {"v1", func() any { return &corev1.Pod{} }, func() engine.Object { return &engine.Pod{} }},
	"Service":               {"v1", func() any { return &corev1.Service{} }, func() engine.Object { return &engine.Service{} }},
	"Endpoints":             {"v1", func() any { return &corev1.Endpoints{} }, func() engine.Object { return &engine.Endpoints{} }},
	"PersistentVolume":      {"v1", func() any { return &corev1.PersistentVolume{} }, func() engine.Object { return &engine.PersistentVolume{} }},
	"PersistentVolumeClaim": {"v1", func() any { return &corev1.PersistentVolumeClaim{} }, func() engine.Object { return &engine.PersistentVolumeClaim{} }},
	"Deployment":            {"apps/v1", func() any { return &appsv1.Deployment{} }, func() engine.Object { return &engine.Deployment{} }},
	"ReplicaSet":            {"apps/v1", func() any { return &appsv1.ReplicaSet{} }, func() engine.Object { return &engine.ReplicaSet{} }},
	"Ingress":               {"networking.k8s.io/v1", func() any { return &networkingv1.Ingress{} }, func() engine.Object { return &engine.Ingress{} }},
	"IngressClass":          {"networking.k8s.io/v1", func() any { return &networkingv1.IngressClass{} }, func() engine.Object { return &engine.IngressClass{} }},
	"StorageClass":          {"storage.k8s.io/v1", func() any { return &storagev1.StorageClass{} }, func() engine.Object { return &engine.StorageClass{} }},
	"Event":                 {"v1", func() any { return &corev1.Event{} }, func() engine.Object { return &engine.Event{} }},
}

// Decode reads every document of a YAML or JSON manifest (a JSON object is
// YAML too; a List's items are read as documents).
func Decode(data []byte) ([]Object, error) {
	if len(data) > MaxBytes {
		return nil, &Error{Message: fmt.Sprintf("the manifest is %d bytes; the limit is %d bytes (3 MiB), as the API server's", len(data), MaxBytes)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []Object
	budget := maxNodes
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, yamlError(err)
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		paths := map[string]int{}
		value, err := toValue(root, "", paths, &budget, 0)
		if err != nil {
			return nil, err
		}
		if value == nil {
			continue // an empty document
		}
		m, ok := value.(map[string]any)
		if !ok {
			return nil, &Error{Line: root.Line, Message: "error validating data: the document is not an object (expected apiVersion, kind, metadata, …)"}
		}
		if m["kind"] == "List" {
			items, _ := m["items"].([]any)
			for i, item := range items {
				im, ok := item.(map[string]any)
				if !ok {
					return nil, &Error{Line: lineOf(paths, fmt.Sprintf("items[%d]", i), root.Line), Message: "a List item is not an object"}
				}
				obj, err := decodeOne(im, prefixed(paths, fmt.Sprintf("items[%d].", i)), lineOf(paths, fmt.Sprintf("items[%d]", i), root.Line))
				if err != nil {
					return nil, err
				}
				out = append(out, obj)
			}
			continue
		}
		obj, err := decodeOne(m, paths, root.Line)
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, nil
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func yamlError(err error) error {
	line := 0
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	return &Error{Line: line, Message: "error converting YAML to JSON: " + err.Error()}
}

// toValue converts a YAML node to JSON-able Go values, refusing duplicate
// keys (with both lines) and recording the line of every field path.
func toValue(n *yaml.Node, path string, paths map[string]int, budget *int, depth int) (any, error) {
	*budget--
	if *budget < 0 {
		return nil, &Error{Line: n.Line, Message: "error converting YAML to JSON: the document expands to too many values (an alias bomb?)"}
	}
	if depth > 100 {
		return nil, &Error{Line: n.Line, Message: "error converting YAML to JSON: the document nests deeper than 100 levels"}
	}
	if path != "" {
		if _, seen := paths[path]; !seen {
			paths[path] = n.Line
		}
	}
	switch n.Kind {
	case yaml.AliasNode:
		return toValue(n.Alias, path, paths, budget, depth+1)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return toValue(n.Content[0], path, paths, budget, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, err := toValue(c, fmt.Sprintf("%s[%d]", path, i), paths, budget, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		lines := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				return nil, &Error{Line: k.Line, Message: "error converting YAML to JSON: a mapping key must be a string"}
			}
			if k.Tag == "!!merge" {
				return nil, &Error{Line: k.Line, Message: "error converting YAML to JSON: merge keys (<<) are not supported"}
			}
			if prev, dup := lines[k.Value]; dup {
				return nil, &Error{Line: k.Line, Message: fmt.Sprintf("error converting YAML to JSON: yaml: unmarshal errors:\n  line %d: mapping key %q already defined at line %d", k.Line, k.Value, prev)}
			}
			lines[k.Value] = k.Line
			child := k.Value
			if path != "" {
				child = path + "." + k.Value
			}
			paths[child] = k.Line
			val, err := toValue(v, child, paths, budget, depth+1)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		return out, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, &Error{Line: n.Line, Message: "error converting YAML to JSON: " + err.Error()}
		}
		return v, nil
	}
	return nil, &Error{Line: n.Line, Message: "error converting YAML to JSON: unsupported YAML node"}
}

func prefixed(paths map[string]int, prefix string) map[string]int {
	out := map[string]int{}
	for p, l := range paths {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			out[rest] = l
		}
	}
	return out
}

// lineOf returns the line of a field path, or of its nearest parent.
func lineOf(paths map[string]int, path string, fallback int) int {
	for path != "" {
		if l, ok := paths[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return fallback
}

func decodeOne(m map[string]any, paths map[string]int, line int) (Object, error) {
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	var missing []string
	if apiVersion == "" {
		missing = append(missing, "apiVersion not set")
	}
	if kind == "" {
		missing = append(missing, "kind not set")
	}
	if len(missing) > 0 {
		return Object{}, &Error{Line: line, Message: "error validating data: [" + strings.Join(missing, ", ") + "]"}
	}
	kt, ok := kinds[kind]
	if !ok || kt.apiVersion != apiVersion {
		return Object{}, &Error{Line: lineOf(paths, "kind", line), Message: fmt.Sprintf(
			"resource mapping not found: no matches for kind %q in version %q\nensure CRDs are installed first", kind, apiVersion)}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return Object{}, &Error{Line: line, Message: "error converting YAML to JSON: " + err.Error()}
	}
	typed := kt.newTyped()
	strict, err := sjson.UnmarshalStrict(raw, typed)
	version := apiVersion[strings.LastIndex(apiVersion, "/")+1:]
	cannot := fmt.Sprintf("%s in version %q cannot be handled as a %s: ", kind, version, kind)
	if err != nil {
		return Object{}, &Error{Line: errorLine(err.Error(), paths, line), Message: cannot + err.Error()}
	}
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		first := 0
		for i, e := range strict {
			msgs[i] = e.Error()
			if fe, ok := e.(sjson.FieldError); ok && first == 0 {
				first = lineOf(paths, fe.FieldPath(), line)
			}
		}
		if first == 0 {
			first = line
		}
		return Object{}, &Error{Line: first, Message: cannot + "strict decoding error: " + strings.Join(msgs, ", ")}
	}
	// The typed object is valid Kubernetes; carry what the engine models.
	canonical, err := json.Marshal(typed)
	if err != nil {
		return Object{}, &Error{Line: line, Message: err.Error()}
	}
	obj := kt.newEngine()
	if err := json.Unmarshal(canonical, obj); err != nil {
		return Object{}, &Error{Line: line, Message: fmt.Sprintf("podplay cannot read this %s: %v", kind, err)}
	}
	kept, err := json.Marshal(obj)
	if err != nil {
		return Object{}, &Error{Line: line, Message: err.Error()}
	}
	var keptTree any
	if err := json.Unmarshal(kept, &keptTree); err != nil {
		return Object{}, &Error{Line: line, Message: err.Error()}
	}
	var warnings []string
	for _, p := range lost(m, keptTree, "") {
		warnings = append(warnings, fmt.Sprintf("line %d: %s: field is valid Kubernetes but podplay does not simulate it; it is ignored",
			lineOf(paths, p, line), p))
	}
	return Object{Object: obj, Line: line, Warnings: warnings, Raw: m}, nil
}

var goFieldPath = regexp.MustCompile(`Go struct field [A-Za-z]+\.([A-Za-z0-9_.\[\]]+)`)

// errorLine finds the line of the field a decoding error names.
func errorLine(msg string, paths map[string]int, fallback int) int {
	if m := goFieldPath.FindStringSubmatch(msg); m != nil {
		return lineOf(paths, m[1], fallback)
	}
	return fallback
}

// lost returns the paths of non-empty input values that did not survive
// into the engine's object, outermost first. The status, and metadata the
// server owns, are not the learner's to set and are not reported.
func lost(in, kept any, path string) []string {
	switch iv := in.(type) {
	case map[string]any:
		km, _ := kept.(map[string]any)
		var out []string
		for _, k := range sortedKeys(iv) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if path == "" && k == "status" || path == "metadata" && slices.Contains([]string{"creationTimestamp", "managedFields", "selfLink"}, k) {
				continue
			}
			if empty(iv[k]) {
				continue
			}
			kv, ok := km[k]
			if !ok {
				out = append(out, p)
				continue
			}
			out = append(out, lost(iv[k], kv, p)...)
		}
		return out
	case []any:
		kl, _ := kept.([]any)
		var out []string
		for i, v := range iv {
			if i >= len(kl) {
				out = append(out, fmt.Sprintf("%s[%d]", path, i))
				continue
			}
			out = append(out, lost(v, kl[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	return nil
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case int:
		return x == 0
	case float64:
		return x == 0
	case map[string]any:
		for _, v := range x {
			if !empty(v) {
				return false
			}
		}
		return true
	case []any:
		for _, v := range x {
			if !empty(v) {
				return false
			}
		}
		return true
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
