package engine

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// This file holds what kubectl cannot do but a playground must: add
// machines, power them off and on, crash a container, read its logs.

// NodeOptions describe a machine to add to the cluster.
type NodeOptions struct {
	Name string
	// CPU and Memory are the machine's capacity, such as "2" and "4Gi"
	// (defaults: 2 cores, 4Gi).
	CPU, Memory string
	// Pods is the most pods the kubelet will run (default 110).
	Pods   int
	Labels map[string]string
	Taints []Taint
}

// AddNode registers a new machine, as a kubelet joining the cluster does.
// It reports Ready after Config.NodeStartupDelay.
func (c *Cluster) AddNode(o NodeOptions) (*Node, error) {
	n := &Node{ObjectMeta: ObjectMeta{Name: o.Name, Labels: cloneStringMap(o.Labels)}}
	n.Spec.Taints = o.Taints
	capacity := ResourceList{}
	for _, rv := range []struct {
		name ResourceName
		v    string
	}{{ResourceCPU, o.CPU}, {ResourceMemory, o.Memory}} {
		name, v := rv.name, rv.v
		if v == "" {
			continue
		}
		q, err := resource.ParseQuantity(v)
		if err != nil {
			return nil, errInvalid(KindNode, o.Name, field.ErrorList{field.Invalid(
				field.NewPath("status", "capacity").Key(string(name)), v, err.Error())})
		}
		capacity[name] = q
	}
	if o.Pods > 0 {
		capacity[ResourcePods] = *resource.NewQuantity(int64(o.Pods), resource.DecimalSI)
	}
	n.Status.Capacity = capacity
	obj, err := c.Create(n)
	if err != nil {
		return nil, err
	}
	return obj.(*Node), nil
}

// admitNode fills in what a kubelet reports when it registers its node:
// labels, capacity and allocatable, addresses, pod CIDR, system info, and
// the not-ready taint it starts with.
func (c *Cluster) admitNode(n *Node) error {
	errs := validateMeta(&n.ObjectMeta, KindNode)
	errs = append(errs, validateTaints(n.Spec.Taints, field.NewPath("spec", "taints"))...)
	capPath := field.NewPath("status", "capacity")
	cpu := quantityOr(n.Status.Capacity, ResourceCPU, "2")
	mem := quantityOr(n.Status.Capacity, ResourceMemory, "4Gi")
	pods := quantityOr(n.Status.Capacity, ResourcePods, "110")
	if cpu.Sign() <= 0 {
		errs = append(errs, field.Invalid(capPath.Key("cpu"), cpu.String(), "must be greater than 0"))
	}
	if mem.Cmp(resource.MustParse("128Mi")) < 0 {
		errs = append(errs, field.Invalid(capPath.Key("memory"), mem.String(), "must be at least 128Mi"))
	}
	if pods.Value() < 1 || pods.Value() > 250 {
		errs = append(errs, field.Invalid(capPath.Key("pods"), pods.String(), "must be between 1 and 250 (one /24 of pod IPs)"))
	}
	if len(errs) > 0 {
		return errInvalid(KindNode, n.Name, errs)
	}
	if n.Labels == nil {
		n.Labels = map[string]string{}
	}
	for k, v := range map[string]string{
		"kubernetes.io/hostname": n.Name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
		"beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
	} {
		if _, ok := n.Labels[k]; !ok {
			n.Labels[k] = v
		}
	}
	storage := quantityOr(n.Status.Capacity, ResourceEphemeralStorage, "100Gi")
	n.Status.Capacity = ResourceList{ResourceCPU: cpu, ResourceMemory: mem, ResourcePods: pods, ResourceEphemeralStorage: storage}
	if n.Status.Allocatable == nil {
		n.Status.Allocatable = allocatable(cpu, mem, pods, storage)
	}
	idx := c.assignNodeIndex(n.Name)
	n.Spec.PodCIDR = formatIPv4(podCIDRBase+uint32(idx)<<8) + "/24"
	n.Status.Addresses = []NodeAddress{
		{Type: "InternalIP", Address: formatIPv4(nodeIPBase + uint32(idx) + 2)},
		{Type: "Hostname", Address: n.Name},
	}
	n.Status.NodeInfo = NodeSystemInfo{
		KubeletVersion: KubernetesVersion, KubeProxyVersion: KubernetesVersion,
		ContainerRuntimeVersion: "containerd://2.1.4", OSImage: "Debian GNU/Linux 12 (bookworm)",
		KernelVersion: "6.1.0-podplay-amd64", OperatingSystem: "linux", Architecture: "amd64",
	}
	n.Status.Conditions = nil
	n.Status.Images = nil
	n.Spec.Taints = append(n.Spec.Taints, Taint{Key: TaintNodeNotReady, Effect: TaintEffectNoSchedule})
	return nil
}

