package engine

import (
	"maps"
	"slices"
	"strings"
)

// interner shares identical immutable values between stored objects. Pods
// made from one template carry equal labels, owner references and resource
// requests; stored objects are never modified (writers copy first, readers
// get deep copies), so one copy can serve them all. At 150,000 pods this
// saves hundreds of megabytes. The caches are bounded and simply dropped
// when full.
type interner struct {
	resources map[string]ResourceList
	labels    map[string]map[string]string
	owners    map[string][]OwnerReference
	// conds is the condition list the kubelet wrote last.
	conds []PodCondition
}

const internLimit = 4096

func newInterner() interner {
	return interner{
		resources: map[string]ResourceList{},
		labels:    map[string]map[string]string{},
		owners:    map[string][]OwnerReference{},
	}
}

// resourceList returns a shared ResourceList equal to l. Quantities are
// compared by value: they always serialise in canonical form.
func (in *interner) resourceList(l ResourceList) ResourceList {
	if len(l) == 0 {
		return l
	}
	var b strings.Builder
	for _, k := range sortedMapKeys(l) {
		q := l[k]
		b.WriteString(string(k))
		b.WriteByte('=')
		b.WriteString(q.String())
		b.WriteByte(';')
	}
	key := b.String()
	if shared, ok := in.resources[key]; ok {
		return shared
	}
	if len(in.resources) >= internLimit {
		clear(in.resources)
	}
	in.resources[key] = l
	return l
}

// labelMap returns a shared map equal to m.
func (in *interner) labelMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return m
	}
	var b strings.Builder
	for _, k := range sortedMapKeys(m) {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(m[k])
		b.WriteByte(0)
	}
	key := b.String()
	if shared, ok := in.labels[key]; ok && maps.Equal(shared, m) {
		return shared
	}
	if len(in.labels) >= internLimit {
		clear(in.labels)
	}
	in.labels[key] = m
	return m
}

// ownerRefs returns a shared slice equal to refs.
func (in *interner) ownerRefs(refs []OwnerReference) []OwnerReference {
	if len(refs) != 1 {
		return refs
	}
	key := refs[0].UID
	if shared, ok := in.owners[key]; ok && ownerRefEqual(shared[0], refs[0]) {
		return shared
	}
	if len(in.owners) >= internLimit {
		clear(in.owners)
	}
	refs = refs[:1:1] // an append must never write into a shared array
	in.owners[key] = refs
	return refs
}

func ownerRefEqual(a, b OwnerReference) bool {
	return a.APIVersion == b.APIVersion && a.Kind == b.Kind && a.Name == b.Name && a.UID == b.UID &&
		ptrEqual(a.Controller, b.Controller) && ptrEqual(a.BlockOwnerDeletion, b.BlockOwnerDeletion)
}

// conditions returns a shared slice equal to cs (the kubelet writes the
// same conditions, same times included, for every pod it moves at one
// instant), or a copy of cs.
func (in *interner) conditions(cs []PodCondition) []PodCondition {
	if slices.Equal(in.conds, cs) {
		return in.conds
	}
	in.conds = slices.Clip(slices.Clone(cs))
	return in.conds
}

// internPod shares the pod's template-derived values with equal ones
// already stored.
func (in *interner) internPod(p *Pod) {
	p.Labels = in.labelMap(p.Labels)
	p.OwnerReferences = in.ownerRefs(p.OwnerReferences)
	for _, list := range [][]Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range list {
			list[i].Resources.Requests = in.resourceList(list[i].Resources.Requests)
			list[i].Resources.Limits = in.resourceList(list[i].Resources.Limits)
		}
	}
}
