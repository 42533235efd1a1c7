package kubectl

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/podplay/podplay/engine"
)

func TestInspect(t *testing.T) {
	c, err := DefaultCluster(1)
	require.NoError(t, err)
	require.Zero(t, Run(c, "kubectl run web --image=nginx").ExitCode)
	rv := c.ResourceVersion()
	now := c.Now()

	in, err := Inspect(c, engine.KindPod, "default", "web")
	require.NoError(t, err)
	require.Contains(t, in.Describe, "Name:             web\n")
	require.Contains(t, in.YAML, "kind: Pod\n")
	require.Equal(t, rv, c.ResourceVersion(), "Inspect must not change the cluster")
	require.Equal(t, now, c.Now(), "Inspect must not move time")

	in, err = Inspect(c, engine.KindNode, "ignored", "node-2")
	require.NoError(t, err)
	require.Contains(t, in.Describe, "Name:               node-2\n")

	_, err = Inspect(c, engine.KindPod, "default", "nope")
	require.EqualError(t, err, `Error from server (NotFound): pods "nope" not found`)
	_, err = Inspect(c, engine.Kind("Gadget"), "default", "x")
	require.EqualError(t, err, `the server doesn't have a resource type "Gadget"`)
}
