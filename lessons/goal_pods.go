package lessons

import (
	"errors"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/podplay/podplay/engine"
)

// objectFilter picks objects by name, namespace and labels, as kubectl
// does: namespace "" is "default", "*" every namespace.
type objectFilter struct {
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
	Selector  string `yaml:"selector"`
}

func (f objectFilter) validate() error {
	if _, err := labels.Parse(f.Selector); err != nil {
		return fmt.Errorf("selector %q: %v", f.Selector, err)
	}
	return nil
}

func (f objectFilter) selector() labels.Selector {
	s, err := labels.Parse(f.Selector)
	if err != nil {
		return labels.Nothing() // validated at load
	}
	return s
}

func (f objectFilter) namespace() string {
	switch f.Namespace {
	case "":
		return "default"
	case "*":
		return ""
	}
	return f.Namespace
}

// list returns the objects of kind the filter picks.
func (f objectFilter) list(c *engine.Cluster, kind engine.Kind) []engine.Object {
	ns := f.namespace()
	if !kind.Namespaced() {
		ns = ""
	}
	objs := c.List(kind, ns, f.selector())
	if f.Name == "" {
		return objs
	}
	return slices.DeleteFunc(objs, func(o engine.Object) bool { return o.GetObjectMeta().Name != f.Name })
}

// subject describes what the filter picks: "pods with app=web", "pod
// web" / "app=web 파드".
func (f objectFilter) subject(c countSpec, one, many, ko string) (string, string) {
	if f.Name != "" {
		en, k := one+" "+f.Name, ko+" "+f.Name
		if c.Count != nil && *c.Count == 0 || c.Max != nil && *c.Max == 0 {
			en, k = "no "+one+" "+f.Name, ko+" "+f.Name+" 없음"
		}
		return en + f.inNamespace(), f.koNamespace() + k
	}
	en, k := c.phrase(one, many, ko)
	if f.Selector != "" {
		en += " with " + f.Selector
		k = f.Selector + " " + k
	}
	return en + f.inNamespace(), f.koNamespace() + k
}

func (f objectFilter) inNamespace() string {
	switch f.Namespace {
	case "", "default":
		return ""
	case "*":
		return " in any namespace"
	}
	return " in namespace " + f.Namespace
}

func (f objectFilter) koNamespace() string {
	switch f.Namespace {
	case "", "default", "*":
		return ""
	}
	return f.Namespace + " 네임스페이스의 "
}

// podsGoal counts pods by what they are and where they run. Terminating
// pods never count: they are on their way out.
type podsGoal struct {
	objectFilter `yaml:",inline"`
	countSpec    `yaml:",inline"`
	// Phase is the pod's phase: Pending, Running, Succeeded, Failed.
	Phase string `yaml:"phase"`
	// Ready is the pod's Ready condition.
	Ready *bool `yaml:"ready"`
	// Scheduled is whether the pod has a node (false: Pending, unschedulable).
	Scheduled *bool `yaml:"scheduled"`
	// On and NotOn place the pod on, or off, a node.
	On    string `yaml:"on"`
	NotOn string `yaml:"notOn"`
	// Nodes is the fewest different nodes the counted pods run on.
	Nodes int `yaml:"nodes"`
	// Image is an image one of the pod's containers runs.
	Image string `yaml:"image"`
	// Containers is the pod's number of containers, native sidecars
	// included (what READY counts).
	Containers int `yaml:"containers"`
	// ReadyContainers is how many of them are ready (READY n/…), at least.
	ReadyContainers int `yaml:"readyContainers"`
	// Sidecar asks for a native sidecar (an init container with
	// restartPolicy: Always) that is running and ready.
	Sidecar bool `yaml:"sidecar"`
	// Container narrows Restarts and Waiting to one container.
	Container string `yaml:"container"`
	// Restarts is the fewest restarts (of Container, or of any container).
	Restarts int `yaml:"restarts"`
	// Waiting is the reason a container (Container, or any) waits:
	// ImagePullBackOff (which ErrImagePull also satisfies: the kubelet
	// alternates between the two), CrashLoopBackOff, ContainerCreating…
	Waiting string `yaml:"waiting"`
	// Claim is a PersistentVolumeClaim the pod mounts.
	Claim string `yaml:"claim"`
	// CPU and Memory are the least the pod requests ("500m", "1Gi").
	CPU    string `yaml:"cpu"`
	Memory string `yaml:"memory"`
}

