package engine

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
)

// volumeBinder plays the PersistentVolume controller and the simulated
// provisioner: it binds each claim to the smallest fitting Available volume
// of its class, or provisions one; releases volumes whose claims are gone,
// deleting them or keeping them as their reclaim policy says; and holds
// claims and volumes in use until nothing uses them (the pvc- and
// pv-protection finalizers). It also takes part in scheduling, and keeps
// the files each volume holds.
type volumeBinder struct {
	c  *Cluster
	id int
	// data holds the files of each volume, by volume uid: they outlive
	// pods and nodes, and go only with the volume.
	data map[string]map[string]string
}

var sourcePVController = EventSource{Component: "persistentvolume-controller"}

func newVolumeBinder(c *Cluster) *volumeBinder {
	v := &volumeBinder{c: c, data: map[string]map[string]string{}}
	v.id = c.register("persistentvolume-controller", v, KindPersistentVolumeClaim, KindPersistentVolume, KindPod, KindStorageClass)
	c.volumeScheduler = v
	return v
}

var _ controller = (*volumeBinder)(nil)
var _ VolumeScheduler = (*volumeBinder)(nil)

func (v *volumeBinder) observe(ev WatchEvent, old Object) {
	switch o := ev.Object.(type) {
	case *PersistentVolumeClaim:
		v.c.enqueue(v.id, "pvc:"+ev.key)
		if o.Spec.VolumeName != "" {
			v.c.enqueue(v.id, "pv:"+o.Spec.VolumeName)
		}
	case *PersistentVolume:
		if ev.Type == Deleted {
			delete(v.data, o.UID)
		}
		v.c.enqueue(v.id, "pv:"+ev.key)
		if ref := o.Spec.ClaimRef; ref != nil {
			v.c.enqueue(v.id, "pvc:"+objectKey(ref.Namespace, ref.Name))
		} else if ev.Type != Deleted && o.Status.Phase == "Available" {
			v.retryPending() // a new volume may fit a waiting claim
		}
	case *StorageClass:
		v.retryPending()
	case *Pod:
		// A pod placed on a node lets WaitForFirstConsumer claims bind; a
		// pod gone may free a claim being deleted.
		was, _ := old.(*Pod)
		placed := o.Spec.NodeName != "" && (was == nil || was.Spec.NodeName == "")
		if !placed && ev.Type != Deleted && !o.IsTerminal() {
			return
		}
		for _, vol := range o.Spec.Volumes {
			if vol.PersistentVolumeClaim != nil {
				v.c.enqueue(v.id, "pvc:"+objectKey(o.Namespace, vol.PersistentVolumeClaim.ClaimName))
			}
		}
	}
}

func (v *volumeBinder) retryPending() {
	for _, obj := range v.c.store.list(KindPersistentVolumeClaim, "", nil) {
		if pvc := obj.(*PersistentVolumeClaim); pvc.Status.Phase == "Pending" {
			v.c.enqueue(v.id, "pvc:"+pvc.Key())
		}
	}
}

func (v *volumeBinder) reconcile(key string) {
	if k, ok := strings.CutPrefix(key, "pvc:"); ok {
		v.syncClaim(k)
		return
	}
	v.syncVolume(strings.TrimPrefix(key, "pv:"))
}

func (v *volumeBinder) claim(key string) *PersistentVolumeClaim {
	c, _ := v.c.store.get(KindPersistentVolumeClaim, key).(*PersistentVolumeClaim)
	return c
}

func (v *volumeBinder) volume(name string) *PersistentVolume {
	pv, _ := v.c.store.get(KindPersistentVolume, name).(*PersistentVolume)
	return pv
}

