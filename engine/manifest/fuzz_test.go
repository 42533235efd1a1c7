package manifest_test

import (
	"testing"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/manifest"
)

// FuzzDecode: any input is decoded or refused with an error, never a
// panic; whatever decodes can be created (or refused) by the engine.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(nginxDeployment))
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: c, image: nginx}]}\n"))
	f.Add([]byte("a: &a [1]\nb: [*a, *a]\n"))
	f.Add([]byte(`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}}]}`))
	f.Add([]byte("---\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := manifest.Decode(data)
		if err != nil {
			return
		}
		c := engine.New(engine.DefaultConfig())
		for _, o := range objs {
			_, _ = c.Create(o.Object)
		}
		if err := c.Settle(); err != nil {
			t.Fatal(err)
		}
	})
}