var podPhases = []string{"Pending", "Running", "Succeeded", "Failed", "Unknown"}

func (g *podsGoal) validate() error {
	if err := g.objectFilter.validate(); err != nil {
		return err
	}
	if err := g.countSpec.validate(); err != nil {
		return err
	}
	if g.Phase != "" && !slices.Contains(podPhases, g.Phase) {
		return fmt.Errorf("phase %q is not a pod phase (Pending, Running, Succeeded, Failed, Unknown)", g.Phase)
	}
	for _, q := range []string{g.CPU, g.Memory} {
		if q == "" {
			continue
		}
		if _, err := resource.ParseQuantity(q); err != nil {
			return fmt.Errorf("%q is not a quantity such as 500m or 1Gi", q)
		}
	}
	if g.Nodes < 0 || g.Containers < 0 || g.ReadyContainers < 0 || g.Restarts < 0 {
		return errors.New("nodes, containers, readyContainers and restarts must not be negative")
	}
	if g.Container != "" && g.Restarts == 0 && g.Waiting == "" {
		return errors.New("container narrows restarts or waiting; give one of them")
	}
	return nil
}

func (g *podsGoal) holds(c *engine.Cluster) bool {
	n := 0
	nodes := map[string]bool{}
	for _, o := range g.list(c, engine.KindPod) {
		p := o.(*engine.Pod)
		if !g.matches(p) {
			continue
		}
		n++
		if p.Spec.NodeName != "" {
			nodes[p.Spec.NodeName] = true
		}
	}
	return g.ok(n) && len(nodes) >= g.Nodes
}

func (g *podsGoal) matches(p *engine.Pod) bool {
	if p.DeletionTimestamp != nil {
		return false
	}
	if g.Phase != "" && string(p.Status.Phase) != g.Phase {
		return false
	}
	if g.Ready != nil && p.IsReady() != *g.Ready {
		return false
	}
	if g.Scheduled != nil && (p.Spec.NodeName != "") != *g.Scheduled {
		return false
	}
	if g.On != "" && p.Spec.NodeName != g.On || g.NotOn != "" && (p.Spec.NodeName == g.NotOn || p.Spec.NodeName == "") {
		return false
	}
	ctrs := podContainers(p)
	if g.Image != "" && !slices.ContainsFunc(ctrs, func(c engine.Container) bool { return c.Image == g.Image }) {
		return false
	}
	if g.Containers > 0 && len(ctrs) != g.Containers {
		return false
	}
	statuses := podStatuses(p)
	if g.ReadyContainers > 0 {
		ready := 0
		for _, s := range statuses {
			if s.Ready && isRunningContainer(p, s.Name) {
				ready++
			}
		}
		if ready < g.ReadyContainers {
			return false
		}
	}
	if g.Sidecar && !hasReadySidecar(p) {
		return false
	}
	if g.Restarts > 0 || g.Waiting != "" {
		found := false
		for _, s := range statuses {
			if g.Container != "" && s.Name != g.Container {
				continue
			}
			if int(s.RestartCount) < g.Restarts {
				continue
			}
			if g.Waiting != "" && !waitingFor(s, g.Waiting) {
				continue
			}
			found = true
		}
		if !found {
			return false
		}
	}
	if g.Claim != "" && !slices.ContainsFunc(p.Spec.Volumes, func(v engine.Volume) bool {
		return v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == g.Claim
	}) {
		return false
	}
	if g.CPU != "" || g.Memory != "" {
		cpu, mem := engine.PodRequests(p)
		if g.CPU != "" {
			q := resource.MustParse(g.CPU)
			if cpu < q.MilliValue() {
				return false
			}
		}
		if g.Memory != "" {
			q := resource.MustParse(g.Memory)
			if mem < q.Value() {
				return false
			}
		}
	}
	return true
}

// podContainers are the containers READY counts: app containers and
// native sidecars.
func podContainers(p *engine.Pod) []engine.Container {
	var out []engine.Container
	for _, c := range p.Spec.InitContainers {
		if c.IsSidecar() {
			out = append(out, c)
		}
	}
	return append(out, p.Spec.Containers...)
}

