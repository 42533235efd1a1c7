package kubectl

import (
	"errors"

	"github.com/podplay/podplay/engine"
)

// nodeVerb is kubectl cordon, uncordon, drain and taint.
func nodeVerb(c *engine.Cluster, verb string, words []string) (string, error) {
	return "", errors.New(verb + " is not built yet")
}

// labelVerb is kubectl label and annotate.
func labelVerb(c *engine.Cluster, verb string, words []string) (string, error) {
	return "", errors.New(verb + " is not built yet")
}
