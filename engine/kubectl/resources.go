package kubectl

import (
	"strings"

	"github.com/podplay/podplay/engine"
)

// resource is a kind as kubectl names it.
type resource struct {
	kind engine.Kind
	// plural is the resource name ("pods"); group its API group ("apps").
	plural, singular, group string
	short                   []string
}

// qualified is kubectl's name for the resource in messages:
// "deployment.apps", "pod", "ingress.networking.k8s.io".
func (r resource) qualified() string {
	if r.group == "" {
		return r.singular
	}
	return r.singular + "." + r.group
}

var resources = []resource{
	{engine.KindPod, "pods", "pod", "", []string{"po"}},
	{engine.KindNode, "nodes", "node", "", []string{"no"}},
	{engine.KindNamespace, "namespaces", "namespace", "", []string{"ns"}},
	{engine.KindDeployment, "deployments", "deployment", "apps", []string{"deploy"}},
	{engine.KindReplicaSet, "replicasets", "replicaset", "apps", []string{"rs"}},
	{engine.KindService, "services", "service", "", []string{"svc"}},
	{engine.KindEndpoints, "endpoints", "endpoints", "", []string{"ep"}},
	{engine.KindIngress, "ingresses", "ingress", "networking.k8s.io", []string{"ing"}},
	{engine.KindIngressClass, "ingressclasses", "ingressclass", "networking.k8s.io", nil},
	{engine.KindPersistentVolume, "persistentvolumes", "persistentvolume", "", []string{"pv"}},
	{engine.KindPersistentVolumeClaim, "persistentvolumeclaims", "persistentvolumeclaim", "", []string{"pvc"}},
	{engine.KindStorageClass, "storageclasses", "storageclass", "storage.k8s.io", []string{"sc"}},
	{engine.KindEvent, "events", "event", "", []string{"ev"}},
}

// lookup resolves what a user typed: a plural, singular, short name,
// kind, or any of them qualified by group ("deployments.apps").
func lookup(name string) (resource, bool) {
	n := strings.ToLower(name)
	base, group, _ := strings.Cut(n, ".")
	for _, r := range resources {
		if group != "" && group != r.group {
			continue
		}
		if base == r.plural || base == r.singular || base == strings.ToLower(string(r.kind)) {
			return r, true
		}
		for _, s := range r.short {
			if base == s {
				return r, true
			}
		}
	}
	return resource{}, false
}

func resourceOf(kind engine.Kind) resource {
	for _, r := range resources {
		if r.kind == kind {
			return r
		}
	}
	return resource{kind: kind, plural: strings.ToLower(string(kind)) + "s", singular: strings.ToLower(string(kind))}
}
