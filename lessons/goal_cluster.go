package lessons

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/podplay/podplay/engine"
)

// nodesGoal counts nodes by readiness and cordoning.
type nodesGoal struct {
	Name      string `yaml:"name"`
	Selector  string `yaml:"selector"`
	countSpec `yaml:",inline"`
	// Ready is the node's Ready condition: false covers NotReady and
	// Unknown (a node that stopped reporting).
	Ready *bool `yaml:"ready"`
	// Cordoned is spec.unschedulable (kubectl cordon, drain).
	Cordoned *bool `yaml:"cordoned"`
}

func (g *nodesGoal) validate() error {
	if err := (objectFilter{Selector: g.Selector}).validate(); err != nil {
		return err
	}
	return g.countSpec.validate()
}

func (g *nodesGoal) holds(c *engine.Cluster) bool {
	f := objectFilter{Name: g.Name, Selector: g.Selector}
	n := 0
	for _, o := range f.list(c, engine.KindNode) {
		node := o.(*engine.Node)
		if g.Ready != nil && node.IsReady() != *g.Ready {
			continue
		}
		if g.Cordoned != nil && node.Spec.Unschedulable != *g.Cordoned {
			continue
		}
		n++
	}
	return g.ok(n)
}

func (g *nodesGoal) describe() Text {
	en, ko := objectFilter{Name: g.Name, Selector: g.Selector}.subject(g.countSpec, "node", "nodes", "노드")
	if g.Name != "" {
		en, ko = "node "+g.Name, g.Name+" 노드"
	}
	s := sentence{en: en, ko: ko}
	if g.Ready != nil {
		if *g.Ready {
			s.add("Ready", "Ready")
		} else {
			s.add("NotReady", "NotReady")
		}
	}
	if g.Cordoned != nil {
		if *g.Cordoned {
			s.add("cordoned (SchedulingDisabled)", "cordon됨 (SchedulingDisabled)")
		} else {
			s.add("schedulable", "스케줄 가능")
		}
	}
	return s.text()
}

// claimsGoal counts PersistentVolumeClaims by phase. A claim is Bound
// only if the PersistentVolume it names exists and is bound back to it.
type claimsGoal struct {
	objectFilter `yaml:",inline"`
	countSpec    `yaml:",inline"`
	// Phase is Bound, Pending or Lost.
	Phase string `yaml:"phase"`
}

func (g *claimsGoal) validate() error {
	if err := g.objectFilter.validate(); err != nil {
		return err
	}
	if g.Phase != "" && !slices.Contains([]string{"Bound", "Pending", "Lost"}, g.Phase) {
		return fmt.Errorf("phase %q is not a claim phase (Bound, Pending, Lost)", g.Phase)
	}
	return g.countSpec.validate()
}

func (g *claimsGoal) holds(c *engine.Cluster) bool {
	n := 0
	for _, o := range g.list(c, engine.KindPersistentVolumeClaim) {
		pvc := o.(*engine.PersistentVolumeClaim)
		if pvc.DeletionTimestamp != nil {
			continue
		}
		if g.Phase != "" && pvc.Status.Phase != g.Phase {
			continue
		}
		if g.Phase == "Bound" && !boundBothWays(c, pvc) {
			continue
		}
		n++
	}
	return g.ok(n)
}

func boundBothWays(c *engine.Cluster, pvc *engine.PersistentVolumeClaim) bool {
	if pvc.Spec.VolumeName == "" {
		return false
	}
	o, err := c.Get(engine.KindPersistentVolume, "", pvc.Spec.VolumeName)
	if err != nil {
		return false
	}
	pv := o.(*engine.PersistentVolume)
	ref := pv.Spec.ClaimRef
	return pv.Status.Phase == "Bound" && ref != nil && ref.Name == pvc.Name && ref.Namespace == pvc.Namespace
}

func (g *claimsGoal) describe() Text {
	en, ko := g.subject(g.countSpec, "PersistentVolumeClaim", "PersistentVolumeClaims", "PersistentVolumeClaim")
	s := sentence{en: en, ko: ko}
	switch g.Phase {
	case "Bound":
		s.add("Bound to a PersistentVolume", "PersistentVolume에 Bound")
	case "":
	default:
		s.add(g.Phase, g.Phase)
	}
	return s.text()
}

// serviceGoal looks for a Service by name, by what it selects, and by its
// ready endpoints.
type serviceGoal struct {
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
	// Selects is labels the Service's selector must include, such as
	// app=web.
	Selects string `yaml:"selects"`
	// Endpoints is the fewest ready endpoints (pod addresses) it has.
	Endpoints int `yaml:"endpoints"`
	// Type is ClusterIP, NodePort or LoadBalancer.
	Type string `yaml:"type"`
	// Port is a port the Service exposes.
	Port int32 `yaml:"port"`
}

