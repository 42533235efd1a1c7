package kubectl

import (
	"strings"
	"testing"

	"github.com/podplay/podplay/engine"
)

// TestDescribeSparseObjects: objects with every optional field left out
// (nil pointers, empty lists) describe without panicking.
func TestDescribeSparseObjects(t *testing.T) {
	c, err := DefaultCluster(1)
	if err != nil {
		t.Fatal(err)
	}
	objs := []engine.Object{
		&engine.Pod{Spec: engine.PodSpec{
			InitContainers: []engine.Container{{Name: "init"}},
			Containers:     []engine.Container{{Name: "app", Env: []engine.EnvVar{{Name: "A", Value: "x\ny"}}}},
			Volumes:        []engine.Volume{{Name: "v"}, {Name: "e", VolumeSource: engine.VolumeSource{EmptyDir: &engine.EmptyDirVolumeSource{SizeLimit: "bad"}}}},
			Tolerations:    []engine.Toleration{{Operator: "Exists"}},
		}, Status: engine.PodStatus{
			ContainerStatuses: []engine.ContainerStatus{{Name: "app"}},
		}},
		&engine.Pod{ObjectMeta: engine.ObjectMeta{DeletionTimestamp: engine.Ptr(c.Now())}},
		&engine.Node{},
		&engine.Deployment{},
		&engine.Deployment{Spec: engine.DeploymentSpec{Strategy: engine.DeploymentStrategy{RollingUpdate: &engine.RollingUpdateDeployment{}}}},
		&engine.ReplicaSet{},
		&engine.Service{Spec: engine.ServiceSpec{Ports: []engine.ServicePort{{Port: 80}}}},
		&engine.Endpoints{Subsets: []engine.EndpointSubset{{}}},
		&engine.Ingress{Spec: engine.IngressSpec{
			DefaultBackend: &engine.IngressBackend{},
			Rules:          []engine.IngressRule{{}, {HTTP: &engine.HTTPIngressRuleValue{Paths: []engine.HTTPIngressPath{{}}}}},
		}},
		&engine.Ingress{},
		&engine.IngressClass{},
		&engine.PersistentVolumeClaim{ObjectMeta: engine.ObjectMeta{DeletionTimestamp: engine.Ptr(c.Now())}, Spec: engine.PersistentVolumeClaimSpec{VolumeName: "pv"}},
		&engine.PersistentVolume{Spec: engine.PersistentVolumeSpec{NodeAffinity: &engine.VolumeNodeAffinity{Required: &engine.NodeSelector{}}}},
		&engine.PersistentVolume{Spec: engine.PersistentVolumeSpec{ClaimRef: &engine.ObjectReference{}, Local: &engine.LocalVolumeSource{},
			NodeAffinity: &engine.VolumeNodeAffinity{Required: &engine.NodeSelector{NodeSelectorTerms: []engine.NodeSelectorTerm{{}}}}}},
		&engine.StorageClass{},
		&engine.Namespace{},
		&engine.Event{},
	}
	for _, o := range objs {
		if out := describeObject(c, o); !strings.HasPrefix(out, "Name:") {
			t.Errorf("describe %s: got %q", o.GetKind(), out)
		}
	}
}
