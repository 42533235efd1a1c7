package kubectl

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	apiresource "k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podplay/podplay/engine"
)

// describe is kubectl describe: TYPE [NAME_PREFIX…], TYPE/NAME… or
// TYPE -l SELECTOR, each object in kubectl's words, with its events.
func describe(c *engine.Cluster, words []string) (string, error) {
	f, err := parseFlags(words, known("-n", "--namespace", "-A", "--all-namespaces", "-l", "--selector"))
	if err != nil {
		return "", err
	}
	if len(f.args) == 0 {
		return "", errors.New(`You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.`)
	}
	sel, err := parseSelector(f.selector)
	if err != nil {
		return "", err
	}
	// Arguments: TYPE [NAME…], or TYPE/NAME…
	type request struct {
		res  resource
		name string // "" for every object of the type
	}
	var reqs []request
	if strings.Contains(f.args[0], "/") {
		for _, a := range f.args {
			t, name, ok := strings.Cut(a, "/")
			if ok && (t == "" || name == "") {
				return "", errors.New("arguments in resource/name form must have a single resource and name")
			}
			if !ok {
				return "", fmt.Errorf("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl describe resource/<resource_name>' instead of 'kubectl describe resource resource/<resource_name>'")
			}
			r, ok := lookup(t)
			if !ok {
				return "", fmt.Errorf("the server doesn't have a resource type %q", t)
			}
			reqs = append(reqs, request{r, name})
		}
	} else {
		for _, t := range strings.Split(f.args[0], ",") {
			r, ok := lookup(t)
			if !ok {
				return "", fmt.Errorf("the server doesn't have a resource type %q", t)
			}
			for _, name := range f.args[1:] {
				reqs = append(reqs, request{r, name})
			}
			if len(f.args) == 1 {
				reqs = append(reqs, request{res: r})
			}
		}
	}
	if sel != nil && reqs[0].name != "" {
		return "", errors.New("name cannot be provided when a selector is specified")
	}
	ns := namespaceOf(f)
	if f.allNamespaces {
		ns = ""
	}
	var objs []engine.Object
	var errs []error
	for _, rq := range reqs {
		if rq.name == "" {
			objs = append(objs, c.List(rq.res.kind, scope(rq.res, ns), sel)...)
			continue
		}
		o, err := c.Get(rq.res.kind, scope(rq.res, namespaceOf(f)), rq.name)
		if err != nil {
			if engine.IsNotFound(err) && len(f.args) == 2 && len(reqs) == 1 {
				// "describe TYPE NAME" with no such NAME describes every
				// object whose name starts with it.
				return describePrefix(c, rq.res, scope(rq.res, namespaceOf(f)), rq.name, err)
			}
			errs = append(errs, err)
			continue
		}
		objs = append(objs, o)
	}
	if len(objs) == 0 && len(errs) == 0 {
		if ns == "" || !reqs[0].res.kind.Namespaced() {
			return "No resources found\n", nil
		}
		return fmt.Sprintf("No resources found in %s namespace.\n", ns), nil
	}
	pages := make([]string, len(objs))
	for i, o := range objs {
		pages[i] = describeObject(c, o)
	}
	// kubectl separates the descriptions with two blank lines.
	return strings.Join(pages, "\n\n"), errors.Join(errs...)
}

// describePrefix describes the objects of a type whose names start with
// prefix, each followed by a blank line, as kubectl does when no object
// has that exact name; with none, the NotFound error stands.
func describePrefix(c *engine.Cluster, r resource, ns, prefix string, notFound error) (string, error) {
	var b strings.Builder
	for _, o := range c.List(r.kind, ns, nil) {
		if strings.HasPrefix(o.GetObjectMeta().Name, prefix) {
			b.WriteString(describeObject(c, o))
			b.WriteString("\n")
		}
	}
	if b.Len() == 0 {
		return "", notFound
	}
	return b.String(), nil
}

// describeObject renders one object with the describer of its kind.
func describeObject(c *engine.Cluster, o engine.Object) string {
	p := newPage(c)
	switch o := o.(type) {
	case *engine.Pod:
		p.pod(o)
	case *engine.Node:
		p.node(o)
	case *engine.Deployment:
		p.deployment(o)
	case *engine.ReplicaSet:
		p.replicaSet(o)
	case *engine.Service:
		p.service(o)
	case *engine.Endpoints:
		p.endpoints(o)
	case *engine.Ingress:
		p.ingress(o)
	case *engine.IngressClass:
		p.ingressClass(o)
	case *engine.PersistentVolumeClaim:
		p.pvc(o)
	case *engine.PersistentVolume:
		p.pv(o)
	case *engine.StorageClass:
		p.storageClass(o)
	case *engine.Namespace:
		p.namespace(o)
	default:
		p.generic(o)
	}
	return p.String()
}

// A page is one object's description. As in kubectl's describers, every
// line goes through one tabwriter (minwidth 0, tabwidth 8, padding 2), so
// a run of consecutive lines that hold a tab shares its columns, and a
// line without one ends the run.
type page struct {
	c *engine.Cluster
	b strings.Builder
	w *tabwriter.Writer
}

func newPage(c *engine.Cluster) *page {
	p := &page{c: c}
	p.w = tabwriter.NewWriter(&p.b, 0, 8, 2, ' ', 0)
	return p
}

// line writes one line, indented by level (two spaces each) as kubectl's
// prefix writer does.
func (p *page) line(level int, format string, args ...any) {
	fmt.Fprintf(p.w, strings.Repeat("  ", level)+format+"\n", args...)
}

func (p *page) String() string {
	p.w.Flush()
	return p.b.String()
}

// kubectl's time format in descriptions.
func stamp(t time.Time) string { return t.Format(time.RFC1123Z) }

// until is how long until t, as kubectl prints a grace period's end.
func until(c *engine.Cluster, t time.Time) string { return duration.HumanDuration(t.Sub(c.Now())) }