func (g *serviceGoal) validate() error {
	if _, err := parseLabels(g.Selects); err != nil {
		return err
	}
	if g.Endpoints < 0 {
		return errors.New("endpoints must not be negative")
	}
	if g.Type != "" && !slices.Contains([]string{"ClusterIP", "NodePort", "LoadBalancer"}, g.Type) {
		return fmt.Errorf("type %q is not a Service type (ClusterIP, NodePort, LoadBalancer)", g.Type)
	}
	return nil
}

// parseLabels reads "a=b,c=d" as a label set.
func parseLabels(s string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("selects %q: write labels as key=value, separated by commas", s)
		}
		out[k] = v
	}
	return out, nil
}

func (g *serviceGoal) holds(c *engine.Cluster) bool {
	want, _ := parseLabels(g.Selects)
	f := objectFilter{Name: g.Name, Namespace: g.Namespace}
	for _, o := range f.list(c, engine.KindService) {
		svc := o.(*engine.Service)
		if len(svc.Spec.Selector) == 0 && (len(want) > 0 || g.Endpoints > 0) {
			continue // not a selector Service (e.g. "kubernetes")
		}
		if !containsLabels(svc.Spec.Selector, want) {
			continue
		}
		if g.Type != "" && svcType(svc) != g.Type {
			continue
		}
		if g.Port != 0 && !slices.ContainsFunc(svc.Spec.Ports, func(p engine.ServicePort) bool { return p.Port == g.Port }) {
			continue
		}
		if g.Endpoints > 0 && readyEndpoints(c, svc) < g.Endpoints {
			continue
		}
		return true
	}
	return false
}

func svcType(s *engine.Service) string {
	if s.Spec.Type == "" {
		return "ClusterIP"
	}
	return s.Spec.Type
}

func containsLabels(have, want map[string]string) bool {
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			return false
		}
	}
	return true
}

func readyEndpoints(c *engine.Cluster, svc *engine.Service) int {
	o, err := c.Get(engine.KindEndpoints, svc.Namespace, svc.Name)
	if err != nil {
		return 0
	}
	n := 0
	for _, s := range o.(*engine.Endpoints).Subsets {
		n += len(s.Addresses)
	}
	return n
}

func (g *serviceGoal) describe() Text {
	en, ko := "a Service", "Service"
	if g.Name != "" {
		en, ko = "Service "+g.Name, "Service "+g.Name
	}
	if g.Selects != "" {
		en += " selecting " + g.Selects
		ko = "셀렉터가 " + g.Selects + "인 " + ko
	}
	s := sentence{en: en, ko: ko}
	if g.Type != "" {
		s.add("type "+g.Type, g.Type+" 타입")
	}
	if g.Port != 0 {
		s.add(fmt.Sprintf("port %d", g.Port), fmt.Sprintf("포트 %d", g.Port))
	}
	if g.Endpoints > 0 {
		s.add(fmt.Sprintf("at least %d ready %s", g.Endpoints, plural(g.Endpoints, "endpoint", "endpoints")), fmt.Sprintf("준비된 엔드포인트 %d개 이상", g.Endpoints))
	}
	return s.text()
}

// ingressGoal asks that a request for Host and Path be routed, as the
// ingress controller would route it (host, then longest path, Exact
// before Prefix), to Service.
type ingressGoal struct {
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
	Host      string `yaml:"host"`
	Path      string `yaml:"path"`
	Service   string `yaml:"service"`
}

func (g *ingressGoal) validate() error {
	if g.Service == "" {
		return errors.New("service is required: the Service the requests should reach")
	}
	if g.Path != "" && !strings.HasPrefix(g.Path, "/") {
		return fmt.Errorf("path %q must start with /", g.Path)
	}
	return nil
}

func (g *ingressGoal) path() string {
	if g.Path == "" {
		return "/"
	}
	return g.Path
}

func (g *ingressGoal) holds(c *engine.Cluster) bool {
	in, backend, ok := c.IngressRoute(g.Host, g.path())
	if !ok || backend.Service == nil {
		return false
	}
	ns := objectFilter{Namespace: g.Namespace}.namespace()
	return backend.Service.Name == g.Service && (ns == "" || in.Namespace == ns) && (g.Name == "" || in.Name == g.Name)
}

func (g *ingressGoal) describe() Text {
	url := "http://" + g.Host + g.path()
	if g.Host == "" {
		url = "requests for " + g.path()
	}
	en := fmt.Sprintf("an Ingress routing %s to Service %s", url, g.Service)
	ko := fmt.Sprintf("%s 요청을 Service %s에 전달하는 Ingress", url, g.Service)
	if g.Name != "" {
		en = fmt.Sprintf("Ingress %s routing %s to Service %s", g.Name, url, g.Service)
		ko = fmt.Sprintf("%s 요청을 Service %s에 전달하는 Ingress %s", url, g.Service, g.Name)
	}
	return Text{"en": upperFirst(en), "ko": ko}
}

