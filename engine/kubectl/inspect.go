package kubectl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/manifest"
)

// Inspection is what the diagram's side panel shows of one object: the
// answers of "kubectl describe" and "kubectl get -o yaml" for it.
type Inspection struct {
	Describe string `json:"describe"`
	YAML     string `json:"yaml"`
}

// Inspect describes one object without changing anything: unlike Run, it
// neither settles the controllers nor moves time, so it may be called
// between recorded commands without changing what a replay produces.
func Inspect(c *engine.Cluster, kind engine.Kind, namespace, name string) (Inspection, error) {
	if !kind.Known() {
		return Inspection{}, fmt.Errorf("the server doesn't have a resource type %q", kind)
	}
	if !kind.Namespaced() {
		namespace = ""
	}
	obj, err := c.Get(kind, namespace, name)
	if err != nil {
		return Inspection{}, errors.New(strings.TrimSpace(errorText(err)))
	}
	y, err := manifest.Encode(obj)
	if err != nil {
		return Inspection{}, err
	}
	return Inspection{Describe: describeObject(c, obj), YAML: string(y)}, nil
}
