package engine

import (
	"fmt"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// endpointsController keeps each Service's Endpoints: the addresses of the
// pods its selector matches, ready ones in addresses, the rest in
// notReadyAddresses; pods being deleted are left out. It also plays the
// cloud's service controller (a LoadBalancer Service gets an external IP)
// and ingress-nginx (an Ingress of its class gets its address).
type endpointsController struct {
	c      *Cluster
	id     int
	nextLB uint32
	// selecting caches, per namespace, the Services that select pods, in
	// key order; a Service change drops its namespace's entry.
	selecting map[string][]serviceSelector
}

type serviceSelector struct {
	queueKey string
	sel      labels.Selector
}

var (
	sourceEndpointsController = EventSource{Component: "endpoint-controller"}
	sourceServiceController   = EventSource{Component: "service-controller"}
	sourceIngressController   = EventSource{Component: "nginx-ingress-controller"}
)

func newEndpointsController(c *Cluster) *endpointsController {
	e := &endpointsController{c: c, nextLB: 10, selecting: map[string][]serviceSelector{}}
	e.id = c.register("endpoint-controller", e, KindService, KindPod, KindIngress, KindIngressClass)
	return e
}

var _ controller = (*endpointsController)(nil)

func (e *endpointsController) observe(ev WatchEvent, old Object) {
	switch o := ev.Object.(type) {
	case *Service:
		delete(e.selecting, o.Namespace)
		e.c.enqueue(e.id, "svc:"+ev.key)
	case *Ingress:
		if ev.Type != Deleted {
			e.c.enqueue(e.id, "ing:"+ev.key)
		}
	case *IngressClass:
		for _, obj := range e.c.store.list(KindIngress, "", nil) {
			e.c.enqueue(e.id, "ing:"+obj.GetObjectMeta().Key())
		}
	case *Pod:
		if e.c.store.count(KindService) == 0 {
			return
		}
		was, _ := old.(*Pod)
		for _, s := range e.selectingIn(o.Namespace) {
			if s.sel.Matches(labels.Set(o.Labels)) || was != nil && s.sel.Matches(labels.Set(was.Labels)) {
				e.c.enqueue(e.id, s.queueKey)
			}
		}
	}
}

// selectingIn returns the Services of namespace ns that select pods.
func (e *endpointsController) selectingIn(ns string) []serviceSelector {
	if list, ok := e.selecting[ns]; ok {
		return list
	}
	var list []serviceSelector
	for _, obj := range e.c.store.list(KindService, ns, nil) {
		s := obj.(*Service)
		if len(s.Spec.Selector) > 0 {
			list = append(list, serviceSelector{queueKey: "svc:" + s.Key(), sel: labels.SelectorFromSet(s.Spec.Selector)})
		}
	}
	e.selecting[ns] = list
	return list
}

func (e *endpointsController) reconcile(key string) {
	if k, ok := strings.CutPrefix(key, "ing:"); ok {
		e.syncIngress(k)
		return
	}
	k := strings.TrimPrefix(key, "svc:")
	s, _ := e.c.store.get(KindService, k).(*Service)
	if s == nil {
		if ep := e.c.store.get(KindEndpoints, k); ep != nil && ep.GetObjectMeta().ControllerRef() == nil {
			e.c.removeObject(KindEndpoints, k)
		}
		return
	}
	e.syncLoadBalancer(s)
	if len(s.Spec.Selector) == 0 {
		return // endpoints of a selector-less Service are the user's
	}
	want := &Endpoints{ObjectMeta: ObjectMeta{Name: s.Name, Namespace: s.Namespace, Labels: cloneStringMap(s.Labels)}}
	if subset := e.subset(s); len(subset.Addresses)+len(subset.NotReadyAddresses) > 0 {
		want.Subsets = []EndpointSubset{subset}
	}
	cur, _ := e.c.store.get(KindEndpoints, k).(*Endpoints)
	switch {
	case cur == nil:
		if err := e.c.createObject(want); err != nil {
			e.c.event(s, EventTypeWarning, "FailedToCreateEndpoint", sourceEndpointsController, "Failed to create endpoint for service %s/%s: %v", s.Namespace, s.Name, err)
		}
	case !reflect.DeepEqual(cur.Subsets, want.Subsets):
		n := cur.DeepCopy()
		n.Subsets = want.Subsets
		e.c.mustUpdate(n)
	}
}

// subset gathers the pods a Service selects, with the ports resolved
// against each pod's named container ports.
func (e *endpointsController) subset(s *Service) EndpointSubset {
	var sub EndpointSubset
	sel := labels.SelectorFromSet(s.Spec.Selector)
	portsSet := false
	for _, obj := range e.c.store.list(KindPod, s.Namespace, sel) {
		p := obj.(*Pod)
		if p.Status.PodIP == "" || p.DeletionTimestamp != nil || p.IsTerminal() {
			continue
		}
		ports, ok := resolvePorts(s, p)
		if !ok {
			continue
		}
		if !portsSet {
			sub.Ports, portsSet = ports, true
		}
		addr := EndpointAddress{IP: p.Status.PodIP, NodeName: p.Spec.NodeName,
			TargetRef: &ObjectReference{Kind: KindPod, Namespace: p.Namespace, Name: p.Name, UID: p.UID}}
		if p.IsReady() {
			sub.Addresses = append(sub.Addresses, addr)
		} else {
			sub.NotReadyAddresses = append(sub.NotReadyAddresses, addr)
		}
	}
	return sub
}

// resolvePorts maps a Service's ports to a pod's: a named targetPort must
// be a named container port of the pod.
func resolvePorts(s *Service, p *Pod) ([]EndpointPort, bool) {
	out := make([]EndpointPort, 0, len(s.Spec.Ports))
	for _, sp := range s.Spec.Ports {
		port, ok := targetPortOf(sp.TargetPort, p)
		if !ok {
			return nil, false
		}
		out = append(out, EndpointPort{Name: sp.Name, Port: port, Protocol: sp.Protocol})
	}
	return out, true
}

func targetPortOf(tp intstr.IntOrString, p *Pod) (int32, bool) {
	if tp.Type == intstr.Int {
		return tp.IntVal, true
	}
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == tp.StrVal {
				return cp.ContainerPort, true
			}
		}
	}
	return 0, false
}