// deploymentGoal checks a Deployment's spec and rollout status.
type deploymentGoal struct {
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
	// Replicas is spec.replicas; Updated, Ready and Available the
	// status's counts — each exactly.
	Replicas  *int `yaml:"replicas"`
	Updated   *int `yaml:"updated"`
	Ready     *int `yaml:"ready"`
	Available *int `yaml:"available"`
	// Image is the image of a container of the pod template (Container
	// narrows it to one).
	Image     string `yaml:"image"`
	Container string `yaml:"container"`
	// Revision is the least revision the rollout has reached.
	Revision int `yaml:"revision"`
	// Stalled: the rollout exceeded its progress deadline
	// (ProgressDeadlineExceeded).
	Stalled *bool `yaml:"stalled"`
	// Complete: every replica is updated and available, and the
	// controller has seen the latest spec.
	Complete *bool `yaml:"complete"`
}

func (g *deploymentGoal) validate() error {
	for _, p := range []*int{g.Replicas, g.Updated, g.Ready, g.Available} {
		if p != nil && *p < 0 {
			return errors.New("replica counts must not be negative")
		}
	}
	if g.Container != "" && g.Image == "" {
		return errors.New("container narrows image; give the image too")
	}
	return nil
}

func (g *deploymentGoal) holds(c *engine.Cluster) bool {
	f := objectFilter{Name: g.Name, Namespace: g.Namespace}
	for _, o := range f.list(c, engine.KindDeployment) {
		if g.matches(o.(*engine.Deployment)) {
			return true
		}
	}
	return false
}

func (g *deploymentGoal) matches(d *engine.Deployment) bool {
	eq := func(want *int, have int32) bool { return want == nil || int(have) == *want }
	if !eq(g.Replicas, d.DesiredReplicas()) || !eq(g.Updated, d.Status.UpdatedReplicas) ||
		!eq(g.Ready, d.Status.ReadyReplicas) || !eq(g.Available, d.Status.AvailableReplicas) {
		return false
	}
	if g.Image != "" && !slices.ContainsFunc(d.Spec.Template.Spec.Containers, func(c engine.Container) bool {
		return c.Image == g.Image && (g.Container == "" || c.Name == g.Container)
	}) {
		return false
	}
	if g.Revision > 0 {
		rev, _ := strconv.Atoi(d.Annotations[engine.AnnotationRevision])
		if rev < g.Revision {
			return false
		}
	}
	prog := d.Condition("Progressing")
	if g.Stalled != nil {
		stalled := prog != nil && prog.Status == engine.ConditionFalse && prog.Reason == "ProgressDeadlineExceeded"
		if stalled != *g.Stalled {
			return false
		}
	}
	if g.Complete != nil {
		want := d.DesiredReplicas()
		done := d.Status.ObservedGeneration >= d.Generation && d.Status.UpdatedReplicas == want &&
			d.Status.Replicas == want && d.Status.AvailableReplicas == want
		if done != *g.Complete {
			return false
		}
	}
	return true
}

func (g *deploymentGoal) describe() Text {
	en, ko := "a Deployment", "Deployment"
	if g.Name != "" {
		en, ko = "Deployment "+g.Name, "Deployment "+g.Name
	}
	s := sentence{en: en, ko: ko}
	counts := []struct {
		p      *int
		en, ko string
	}{{g.Replicas, "replicas", "레플리카"}, {g.Updated, "updated", "업데이트됨"}, {g.Ready, "ready", "준비됨"}, {g.Available, "available", "사용 가능"}}
	for _, c := range counts {
		if c.p != nil {
			s.add(fmt.Sprintf("%d %s", *c.p, c.en), fmt.Sprintf("%s %d개", c.ko, *c.p))
		}
	}
	if g.Image != "" {
		if g.Container != "" {
			s.add(fmt.Sprintf("container %s runs %s", g.Container, code(g.Image)), fmt.Sprintf("%s 컨테이너가 %s 실행", g.Container, code(g.Image)))
		} else {
			s.add("image "+code(g.Image), "이미지 "+code(g.Image))
		}
	}
	if g.Revision > 0 {
		s.add(fmt.Sprintf("rollout at revision %d or later", g.Revision), fmt.Sprintf("롤아웃 리비전 %d 이상", g.Revision))
	}
	if g.Stalled != nil {
		if *g.Stalled {
			s.add("rollout stalled (ProgressDeadlineExceeded)", "롤아웃 정체 (ProgressDeadlineExceeded)")
		} else {
			s.add("rollout not stalled", "롤아웃 정체 아님")
		}
	}
	if g.Complete != nil {
		if *g.Complete {
			s.add("rollout complete", "롤아웃 완료")
		} else {
			s.add("rollout in progress", "롤아웃 진행 중")
		}
	}
	return s.text()
}