func printBool(v bool) string {
	if v {
		return "True"
	}
	return "False"
}

// multiline writes "Title:\tfirst" and each further value on a line of
// its own in the same column: kubectl's layout for labels, taints and the
// like.
func (p *page) multiline(title string, values []string) {
	if len(values) == 0 {
		p.line(0, "%s:\t<none>", title)
		return
	}
	p.line(0, "%s:\t%s", title, values[0])
	for _, v := range values[1:] {
		p.line(0, "\t%s", v)
	}
}

func (p *page) labels(title string, m map[string]string) {
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		kv = append(kv, k+"="+m[k])
	}
	p.multiline(title, kv)
}

// maxAnnotationLen is where kubectl breaks a long annotation onto lines of
// its own, and shortens each.
const maxAnnotationLen = 140

func (p *page) annotations(title string, m map[string]string) {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if k == lastApplied {
			continue
		}
		v := strings.TrimSuffix(m[k], "\n")
		if len(k)+len(v)+2 <= maxAnnotationLen && !strings.Contains(v, "\n") {
			lines = append(lines, k+": "+v)
			continue
		}
		lines = append(lines, k+":")
		for _, s := range strings.Split(v, "\n") {
			if len(s) > maxAnnotationLen-2 {
				s = s[:maxAnnotationLen-2] + "..."
			}
			lines = append(lines, "  "+s)
		}
	}
	p.multiline(title, lines)
}

func (p *page) meta(m *engine.ObjectMeta) {
	p.labels("Labels", m.Labels)
	p.annotations("Annotations", m.Annotations)
}

// controller is the "Controlled By" of an object: Kind/name of its
// controlling owner.
func (p *page) controller(m *engine.ObjectMeta) {
	if ref := m.ControllerRef(); ref != nil {
		p.line(0, "Controlled By:\t%s/%s", ref.Kind, ref.Name)
	}
}

// events writes the Events section: the events about o, oldest first.
func (p *page) events(o engine.Object) {
	m := o.GetObjectMeta()
	ns := m.Namespace
	if ns == "" {
		ns = "default" // where events about cluster-scoped objects live
	}
	var evs []*engine.Event
	for _, e := range p.c.Events(ns) {
		ref := e.InvolvedObject
		if ref.Kind == o.GetKind() && ref.Name == m.Name && ref.Namespace == m.Namespace && (ref.UID == "" || ref.UID == m.UID) {
			evs = append(evs, e)
		}
	}
	if len(evs) == 0 {
		p.line(0, "Events:\t<none>")
		return
	}
	// The table lines up on its own.
	p.w.Flush()
	p.line(0, "Events:")
	p.line(1, "Type\tReason\tAge\tFrom\tMessage")
	p.line(1, "----\t------\t----\t----\t-------")
	for _, e := range evs {
		interval := age(p.c, e.FirstTimestamp)
		if e.Count > 1 {
			interval = fmt.Sprintf("%s (x%d over %s)", age(p.c, e.LastTimestamp), e.Count, interval)
		}
		from := e.Source.Component
		if from == "" {
			from = e.ReportingController
		}
		p.line(1, "%s\t%s\t%s\t%s\t%s", e.Type, e.Reason, interval, from, strings.TrimSpace(e.Message))
	}
}

// pod is kubectl's PodDescriber.
func (p *page) pod(pod *engine.Pod) {
	p.line(0, "Name:\t%s", pod.Name)
	p.line(0, "Namespace:\t%s", pod.Namespace)
	// The engine simulates neither priority classes nor service accounts:
	// every pod has the priority and the account the API server gives a
	// pod that names none.
	p.line(0, "Priority:\t0")
	p.line(0, "Service Account:\tdefault")
	if pod.Spec.NodeName == "" {
		p.line(0, "Node:\t<none>")
	} else {
		p.line(0, "Node:\t%s/%s", pod.Spec.NodeName, pod.Status.HostIP)
	}
	if pod.Status.StartTime != nil {
		p.line(0, "Start Time:\t%s", stamp(*pod.Status.StartTime))
	}
	p.meta(&pod.ObjectMeta)
	if pod.DeletionTimestamp != nil && !pod.IsTerminal() {
		p.line(0, "Status:\tTerminating (lasts %s)", until(p.c, *pod.DeletionTimestamp))
		if pod.DeletionGracePeriodSeconds != nil {
			p.line(0, "Termination Grace Period:\t%ds", *pod.DeletionGracePeriodSeconds)
		}
	} else {
		p.line(0, "Status:\t%s", pod.Status.Phase)
	}
	if pod.Status.Reason != "" {
		p.line(0, "Reason:\t%s", pod.Status.Reason)
	}
	if pod.Status.Message != "" {
		p.line(0, "Message:\t%s", pod.Status.Message)
	}
	p.line(0, "IP:\t%s", pod.Status.PodIP)
	if pod.Status.PodIP == "" {
		p.line(0, "IPs:\t<none>")
	} else {
		p.line(0, "IPs:")
		p.line(1, "IP:\t%s", pod.Status.PodIP)
	}
	p.controller(&pod.ObjectMeta)
	if len(pod.Spec.InitContainers) > 0 {
		p.containers("Init Containers", pod.Spec.InitContainers, pod.Status.InitContainerStatuses, "")
	}
	p.containers("Containers", pod.Spec.Containers, pod.Status.ContainerStatuses, "")
	if len(pod.Status.Conditions) > 0 {
		p.line(0, "Conditions:")
		p.line(1, "Type\tStatus")
		for _, cond := range pod.Status.Conditions {
			p.line(1, "%s \t%s ", cond.Type, cond.Status)
		}
	}
	p.volumes(pod.Spec.Volumes, "")
	p.line(0, "QoS Class:\t%s", pod.Status.QOSClass)
	p.labels("Node-Selectors", pod.Spec.NodeSelector)
	p.tolerations("Tolerations", pod.Spec.Tolerations)
	p.events(pod)
}