// users returns the live pods that mount the claim.
func (v *volumeBinder) users(pvc *PersistentVolumeClaim) []*Pod {
	var out []*Pod
	for _, obj := range v.c.store.list(KindPod, pvc.Namespace, nil) {
		p := obj.(*Pod)
		if p.IsTerminal() {
			continue
		}
		for _, vol := range p.Spec.Volumes {
			if vol.PersistentVolumeClaim != nil && vol.PersistentVolumeClaim.ClaimName == pvc.Name {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

func (v *volumeBinder) syncClaim(key string) {
	pvc := v.claim(key)
	if pvc == nil {
		return
	}
	if pvc.DeletionTimestamp != nil {
		if len(v.users(pvc)) == 0 {
			v.c.removeObject(KindPersistentVolumeClaim, key)
		}
		return
	}
	if pvc.Spec.VolumeName != "" {
		if pv := v.volume(pvc.Spec.VolumeName); pv != nil && pv.Spec.ClaimRef != nil && pv.Spec.ClaimRef.UID == pvc.UID {
			v.setClaimBound(pvc, pv)
			return
		}
		if pv := v.volume(pvc.Spec.VolumeName); pv != nil && pv.Spec.ClaimRef == nil {
			v.bind(pvc, pv) // the claim asked for this volume by name
			return
		}
		if v.volume(pvc.Spec.VolumeName) == nil && pvc.Status.Phase == "Bound" {
			np := pvc.DeepCopy()
			np.Status.Phase = "Lost"
			v.c.mustUpdate(np)
			v.c.event(pvc, EventTypeWarning, "ClaimLost", sourcePVController, "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
		}
		return
	}
	className := ""
	if pvc.Spec.StorageClassName != nil {
		className = *pvc.Spec.StorageClassName
	}
	var class *StorageClass
	if className != "" {
		class, _ = v.c.store.get(KindStorageClass, className).(*StorageClass)
	}
	if pv := v.bestVolume(pvc, className); pv != nil {
		v.bind(pvc, pv)
		return
	}
	switch {
	case className != "" && class == nil:
		v.c.event(pvc, EventTypeWarning, "ProvisioningFailed", sourcePVController, "storageclass.storage.k8s.io %q not found", className)
	case class == nil:
		v.c.event(pvc, EventTypeNormal, "FailedBinding", sourcePVController, "no persistent volumes available for this claim and no storage class is set")
	case class.bindingMode() == "WaitForFirstConsumer" && pvc.Annotations[AnnotationSelectedNode] == "":
		node := v.consumerNode(pvc)
		if node == "" {
			v.c.event(pvc, EventTypeNormal, "WaitForFirstConsumer", sourcePVController, "waiting for first consumer to be created before binding")
			return
		}
		np := pvc.DeepCopy()
		if np.Annotations == nil {
			np.Annotations = map[string]string{}
		}
		np.Annotations[AnnotationSelectedNode] = node
		v.c.mustUpdate(np) // observe brings the claim back to provision it
	default:
		v.provision(pvc, class)
	}
}

// consumerNode returns the node of a scheduled pod that mounts the claim.
func (v *volumeBinder) consumerNode(pvc *PersistentVolumeClaim) string {
	for _, p := range v.users(pvc) {
		if p.Spec.NodeName != "" {
			return p.Spec.NodeName
		}
	}
	return ""
}

// bestVolume finds the smallest Available volume the claim fits.
func (v *volumeBinder) bestVolume(pvc *PersistentVolumeClaim, className string) *PersistentVolume {
	want := pvc.Spec.Resources.Requests["storage"]
	var sel labels.Selector
	if pvc.Spec.Selector != nil {
		sel, _ = pvc.Spec.Selector.AsSelector()
	}
	var node *Node
	if name := pvc.Annotations[AnnotationSelectedNode]; name != "" {
		node = v.c.node(name)
	}
	var best *PersistentVolume
	for _, obj := range v.c.store.list(KindPersistentVolume, "", nil) {
		pv := obj.(*PersistentVolume)
		if pv.DeletionTimestamp != nil || pv.Status.Phase != "Available" && pv.Status.Phase != "Pending" {
			continue
		}
		if ref := pv.Spec.ClaimRef; ref != nil && (ref.Namespace != pvc.Namespace || ref.Name != pvc.Name || ref.UID != "" && ref.UID != pvc.UID) {
			continue // reserved for another claim
		}
		if pv.Spec.StorageClassName != className || pv.Spec.VolumeMode != pvc.Spec.VolumeMode {
			continue
		}
		if !containsAll(pv.Spec.AccessModes, pvc.Spec.AccessModes) {
			continue
		}
		capacity := pv.Spec.Capacity["storage"]
		if capacity.Cmp(want) < 0 {
			continue
		}
		if sel != nil && !sel.Matches(labels.Set(pv.Labels)) {
			continue
		}
		if node != nil && !nodeAffinityMatches(pv.Spec.NodeAffinity, node) {
			continue
		}
		if best == nil {
			best = pv
			continue
		}
		bc := best.Spec.Capacity["storage"]
		if capacity.Cmp(bc) < 0 {
			best = pv
		}
	}
	return best
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// nodeAffinityMatches reports whether a volume's node affinity allows node.
func nodeAffinityMatches(na *VolumeNodeAffinity, n *Node) bool {
	if na == nil || na.Required == nil || len(na.Required.NodeSelectorTerms) == 0 {
		return true
	}
	for _, term := range na.Required.NodeSelectorTerms {
		ok := true
		for _, r := range term.MatchExpressions {
			val, has := n.Labels[r.Key]
			switch r.Operator {
			case "In":
				ok = ok && has && slices.Contains(r.Values, val)
			case "NotIn":
				ok = ok && !(has && slices.Contains(r.Values, val))
			case "Exists":
				ok = ok && has
			case "DoesNotExist":
				ok = ok && !has
			default:
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// provision makes a volume for the claim, as the class's provisioner would.
func (v *volumeBinder) provision(pvc *PersistentVolumeClaim, class *StorageClass) {
	name := "pvc-" + pvc.UID
	if v.volume(name) != nil {
		return
	}
	pv := &PersistentVolume{ObjectMeta: ObjectMeta{Name: name, Annotations: map[string]string{AnnotationProvisionedBy: class.Provisioner}}}
	pv.Spec.Capacity = ResourceList{"storage": pvc.Spec.Resources.Requests["storage"].DeepCopy()}
	pv.Spec.AccessModes = slices.Clone(pvc.Spec.AccessModes)
	pv.Spec.PersistentVolumeReclaimPolicy = *class.ReclaimPolicy
	pv.Spec.StorageClassName = class.Name
	pv.Spec.VolumeMode = pvc.Spec.VolumeMode
	pv.Spec.ClaimRef = &ObjectReference{Kind: KindPersistentVolumeClaim, Namespace: pvc.Namespace, Name: pvc.Name, UID: pvc.UID, APIVersion: "v1"}
	pv.Spec.HostPath = &HostPathVolumeSource{Path: "/var/lib/podplay/volumes/" + name}
	if node := pvc.Annotations[AnnotationSelectedNode]; node != "" {
		// Provisioned for its first consumer: a disk of that node.
		pv.Spec.HostPath = nil
		pv.Spec.Local = &LocalVolumeSource{Path: "/var/lib/podplay/volumes/" + name}
		pv.Spec.NodeAffinity = &VolumeNodeAffinity{Required: &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{{
			MatchExpressions: []NodeSelectorRequirement{{Key: "kubernetes.io/hostname", Operator: "In", Values: []string{node}}},
		}}}}
	}
	if err := v.c.checkLimits(KindPersistentVolume, name); err != nil {
		v.c.event(pvc, EventTypeWarning, "ProvisioningFailed", EventSource{Component: class.Provisioner}, "failed to provision volume with StorageClass %q: %v", class.Name, err)
		return
	}
	pv.Status.Phase = "Pending"
	if err := v.c.createObject(pv); err != nil {
		v.c.event(pvc, EventTypeWarning, "ProvisioningFailed", EventSource{Component: class.Provisioner}, "failed to provision volume with StorageClass %q: %v", class.Name, err)
		return
	}
	v.c.event(pvc, EventTypeNormal, "Provisioning", EventSource{Component: class.Provisioner},
		"External provisioner is provisioning volume for claim %q", pvc.Namespace+"/"+pvc.Name)
	v.c.event(pvc, EventTypeNormal, "ProvisioningSucceeded", EventSource{Component: class.Provisioner}, "Successfully provisioned volume %s", name)
	v.bind(pvc, pv)
}

// bind ties a claim and a volume together.
func (v *volumeBinder) bind(pvc *PersistentVolumeClaim, pv *PersistentVolume) {
	npv := pv.DeepCopy()
	npv.Spec.ClaimRef = &ObjectReference{Kind: KindPersistentVolumeClaim, Namespace: pvc.Namespace, Name: pvc.Name, UID: pvc.UID,
		APIVersion: "v1", ResourceVersion: ""}
	npv.Status.Phase = "Bound"
	if npv.Annotations == nil {
		npv.Annotations = map[string]string{}
	}
	npv.Annotations[AnnotationBoundByBinder] = "yes"
	v.c.mustUpdate(npv)
	v.setClaimBound(pvc, npv)
}

func (v *volumeBinder) setClaimBound(pvc *PersistentVolumeClaim, pv *PersistentVolume) {
	if pvc.Spec.VolumeName == pv.Name && pvc.Status.Phase == "Bound" {
		return
	}
	np := pvc.DeepCopy()
	np.Spec.VolumeName = pv.Name
	np.Status.Phase = "Bound"
	np.Status.AccessModes = slices.Clone(pv.Spec.AccessModes)
	np.Status.Capacity = pv.Spec.Capacity.DeepCopy()
	if np.Annotations == nil {
		np.Annotations = map[string]string{}
	}
	np.Annotations["pv.kubernetes.io/bind-completed"] = "yes"
	v.c.mustUpdate(np)
}

func (v *volumeBinder) syncVolume(name string) {
	pv := v.volume(name)
	if pv == nil {
		return
	}
	ref := pv.Spec.ClaimRef
	var claim *PersistentVolumeClaim
	if ref != nil {
		claim = v.claim(objectKey(ref.Namespace, ref.Name))
		if claim != nil && ref.UID != "" && claim.UID != ref.UID {
			claim = nil
		}
	}
	if pv.DeletionTimestamp != nil && claim == nil {
		v.c.removeObject(KindPersistentVolume, name)
		return
	}
	switch {
	case ref != nil && claim == nil && ref.UID != "" && pv.Status.Phase == "Bound":
		// The claim is gone: release, then reclaim.
		if pv.Spec.PersistentVolumeReclaimPolicy == "Delete" {
			v.c.removeObject(KindPersistentVolume, name)
			return
		}
		npv := pv.DeepCopy()
		npv.Status.Phase = "Released"
		v.c.mustUpdate(npv)
	case ref == nil && pv.Status.Phase != "Available":
		npv := pv.DeepCopy()
		npv.Status.Phase = "Available"
		v.c.mustUpdate(npv)
	}
}

// PreFilter implements VolumeScheduler: a pod cannot be placed while an
// immediate claim of its is unbound, or a claim is missing or going.
func (v *volumeBinder) PreFilter(p *Pod) string {
	for _, vol := range p.Spec.Volumes {
		if vol.PersistentVolumeClaim == nil {
			continue
		}
		name := vol.PersistentVolumeClaim.ClaimName
		pvc := v.claim(objectKey(p.Namespace, name))
		switch {
		case pvc == nil:
			return fmt.Sprintf("persistentvolumeclaim %q not found", name)
		case pvc.DeletionTimestamp != nil:
			return fmt.Sprintf("persistentvolumeclaim %q is being deleted", name)
		case pvc.Status.Phase != "Bound" && !v.waitsForConsumer(pvc):
			return "pod has unbound immediate PersistentVolumeClaims"
		}
	}
	return ""
}

func (v *volumeBinder) waitsForConsumer(pvc *PersistentVolumeClaim) bool {
	if pvc.Spec.StorageClassName == nil {
		return false
	}
	class, _ := v.c.store.get(KindStorageClass, *pvc.Spec.StorageClassName).(*StorageClass)
	return class != nil && class.bindingMode() == "WaitForFirstConsumer"
}

var reasonVolumeAffinity = []string{"node(s) had volume node affinity conflict"}

// Filter implements VolumeScheduler: a bound volume's node affinity must
// allow the node.
func (v *volumeBinder) Filter(p *Pod, n *Node) []string {
	for _, vol := range p.Spec.Volumes {
		if vol.PersistentVolumeClaim == nil {
			continue
		}
		pvc := v.claim(objectKey(p.Namespace, vol.PersistentVolumeClaim.ClaimName))
		if pvc == nil || pvc.Spec.VolumeName == "" {
			continue
		}
		if pv := v.volume(pvc.Spec.VolumeName); pv != nil && !nodeAffinityMatches(pv.Spec.NodeAffinity, n) {
			return reasonVolumeAffinity
		}
	}
	return nil
}

// files returns the file map of the volume a claim is bound to, or nil if
// the claim is not bound.
func (v *volumeBinder) files(namespace, claim string) map[string]string {
	pvc := v.claim(objectKey(namespace, claim))
	if pvc == nil || pvc.Spec.VolumeName == "" {
		return nil
	}
	pv := v.volume(pvc.Spec.VolumeName)
	if pv == nil {
		return nil
	}
	m := v.data[pv.UID]
	if m == nil {
		m = map[string]string{}
		v.data[pv.UID] = m
	}
	return m
}