// syncLoadBalancer gives a LoadBalancer Service its simulated external IP.
func (e *endpointsController) syncLoadBalancer(s *Service) {
	if s.Spec.Type != "LoadBalancer" || len(s.Status.LoadBalancer.Ingress) > 0 {
		return
	}
	e.c.event(s, EventTypeNormal, "EnsuringLoadBalancer", sourceServiceController, "Ensuring load balancer")
	n := s.DeepCopy()
	n.Status.LoadBalancer.Ingress = []LoadBalancerIngress{{IP: formatIPv4(loadBalancerBase + e.nextLB)}}
	e.nextLB++
	e.c.mustUpdate(n)
	e.c.event(s, EventTypeNormal, "EnsuredLoadBalancer", sourceServiceController, "Ensured load balancer")
}

// syncIngress publishes the ingress controller's address on Ingresses of
// its class.
func (e *endpointsController) syncIngress(key string) {
	in, _ := e.c.store.get(KindIngress, key).(*Ingress)
	if in == nil || !e.c.servedByIngressController(in) || len(in.Status.LoadBalancer.Ingress) > 0 {
		return
	}
	n := in.DeepCopy()
	n.Status.LoadBalancer.Ingress = []LoadBalancerIngress{{IP: ingressAddress}}
	e.c.mustUpdate(n)
	e.c.event(in, EventTypeNormal, "Sync", sourceIngressController, "Scheduled for sync")
}

// servedByIngressController reports whether podplay's ingress controller
// implements the Ingress (its class names the controller).
func (c *Cluster) servedByIngressController(in *Ingress) bool {
	if in.Spec.IngressClassName == nil {
		return false
	}
	ic, _ := c.store.get(KindIngressClass, *in.Spec.IngressClassName).(*IngressClass)
	return ic != nil && ic.Spec.Controller == SimulatedIngressController
}

// EndpointsString renders endpoints as kubectl describe service shows
// them: "10.244.1.2:80,10.244.2.3:80", or "<none>".
func EndpointsString(ep *Endpoints) string {
	var parts []string
	if ep != nil {
		for _, s := range ep.Subsets {
			for _, a := range s.Addresses {
				for _, p := range s.Ports {
					parts = append(parts, fmt.Sprintf("%s:%d", a.IP, p.Port))
				}
			}
		}
	}
	if len(parts) == 0 {
		return "<none>"
	}
	return strings.Join(parts, ",")
}