// containers describes containers, with their status when statuses has
// it (a pod's) and without (a template's); space indents a template's.
func (p *page) containers(title string, cs []engine.Container, statuses []engine.ContainerStatus, space string) {
	if len(cs) == 0 {
		p.line(0, "%s%s: <none>", space, title)
		return
	}
	p.line(0, "%s%s:", space, title)
	nameIndent := ""
	if space != "" {
		nameIndent = " "
	}
	for _, ctr := range cs {
		st, ok := findStatus(statuses, ctr.Name)
		p.line(1, "%s%s:", nameIndent, ctr.Name)
		if ok {
			p.line(2, "Container ID:\t%s", st.ContainerID)
		}
		p.line(2, "Image:\t%s", ctr.Image)
		if ok {
			p.line(2, "Image ID:\t%s", st.ImageID)
		}
		var ports, hostPorts []string
		for _, port := range ctr.Ports {
			ports = append(ports, fmt.Sprintf("%d/%s", port.ContainerPort, port.Protocol))
			hostPorts = append(hostPorts, "0/"+port.Protocol)
		}
		if len(ports) > 1 {
			p.line(2, "Ports:\t%s", strings.Join(ports, ", "))
			p.line(2, "Host Ports:\t%s", strings.Join(hostPorts, ", "))
		} else {
			p.line(2, "Port:\t%s", orNone(strings.Join(ports, "")))
			p.line(2, "Host Port:\t%s", orNone(strings.Join(hostPorts, "")))
		}
		for _, list := range []struct {
			title string
			words []string
		}{{"Command", ctr.Command}, {"Args", ctr.Args}} {
			if len(list.words) == 0 {
				continue
			}
			p.line(2, "%s:", list.title)
			for _, w := range list.words {
				for _, s := range strings.Split(w, "\n") {
					p.line(3, "%s", s)
				}
			}
		}
		if ok {
			p.containerState("State", st.State)
			if st.LastTerminationState.Terminated != nil {
				p.containerState("Last State", st.LastTerminationState)
			}
			p.line(2, "Ready:\t%s", printBool(st.Ready))
			p.line(2, "Restart Count:\t%d", st.RestartCount)
		}
		p.resources("Limits", ctr.Resources.Limits)
		p.resources("Requests", requestsOf(ctr.Resources))
		if len(ctr.Env) == 0 {
			p.line(2, "Environment:\t<none>")
		} else {
			p.line(2, "Environment:")
			for _, e := range ctr.Env {
				for i, s := range strings.Split(e.Value, "\n") {
					if i == 0 {
						p.line(3, "%s:\t%s", e.Name, s)
					} else {
						p.line(3, "\t%s", s)
					}
				}
			}
		}
		if len(ctr.VolumeMounts) == 0 {
			p.line(2, "Mounts:\t<none>")
			continue
		}
		p.line(2, "Mounts:")
		mounts := slices.Clone(ctr.VolumeMounts)
		slices.SortStableFunc(mounts, func(a, b engine.VolumeMount) int { return strings.Compare(a.MountPath, b.MountPath) })
		for _, m := range mounts {
			flags := "rw"
			if m.ReadOnly {
				flags = "ro"
			}
			if m.SubPath != "" {
				flags += fmt.Sprintf(",path=%q", m.SubPath)
			}
			p.line(3, "%s from %s (%s)", m.MountPath, m.Name, flags)
		}
	}
}

func findStatus(statuses []engine.ContainerStatus, name string) (engine.ContainerStatus, bool) {
	for _, s := range statuses {
		if s.Name == name {
			return s, true
		}
	}
	return engine.ContainerStatus{}, false
}

func (p *page) containerState(title string, s engine.ContainerState) {
	switch {
	case s.Running != nil:
		p.line(2, "%s:\tRunning", title)
		p.line(3, "Started:\t%s", stamp(s.Running.StartedAt))
	case s.Terminated != nil:
		t := s.Terminated
		p.line(2, "%s:\tTerminated", title)
		if t.Reason != "" {
			p.line(3, "Reason:\t%s", t.Reason)
		}
		if t.Message != "" {
			p.line(3, "Message:\t%s", t.Message)
		}
		p.line(3, "Exit Code:\t%d", t.ExitCode)
		p.line(3, "Started:\t%s", stamp(t.StartedAt))
		p.line(3, "Finished:\t%s", stamp(t.FinishedAt))
	default:
		p.line(2, "%s:\tWaiting", title)
		if s.Waiting != nil && s.Waiting.Reason != "" {
			p.line(3, "Reason:\t%s", s.Waiting.Reason)
		}
	}
}

// resources writes a container's limits or requests, by resource name.
func (p *page) resources(title string, l engine.ResourceList) {
	if len(l) == 0 {
		return
	}
	p.line(2, "%s:", title)
	for _, name := range slices.Sorted(maps.Keys(l)) {
		q := l[name]
		p.line(3, "%s:\t%s", name, q.String())
	}
}

// requestsOf is a container's requests as the API server stores them: a
// resource with a limit and no request requests its limit.
func requestsOf(r engine.ResourceRequirements) engine.ResourceList {
	out := r.Requests.DeepCopy()
	for name, q := range r.Limits {
		if _, ok := out[name]; !ok {
			if out == nil {
				out = engine.ResourceList{}
			}
			out[name] = q.DeepCopy()
		}
	}
	return out
}

