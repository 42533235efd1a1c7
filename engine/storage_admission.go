package engine

import (
	"fmt"
	"reflect"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

var accessModes = []string{"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"}

func validateAccessModes(modes []string, p *field.Path) field.ErrorList {
	if len(modes) == 0 {
		return field.ErrorList{field.Required(p, "at least 1 access mode is required")}
	}
	var errs field.ErrorList
	for _, m := range modes {
		if !slices.Contains(accessModes, m) {
			errs = append(errs, field.NotSupported(p, m, accessModes))
		}
	}
	return errs
}

func validateStorage(l ResourceList, p *field.Path) field.ErrorList {
	q, ok := l["storage"]
	if !ok {
		return field.ErrorList{field.Required(p.Key("storage"), "")}
	}
	if q.Sign() <= 0 {
		return field.ErrorList{field.Invalid(p.Key("storage"), q.String(), "must be greater than zero")}
	}
	return nil
}

func (c *Cluster) admitStorageClass(s *StorageClass) error {
	if s.ReclaimPolicy == nil {
		s.ReclaimPolicy = Ptr("Delete")
	}
	if s.VolumeBindingMode == nil {
		s.VolumeBindingMode = Ptr("Immediate")
	}
	errs := validateMeta(&s.ObjectMeta, KindStorageClass)
	if s.Provisioner == "" {
		errs = append(errs, field.Required(field.NewPath("provisioner"), ""))
	}
	if p := *s.ReclaimPolicy; p != "Delete" && p != "Retain" {
		errs = append(errs, field.NotSupported(field.NewPath("reclaimPolicy"), p, []string{"Delete", "Retain"}))
	}
	if m := *s.VolumeBindingMode; m != "Immediate" && m != "WaitForFirstConsumer" {
		errs = append(errs, field.NotSupported(field.NewPath("volumeBindingMode"), m, []string{"Immediate", "WaitForFirstConsumer"}))
	}
	if len(errs) > 0 {
		return errInvalid(KindStorageClass, s.Name, errs)
	}
	return nil
}

func (c *Cluster) admitPersistentVolume(v *PersistentVolume) error {
	if v.Spec.PersistentVolumeReclaimPolicy == "" {
		v.Spec.PersistentVolumeReclaimPolicy = "Retain"
	}
	if v.Spec.VolumeMode == "" {
		v.Spec.VolumeMode = "Filesystem"
	}
	spec := field.NewPath("spec")
	errs := validateMeta(&v.ObjectMeta, KindPersistentVolume)
	errs = append(errs, validateStorage(v.Spec.Capacity, spec.Child("capacity"))...)
	errs = append(errs, validateAccessModes(v.Spec.AccessModes, spec.Child("accessModes"))...)
	switch p := v.Spec.PersistentVolumeReclaimPolicy; p {
	case "Retain", "Delete", "Recycle":
	default:
		errs = append(errs, field.NotSupported(spec.Child("persistentVolumeReclaimPolicy"), p, []string{"Delete", "Recycle", "Retain"}))
	}
	switch {
	case v.Spec.HostPath == nil && v.Spec.Local == nil:
		errs = append(errs, field.Required(spec, "must specify a volume type"))
	case v.Spec.HostPath != nil && v.Spec.Local != nil:
		errs = append(errs, field.Forbidden(spec, "may not specify more than 1 volume type"))
	case v.Spec.Local != nil && (v.Spec.NodeAffinity == nil || v.Spec.NodeAffinity.Required == nil):
		errs = append(errs, field.Required(spec.Child("nodeAffinity"), "Local volume requires node affinity"))
	}
	if len(errs) > 0 {
		return errInvalid(KindPersistentVolume, v.Name, errs)
	}
	v.Status = PersistentVolumeStatus{Phase: "Available"}
	if v.Spec.ClaimRef != nil {
		v.Status.Phase = "Pending"
	}
	return nil
}

// defaultStorageClassName is the name of the class marked default, or "".
func (c *Cluster) defaultStorageClassName() string {
	for _, obj := range c.store.list(KindStorageClass, "", nil) {
		if sc := obj.(*StorageClass); sc.Annotations[AnnotationDefaultStorageClass] == "true" {
			return sc.Name
		}
	}
	return ""
}

func (c *Cluster) admitPersistentVolumeClaim(pvc *PersistentVolumeClaim) error {
	if pvc.Spec.StorageClassName == nil {
		// The DefaultStorageClass admission plugin.
		if def := c.defaultStorageClassName(); def != "" {
			pvc.Spec.StorageClassName = Ptr(def)
		}
	}
	if pvc.Spec.VolumeMode == "" {
		pvc.Spec.VolumeMode = "Filesystem"
	}
	spec := field.NewPath("spec")
	errs := validateMeta(&pvc.ObjectMeta, KindPersistentVolumeClaim)
	errs = append(errs, validateAccessModes(pvc.Spec.AccessModes, spec.Child("accessModes"))...)
	errs = append(errs, validateStorage(pvc.Spec.Resources.Requests, spec.Child("resources", "requests"))...)
	if len(errs) > 0 {
		return errInvalid(KindPersistentVolumeClaim, pvc.Name, errs)
	}
	pvc.Status = PersistentVolumeClaimStatus{Phase: "Pending"}
	return nil
}

// updateStorageSpec applies the spec changes Kubernetes allows: none to a
// claim's spec but a larger storage request, the reclaim policy and
// capacity of a volume, the parameters-free fields of a class.
func updateStorageSpec(cur, want Object) error {
	switch n := cur.(type) {
	case *PersistentVolumeClaim:
		w := want.(*PersistentVolumeClaim)
		a, b := n.Spec, w.Spec
		a.Resources, b.Resources = VolumeResourceRequirements{}, VolumeResourceRequirements{}
		if b.StorageClassName == nil {
			b.StorageClassName = a.StorageClassName
		}
		if b.VolumeName == "" {
			b.VolumeName = a.VolumeName
		}
		if b.VolumeMode == "" {
			b.VolumeMode = a.VolumeMode
		}
		if !reflect.DeepEqual(a, b) {
			return errInvalid(KindPersistentVolumeClaim, n.Name, field.ErrorList{field.Forbidden(field.NewPath("spec"),
				"spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims")})
		}
	case *PersistentVolume:
		w := want.(*PersistentVolume)
		n.Spec.PersistentVolumeReclaimPolicy = w.Spec.PersistentVolumeReclaimPolicy
		if w.Spec.Capacity != nil {
			n.Spec.Capacity = w.Spec.Capacity.DeepCopy()
		}
	case *StorageClass:
		w := want.(*StorageClass)
		if w.Provisioner != n.Provisioner || !reflect.DeepEqual(w.Parameters, n.Parameters) ||
			(w.ReclaimPolicy != nil && *w.ReclaimPolicy != *n.ReclaimPolicy) ||
			(w.VolumeBindingMode != nil && *w.VolumeBindingMode != *n.VolumeBindingMode) {
			return errInvalid(KindStorageClass, n.Name, field.ErrorList{field.Forbidden(field.NewPath("parameters"), "updates to parameters are forbidden.")})
		}
	default:
		return fmt.Errorf("engine: %T is not a storage object", cur)
	}
	return nil
}
