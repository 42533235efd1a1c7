package engine

import (
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Service gives a set of pods one stable address and spreads traffic over
// the ready ones.
type Service struct {
	TypeMeta
	ObjectMeta `json:"metadata"`
	Spec       ServiceSpec   `json:"spec"`
	Status     ServiceStatus `json:"status"`
}

// ServiceSpec is the desired state of a Service.
type ServiceSpec struct {
	// Type is ClusterIP (the default), NodePort or LoadBalancer.
	Type            string            `json:"type,omitempty"`
	Selector        map[string]string `json:"selector,omitempty"`
	Ports           []ServicePort     `json:"ports,omitempty"`
	ClusterIP       string            `json:"clusterIP,omitempty"`
	ClusterIPs      []string          `json:"clusterIPs,omitempty"`
	SessionAffinity string            `json:"sessionAffinity,omitempty"`
}

// ServicePort is one port a Service exposes.
type ServicePort struct {
	Name     string `json:"name,omitempty"`
	Protocol string `json:"protocol,omitempty"`
	Port     int32  `json:"port"`
	// TargetPort is the pods' port, by number or by name (default: Port).
	TargetPort intstr.IntOrString `json:"targetPort,omitempty"`
	NodePort   int32              `json:"nodePort,omitempty"`
}

// ServiceStatus holds the load balancer a LoadBalancer Service got.
type ServiceStatus struct {
	LoadBalancer LoadBalancerStatus `json:"loadBalancer"`
}

// LoadBalancerStatus lists a load balancer's addresses.
type LoadBalancerStatus struct {
	Ingress []LoadBalancerIngress `json:"ingress,omitempty"`
}

// LoadBalancerIngress is one address of a load balancer.
type LoadBalancerIngress struct {
	IP       string `json:"ip,omitempty"`
	Hostname string `json:"hostname,omitempty"`
}

// GetKind implements Object.
func (s *Service) GetKind() Kind { return KindService }

// DeepCopyObject implements Object.
func (s *Service) DeepCopyObject() Object { return s.DeepCopy() }

// DeepCopy returns a copy of s that shares no memory with it.
func (s *Service) DeepCopy() *Service {
	out := *s
	out.ObjectMeta = s.ObjectMeta.DeepCopy()
	out.Spec.Selector = cloneStringMap(s.Spec.Selector)
	out.Spec.Ports = cloneSlice(s.Spec.Ports)
	out.Spec.ClusterIPs = cloneSlice(s.Spec.ClusterIPs)
	out.Status.LoadBalancer.Ingress = cloneSlice(s.Status.LoadBalancer.Ingress)
	return &out
}

// Endpoints lists the addresses behind a Service, kept by the endpoints
// controller from the pods its selector matches.
type Endpoints struct {
	TypeMeta
	ObjectMeta `json:"metadata"`
	Subsets    []EndpointSubset `json:"subsets,omitempty"`
}

// EndpointSubset is a set of addresses sharing ports.
type EndpointSubset struct {
	Addresses         []EndpointAddress `json:"addresses,omitempty"`
	NotReadyAddresses []EndpointAddress `json:"notReadyAddresses,omitempty"`
	Ports             []EndpointPort    `json:"ports,omitempty"`
}

// EndpointAddress is one pod's address.
type EndpointAddress struct {
	IP        string           `json:"ip"`
	NodeName  string           `json:"nodeName,omitempty"`
	TargetRef *ObjectReference `json:"targetRef,omitempty"`
}

// EndpointPort is a port of the endpoints.
type EndpointPort struct {
	Name     string `json:"name,omitempty"`
	Port     int32  `json:"port"`
	Protocol string `json:"protocol,omitempty"`
}

// GetKind implements Object.
func (e *Endpoints) GetKind() Kind { return KindEndpoints }

// DeepCopyObject implements Object.
func (e *Endpoints) DeepCopyObject() Object { return e.DeepCopy() }

// DeepCopy returns a copy of e that shares no memory with it.
func (e *Endpoints) DeepCopy() *Endpoints {
	out := *e
	out.ObjectMeta = e.ObjectMeta.DeepCopy()
	if e.Subsets != nil {
		out.Subsets = make([]EndpointSubset, len(e.Subsets))
		for i, s := range e.Subsets {
			out.Subsets[i] = EndpointSubset{
				Addresses:         copyAddresses(s.Addresses),
				NotReadyAddresses: copyAddresses(s.NotReadyAddresses),
				Ports:             cloneSlice(s.Ports),
			}
		}
	}
	return &out
}

func copyAddresses(as []EndpointAddress) []EndpointAddress {
	if as == nil {
		return nil
	}
	out := make([]EndpointAddress, len(as))
	for i, a := range as {
		a.TargetRef = clonePtr(a.TargetRef)
		out[i] = a
	}
	return out
}

// Ingress routes outside HTTP traffic to Services by host and path — the
// article's way in.
type Ingress struct {
	TypeMeta
	ObjectMeta `json:"metadata"`
	Spec       IngressSpec   `json:"spec"`
	Status     IngressStatus `json:"status"`
}

// IngressSpec is an Ingress's rules.
type IngressSpec struct {
	IngressClassName *string         `json:"ingressClassName,omitempty"`
	DefaultBackend   *IngressBackend `json:"defaultBackend,omitempty"`
	TLS              []IngressTLS    `json:"tls,omitempty"`
	Rules            []IngressRule   `json:"rules,omitempty"`
}

// IngressTLS names the hosts a certificate secret serves.
type IngressTLS struct {
	Hosts      []string `json:"hosts,omitempty"`
	SecretName string   `json:"secretName,omitempty"`
}

// IngressRule routes one host (or all, if empty).
type IngressRule struct {
	Host string                `json:"host,omitempty"`
	HTTP *HTTPIngressRuleValue `json:"http,omitempty"`
}

// HTTPIngressRuleValue lists a rule's paths.
type HTTPIngressRuleValue struct {
	Paths []HTTPIngressPath `json:"paths"`
}

// HTTPIngressPath routes one path.
type HTTPIngressPath struct {
	Path string `json:"path,omitempty"`
	// PathType is Exact, Prefix or ImplementationSpecific.
	PathType string         `json:"pathType"`
	Backend  IngressBackend `json:"backend"`
}

// IngressBackend is where matching traffic goes.
type IngressBackend struct {
	Service *IngressServiceBackend `json:"service,omitempty"`
}

// IngressServiceBackend is a Service and one of its ports.
type IngressServiceBackend struct {
	Name string             `json:"name"`
	Port ServiceBackendPort `json:"port"`
}

// ServiceBackendPort is a Service port by name or number.
type ServiceBackendPort struct {
	Name   string `json:"name,omitempty"`
	Number int32  `json:"number,omitempty"`
}

// IngressStatus holds the address the ingress controller serves it on.
type IngressStatus struct {
	LoadBalancer LoadBalancerStatus `json:"loadBalancer"`
}

// GetKind implements Object.
func (i *Ingress) GetKind() Kind { return KindIngress }

// DeepCopyObject implements Object.
func (i *Ingress) DeepCopyObject() Object { return i.DeepCopy() }

// DeepCopy returns a copy of i that shares no memory with it.
func (i *Ingress) DeepCopy() *Ingress {
	out := *i
	out.ObjectMeta = i.ObjectMeta.DeepCopy()
	out.Spec.IngressClassName = clonePtr(i.Spec.IngressClassName)
	out.Spec.DefaultBackend = copyBackend(i.Spec.DefaultBackend)
	if i.Spec.TLS != nil {
		out.Spec.TLS = make([]IngressTLS, len(i.Spec.TLS))
		for j, t := range i.Spec.TLS {
			out.Spec.TLS[j] = IngressTLS{Hosts: cloneSlice(t.Hosts), SecretName: t.SecretName}
		}
	}
	if i.Spec.Rules != nil {
		out.Spec.Rules = make([]IngressRule, len(i.Spec.Rules))
		for j, r := range i.Spec.Rules {
			nr := IngressRule{Host: r.Host}
			if r.HTTP != nil {
				nr.HTTP = &HTTPIngressRuleValue{}
				for _, p := range r.HTTP.Paths {
					np := p
					np.Backend = *copyBackend(&p.Backend)
					nr.HTTP.Paths = append(nr.HTTP.Paths, np)
				}
			}
			out.Spec.Rules[j] = nr
		}
	}
	out.Status.LoadBalancer.Ingress = cloneSlice(i.Status.LoadBalancer.Ingress)
	return &out
}

func copyBackend(b *IngressBackend) *IngressBackend {
	if b == nil {
		return nil
	}
	return &IngressBackend{Service: clonePtr(b.Service)}
}

// IngressClass names the controller that implements Ingresses of the class.
type IngressClass struct {
	TypeMeta
	ObjectMeta `json:"metadata"`
	Spec       IngressClassSpec `json:"spec"`
}

// IngressClassSpec names the class's controller.
type IngressClassSpec struct {
	Controller string `json:"controller"`
}

// GetKind implements Object.
func (i *IngressClass) GetKind() Kind { return KindIngressClass }

// DeepCopyObject implements Object.
func (i *IngressClass) DeepCopyObject() Object { return i.DeepCopy() }

// DeepCopy returns a copy of i that shares no memory with it.
func (i *IngressClass) DeepCopy() *IngressClass {
	out := *i
	out.ObjectMeta = i.ObjectMeta.DeepCopy()
	return &out
}

// Network constants of the simulated cluster.
const (
	AnnotationDefaultIngressClass = "ingressclass.kubernetes.io/is-default-class"
	SimulatedIngressController    = "k8s.io/ingress-nginx"
	// serviceCIDRBase is 10.96.0.0/12; 10.96.0.1 is the API server's.
	serviceCIDRBase uint32 = 10<<24 | 96<<16
	serviceCIDRSize uint32 = 1 << 20
	// loadBalancerBase hands out external addresses from 203.0.113.0/24
	// (TEST-NET-3, never routed on the internet).
	loadBalancerBase uint32 = 203<<24 | 0<<16 | 113<<8
	ingressAddress          = "192.0.2.10" // TEST-NET-1
	nodePortMin             = 30000
	nodePortMax             = 32767
)