func (p *page) volumes(vs []engine.Volume, space string) {
	if len(vs) == 0 {
		p.line(0, "%sVolumes:\t<none>", space)
		return
	}
	p.line(0, "%sVolumes:", space)
	nameIndent := ""
	if space != "" {
		nameIndent = " "
	}
	for _, v := range vs {
		p.line(1, "%s%s:", nameIndent, v.Name)
		switch {
		case v.HostPath != nil:
			p.hostPath(v.HostPath)
		case v.EmptyDir != nil:
			limit := v.EmptyDir.SizeLimit
			if q, err := apiresource.ParseQuantity(limit); err != nil || q.Sign() <= 0 {
				limit = "<unset>"
			}
			p.line(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)")
			p.line(2, "Medium:\t%s", v.EmptyDir.Medium)
			p.line(2, "SizeLimit:\t%s", limit)
		case v.PersistentVolumeClaim != nil:
			p.line(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)")
			p.line(2, "ClaimName:\t%s", v.PersistentVolumeClaim.ClaimName)
			p.line(2, "ReadOnly:\t%t", v.PersistentVolumeClaim.ReadOnly)
		default:
			p.line(1, "<unknown>")
		}
	}
}

func (p *page) hostPath(h *engine.HostPathVolumeSource) {
	p.line(2, "Type:\tHostPath (bare host directory volume)")
	p.line(2, "Path:\t%s", h.Path)
	p.line(2, "HostPathType:\t%s", h.Type)
}

func (p *page) tolerations(title string, ts []engine.Toleration) {
	ts = slices.Clone(ts)
	slices.SortStableFunc(ts, func(a, b engine.Toleration) int { return strings.Compare(a.Key, b.Key) })
	var lines []string
	for _, t := range ts {
		s := t.Key
		if t.Value != "" {
			s += "=" + t.Value
		}
		if t.Effect != "" {
			s += ":" + string(t.Effect)
		}
		if t.Operator == "Exists" && t.Value == "" {
			if t.Key != "" || t.Effect != "" {
				s += " "
			}
			s += "op=Exists"
		}
		if t.TolerationSeconds != nil {
			s += fmt.Sprintf(" for %ds", *t.TolerationSeconds)
		}
		lines = append(lines, s)
	}
	p.multiline(title, lines)
}

// podTemplate is the "Pod Template" of a Deployment or ReplicaSet.
func (p *page) podTemplate(t *engine.PodTemplateSpec) {
	p.line(0, "Pod Template:")
	p.labels("  Labels", t.Labels)
	if len(t.Annotations) > 0 {
		p.annotations("  Annotations", t.Annotations)
	}
	if len(t.Spec.InitContainers) > 0 {
		p.containers("Init Containers", t.Spec.InitContainers, nil, "  ")
	}
	p.containers("Containers", t.Spec.Containers, nil, "  ")
	p.volumes(t.Spec.Volumes, "  ")
	p.labels("  Node-Selectors", t.Spec.NodeSelector)
	p.tolerations("  Tolerations", t.Spec.Tolerations)
}

