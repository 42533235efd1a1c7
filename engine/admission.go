package engine

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// This file plays the API server's admission chain: defaulting, then
// validation with the API server's field paths and wording.

// defaultTolerationSeconds is what the DefaultTolerationSeconds admission
// plugin gives every pod for the not-ready and unreachable taints.
const defaultTolerationSeconds int64 = 300

func validateMeta(m *ObjectMeta, kind Kind) field.ErrorList {
	var errs field.ErrorList
	p := func() *field.Path { return field.NewPath("metadata") } // built only for errors
	if m.Name != "" {
		check, fast := validation.IsDNS1123Subdomain, validDNS1123Subdomain
		if kind == KindNamespace {
			check, fast = validation.IsDNS1123Label, validDNS1123Label
		}
		if !fast(m.Name) {
			for _, msg := range check(m.Name) {
				errs = append(errs, field.Invalid(p().Child("name"), m.Name, msg))
			}
		}
	} else if m.GenerateName != "" {
		for _, msg := range validation.IsDNS1123Subdomain(strings.TrimSuffix(m.GenerateName, "-") + "-a") {
			errs = append(errs, field.Invalid(p().Child("generateName"), m.GenerateName, msg))
		}
	}
	if len(m.Labels) > 0 {
		errs = append(errs, validateLabels(m.Labels, func() *field.Path { return p().Child("labels") })...)
	}
	if len(m.Annotations) > 0 {
		errs = append(errs, validateAnnotations(m.Annotations, p().Child("annotations"))...)
	}
	return errs
}

// validateAnnotations checks annotation keys as the API server does
// (qualified names, case-insensitively).
func validateAnnotations(a map[string]string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, k := range sortedMapKeys(a) {
		for _, msg := range validation.IsQualifiedName(strings.ToLower(k)) {
			errs = append(errs, field.Invalid(p, k, msg))
		}
	}
	return errs
}

// validateLabels checks label keys and values; p gives the field path,
// built only when there is an error to report.
func validateLabels(l map[string]string, p func() *field.Path) field.ErrorList {
	valid := true
	for k, v := range l {
		if !validQualifiedName(k) || !validLabelName(v, true) {
			valid = false
			break
		}
	}
	if valid {
		return nil
	}
	var errs field.ErrorList
	for _, k := range sortedMapKeys(l) {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(p(), k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(l[k]) {
			errs = append(errs, field.Invalid(p().Key(k), l[k], msg))
		}
	}
	return errs
}

// admitPod defaults a new pod and validates it.
func (c *Cluster) admitPod(p *Pod) error {
	s := &p.Spec
	defaultPodSpec(s)
	if len(s.Tolerations) == 0 {
		// Most pods get just the defaults: share one immutable slice
		// (capacity = length, so an append never writes into it).
		s.Tolerations = defaultTolerations[:len(defaultTolerations):len(defaultTolerations)]
	} else {
		addDefaultToleration(s, TaintNodeNotReady)
		addDefaultToleration(s, TaintNodeUnreachable)
	}
	p.Status = PodStatus{Phase: PodPending, QOSClass: qosClass(s)}

	errs := validateMeta(&p.ObjectMeta, KindPod)
	errs = append(errs, validatePodSpec(s, field.NewPath("spec"))...)
	if len(errs) > 0 {
		return errInvalid(KindPod, p.Name, errs)
	}
	c.intern.internPod(p)
	return nil
}

// defaultPodSpec applies the API server's defaults to a pod spec (of a pod
// or of a workload's template).
func defaultPodSpec(s *PodSpec) {
	if s.RestartPolicy == "" {
		s.RestartPolicy = RestartPolicyAlways
	}
	if s.TerminationGracePeriodSeconds == nil {
		s.TerminationGracePeriodSeconds = Ptr(int64(30))
	}
	if s.SchedulerName == "" {
		s.SchedulerName = "default-scheduler"
	}
	for _, list := range [][]Container{s.InitContainers, s.Containers} {
		for i := range list {
			ctr := &list[i]
			if ctr.ImagePullPolicy == "" {
				ctr.ImagePullPolicy = defaultPullPolicy(ctr.Image)
			}
			for j := range ctr.Ports {
				if ctr.Ports[j].Protocol == "" {
					ctr.Ports[j].Protocol = "TCP"
				}
			}
		}
	}
}

// defaultTolerations is what DefaultTolerationSeconds gives a pod with no
// tolerations of its own. It is never modified.
var defaultTolerations = []Toleration{
	{Key: TaintNodeNotReady, Operator: "Exists", Effect: TaintEffectNoExecute, TolerationSeconds: Ptr(defaultTolerationSeconds)},
	{Key: TaintNodeUnreachable, Operator: "Exists", Effect: TaintEffectNoExecute, TolerationSeconds: Ptr(defaultTolerationSeconds)},
}

// defaultPullPolicy is the API server's default: Always for an image with
// no tag or the tag "latest" (and no digest), IfNotPresent otherwise.
func defaultPullPolicy(image string) string {
	if strings.Contains(image, "@") {
		return "IfNotPresent"
	}
	tag := ""
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		tag = image[i+1:]
	}
	if tag == "" || tag == "latest" {
		return "Always"
	}
	return "IfNotPresent"
}

