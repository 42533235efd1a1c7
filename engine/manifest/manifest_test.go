package manifest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/manifest"
)

// From the Kubernetes documentation (concepts/workloads/controllers/deployment).
const nginxDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
`

func decodeErr(t *testing.T, src string) *manifest.Error {
	t.Helper()
	_, err := manifest.Decode([]byte(src))
	require.Error(t, err)
	var me *manifest.Error
	require.ErrorAs(t, err, &me)
	return me
}

func TestDecodeTheDocumentationsDeployment(t *testing.T) {
	objs, err := manifest.Decode([]byte(nginxDeployment))
	require.NoError(t, err)
	require.Len(t, objs, 1)
	require.Empty(t, objs[0].Warnings)
	d := objs[0].Object.(*engine.Deployment)
	require.Equal(t, "nginx-deployment", d.Name)
	require.Equal(t, int32(3), *d.Spec.Replicas)
	require.Equal(t, "nginx:1.14.2", d.Spec.Template.Spec.Containers[0].Image)
	require.Equal(t, int32(80), d.Spec.Template.Spec.Containers[0].Ports[0].ContainerPort)

	c := engine.New(engine.Config{NodeStartupDelay: -1})
	_, err = c.AddNode(engine.NodeOptions{Name: "node-1"})
	require.NoError(t, err)
	_, err = c.Create(d)
	require.NoError(t, err)
	require.NoError(t, c.Advance(10*time.Second))
	require.Len(t, c.Pods("default", nil), 3)
}

func TestDecodeManyDocumentsJSONAndLists(t *testing.T) {
	src := `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
# a comment-only document is skipped
---
{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
- {apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: site}, spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}}
`
	objs, err := manifest.Decode([]byte(src))
	require.NoError(t, err)
	var kinds []engine.Kind
	for _, o := range objs {
		kinds = append(kinds, o.Object.GetKind())
	}
	require.Equal(t, []engine.Kind{engine.KindService, engine.KindNamespace, engine.KindPersistentVolumeClaim, engine.KindIngress}, kinds)
	require.Equal(t, 1, objs[0].Line)
	require.Equal(t, "8080", objs[0].Object.(*engine.Service).Spec.Ports[0].TargetPort.String())
}

func TestDecodeErrorsAreTheAPIServersWithLines(t *testing.T) {
	e := decodeErr(t, strings.Replace(nginxDeployment, "containers:", "contaners:", 1))
	require.Equal(t, 17, e.Line)
	require.Contains(t, e.Message, `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.contaners"`)

	e = decodeErr(t, strings.Replace(nginxDeployment, "replicas: 3", "replicas: three", 1))
	require.Equal(t, 8, e.Line)
	require.Contains(t, e.Message, "cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32")

	e = decodeErr(t, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n")
	require.Equal(t, 5, e.Line)
	require.Contains(t, e.Message, `mapping key "name" already defined at line 4`)

	e = decodeErr(t, "metadata: {name: x}\n")
	require.Contains(t, e.Message, "error validating data: [apiVersion not set, kind not set]")

	e = decodeErr(t, "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\n")
	require.Contains(t, e.Message, `no matches for kind "CronJob" in version "batch/v1"`)

	e = decodeErr(t, "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: x}\n")
	require.Contains(t, e.Message, `no matches for kind "Ingress" in version "extensions/v1beta1"`)

	e = decodeErr(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n")
	require.Contains(t, e.Message, "error converting YAML to JSON")

	e = decodeErr(t, "- just\n- a list\n")
	require.Contains(t, e.Message, "not an object")
}

func TestUnsimulatedFieldsWarnWithTheirLines(t *testing.T) {
	src := strings.Replace(nginxDeployment, "      containers:", `      affinity:
        nodeAffinity: {}
      hostNetwork: true
      containers:`, 1)
	objs, err := manifest.Decode([]byte(src))
	require.NoError(t, err)
	require.Equal(t, []string{
		"line 19: spec.template.spec.hostNetwork: field is valid Kubernetes but podplay does not simulate it; it is ignored",
	}, objs[0].Warnings, "an empty affinity is nothing to warn about; hostNetwork: true is")
	src = strings.Replace(src, "nodeAffinity: {}", "podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname}]}", 1)
	objs, err = manifest.Decode([]byte(src))
	require.NoError(t, err)
	require.Contains(t, objs[0].Warnings[0], "line 17: spec.template.spec.affinity:")
}

func TestHostileInputIsRefusedQuickly(t *testing.T) {
	e := decodeErr(t, strings.Repeat("#", manifest.MaxBytes+1))
	require.Contains(t, e.Message, "3 MiB")

	bomb := "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	start := time.Now()
	_, err := manifest.Decode([]byte(bomb))
	require.Error(t, err)
	require.Less(t, time.Since(start), 5*time.Second)

	_, err = manifest.Decode([]byte("a: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000)))
	require.Error(t, err)
}

// TestRoundTrip exports every kind from a running cluster and applies the
// exported YAML to a fresh one.
func TestRoundTrip(t *testing.T) {
	src := nginxDeployment + `---
apiVersion: v1
kind: Service
metadata: {name: nginx}
spec:
  type: NodePort
  selector: {app: nginx}
  ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site}
spec:
  rules:
  - host: example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: nginx, port: {number: 80}}}}]}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`
	objs, err := manifest.Decode([]byte(src))
	require.NoError(t, err)
	c := engine.New(engine.Config{NodeStartupDelay: -1})
	_, err = c.AddNode(engine.NodeOptions{Name: "node-1"})
	require.NoError(t, err)
	for _, o := range objs {
		_, err := c.Create(o.Object)
		require.NoError(t, err)
	}
	require.NoError(t, c.Advance(10*time.Second))
	snap := c.Snapshot()
	out, err := manifest.Encode(snap.Objects...)
	require.NoError(t, err)
	back, err := manifest.Decode(out)
	require.NoError(t, err)
	require.Len(t, back, len(snap.Objects))
	for i, o := range back {
		require.Empty(t, o.Warnings, "object %d (%s) lost fields on the way", i, o.Object.GetKind())
		require.Equal(t, snap.Objects[i].GetKind(), o.Object.GetKind())
		require.Equal(t, snap.Objects[i].GetObjectMeta().Name, o.Object.GetObjectMeta().Name)
	}
	// The exported Deployment applies to a fresh cluster.
	fresh := engine.New(engine.Config{})
	for _, o := range back {
		if o.Object.GetKind() == engine.KindDeployment {
			_, err := fresh.Create(o.Object)
			require.NoError(t, err)
		}
	}
	one, err := manifest.Encode(objs[0].Object)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(one), "apiVersion: apps/v1\nkind: Deployment\n"), string(one))
	js, err := manifest.EncodeJSON(objs[0].Object)
	require.NoError(t, err)
	require.Contains(t, string(js), `"kind": "Deployment"`)
}
