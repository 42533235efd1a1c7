package kubectl

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/manifest"
)

// apply creates the objects of a manifest, or (apply) updates those that
// exist; it prints kubectl's "<kind>/<name> created|configured|unchanged".
func apply(c *engine.Cluster, verb string, words []string, stdin string) (string, error) {
	f, err := parseFlags(words, known("-f", "--filename", "-n", "--namespace"))
	if err != nil {
		return "", err
	}
	if len(f.args) > 0 && verb == "create" {
		return "", fmt.Errorf("podplay does not know \"kubectl create %s\" yet; use kubectl create -f - with a manifest", f.args[0])
	}
	if f.filename == "" {
		return "", errors.New("must specify one of -f and -k")
	}
	if f.filename != "-" {
		return "", fmt.Errorf("the path %q does not exist (in podplay, pass the manifest on standard input: -f - <<EOF)", f.filename)
	}
	if strings.TrimSpace(stdin) == "" {
		return "", errors.New("no objects passed to " + verb)
	}
	docs, err := manifest.Decode([]byte(stdin))
	if err != nil {
		var me *manifest.Error
		if errors.As(err, &me) && me.Line > 0 {
			return "", fmt.Errorf("error parsing STDIN (line %d): %s", me.Line, me.Message)
		}
		return "", fmt.Errorf("error parsing STDIN: %w", err)
	}
	if len(docs) == 0 {
		return "", errors.New("no objects passed to " + verb)
	}
	var b strings.Builder
	var errs []error
	for _, d := range docs {
		for _, w := range d.Warnings {
			fmt.Fprintf(&b, "Warning: %s\n", w)
		}
		obj := d.Object
		m := obj.GetObjectMeta()
		if obj.GetKind().Namespaced() && m.Namespace == "" {
			m.Namespace = namespaceOf(f)
		}
		r := resourceOf(obj.GetKind())
		name := r.qualified() + "/" + m.Name
		if m.Name == "" && verb == "apply" {
			errs = append(errs, fmt.Errorf("error when retrieving current configuration of %s %q in namespace %q from server for: \"STDIN\": resource name may not be empty", obj.GetKind(), m.Name, m.Namespace))
			continue
		}
		existing, getErr := c.Get(obj.GetKind(), m.Namespace, m.Name)
		if verb == "apply" {
			if err := recordApplied(obj, d.Raw); err != nil {
				errs = append(errs, err)
				continue
			}
			if getErr == nil {
				mergeMetadata(existing.GetObjectMeta(), m)
			}
		}
		switch {
		case getErr == nil && verb == "create":
			_, err := c.Create(obj) // refused: it exists
			errs = append(errs, wrapCreate(err))
		case getErr == nil:
			m.ResourceVersion = ""
			updated, err := c.Update(obj)
			if err != nil {
				errs = append(errs, fmt.Errorf("error when applying patch to %s: %w", name, err))
				continue
			}
			if updated.GetObjectMeta().ResourceVersion == existing.GetObjectMeta().ResourceVersion {
				fmt.Fprintf(&b, "%s unchanged\n", name)
			} else {
				fmt.Fprintf(&b, "%s configured\n", name)
			}
		default:
			if _, err := c.Create(obj); err != nil {
				errs = append(errs, wrapCreate(err))
				continue
			}
			fmt.Fprintf(&b, "%s created\n", name)
		}
	}
	return b.String(), errors.Join(errs...)
}