// KubernetesVersion is the version the simulated cluster reports.
const KubernetesVersion = "v1.37.2"

// Address plan: pod CIDRs 10.244.N.0/24, node InternalIPs from 172.18.0.2.
const (
	podCIDRBase uint32 = 10<<24 | 244<<16
	nodeIPBase  uint32 = 172<<24 | 18<<16
)

// assignNodeIndex gives a new node the lowest free index, which fixes its
// pod CIDR and InternalIP.
func (c *Cluster) assignNodeIndex(name string) int {
	if i, ok := c.nodeIndex[name]; ok {
		return i
	}
	i := slices.Index(c.nodeIndexUsed, false)
	if i < 0 {
		i = len(c.nodeIndexUsed)
		c.nodeIndexUsed = append(c.nodeIndexUsed, false)
	}
	c.nodeIndexUsed[i] = true
	c.nodeIndex[name] = i
	return i
}

func (c *Cluster) releaseNodeIndex(name string) {
	if i, ok := c.nodeIndex[name]; ok {
		c.nodeIndexUsed[i] = false
		delete(c.nodeIndex, name)
	}
}

func quantityOr(l ResourceList, name ResourceName, def string) resource.Quantity {
	if q, ok := l[name]; ok {
		return q.DeepCopy()
	}
	return resource.MustParse(def)
}

// allocatable subtracts what a managed cloud node reserves for the system
// and the kubelet (the GKE formula): of the CPU, 6% of the first core, 1% of
// the next, 0.5% of the next two, 0.25% above four; of the memory, 25% of
// the first 4 GiB, 20% of the next 4, 10% of the next 8, 6% of the next 112
// and 2% above, plus a 100 MiB eviction threshold.
func allocatable(cpu, mem, pods, storage resource.Quantity) ResourceList {
	milli := cpu.MilliValue()
	reservedCPU := tiered(milli, []tier{{1000, 600}, {1000, 100}, {2000, 50}, {1 << 62, 25}})
	const gi = 1 << 30
	bytes := mem.Value()
	reservedMem := tiered(bytes, []tier{{4 * gi, 2500}, {4 * gi, 2000}, {8 * gi, 1000}, {112 * gi, 600}, {1 << 62, 200}}) + 100<<20
	allocCPU := max(milli-reservedCPU, 0)
	allocMem := max(bytes-reservedMem, 0)
	return ResourceList{
		ResourceCPU:              *resource.NewMilliQuantity(allocCPU, resource.DecimalSI),
		ResourceMemory:           *resource.NewQuantity(allocMem/1024*1024, resource.BinarySI),
		ResourcePods:             pods.DeepCopy(),
		ResourceEphemeralStorage: *resource.NewQuantity(storage.Value()/10*9, resource.BinarySI),
	}
}

type tier struct {
	size int64 // the amount this tier covers
	rate int64 // in basis points (1/10,000)
}

// tiered sums, tier by tier, rate times the part of v that falls in it.
func tiered(v int64, tiers []tier) int64 {
	var total int64
	for _, t := range tiers {
		if v <= 0 {
			break
		}
		part := min(v, t.size)
		total += part * t.rate / 10000
		v -= part
	}
	return total
}

// KillNode powers a node off: its kubelet stops and its containers die with
// it. The control plane only notices when heartbeats stop arriving: after
// NodeMonitorGracePeriod the node goes NotReady, and its pods are evicted
// once their tolerations run out.
func (c *Cluster) KillNode(name string) error {
	n := c.node(name)
	a := c.kubelet.agents[name]
	if n == nil || a == nil {
		return errNotFound(KindNode, name)
	}
	if !a.running {
		return &APIError{Reason: ReasonConflict, Message: fmt.Sprintf("node %q is already powered off", name)}
	}
	a.running = false
	a.stoppedAt = c.clock.now
	nn := n.DeepCopy()
	if nn.Annotations == nil {
		nn.Annotations = map[string]string{}
	}
	nn.Annotations[AnnotationPoweredOff] = "true"
	if err := c.updateObject(nn); err != nil {
		return err
	}
	c.enqueue(c.nodes.id, name)
	return nil
}

// AnnotationPoweredOff marks a node the learner has powered off; the
// diagram shows it at once, before the control plane notices.
const AnnotationPoweredOff = "podplay.dev/powered-off"