func podStatuses(p *engine.Pod) []engine.ContainerStatus {
	var out []engine.ContainerStatus
	for _, s := range p.Status.InitContainerStatuses {
		if isSidecar(p, s.Name) {
			out = append(out, s)
		}
	}
	return append(out, p.Status.ContainerStatuses...)
}

func isSidecar(p *engine.Pod, name string) bool {
	return slices.ContainsFunc(p.Spec.InitContainers, func(c engine.Container) bool { return c.Name == name && c.IsSidecar() })
}

func isRunningContainer(p *engine.Pod, name string) bool {
	for _, s := range podStatuses(p) {
		if s.Name == name {
			return s.State.Running != nil
		}
	}
	return false
}

func hasReadySidecar(p *engine.Pod) bool {
	for _, s := range p.Status.InitContainerStatuses {
		if isSidecar(p, s.Name) && s.Ready && s.State.Running != nil {
			return true
		}
	}
	return false
}

func waitingFor(s engine.ContainerStatus, reason string) bool {
	w := s.State.Waiting
	if w == nil {
		return false
	}
	return w.Reason == reason || reason == "ImagePullBackOff" && w.Reason == "ErrImagePull"
}

func (g *podsGoal) describe() Text {
	en, ko := g.subject(g.countSpec, "pod", "pods", "파드")
	s := sentence{en: en, ko: ko}
	if g.Phase != "" {
		s.add(g.Phase, g.Phase)
	}
	if g.Ready != nil {
		if *g.Ready {
			s.add("Ready", "Ready")
		} else {
			s.add("not Ready", "Ready 아님")
		}
	}
	if g.Scheduled != nil {
		if *g.Scheduled {
			s.add("scheduled to a node", "노드에 스케줄됨")
		} else {
			s.add("not scheduled to any node", "어느 노드에도 스케줄되지 않음")
		}
	}
	if g.On != "" {
		s.add("on "+g.On, g.On+"에서 실행")
	}
	if g.NotOn != "" {
		s.add("not on "+g.NotOn, g.NotOn+"이 아닌 노드에서 실행")
	}
	if g.Nodes > 1 {
		s.add(fmt.Sprintf("spread over at least %d nodes", g.Nodes), fmt.Sprintf("노드 %d개 이상에 분산", g.Nodes))
	}
	if g.Image != "" {
		s.add("running "+code(g.Image), code(g.Image)+" 이미지 실행")
	}
	if g.Containers > 0 {
		each := "containers each"
		if g.Containers == 1 {
			each = "container each"
		}
		s.add(fmt.Sprintf("%d %s", g.Containers, each), fmt.Sprintf("파드마다 컨테이너 %d개", g.Containers))
	}
	if g.ReadyContainers > 0 {
		s.add(fmt.Sprintf("%d %s ready", g.ReadyContainers, plural(g.ReadyContainers, "container", "containers")), fmt.Sprintf("준비된 컨테이너 %d개", g.ReadyContainers))
	}
	if g.Sidecar {
		s.add("with a sidecar running", "사이드카 실행 중")
	}
	ctr, koCtr := "a container", "컨테이너"
	if g.Container != "" {
		ctr, koCtr = "container "+g.Container, g.Container+" 컨테이너"
	}
	if g.Restarts > 0 {
		t, kt := times(g.Restarts)
		s.add(fmt.Sprintf("%s restarted at least %s", ctr, t), fmt.Sprintf("%s가 %s 이상 재시작", koCtr, kt))
	}
	if g.Waiting != "" {
		s.add(fmt.Sprintf("%s waiting in %s", ctr, g.Waiting), fmt.Sprintf("%s가 %s 상태로 대기", koCtr, g.Waiting))
	}
	if g.Claim != "" {
		s.add("mounting claim "+g.Claim, "클레임 "+g.Claim+" 마운트")
	}
	if g.CPU != "" {
		s.add("requesting at least "+g.CPU+" CPU", "CPU "+g.CPU+" 이상 요청")
	}
	if g.Memory != "" {
		s.add("requesting at least "+g.Memory+" of memory", "메모리 "+g.Memory+" 이상 요청")
	}
	return s.text()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
