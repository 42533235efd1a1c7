package engine

import (
	"fmt"
	"slices"
	"strings"
)

// Request is one simulated HTTP request that came in through the ingress
// controller, and what happened to it.
type Request struct {
	Host string `json:"host"`
	Path string `json:"path"`
	// Status is the HTTP status the client saw: 200, 404, 502, 503.
	Status int `json:"status"`
	// Body is the response the client got (the container's, in character,
	// or the ingress controller's error page).
	Body string `json:"-"`
	// Namespace, Ingress, Service, Pod and Node name the path the request
	// took, as far as it got ("" beyond that).
	Namespace string `json:"namespace,omitempty"`
	Ingress   string `json:"ingress,omitempty"`
	Service   string `json:"service,omitempty"`
	Pod       string `json:"pod,omitempty"`
	Node      string `json:"node,omitempty"`
	// Reason says, for a failure, why — in the words of the piece that
	// failed.
	Reason string `json:"reason,omitempty"`
}

// SendTraffic sends n HTTP requests for host and path to the cluster's
// ingress controller and routes each as ingress-nginx would: the Ingress
// rule matching the host and the longest path (Exact before Prefix), its
// Service, and that Service's ready endpoints in turn. A request fails
// with 404 when no rule matches, 503 when the Service has no ready
// endpoints, and 502 when the chosen pod cannot answer (its node is down
// before the endpoints catch up, or nothing listens on the port).
func (c *Cluster) SendTraffic(host, path string, n int) ([]Request, error) {
	if n < 1 || n > 1000 {
		return nil, &APIError{Reason: ReasonBadRequest, Message: "the number of requests must be between 1 and 1000"}
	}
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") {
		return nil, &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf("path %q must start with /", path)}
	}
	c.events.flush()
	out := make([]Request, 0, n)
	for range n {
		out = append(out, c.route(host, path))
	}
	return out, nil
}

type route struct {
	ingress *Ingress
	backend *IngressBackend
	exact   bool
	length  int
	hosted  bool
}

// IngressRoute says which Ingress and backend podplay's ingress
// controller sends a request for host and path to, as ingress-nginx
// chooses: among the Ingresses it serves, a rule for the host before a
// catch-all, the longest matching path, Exact before Prefix; failing
// that, an Ingress's default backend. It reports false when nothing
// matches (the controller answers 404). It changes nothing.
func (c *Cluster) IngressRoute(host, path string) (*Ingress, *IngressBackend, bool) {
	if path == "" {
		path = "/"
	}
	var best *route
	var fallback *route
	for _, obj := range c.store.list(KindIngress, "", nil) {
		in := obj.(*Ingress)
		if !c.servedByIngressController(in) {
			continue
		}
		if in.Spec.DefaultBackend != nil && fallback == nil {
			fallback = &route{ingress: in, backend: in.Spec.DefaultBackend}
		}
		for _, rule := range in.Spec.Rules {
			if !hostMatches(rule.Host, host) || rule.HTTP == nil {
				continue
			}
			for i := range rule.HTTP.Paths {
				p := &rule.HTTP.Paths[i]
				if !pathMatches(p.PathType, p.Path, path) {
					continue
				}
				r := &route{ingress: in, backend: &p.Backend, exact: p.PathType == "Exact", length: len(p.Path), hosted: rule.Host != ""}
				if best == nil || better(r, best) {
					best = r
				}
			}
		}
	}
	if best == nil {
		best = fallback
	}
	if best == nil {
		return nil, nil, false
	}
	return best.ingress, best.backend, true
}

