package engine

import (
	"fmt"
	"reflect"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// defaultTemplate applies pod defaults to a workload's template.
func defaultTemplate(t *PodTemplateSpec) { defaultPodSpec(&t.Spec) }

// validateTemplate checks a workload's pod template as the API server
// does: a valid pod spec whose restartPolicy is Always.
func validateTemplate(t *PodTemplateSpec, p *field.Path) field.ErrorList {
	errs := validateLabels(t.Labels, func() *field.Path { return p.Child("metadata", "labels") })
	errs = append(errs, validatePodSpec(&t.Spec, p.Child("spec"))...)
	if t.Spec.RestartPolicy != RestartPolicyAlways {
		errs = append(errs, field.NotSupported(p.Child("spec", "restartPolicy"), t.Spec.RestartPolicy, []RestartPolicy{RestartPolicyAlways}))
	}
	return errs
}

func validateReplicas(r *int32, p *field.Path) field.ErrorList {
	if r != nil && *r < 0 {
		return field.ErrorList{field.Invalid(p, *r, "must be greater than or equal to 0")}
	}
	return nil
}

// admitReplicaSet defaults and validates a ReplicaSet.
func (c *Cluster) admitReplicaSet(rs *ReplicaSet) error {
	if rs.Spec.Replicas == nil {
		rs.Spec.Replicas = Ptr(int32(1))
	}
	defaultTemplate(&rs.Spec.Template)
	rs.Status = ReplicaSetStatus{}
	spec := field.NewPath("spec")
	errs := validateMeta(&rs.ObjectMeta, KindReplicaSet)
	errs = append(errs, validateReplicas(rs.Spec.Replicas, spec.Child("replicas"))...)
	errs = append(errs, validateSelector(rs.Spec.Selector, rs.Spec.Template.Labels, spec)...)
	errs = append(errs, validateTemplate(&rs.Spec.Template, spec.Child("template"))...)
	if len(errs) > 0 {
		return errInvalid(KindReplicaSet, rs.Name, errs)
	}
	return nil
}

// defaultDeployment applies the API server's defaults to a Deployment.
func defaultDeployment(d *Deployment) {
	if d.Spec.Replicas == nil {
		d.Spec.Replicas = Ptr(int32(1))
	}
	if d.Spec.Strategy.Type == "" {
		d.Spec.Strategy.Type = "RollingUpdate"
	}
	if d.Spec.Strategy.Type == "RollingUpdate" {
		if d.Spec.Strategy.RollingUpdate == nil {
			d.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{}
		}
		ru := d.Spec.Strategy.RollingUpdate
		if ru.MaxUnavailable == nil {
			ru.MaxUnavailable = Ptr(intstr.FromString("25%"))
		}
		if ru.MaxSurge == nil {
			ru.MaxSurge = Ptr(intstr.FromString("25%"))
		}
	}
	if d.Spec.RevisionHistoryLimit == nil {
		d.Spec.RevisionHistoryLimit = Ptr(int32(defaultRevisionHistory))
	}
	if d.Spec.ProgressDeadlineSeconds == nil {
		d.Spec.ProgressDeadlineSeconds = Ptr(int32(defaultProgressDeadlineSec))
	}
	defaultTemplate(&d.Spec.Template)
}

func validateDeploymentSpec(d *Deployment) field.ErrorList {
	spec := field.NewPath("spec")
	errs := validateReplicas(d.Spec.Replicas, spec.Child("replicas"))
	errs = append(errs, validateSelector(d.Spec.Selector, d.Spec.Template.Labels, spec)...)
	errs = append(errs, validateTemplate(&d.Spec.Template, spec.Child("template"))...)
	sp := spec.Child("strategy")
	switch d.Spec.Strategy.Type {
	case "RollingUpdate":
		ru := d.Spec.Strategy.RollingUpdate
		rp := sp.Child("rollingUpdate")
		errs = append(errs, validateIntOrPercent(ru.MaxUnavailable, rp.Child("maxUnavailable"))...)
		errs = append(errs, validateIntOrPercent(ru.MaxSurge, rp.Child("maxSurge"))...)
		if isZero(ru.MaxUnavailable) && isZero(ru.MaxSurge) {
			errs = append(errs, field.Invalid(rp.Child("maxUnavailable"), ru.MaxUnavailable.String(), "may not be 0 when `maxSurge` is 0"))
		}
		if ru.MaxUnavailable.Type == intstr.String {
			if v, err := intstr.GetScaledValueFromIntOrPercent(ru.MaxUnavailable, 100, false); err == nil && v > 100 {
				errs = append(errs, field.Invalid(rp.Child("maxUnavailable"), ru.MaxUnavailable.String(), "must not be greater than 100%"))
			}
		}
	case "Recreate":
		if d.Spec.Strategy.RollingUpdate != nil {
			errs = append(errs, field.Forbidden(sp.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"))
		}
	default:
		errs = append(errs, field.NotSupported(sp.Child("type"), d.Spec.Strategy.Type, []string{"Recreate", "RollingUpdate"}))
	}
	if d.Spec.RevisionHistoryLimit != nil && *d.Spec.RevisionHistoryLimit < 0 {
		errs = append(errs, field.Invalid(spec.Child("revisionHistoryLimit"), *d.Spec.RevisionHistoryLimit, "must be greater than or equal to 0"))
	}
	if pd := d.Spec.ProgressDeadlineSeconds; pd != nil && *pd <= d.Spec.MinReadySeconds {
		errs = append(errs, field.Invalid(spec.Child("progressDeadlineSeconds"), *pd, "must be greater than minReadySeconds"))
	}
	if d.Spec.MinReadySeconds < 0 {
		errs = append(errs, field.Invalid(spec.Child("minReadySeconds"), d.Spec.MinReadySeconds, "must be greater than or equal to 0"))
	}
	return errs
}

func validateIntOrPercent(v *intstr.IntOrString, p *field.Path) field.ErrorList {
	if v == nil {
		return nil
	}
	if v.Type == intstr.Int {
		if v.IntVal < 0 {
			return field.ErrorList{field.Invalid(p, v.IntVal, "must be greater than or equal to 0")}
		}
		return nil
	}
	n, err := intstr.GetScaledValueFromIntOrPercent(v, 100, false)
	if err != nil {
		return field.ErrorList{field.Invalid(p, v.StrVal, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")}
	}
	if n < 0 {
		return field.ErrorList{field.Invalid(p, v.StrVal, "must be greater than or equal to 0")}
	}
	return nil
}

func isZero(v *intstr.IntOrString) bool {
	if v == nil {
		return false
	}
	n, err := intstr.GetScaledValueFromIntOrPercent(v, 100, false)
	return err == nil && n == 0
}

// admitDeployment defaults and validates a Deployment.
func (c *Cluster) admitDeployment(d *Deployment) error {
	defaultDeployment(d)
	d.Status = DeploymentStatus{}
	errs := validateMeta(&d.ObjectMeta, KindDeployment)
	errs = append(errs, validateDeploymentSpec(d)...)
	if len(errs) > 0 {
		return errInvalid(KindDeployment, d.Name, errs)
	}
	return nil
}

// updateWorkloadSpec applies a new spec to a stored ReplicaSet or
// Deployment (cur is a copy), keeping the selector immutable and bumping
// the generation when the spec changes.
func updateWorkloadSpec(cur, want Object) error {
	switch n := cur.(type) {
	case *ReplicaSet:
		w := want.(*ReplicaSet).DeepCopy()
		defaultTemplate(&w.Spec.Template)
		if w.Spec.Replicas == nil {
			w.Spec.Replicas = Ptr(int32(1))
		}
		spec := field.NewPath("spec")
		errs := validateReplicas(w.Spec.Replicas, spec.Child("replicas"))
		if !reflect.DeepEqual(w.Spec.Selector, n.Spec.Selector) {
			errs = append(errs, field.Invalid(spec.Child("selector"), w.Spec.Selector, "field is immutable"))
		}
		errs = append(errs, validateSelector(w.Spec.Selector, w.Spec.Template.Labels, spec)...)
		errs = append(errs, validateTemplate(&w.Spec.Template, spec.Child("template"))...)
		if len(errs) > 0 {
			return errInvalid(KindReplicaSet, n.Name, errs)
		}
		if !reflect.DeepEqual(n.Spec, w.Spec) {
			n.Spec = w.Spec
			n.Generation++
		}
	case *Deployment:
		w := want.(*Deployment).DeepCopy()
		defaultDeployment(w)
		errs := validateDeploymentSpec(w)
		if !reflect.DeepEqual(w.Spec.Selector, n.Spec.Selector) {
			errs = append(errs, field.Invalid(field.NewPath("spec", "selector"), w.Spec.Selector, "field is immutable"))
		}
		if len(errs) > 0 {
			return errInvalid(KindDeployment, n.Name, errs)
		}
		if !reflect.DeepEqual(n.Spec, w.Spec) {
			n.Spec = w.Spec
			n.Generation++
		}
	default:
		return fmt.Errorf("engine: %T is not a workload", cur)
	}
	return nil
}