// lastApplied is the annotation in which kubectl apply keeps the manifest it
// last applied, so that the next apply can tell what it owns.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// recordApplied stores the manifest, as written, in its own annotation,
// as kubectl does: with the namespace filled in and the annotations it
// had apart from this one.
func recordApplied(obj engine.Object, raw map[string]any) error {
	m := obj.GetObjectMeta()
	delete(m.Annotations, lastApplied)
	doc := maps.Clone(raw)
	meta, _ := doc["metadata"].(map[string]any)
	meta = maps.Clone(meta)
	if meta == nil {
		meta = map[string]any{}
	}
	if obj.GetKind().Namespaced() {
		meta["namespace"] = m.Namespace
	}
	ann := map[string]any{}
	for k, v := range m.Annotations {
		ann[k] = v
	}
	meta["annotations"] = ann
	doc["metadata"] = meta
	data, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("error when encoding the applied configuration: %w", err)
	}
	if m.Annotations == nil {
		m.Annotations = map[string]string{}
	}
	m.Annotations[lastApplied] = string(data) + "\n"
	return nil
}

// mergeMetadata gives the object to be written the labels and annotations a
// three-way merge would: those already on the object stay (a controller's
// revision annotation, a label added by kubectl label), unless the last
// applied manifest set them and this one no longer does; the new manifest's
// own keys win.
func mergeMetadata(cur, next *engine.ObjectMeta) {
	var prev struct {
		Metadata struct {
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	if s, ok := cur.Annotations[lastApplied]; ok {
		_ = json.Unmarshal([]byte(s), &prev) // a mangled annotation means nothing was owned
	}
	next.Labels = merge3(cur.Labels, prev.Metadata.Labels, next.Labels)
	next.Annotations = merge3(cur.Annotations, prev.Metadata.Annotations, next.Annotations)
}

func merge3(cur, prev, want map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range cur {
		if _, owned := prev[k]; owned {
			continue
		}
		out[k] = v
	}
	for k, v := range want {
		out[k] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// wrapCreate keeps API errors recognisable while saying which input they
// came from, as kubectl does.
func wrapCreate(err error) error {
	var ae *engine.APIError
	if errors.As(err, &ae) {
		wrapped := *ae
		wrapped.Message = "error when creating \"STDIN\": " + ae.Message
		return &wrapped
	}
	return fmt.Errorf("error when creating \"STDIN\": %w", err)
}

// del deletes objects: TYPE NAME…, TYPE/NAME…, or TYPE -l SELECTOR.
func del(c *engine.Cluster, words []string) (string, error) {
	f, err := parseFlags(words, known("-n", "--namespace", "-l", "--selector", "--grace-period", "--force", "--now"))
	if err != nil {
		return "", err
	}
	if len(f.args) == 0 {
		return "", errors.New(`You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'`)
	}
	ns := namespaceOf(f)
	type target struct {
		res  resource
		name string
	}
	var targets []target
	if strings.Contains(f.args[0], "/") {
		for _, a := range f.args {
			t, name, _ := strings.Cut(a, "/")
			r, ok := lookup(t)
			if !ok {
				return "", fmt.Errorf("the server doesn't have a resource type %q", t)
			}
			targets = append(targets, target{r, name})
		}
	} else {
		r, ok := lookup(f.args[0])
		if !ok {
			return "", fmt.Errorf("the server doesn't have a resource type %q", f.args[0])
		}
		if len(f.args) == 1 && f.selector == "" {
			return "", errors.New("resource(s) were provided, but no name was specified")
		}
		for _, n := range f.args[1:] {
			targets = append(targets, target{r, n})
		}
		if f.selector != "" {
			sel, err := parseSelector(f.selector)
			if err != nil {
				return "", err
			}
			for _, o := range c.List(r.kind, scope(r, ns), sel) {
				targets = append(targets, target{r, o.GetObjectMeta().Name})
			}
			if len(targets) == 0 {
				return fmt.Sprintf("No resources found in %s namespace.\n", ns), nil
			}
		}
	}
	var b strings.Builder
	var errs []error
	for _, t := range targets {
		if err := c.Delete(t.res.kind, scope(t.res, ns), t.name, engine.DeleteOptions{GracePeriodSeconds: f.gracePeriod}); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(&b, "%s %q deleted\n", t.res.qualified(), t.name)
	}
	return b.String(), errors.Join(errs...)
}