// RestoreNode powers a node back on: its kubelet starts, reports Ready
// after NodeStartupDelay, finishes deleting the pods that were evicted
// while it was away and restarts the rest.
func (c *Cluster) RestoreNode(name string) error {
	n := c.node(name)
	a := c.kubelet.agents[name]
	if n == nil || a == nil {
		return errNotFound(KindNode, name)
	}
	if a.running {
		return &APIError{Reason: ReasonConflict, Message: fmt.Sprintf("node %q is already running", name)}
	}
	a.running = true
	a.readyAt = c.clock.now.Add(c.cfg.NodeStartupDelay)
	a.usedHosts = map[int]bool{}
	nn := n.DeepCopy()
	delete(nn.Annotations, AnnotationPoweredOff)
	if err := c.updateObject(nn); err != nil {
		return err
	}
	c.event(nn, EventTypeNormal, "Starting", sourceKubelet(name), "Starting kubelet.")
	// The machine rebooted: every container on it is gone.
	for _, key := range c.store.podsOn(name) {
		delete(c.kubelet.pods, key)
		c.enqueue(c.kubelet.id, podQueueKey(key))
	}
	c.enqueue(c.kubelet.id, nodeQueueKey(name))
	return nil
}

// NodeRunning reports whether a node is powered on.
func (c *Cluster) NodeRunning(name string) bool {
	a := c.kubelet.agents[name]
	return a != nil && a.running
}

// CrashContainer makes a running container's process die with exit code
// 1, as a bug would; the kubelet then restarts it as its pod's
// restartPolicy says.
func (c *Cluster) CrashContainer(namespace, pod, container string) error {
	p, rt, err := c.podRuntime(namespace, pod)
	if err != nil {
		return err
	}
	cr, err := rt.container(p, container)
	if err != nil {
		return err
	}
	if cr.state != phaseRunning {
		return &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf("container %q in pod %q is not running", cr.spec.Name, p.Name)}
	}
	containerHost{k: c.kubelet, pod: p, rt: rt, ctr: cr}.log("podplay: the process crashed (simulated)")
	c.kubelet.exited(p, cr, 1, "Error", "")
	c.enqueue(c.kubelet.id, podQueueKey(p.Key()))
	return nil
}

func (c *Cluster) podRuntime(namespace, name string) (*Pod, *podRuntime, error) {
	if namespace == "" {
		namespace = "default"
	}
	p := c.pod(objectKey(namespace, name))
	if p == nil {
		return nil, nil, errNotFound(KindPod, name)
	}
	rt := c.kubelet.pods[p.Key()]
	if rt == nil {
		return p, nil, &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf("pod %q has no running containers", name)}
	}
	return p, rt, nil
}

// container finds a container by name ("" means the pod's first
// container, as kubectl defaults).
func (rt *podRuntime) container(p *Pod, name string) (*containerRuntime, error) {
	if name == "" && len(rt.main) > 0 {
		return rt.main[0], nil
	}
	for _, cr := range slices.Concat(rt.main, rt.init) {
		if cr.spec.Name == name {
			return cr, nil
		}
	}
	return nil, &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf(
		"container %s is not valid for pod %s", name, p.Name)}
}

// Logs returns a container's log lines: of the running (or last) instance,
// or with previous, of the instance before it. Errors use the API server's
// wording.
func (c *Cluster) Logs(namespace, pod, container string, previous bool) ([]LogLine, error) {
	p, rt, err := c.podRuntime(namespace, pod)
	if err != nil {
		if p != nil && len(p.Spec.Containers) > 0 {
			name := container
			if name == "" {
				name = p.Spec.Containers[0].Name
			}
			return nil, &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf(
				"container %q in pod %q is waiting to start: ContainerCreating", name, p.Name)}
		}
		return nil, err
	}
	cr, err := rt.container(p, container)
	if err != nil {
		return nil, err
	}
	if previous {
		if cr.prevLogs == nil && cr.last == nil {
			return nil, &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf(
				"previous terminated container %q in pod %q not found", cr.spec.Name, p.Name)}
		}
		return cr.readLogs(cr.prevLogs), nil
	}
	if !cr.everStarted {
		reason := cr.waitReason
		if reason == "" {
			reason = "ContainerCreating"
		}
		return nil, &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf(
			"container %q in pod %q is waiting to start: %s", cr.spec.Name, p.Name, reason)}
	}
	return cr.readLogs(cr.logs), nil
}
