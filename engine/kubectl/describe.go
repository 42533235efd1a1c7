package kubectl

import (
	"errors"

	"github.com/podplay/podplay/engine"
)

// describe is kubectl describe.
func describe(c *engine.Cluster, words []string) (string, error) {
	return "", errors.New("describe is not built yet")
}
