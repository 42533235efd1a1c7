package kubectl

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"

	"github.com/podplay/podplay/engine"
)

// apiTypes are the Kubernetes API types behind the simulated kinds; explain
// reads their fields and the API's own documentation of them (SwaggerDoc).
var apiTypes = map[engine.Kind]reflect.Type{
	engine.KindPod:                   reflect.TypeFor[corev1.Pod](),
	engine.KindNode:                  reflect.TypeFor[corev1.Node](),
	engine.KindNamespace:             reflect.TypeFor[corev1.Namespace](),
	engine.KindService:               reflect.TypeFor[corev1.Service](),
	engine.KindEndpoints:             reflect.TypeFor[corev1.Endpoints](),
	engine.KindEvent:                 reflect.TypeFor[corev1.Event](),
	engine.KindPersistentVolume:      reflect.TypeFor[corev1.PersistentVolume](),
	engine.KindPersistentVolumeClaim: reflect.TypeFor[corev1.PersistentVolumeClaim](),
	engine.KindDeployment:            reflect.TypeFor[appsv1.Deployment](),
	engine.KindReplicaSet:            reflect.TypeFor[appsv1.ReplicaSet](),
	engine.KindIngress:               reflect.TypeFor[networkingv1.Ingress](),
	engine.KindIngressClass:          reflect.TypeFor[networkingv1.IngressClass](),
	engine.KindStorageClass:          reflect.TypeFor[storagev1.StorageClass](),
}

type swaggerDoc interface{ SwaggerDoc() map[string]string }

// docOf returns a struct type's documentation: of the type ("") and of
// each field by its JSON name.
func docOf(t reflect.Type) map[string]string {
	if d, ok := reflect.Zero(t).Interface().(swaggerDoc); ok {
		return d.SwaggerDoc()
	}
	return nil
}

// jsonFields lists a struct's fields as the API names them, embedded
// structs (TypeMeta) flattened in.
func jsonFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && name == "" {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		f.Name = name
		out = append(out, f)
	}
	return out
}

// typeName is how kubectl explain names a field's type.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "string"
		}
		return "[]" + typeName(t.Elem())
	case reflect.Map:
		return "map[string]" + typeName(t.Elem())
	case reflect.Struct:
		switch t.Name() {
		case "Time", "MicroTime":
			return "string"
		case "IntOrString":
			return "IntOrString"
		case "Quantity":
			return "Quantity"
		}
		return t.Name()
	}
	return t.Kind().String()
}

// explain is kubectl explain TYPE[.FIELD…]: a kind's or a field's
// documentation, with the fields under it.
func explain(words []string) (string, error) {
	f, err := parseFlags(words, known("--api-version"))
	if err != nil {
		return "", err
	}
	if len(f.args) != 1 {
		return "", errors.New("you must specify the type of resource to explain, as in: kubectl explain pods, or kubectl explain deployment.spec.replicas")
	}
	path := strings.Split(f.args[0], ".")
	r, ok := lookup(path[0])
	if !ok {
		return "", fmt.Errorf("the server doesn't have a resource type %q", path[0])
	}
	t, ok := apiTypes[r.kind]
	if !ok {
		return "", fmt.Errorf("podplay has no documentation for %s", r.plural)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "KIND:       %s\n", r.kind)
	if r.group != "" {
		fmt.Fprintf(&b, "GROUP:      %s\n", r.group)
	}
	b.WriteString("VERSION:    v1\n\n")
	desc := docOf(t)[""]
	for i, name := range path[1:] {
		parentDoc := docOf(t)
		var field *reflect.StructField
		for _, fl := range jsonFields(t) {
			if fl.Name == name {
				field = &fl
				break
			}
		}
		if field == nil {
			return "", fmt.Errorf("field %q does not exist", strings.Join(path[1:i+2], "."))
		}
		desc = parentDoc[name]
		t = field.Type
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if i == len(path)-2 {
			fmt.Fprintf(&b, "FIELD: %s <%s>\n\n", name, typeName(field.Type))
		} else if t.Kind() != reflect.Struct {
			return "", fmt.Errorf("field %q does not exist", strings.Join(path[1:i+3], "."))
		}
	}
	b.WriteString("DESCRIPTION:\n")
	b.WriteString(indent(desc, 4))
	if t.Kind() == reflect.Struct && typeName(t) != "string" && typeName(t) != "IntOrString" && typeName(t) != "Quantity" {
		doc := docOf(t)
		b.WriteString("    \nFIELDS:\n")
		fields := jsonFields(t)
		slices.SortFunc(fields, func(a, b reflect.StructField) int { return strings.Compare(a.Name, b.Name) })
		for _, fl := range fields {
			fmt.Fprintf(&b, "  %s\t<%s>\n", fl.Name, typeName(fl.Type))
			b.WriteString(indent(doc[fl.Name], 4))
			b.WriteString("\n")
		}
	}
	return b.String(), nil
}

// indent wraps text at 80 columns, each line indented by n spaces.
func indent(text string, n int) string {
	if strings.TrimSpace(text) == "" {
		return strings.Repeat(" ", n) + "<empty>\n"
	}
	pad := strings.Repeat(" ", n)
	var b strings.Builder
	for _, para := range strings.Split(text, "\n") {
		line := pad
		for _, w := range strings.Fields(para) {
			if len(line) > n && len(line)+1+len(w) > 80 {
				b.WriteString(line + "\n")
				line = pad
			}
			if len(line) > n {
				line += " "
			}
			line += w
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}
