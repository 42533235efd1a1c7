package engine

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// admitService defaults a Service and allocates its cluster IP and node
// ports, as the API server does at create.
func (c *Cluster) admitService(s *Service) error {
	if s.Spec.Type == "" {
		s.Spec.Type = "ClusterIP"
	}
	if s.Spec.SessionAffinity == "" {
		s.Spec.SessionAffinity = "None"
	}
	for i := range s.Spec.Ports {
		p := &s.Spec.Ports[i]
		if p.Protocol == "" {
			p.Protocol = "TCP"
		}
		if p.TargetPort.Type == intstr.Int && p.TargetPort.IntVal == 0 && p.TargetPort.StrVal == "" {
			p.TargetPort = intstr.FromInt32(p.Port)
		}
	}
	spec := field.NewPath("spec")
	errs := validateMeta(&s.ObjectMeta, KindService)
	for _, msg := range validation.IsDNS1035Label(s.Name) {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), s.Name, msg))
	}
	switch s.Spec.Type {
	case "ClusterIP", "NodePort", "LoadBalancer":
	default:
		errs = append(errs, field.NotSupported(spec.Child("type"), s.Spec.Type, []string{"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}))
	}
	if len(s.Spec.Ports) == 0 && s.Spec.ClusterIP != "None" {
		errs = append(errs, field.Required(spec.Child("ports"), ""))
	}
	names := map[string]bool{}
	for i, p := range s.Spec.Ports {
		pp := spec.Child("ports").Index(i)
		if len(s.Spec.Ports) > 1 && p.Name == "" {
			errs = append(errs, field.Required(pp.Child("name"), ""))
		}
		if p.Name != "" {
			if names[p.Name] {
				errs = append(errs, field.Duplicate(pp.Child("name"), p.Name))
			}
			names[p.Name] = true
		}
		for _, msg := range validation.IsValidPortNum(int(p.Port)) {
			errs = append(errs, field.Invalid(pp.Child("port"), p.Port, msg))
		}
		if p.TargetPort.Type == intstr.Int {
			for _, msg := range validation.IsValidPortNum(int(p.TargetPort.IntVal)) {
				errs = append(errs, field.Invalid(pp.Child("targetPort"), p.TargetPort.IntVal, msg))
			}
		} else {
			for _, msg := range validation.IsValidPortName(p.TargetPort.StrVal) {
				errs = append(errs, field.Invalid(pp.Child("targetPort"), p.TargetPort.StrVal, msg))
			}
		}
		if p.NodePort != 0 && (p.NodePort < nodePortMin || p.NodePort > nodePortMax) {
			errs = append(errs, field.Invalid(pp.Child("nodePort"), p.NodePort, fmt.Sprintf("provided port is not in the valid range. The range of valid ports is %d-%d", nodePortMin, nodePortMax)))
		}
	}
	errs = append(errs, validateLabels(s.Spec.Selector, func() *field.Path { return spec.Child("selector") })...)
	if len(errs) > 0 {
		return errInvalid(KindService, s.Name, errs)
	}
	if s.Spec.ClusterIP == "" {
		ip, err := c.allocateClusterIP(s.Name)
		if err != nil {
			return err
		}
		s.Spec.ClusterIP = ip
	} else if s.Spec.ClusterIP != "None" && c.clusterIPInUse(s.Spec.ClusterIP) {
		return errInvalid(KindService, s.Name, field.ErrorList{field.Invalid(spec.Child("clusterIP"), s.Spec.ClusterIP, "provided IP is already allocated")})
	}
	s.Spec.ClusterIPs = []string{s.Spec.ClusterIP}
	if s.Spec.Type == "NodePort" || s.Spec.Type == "LoadBalancer" {
		for i := range s.Spec.Ports {
			p := &s.Spec.Ports[i]
			if p.NodePort == 0 {
				p.NodePort = c.allocateNodePort()
			} else if c.nodePortInUse(p.NodePort) {
				return errInvalid(KindService, s.Name, field.ErrorList{field.Invalid(spec.Child("ports").Index(i).Child("nodePort"), p.NodePort, "provided port is already allocated")})
			}
		}
	}
	s.Status = ServiceStatus{}
	return nil
}

func (c *Cluster) clusterIPInUse(ip string) bool {
	for _, obj := range c.store.all(KindService) {
		if obj.(*Service).Spec.ClusterIP == ip {
			return true
		}
	}
	return false
}

// allocateClusterIP hands out the next free address of the service CIDR,
// walking from a seeded offset as the API server's allocator does.
func (c *Cluster) allocateClusterIP(name string) (string, error) {
	for range 4096 {
		off := uint32(10 + c.rand.IntN(int(serviceCIDRSize)-20))
		ip := formatIPv4(serviceCIDRBase + off)
		if !c.clusterIPInUse(ip) {
			return ip, nil
		}
	}
	return "", errForbidden(KindService, name, "failed to allocate a serviceIP: range is full")
}

func (c *Cluster) nodePortInUse(port int32) bool {
	for _, obj := range c.store.all(KindService) {
		for _, p := range obj.(*Service).Spec.Ports {
			if p.NodePort == port {
				return true
			}
		}
	}
	return false
}

func (c *Cluster) allocateNodePort() int32 {
	for {
		p := int32(nodePortMin + c.rand.IntN(nodePortMax-nodePortMin+1))
		if !c.nodePortInUse(p) {
			return p
		}
	}
}

var pathTypes = []string{"Exact", "ImplementationSpecific", "Prefix"}

// admitIngress defaults the class and validates the rules.
func (c *Cluster) admitIngress(in *Ingress) error {
	if in.Spec.IngressClassName == nil {
		if def := c.defaultIngressClassName(); def != "" {
			in.Spec.IngressClassName = Ptr(def)
		}
	}
	spec := field.NewPath("spec")
	errs := validateMeta(&in.ObjectMeta, KindIngress)
	if in.Spec.DefaultBackend == nil && len(in.Spec.Rules) == 0 {
		errs = append(errs, field.Invalid(spec, "", "either `defaultBackend` or `rules` must be specified"))
	}
	if b := in.Spec.DefaultBackend; b != nil {
		errs = append(errs, validateBackend(b, spec.Child("defaultBackend"))...)
	}
	for i, r := range in.Spec.Rules {
		rp := spec.Child("rules").Index(i)
		if r.Host != "" {
			host := strings.TrimPrefix(r.Host, "*.")
			for _, msg := range validation.IsDNS1123Subdomain(host) {
				errs = append(errs, field.Invalid(rp.Child("host"), r.Host, msg))
			}
		}
		if r.HTTP == nil {
			continue
		}
		if len(r.HTTP.Paths) == 0 {
			errs = append(errs, field.Required(rp.Child("http", "paths"), ""))
		}
		for j, p := range r.HTTP.Paths {
			pp := rp.Child("http", "paths").Index(j)
			switch {
			case p.PathType == "":
				errs = append(errs, field.Required(pp.Child("pathType"), "pathType must be specified"))
			case !slices.Contains(pathTypes, p.PathType):
				errs = append(errs, field.NotSupported(pp.Child("pathType"), p.PathType, pathTypes))
			}
			if p.Path != "" && !strings.HasPrefix(p.Path, "/") || p.Path == "" && p.PathType != "ImplementationSpecific" {
				errs = append(errs, field.Invalid(pp.Child("path"), p.Path, "must be an absolute path"))
			}
			errs = append(errs, validateBackend(&p.Backend, pp.Child("backend"))...)
		}
	}
	if len(errs) > 0 {
		return errInvalid(KindIngress, in.Name, errs)
	}
	in.Status = IngressStatus{}
	return nil
}

func validateBackend(b *IngressBackend, p *field.Path) field.ErrorList {
	if b.Service == nil {
		return field.ErrorList{field.Invalid(p, "", "resource or service must be specified")}
	}
	var errs field.ErrorList
	if b.Service.Name == "" {
		errs = append(errs, field.Required(p.Child("service", "name"), ""))
	}
	switch port := b.Service.Port; {
	case port.Name == "" && port.Number == 0:
		errs = append(errs, field.Required(p.Child("service", "port"), "port name or number is required"))
	case port.Name != "" && port.Number != 0:
		errs = append(errs, field.Invalid(p.Child("service", "port"), port, "cannot set both port name & port number"))
	}
	return errs
}

func (c *Cluster) defaultIngressClassName() string {
	for _, obj := range c.store.list(KindIngressClass, "", nil) {
		if ic := obj.(*IngressClass); ic.Annotations[AnnotationDefaultIngressClass] == "true" {
			return ic.Name
		}
	}
	return ""
}

func (c *Cluster) admitIngressClass(ic *IngressClass) error {
	errs := validateMeta(&ic.ObjectMeta, KindIngressClass)
	if ic.Spec.Controller == "" {
		errs = append(errs, field.Required(field.NewPath("spec", "controller"), ""))
	}
	if len(errs) > 0 {
		return errInvalid(KindIngressClass, ic.Name, errs)
	}
	return nil
}