// node is kubectl's NodeDescriber.
func (p *page) node(n *engine.Node) {
	p.line(0, "Name:\t%s", n.Name)
	var roles []string
	for k, v := range n.Labels {
		if role, ok := strings.CutPrefix(k, "node-role.kubernetes.io/"); ok && role != "" {
			roles = append(roles, role)
		} else if k == "kubernetes.io/role" && v != "" {
			roles = append(roles, v)
		}
	}
	slices.Sort(roles)
	p.line(0, "Roles:\t%s", orNone(strings.Join(roles, ",")))
	p.meta(&n.ObjectMeta)
	p.line(0, "CreationTimestamp:\t%s", stamp(n.CreationTimestamp))
	taints := slices.Clone(n.Spec.Taints)
	slices.SortStableFunc(taints, func(a, b engine.Taint) int {
		return strings.Compare(string(a.Effect)+","+a.Key, string(b.Effect)+","+b.Key)
	})
	var ts []string
	for _, t := range taints {
		ts = append(ts, t.ToString())
	}
	p.multiline("Taints", ts)
	p.line(0, "Unschedulable:\t%t", n.Spec.Unschedulable)
	if len(n.Status.Conditions) > 0 {
		p.line(0, "Conditions:")
		p.line(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage")
		p.line(1, "----\t------\t-----------------\t------------------\t------\t-------")
		for _, cond := range n.Status.Conditions {
			p.line(1, "%s \t%s \t%s \t%s \t%s \t%s", cond.Type, cond.Status,
				stamp(cond.LastHeartbeatTime), stamp(cond.LastTransitionTime), cond.Reason, cond.Message)
		}
	}
	p.line(0, "Addresses:")
	for _, a := range n.Status.Addresses {
		p.line(1, "%s:\t%s", a.Type, a.Address)
	}
	for _, l := range []struct {
		title string
		list  engine.ResourceList
	}{{"Capacity", n.Status.Capacity}, {"Allocatable", n.Status.Allocatable}} {
		if len(l.list) == 0 {
			continue
		}
		p.line(0, "%s:", l.title)
		for _, name := range slices.Sorted(maps.Keys(l.list)) {
			q := l.list[name]
			p.line(1, "%s:\t%s", name, q.String())
		}
	}
	info := n.Status.NodeInfo
	p.line(0, "System Info:")
	p.line(1, "Kernel Version:\t%s", info.KernelVersion)
	p.line(1, "OS Image:\t%s", info.OSImage)
	p.line(1, "Operating System:\t%s", info.OperatingSystem)
	p.line(1, "Architecture:\t%s", info.Architecture)
	p.line(1, "Container Runtime Version:\t%s", info.ContainerRuntimeVersion)
	p.line(1, "Kubelet Version:\t%s", info.KubeletVersion)
	p.line(1, "Kube-Proxy Version:\t%s", info.KubeProxyVersion)
	if n.Spec.PodCIDR != "" {
		p.line(0, "PodCIDR:\t%s", n.Spec.PodCIDR)
		p.line(0, "PodCIDRs:\t%s", n.Spec.PodCIDR)
	}
	p.nodeResources(n)
	p.events(n)
}

// nodeResources is the node's pods and what they request of it.
func (p *page) nodeResources(n *engine.Node) {
	var pods []*engine.Pod
	for _, pod := range p.c.Pods("", nil) {
		if pod.Spec.NodeName == n.Name && !pod.IsTerminal() {
			pods = append(pods, pod)
		}
	}
	alloc := n.Status.Capacity
	if len(n.Status.Allocatable) > 0 {
		alloc = n.Status.Allocatable
	}
	// percent is kubectl's share of what the node can allocate, rounded
	// down.
	percent := func(q apiresource.Quantity, name engine.ResourceName) int64 {
		a := alloc[name]
		if name == engine.ResourceCPU {
			if a.MilliValue() == 0 {
				return 0
			}
			return int64(float64(q.MilliValue()) / float64(a.MilliValue()) * 100)
		}
		if a.Value() == 0 {
			return 0
		}
		return int64(float64(q.Value()) / float64(a.Value()) * 100)
	}
	cell := func(l engine.ResourceList, name engine.ResourceName) string {
		q := l[name]
		return fmt.Sprintf("%s (%d%%)", q.String(), percent(q, name))
	}
	p.line(0, "Non-terminated Pods:\t(%d in total)", len(pods))
	p.line(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge")
	p.line(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---")
	totalReqs, totalLimits := engine.ResourceList{}, engine.ResourceList{}
	for _, pod := range pods {
		reqs, limits := podRequestsAndLimits(&pod.Spec)
		addResources(totalReqs, reqs)
		addResources(totalLimits, limits)
		p.line(1, "%s\t%s\t\t%s\t%s\t%s\t%s\t%s", pod.Namespace, pod.Name,
			cell(reqs, engine.ResourceCPU), cell(limits, engine.ResourceCPU),
			cell(reqs, engine.ResourceMemory), cell(limits, engine.ResourceMemory), age(p.c, pod.CreationTimestamp))
	}
	p.line(0, "Allocated resources:")
	p.line(1, "(Total limits may be over 100 percent, i.e., overcommitted.)")
	p.line(1, "Resource\tRequests\tLimits")
	p.line(1, "--------\t--------\t------")
	for _, name := range []engine.ResourceName{engine.ResourceCPU, engine.ResourceMemory, engine.ResourceEphemeralStorage} {
		p.line(1, "%s\t%s\t%s", name, cell(totalReqs, name), cell(totalLimits, name))
	}
}

// podRequestsAndLimits sums a pod's requests and limits as kubectl's
// resource helper does: app containers and sidecars add up; an init
// container needs its own request (beside the sidecars started before
// it) only while it runs, so the pod needs the larger of the two.
func podRequestsAndLimits(spec *engine.PodSpec) (reqs, limits engine.ResourceList) {
	reqs, limits = engine.ResourceList{}, engine.ResourceList{}
	for _, ctr := range spec.Containers {
		addResources(reqs, requestsOf(ctr.Resources))
		addResources(limits, ctr.Resources.Limits)
	}
	initReqs, initLimits := engine.ResourceList{}, engine.ResourceList{}
	sidecarReqs, sidecarLimits := engine.ResourceList{}, engine.ResourceList{}
	for _, ctr := range spec.InitContainers {
		r, l := requestsOf(ctr.Resources), ctr.Resources.Limits
		if ctr.IsSidecar() {
			addResources(sidecarReqs, r)
			addResources(sidecarLimits, l)
			addResources(reqs, r)
			addResources(limits, l)
			maxResources(initReqs, sidecarReqs)
			maxResources(initLimits, sidecarLimits)
			continue
		}
		r, l = r.DeepCopy(), l.DeepCopy()
		if r == nil {
			r = engine.ResourceList{}
		}
		if l == nil {
			l = engine.ResourceList{}
		}
		addResources(r, sidecarReqs)
		addResources(l, sidecarLimits)
		maxResources(initReqs, r)
		maxResources(initLimits, l)
	}
	maxResources(reqs, initReqs)
	maxResources(limits, initLimits)
	return reqs, limits
}

func addResources(dst, src engine.ResourceList) {
	for name, q := range src {
		sum, ok := dst[name]
		if !ok {
			dst[name] = q.DeepCopy()
			continue
		}
		sum.Add(q)
		dst[name] = sum
	}
}

func maxResources(dst, src engine.ResourceList) {
	for name, q := range src {
		if cur, ok := dst[name]; !ok || q.Cmp(cur) > 0 {
			dst[name] = q.DeepCopy()
		}
	}
}

// deployment is kubectl's DeploymentDescriber.
func (p *page) deployment(d *engine.Deployment) {
	p.line(0, "Name:\t%s", d.Name)
	p.line(0, "Namespace:\t%s", d.Namespace)
	p.line(0, "CreationTimestamp:\t%s", stamp(d.CreationTimestamp))
	p.meta(&d.ObjectMeta)
	p.line(0, "Selector:\t%s", orNone(selectorString(d.Spec.Selector)))
	s := d.Status
	p.line(0, "Replicas:\t%d desired | %d updated | %d total | %d available | %d unavailable",
		d.DesiredReplicas(), s.UpdatedReplicas, s.Replicas, s.AvailableReplicas, s.UnavailableReplicas)
	p.line(0, "StrategyType:\t%s", d.Spec.Strategy.Type)
	p.line(0, "MinReadySeconds:\t%d", d.Spec.MinReadySeconds)
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		p.line(0, "RollingUpdateStrategy:\t%s max unavailable, %s max surge", intOrString(ru.MaxUnavailable), intOrString(ru.MaxSurge))
	}
	p.podTemplate(&d.Spec.Template)
	p.workloadConditions(d.Status.Conditions)
	newRS, oldRSs := p.replicaSetsOf(d)
	p.line(0, "OldReplicaSets:\t%s", replicaSetList(oldRSs))
	var news []*engine.ReplicaSet
	if newRS != nil {
		news = append(news, newRS)
	}
	p.line(0, "NewReplicaSet:\t%s", replicaSetList(news))
	p.events(d)
}

func intOrString(v *intstr.IntOrString) string {
	if v == nil {
		return "<nil>"
	}
	return v.String()
}

func (p *page) workloadConditions(cs []engine.WorkloadCondition) {
	if len(cs) == 0 {
		return
	}
	p.line(0, "Conditions:")
	p.line(1, "Type\tStatus\tReason")
	p.line(1, "----\t------\t------")
	for _, cond := range cs {
		p.line(1, "%s \t%s\t%s", cond.Type, cond.Status, cond.Reason)
	}
}

// replicaSetsOf finds a Deployment's ReplicaSets as kubectl does: the new
// one runs the Deployment's template (the oldest such, if several do);
// the old ones are the others that still want pods.
func (p *page) replicaSetsOf(d *engine.Deployment) (newRS *engine.ReplicaSet, old []*engine.ReplicaSet) {
	var owned []*engine.ReplicaSet
	for _, o := range p.c.List(engine.KindReplicaSet, d.Namespace, nil) {
		rs := o.(*engine.ReplicaSet)
		if ref := rs.ControllerRef(); ref != nil && ref.UID == d.UID {
			owned = append(owned, rs)
		}
	}
	slices.SortStableFunc(owned, func(a, b *engine.ReplicaSet) int { return a.CreationTimestamp.Compare(b.CreationTimestamp) })
	for _, rs := range owned {
		t := rs.Spec.Template.DeepCopy()
		delete(t.Labels, engine.LabelPodTemplateHash)
		if len(t.Labels) == 0 {
			t.Labels = nil
		}
		want := d.Spec.Template.DeepCopy()
		if len(want.Labels) == 0 {
			want.Labels = nil
		}
		if newRS == nil && reflect.DeepEqual(t, want) {
			newRS = rs
			continue
		}
		if rs.DesiredReplicas() != 0 {
			old = append(old, rs)
		}
	}
	return newRS, old
}

func replicaSetList(rss []*engine.ReplicaSet) string {
	var parts []string
	for _, rs := range rss {
		parts = append(parts, fmt.Sprintf("%s (%d/%d replicas created)", rs.Name, rs.Status.Replicas, rs.DesiredReplicas()))
	}
	return orNone(strings.Join(parts, ", "))
}

// replicaSet is kubectl's ReplicaSetDescriber.
func (p *page) replicaSet(rs *engine.ReplicaSet) {
	p.line(0, "Name:\t%s", rs.Name)
	p.line(0, "Namespace:\t%s", rs.Namespace)
	p.line(0, "Selector:\t%s", orNone(selectorString(rs.Spec.Selector)))
	p.meta(&rs.ObjectMeta)
	p.controller(&rs.ObjectMeta)
	p.line(0, "Replicas:\t%d current / %d desired", rs.Status.Replicas, rs.DesiredReplicas())
	var running, waiting, succeeded, failed int
	for _, pod := range p.c.Pods(rs.Namespace, nil) {
		if ref := pod.ControllerRef(); ref == nil || ref.UID != rs.UID {
			continue
		}
		switch pod.Status.Phase {
		case engine.PodRunning:
			running++
		case engine.PodPending:
			waiting++
		case engine.PodSucceeded:
			succeeded++
		case engine.PodFailed:
			failed++
		}
	}
	p.line(0, "Pods Status:\t%d Running / %d Waiting / %d Succeeded / %d Failed", running, waiting, succeeded, failed)
	p.podTemplate(&rs.Spec.Template)
	p.workloadConditions(rs.Status.Conditions)
	p.events(rs)
}

// service is kubectl's ServiceDescriber.
func (p *page) service(s *engine.Service) {
	p.line(0, "Name:\t%s", s.Name)
	p.line(0, "Namespace:\t%s", s.Namespace)
	p.meta(&s.ObjectMeta)
	p.line(0, "Selector:\t%s", labelString(s.Spec.Selector))
	p.line(0, "Type:\t%s", s.Spec.Type)
	// The engine's services are single-stack IPv4, as a default cluster's.
	p.line(0, "IP Family Policy:\tSingleStack")
	p.line(0, "IP Families:\tIPv4")
	p.line(0, "IP:\t%s", s.Spec.ClusterIP)
	ips := s.Spec.ClusterIPs
	if len(ips) == 0 && s.Spec.ClusterIP != "" {
		ips = []string{s.Spec.ClusterIP}
	}
	p.line(0, "IPs:\t%s", orNone(strings.Join(ips, ",")))
	var ingress []string
	for _, in := range s.Status.LoadBalancer.Ingress {
		if in.IP != "" {
			ingress = append(ingress, in.IP)
		} else {
			ingress = append(ingress, in.Hostname)
		}
	}
	if len(ingress) > 0 {
		p.line(0, "LoadBalancer Ingress:\t%s", strings.Join(ingress, ", "))
	}
	ep, _ := p.c.Get(engine.KindEndpoints, s.Namespace, s.Name)
	eps, _ := ep.(*engine.Endpoints)
	for _, sp := range s.Spec.Ports {
		name := sp.Name
		if name == "" {
			name = "<unset>"
		}
		p.line(0, "Port:\t%s\t%d/%s", name, sp.Port, sp.Protocol)
		target := sp.TargetPort.String()
		if sp.TargetPort.Type == intstr.Int && sp.TargetPort.IntVal == 0 {
			target = fmt.Sprint(sp.Port) // defaulted to the port
		}
		p.line(0, "TargetPort:\t%s/%s", target, sp.Protocol)
		if sp.NodePort != 0 {
			p.line(0, "NodePort:\t%s\t%d/%s", name, sp.NodePort, sp.Protocol)
		}
		p.line(0, "Endpoints:\t%s", endpointsFor(eps, sp.Name))
	}
	affinity := s.Spec.SessionAffinity
	if affinity == "" {
		affinity = "None"
	}
	p.line(0, "Session Affinity:\t%s", affinity)
	// The engine routes as the API server's defaults say.
	if s.Spec.Type == "NodePort" || s.Spec.Type == "LoadBalancer" {
		p.line(0, "External Traffic Policy:\tCluster")
	}
	p.line(0, "Internal Traffic Policy:\tCluster")
	p.events(s)
}

// endpointsFor lists the ready endpoints of a service port as kubectl
// does: the first three, then how many more.
func endpointsFor(ep *engine.Endpoints, portName string) string {
	const most = 3
	var list []string
	count := 0
	if ep != nil {
		for _, ss := range ep.Subsets {
			for _, port := range ss.Ports {
				if port.Name != portName {
					continue
				}
				for _, a := range ss.Addresses {
					if count < most {
						list = append(list, fmt.Sprintf("%s:%d", a.IP, port.Port))
					}
					count++
				}
			}
		}
	}
	if count == 0 {
		return "<none>"
	}
	s := strings.Join(list, ",")
	if count > most {
		s += fmt.Sprintf(" + %d more...", count-most)
	}
	return s
}

// endpoints is kubectl's EndpointsDescriber.
func (p *page) endpoints(e *engine.Endpoints) {
	p.line(0, "Name:\t%s", e.Name)
	p.line(0, "Namespace:\t%s", e.Namespace)
	p.meta(&e.ObjectMeta)
	p.line(0, "Subsets:")
	ips := func(as []engine.EndpointAddress) string {
		var out []string
		for _, a := range as {
			out = append(out, a.IP)
		}
		return orNone(strings.Join(out, ","))
	}
	for _, s := range e.Subsets {
		p.line(1, "Addresses:\t%s", ips(s.Addresses))
		p.line(1, "NotReadyAddresses:\t%s", ips(s.NotReadyAddresses))
		if len(s.Ports) > 0 {
			p.line(1, "Ports:")
			p.line(2, "Name\tPort\tProtocol")
			p.line(2, "----\t----\t--------")
			for _, port := range s.Ports {
				name := port.Name
				if name == "" {
					name = "<unset>"
				}
				p.line(2, "%s\t%d\t%s", name, port.Port, port.Protocol)
			}
		}
		p.line(0, "")
	}
	p.events(e)
}

// ingress is kubectl's IngressDescriber.
func (p *page) ingress(in *engine.Ingress) {
	p.line(0, "Name:\t%s", in.Name)
	p.labels("Labels", in.Labels)
	p.line(0, "Namespace:\t%s", in.Namespace)
	var addrs []string
	for _, a := range in.Status.LoadBalancer.Ingress {
		if a.IP != "" {
			addrs = append(addrs, a.IP)
		} else {
			addrs = append(addrs, a.Hostname)
		}
	}
	p.line(0, "Address:\t%s", strings.Join(addrs, ","))
	class := "<none>"
	if in.Spec.IngressClassName != nil {
		class = *in.Spec.IngressClassName
	}
	p.line(0, "Ingress Class:\t%s", class)
	def := "<default>"
	if in.Spec.DefaultBackend != nil {
		def = p.backend(in.Namespace, in.Spec.DefaultBackend)
	}
	p.line(0, "Default backend:\t%s", def)
	if len(in.Spec.TLS) > 0 {
		p.line(0, "TLS:")
		for _, t := range in.Spec.TLS {
			if t.SecretName == "" {
				p.line(1, "SNI routes %s", strings.Join(t.Hosts, ","))
			} else {
				p.line(1, "%s terminates %s", t.SecretName, strings.Join(t.Hosts, ","))
			}
		}
	}
	p.line(0, "Rules:")
	p.line(1, "Host\tPath\tBackends")
	p.line(1, "----\t----\t--------")
	count := 0
	for _, r := range in.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		count++
		host := r.Host
		if host == "" {
			host = "*"
		}
		p.line(1, "%s\t", host)
		for _, path := range r.HTTP.Paths {
			p.line(2, "\t%s \t%s", path.Path, p.backend(in.Namespace, &path.Backend))
		}
	}
	if count == 0 {
		p.line(1, "*\t*\t%s", def)
	}
	p.annotations("Annotations", in.Annotations)
	p.events(in)
}

// backend renders an ingress backend: service:port (its endpoints).
func (p *page) backend(ns string, b *engine.IngressBackend) string {
	if b.Service == nil {
		return ""
	}
	sb := b.Service
	port := sb.Port.Name
	if port == "" {
		port = fmt.Sprint(sb.Port.Number)
	}
	name := sb.Name + ":" + port
	o, err := p.c.Get(engine.KindService, ns, sb.Name)
	if err != nil {
		return fmt.Sprintf("%s (<error: %v>)", name, err)
	}
	spName := ""
	for _, sp := range o.(*engine.Service).Spec.Ports {
		if (sb.Port.Number != 0 && sb.Port.Number == sp.Port) || (sb.Port.Name != "" && sb.Port.Name == sp.Name) {
			spName = sp.Name
		}
	}
	ep, _ := p.c.Get(engine.KindEndpoints, ns, sb.Name)
	eps, _ := ep.(*engine.Endpoints)
	return fmt.Sprintf("%s (%s)", name, endpointsFor(eps, spName))
}

// ingressClass is kubectl's IngressClassDescriber.
func (p *page) ingressClass(ic *engine.IngressClass) {
	p.line(0, "Name:\t%s", ic.Name)
	p.meta(&ic.ObjectMeta)
	p.line(0, "Controller:\t%s", ic.Spec.Controller)
	p.events(ic)
}

// pvc is kubectl's PersistentVolumeClaimDescriber.
func (p *page) pvc(pvc *engine.PersistentVolumeClaim) {
	p.line(0, "Name:\t%s", pvc.Name)
	p.line(0, "Namespace:\t%s", pvc.Namespace)
	p.line(0, "StorageClass:\t%s", deref(pvc.Spec.StorageClassName))
	if pvc.DeletionTimestamp != nil {
		p.line(0, "Status:\tTerminating (lasts %s)", until(p.c, *pvc.DeletionTimestamp))
	} else {
		p.line(0, "Status:\t%s", pvc.Status.Phase)
	}
	p.line(0, "Volume:\t%s", pvc.Spec.VolumeName)
	p.meta(&pvc.ObjectMeta)
	// The engine keeps the pvc-protection finalizer implicit.
	p.line(0, "Finalizers:\t[%s]", engine.FinalizerPVCProtection)
	capacity, modes := "", ""
	if pvc.Spec.VolumeName != "" {
		if q, ok := pvc.Status.Capacity["storage"]; ok {
			capacity = q.String()
		}
		modes = accessModes(pvc.Status.AccessModes)
	}
	p.line(0, "Capacity:\t%s", capacity)
	p.line(0, "Access Modes:\t%s", modes)
	p.line(0, "VolumeMode:\t%s", volumeMode(pvc.Spec.VolumeMode))
	var users []string
	for _, pod := range p.c.Pods(pvc.Namespace, nil) {
		for _, v := range pod.Spec.Volumes {
			if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == pvc.Name {
				users = append(users, pod.Name)
				break
			}
		}
	}
	p.multiline("Used By", users)
	p.events(pvc)
}

func volumeMode(m string) string {
	if m == "" {
		return "Filesystem"
	}
	return m
}

// pv is kubectl's PersistentVolumeDescriber.
func (p *page) pv(pv *engine.PersistentVolume) {
	p.line(0, "Name:\t%s", pv.Name)
	p.meta(&pv.ObjectMeta)
	p.line(0, "Finalizers:\t[kubernetes.io/pv-protection]")
	p.line(0, "StorageClass:\t%s", pv.Spec.StorageClassName)
	if pv.DeletionTimestamp != nil {
		p.line(0, "Status:\tTerminating (lasts %s)", until(p.c, *pv.DeletionTimestamp))
	} else {
		p.line(0, "Status:\t%s", pv.Status.Phase)
	}
	claim := ""
	if pv.Spec.ClaimRef != nil {
		claim = pv.Spec.ClaimRef.Namespace + "/" + pv.Spec.ClaimRef.Name
	}
	p.line(0, "Claim:\t%s", claim)
	p.line(0, "Reclaim Policy:\t%s", pv.Spec.PersistentVolumeReclaimPolicy)
	p.line(0, "Access Modes:\t%s", accessModes(pv.Spec.AccessModes))
	p.line(0, "VolumeMode:\t%s", volumeMode(pv.Spec.VolumeMode))
	capacity := pv.Spec.Capacity["storage"]
	p.line(0, "Capacity:\t%s", capacity.String())
	if na := pv.Spec.NodeAffinity; na == nil || na.Required == nil {
		p.line(0, "Node Affinity:\t<none>")
	} else {
		p.line(0, "Node Affinity:\t")
		if len(na.Required.NodeSelectorTerms) == 0 {
			p.line(1, "Required Terms:\t<none>")
		} else {
			p.line(1, "Required Terms:\t")
		}
		for i, term := range na.Required.NodeSelectorTerms {
			var exprs []string
			for _, r := range term.MatchExpressions {
				s := r.Key + " " + strings.ToLower(r.Operator)
				if len(r.Values) > 0 {
					s += " [" + strings.Join(r.Values, ", ") + "]"
				}
				exprs = append(exprs, s)
			}
			p.multiline(fmt.Sprintf("    Term %d", i), exprs)
		}
	}
	p.line(0, "Message:\t%s", pv.Status.Message)
	p.line(0, "Source:")
	switch {
	case pv.Spec.HostPath != nil:
		p.hostPath(pv.Spec.HostPath)
	case pv.Spec.Local != nil:
		p.line(2, "Type:\tLocalVolume (a persistent volume backed by local storage on a node)")
		p.line(2, "Path:\t%s", pv.Spec.Local.Path)
	}
	p.events(pv)
}

// storageClass is kubectl's StorageClassDescriber.
func (p *page) storageClass(s *engine.StorageClass) {
	p.line(0, "Name:\t%s", s.Name)
	isDefault := "No"
	if s.Annotations[engine.AnnotationDefaultStorageClass] == "true" {
		isDefault = "Yes"
	}
	p.line(0, "IsDefaultClass:\t%s", isDefault)
	p.line(0, "Annotations:\t%s", labelString(s.Annotations))
	p.line(0, "Provisioner:\t%s", s.Provisioner)
	p.line(0, "Parameters:\t%s", labelString(s.Parameters))
	expand := "<unset>"
	if s.AllowVolumeExpansion != nil {
		expand = printBool(*s.AllowVolumeExpansion)
	}
	p.line(0, "AllowVolumeExpansion:\t%s", expand)
	p.line(0, "MountOptions:\t<none>")
	if s.ReclaimPolicy != nil {
		p.line(0, "ReclaimPolicy:\t%s", *s.ReclaimPolicy)
	}
	if s.VolumeBindingMode != nil {
		p.line(0, "VolumeBindingMode:\t%s", *s.VolumeBindingMode)
	}
	p.events(s)
}

// namespace is kubectl's NamespaceDescriber; podplay has no quotas or
// limit ranges to show.
func (p *page) namespace(n *engine.Namespace) {
	p.line(0, "Name:\t%s", n.Name)
	p.meta(&n.ObjectMeta)
	p.line(0, "Status:\t%s", n.Status.Phase)
	p.line(0, "")
	p.line(0, "No resource quota.")
	p.line(0, "")
	p.line(0, "No LimitRange resource.")
}

// generic describes any other kind by its metadata and events.
func (p *page) generic(o engine.Object) {
	m := o.GetObjectMeta()
	p.line(0, "Name:\t%s", m.Name)
	if m.Namespace != "" {
		p.line(0, "Namespace:\t%s", m.Namespace)
	}
	p.meta(m)
	p.line(0, "API Version:\t%s", o.GetKind().APIVersion())
	p.line(0, "Kind:\t%s", o.GetKind())
	if o.GetKind() != engine.KindEvent {
		p.events(o)
	}
}