func (c *Cluster) route(host, path string) Request {
	req := Request{Host: host, Path: path}
	in, backend, ok := c.IngressRoute(host, path)
	if !ok {
		req.Status, req.Body, req.Reason = 404, "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>\n",
			fmt.Sprintf("no Ingress rule matches host %q and path %q", host, path)
		return req
	}
	best := &route{ingress: in, backend: backend}
	req.Namespace, req.Ingress = best.ingress.Namespace, best.ingress.Name
	svcRef := best.backend.Service
	req.Service = svcRef.Name
	svc, _ := c.store.get(KindService, objectKey(best.ingress.Namespace, svcRef.Name)).(*Service)
	unavailable := func(reason string) Request {
		req.Status, req.Body, req.Reason = 503, "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>\n", reason
		return req
	}
	if svc == nil {
		return unavailable(fmt.Sprintf("service %q not found", svcRef.Name))
	}
	var port *ServicePort
	for i := range svc.Spec.Ports {
		sp := &svc.Spec.Ports[i]
		if svcRef.Port.Name != "" && sp.Name == svcRef.Port.Name || svcRef.Port.Number != 0 && sp.Port == svcRef.Port.Number {
			port = sp
		}
	}
	if port == nil {
		return unavailable(fmt.Sprintf("service %q has no port %s", svc.Name, backendPortString(svcRef.Port)))
	}
	ep, _ := c.store.get(KindEndpoints, svc.Key()).(*Endpoints)
	var addrs []EndpointAddress
	var targetPort int32
	if ep != nil {
		for _, sub := range ep.Subsets {
			for _, p := range sub.Ports {
				if p.Name == port.Name {
					targetPort = p.Port
				}
			}
			addrs = append(addrs, sub.Addresses...)
		}
	}
	if len(addrs) == 0 {
		return unavailable(fmt.Sprintf("service %q has no ready endpoints", svc.Name))
	}
	i := c.traffic[svc.Key()] % len(addrs)
	c.traffic[svc.Key()]++
	a := addrs[i]
	req.Node = a.NodeName
	if a.TargetRef != nil {
		req.Pod = a.TargetRef.Name
	}
	badGateway := func(reason string) Request {
		req.Status, req.Body, req.Reason = 502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n", reason
		return req
	}
	if !c.NodeRunning(a.NodeName) {
		return badGateway(fmt.Sprintf("connect() failed (113: No route to host) while connecting to upstream %s:%d", a.IP, targetPort))
	}
	p := c.pod(objectKey(svc.Namespace, req.Pod))
	rt := c.kubelet.pods[objectKey(svc.Namespace, req.Pod)]
	if p == nil || rt == nil {
		return badGateway(fmt.Sprintf("connect() failed (111: Connection refused) while connecting to upstream %s:%d", a.IP, targetPort))
	}
	for _, cr := range rt.main {
		if cr.state != phaseRunning || cr.image == nil {
			continue
		}
		if cr.image.Generic || slices.Contains(cr.image.Ports, targetPort) {
			body := cr.image.Response
			if body == "" {
				body = "OK\n"
			}
			body = strings.ReplaceAll(body, "%h", p.Name)
			body = strings.ReplaceAll(body, "%t", c.clock.now.Format("2006-01-02 15:04:05"))
			req.Status, req.Body = 200, body
			return req
		}
	}
	return badGateway(fmt.Sprintf("connect() failed (111: Connection refused) while connecting to upstream %s:%d", a.IP, targetPort))
}

func backendPortString(p ServiceBackendPort) string {
	if p.Name != "" {
		return p.Name
	}
	return fmt.Sprint(p.Number)
}

// better orders candidate routes as ingress-nginx does: a rule for the host
// before a catch-all rule, then the longer path, then Exact before Prefix.
func better(a, b *route) bool {
	if a.hosted != b.hosted {
		return a.hosted
	}
	if a.length != b.length {
		return a.length > b.length
	}
	return a.exact && !b.exact
}

func hostMatches(rule, host string) bool {
	switch {
	case rule == "":
		return true
	case strings.HasPrefix(rule, "*."):
		first, rest, ok := strings.Cut(host, ".")
		return ok && first != "" && rest == rule[2:]
	}
	return strings.EqualFold(rule, host)
}

// pathMatches applies an Ingress path's type: Exact matches the path
// alone; Prefix matches element by element ("/foo" matches "/foo" and
// "/foo/bar" but not "/foobar"); ImplementationSpecific matches as a plain
// prefix, as ingress-nginx does.
func pathMatches(pathType, rulePath, path string) bool {
	switch pathType {
	case "Exact":
		return path == rulePath
	case "Prefix":
		p := strings.TrimSuffix(rulePath, "/")
		return p == "" || path == p || strings.HasPrefix(path, p+"/")
	}
	return strings.HasPrefix(path, rulePath)
}