func addDefaultToleration(s *PodSpec, key string) {
	for _, t := range s.Tolerations {
		if (t.Key == key || t.Key == "" && t.Operator == "Exists") && (t.Effect == "" || t.Effect == TaintEffectNoExecute) {
			return
		}
	}
	s.Tolerations = append(s.Tolerations, Toleration{
		Key: key, Operator: "Exists", Effect: TaintEffectNoExecute,
		TolerationSeconds: Ptr(defaultTolerationSeconds),
	})
}

func validatePodSpec(s *PodSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	volumes := map[string]bool{}
	for i, v := range s.Volumes {
		vp := p.Child("volumes").Index(i)
		for _, msg := range validation.IsDNS1123Label(v.Name) {
			errs = append(errs, field.Invalid(vp.Child("name"), v.Name, msg))
		}
		if volumes[v.Name] {
			errs = append(errs, field.Duplicate(vp.Child("name"), v.Name))
		}
		volumes[v.Name] = true
		n := 0
		if v.EmptyDir != nil {
			n++
		}
		if v.PersistentVolumeClaim != nil {
			n++
			if v.PersistentVolumeClaim.ClaimName == "" {
				errs = append(errs, field.Required(vp.Child("persistentVolumeClaim", "claimName"), ""))
			}
		}
		if v.HostPath != nil {
			n++
		}
		if n == 0 {
			errs = append(errs, field.Required(vp, "must specify a volume type"))
		} else if n > 1 {
			errs = append(errs, field.Forbidden(vp, "may not specify more than 1 volume type"))
		}
	}
	if len(s.Containers) == 0 {
		errs = append(errs, field.Required(p.Child("containers"), ""))
	}
	names := map[string]bool{}
	errs = append(errs, validateContainers(s.InitContainers, p, "initContainers", names, volumes, true)...)
	errs = append(errs, validateContainers(s.Containers, p, "containers", names, volumes, false)...)
	switch s.RestartPolicy {
	case RestartPolicyAlways, RestartPolicyOnFailure, RestartPolicyNever:
	default:
		errs = append(errs, field.NotSupported(p.Child("restartPolicy"), s.RestartPolicy,
			[]RestartPolicy{RestartPolicyAlways, RestartPolicyOnFailure, RestartPolicyNever}))
	}
	if g := s.TerminationGracePeriodSeconds; g != nil && *g < 0 {
		errs = append(errs, field.Invalid(p.Child("terminationGracePeriodSeconds"), *g, "must be greater than or equal to 0"))
	}
	errs = append(errs, validateLabels(s.NodeSelector, func() *field.Path { return p.Child("nodeSelector") })...)
	for i, t := range s.Tolerations {
		tp := func() *field.Path { return p.Child("tolerations").Index(i) }
		switch t.Operator {
		case "", "Equal":
			if t.Key == "" {
				errs = append(errs, field.Invalid(tp().Child("operator"), t.Operator, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
			}
		case "Exists":
			if t.Value != "" {
				errs = append(errs, field.Invalid(tp().Child("operator"), t.Value, "value must be empty when `operator` is 'Exists'"))
			}
		default:
			errs = append(errs, field.NotSupported(tp().Child("operator"), t.Operator, []string{"Equal", "Exists"}))
		}
		switch t.Effect {
		case "", TaintEffectNoSchedule, TaintEffectPreferNoSchedule, TaintEffectNoExecute:
		default:
			errs = append(errs, field.NotSupported(tp().Child("effect"), t.Effect,
				[]TaintEffect{TaintEffectNoSchedule, TaintEffectPreferNoSchedule, TaintEffectNoExecute}))
		}
		if t.TolerationSeconds != nil && t.Effect != TaintEffectNoExecute {
			errs = append(errs, field.Invalid(tp().Child("effect"), t.Effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
		}
	}
	return errs
}

func validateContainers(cs []Container, spec *field.Path, list string, names, volumes map[string]bool, init bool) field.ErrorList {
	var errs field.ErrorList
	for i := range cs {
		ctr := &cs[i]
		cp := func() *field.Path { return spec.Child(list).Index(i) } // built only for errors
		if ctr.Name == "" {
			errs = append(errs, field.Required(cp().Child("name"), ""))
		} else {
			if !validDNS1123Label(ctr.Name) {
				for _, msg := range validation.IsDNS1123Label(ctr.Name) {
					errs = append(errs, field.Invalid(cp().Child("name"), ctr.Name, msg))
				}
			}
			if names[ctr.Name] {
				errs = append(errs, field.Duplicate(cp().Child("name"), ctr.Name))
			}
			names[ctr.Name] = true
		}
		// Like the API server, accept any image string without surrounding
		// spaces; a malformed reference is the kubelet's InvalidImageName.
		if ctr.Image == "" {
			errs = append(errs, field.Required(cp().Child("image"), ""))
		} else if strings.TrimSpace(ctr.Image) != ctr.Image {
			errs = append(errs, field.Invalid(cp().Child("image"), ctr.Image, "must not have leading or trailing whitespace"))
		}
		switch ctr.ImagePullPolicy {
		case "Always", "IfNotPresent", "Never":
		default:
			errs = append(errs, field.NotSupported(cp().Child("imagePullPolicy"), ctr.ImagePullPolicy, []string{"Always", "IfNotPresent", "Never"}))
		}
		ports := map[string]bool{}
		for j, port := range ctr.Ports {
			pp := func() *field.Path { return cp().Child("ports").Index(j) }
			for _, msg := range validation.IsValidPortNum(int(port.ContainerPort)) {
				errs = append(errs, field.Invalid(pp().Child("containerPort"), port.ContainerPort, msg))
			}
			if port.Name != "" {
				for _, msg := range validation.IsValidPortName(port.Name) {
					errs = append(errs, field.Invalid(pp().Child("name"), port.Name, msg))
				}
				if ports[port.Name] {
					errs = append(errs, field.Duplicate(pp().Child("name"), port.Name))
				}
				ports[port.Name] = true
			}
			switch port.Protocol {
			case "TCP", "UDP", "SCTP":
			default:
				errs = append(errs, field.NotSupported(pp().Child("protocol"), port.Protocol, []string{"SCTP", "TCP", "UDP"}))
			}
		}
		for j, e := range ctr.Env {
			for _, msg := range validation.IsEnvVarName(e.Name) {
				errs = append(errs, field.Invalid(cp().Child("env").Index(j).Child("name"), e.Name, msg))
			}
		}
		for j, m := range ctr.VolumeMounts {
			mp := func() *field.Path { return cp().Child("volumeMounts").Index(j) }
			if !volumes[m.Name] {
				errs = append(errs, field.NotFound(mp().Child("name"), m.Name))
			}
			if m.MountPath == "" {
				errs = append(errs, field.Required(mp().Child("mountPath"), ""))
			}
		}
		errs = append(errs, validateResources(ctr.Resources, func() *field.Path { return cp().Child("resources") })...)
		if ctr.RestartPolicy != nil {
			if !init {
				errs = append(errs, field.Forbidden(cp().Child("restartPolicy"), "may not be set for non-init containers"))
			} else if *ctr.RestartPolicy != string(RestartPolicyAlways) {
				errs = append(errs, field.NotSupported(cp().Child("restartPolicy"), *ctr.RestartPolicy, []string{"Always"}))
			}
		}
	}
	return errs
}

func validateResources(r ResourceRequirements, p func() *field.Path) field.ErrorList {
	ok := true
	for _, l := range []ResourceList{r.Requests, r.Limits} {
		for name, q := range l {
			switch name {
			case ResourceCPU, ResourceMemory, ResourceEphemeralStorage:
			default:
				ok = ok && strings.Contains(string(name), "/")
			}
			ok = ok && q.Sign() >= 0
		}
	}
	for name, req := range r.Requests {
		if lim, has := r.Limits[name]; has && req.Cmp(lim) > 0 {
			ok = false
		}
	}
	if ok {
		return nil
	}
	var errs field.ErrorList
	check := func(l ResourceList, lp *field.Path) {
		for _, name := range sortedMapKeys(l) {
			q := l[name]
			switch name {
			case ResourceCPU, ResourceMemory, ResourceEphemeralStorage:
			default:
				if !strings.Contains(string(name), "/") {
					errs = append(errs, field.Invalid(lp.Key(string(name)), name, "must be a standard resource type or fully qualified"))
				}
			}
			if q.Sign() < 0 {
				errs = append(errs, field.Invalid(lp.Key(string(name)), q.String(), "must be greater than or equal to 0"))
			}
		}
	}
	check(r.Requests, p().Child("requests"))
	check(r.Limits, p().Child("limits"))
	for _, name := range sortedMapKeys(r.Requests) {
		req := r.Requests[name]
		lim, ok := r.Limits[name]
		if ok && req.Cmp(lim) > 0 {
			errs = append(errs, field.Invalid(p().Child("requests").Key(string(name)), req.String(),
				fmt.Sprintf("must be less than or equal to %s limit of %s", name, lim.String())))
		}
	}
	return errs
}

// qosClass computes the pod's quality-of-service class as the API server
// does: Guaranteed when every container's cpu and memory requests equal
// their limits, BestEffort when nothing is requested or limited, otherwise
// Burstable.
func qosClass(s *PodSpec) string {
	guaranteed, any := true, false
	for _, list := range [][]Container{s.InitContainers, s.Containers} {
		for i := range list {
			r := list[i].Resources
			if len(r.Requests) > 0 || len(r.Limits) > 0 {
				any = true
			}
			for _, name := range []ResourceName{ResourceCPU, ResourceMemory} {
				lim, hasLim := r.Limits[name]
				req, hasReq := r.Requests[name]
				if !hasLim || (hasReq && req.Cmp(lim) != 0) {
					guaranteed = false
				}
			}
		}
	}
	switch {
	case !any:
		return "BestEffort"
	case guaranteed:
		return "Guaranteed"
	}
	return "Burstable"
}
