package kubectl

import (
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/podplay/podplay/engine"
)

// kubectl top reads metrics-server, which podplay does not run; its
// figures come from a small, deterministic model instead, good enough to
// show what requests, limits and node capacity mean:
//
//   - a container's memory is its image's working set (a server keeps
//     about 1/16 of its image in memory, a shell or sleep about 1Mi), ±15%
//     from minute to minute, never above its memory limit;
//   - a server uses 1–2m of CPU idling, a command 0–1m;
//   - a node adds its system daemons (kubelet, containerd): 60m and 450Mi;
//   - as with metrics-server, a container appears after it has run for
//     metricsDelay, and not while its machine is off.
const metricsDelay = 15 * time.Second

const mi = 1 << 20

type usage struct {
	cpuMilli, memBytes int64
}

func (u *usage) add(v usage) {
	u.cpuMilli += v.cpuMilli
	u.memBytes += v.memBytes
}

// containerUsage is a running container's simulated usage, and whether
// metrics-server would have it yet.
func containerUsage(c *engine.Cluster, p *engine.Pod, ctr engine.Container) (usage, bool) {
	var started time.Time
	for _, s := range p.Status.ContainerStatuses {
		if s.Name == ctr.Name && s.State.Running != nil {
			started = s.State.Running.StartedAt
		}
	}
	if started.IsZero() || c.Now().Sub(started) < metricsDelay || !c.NodeRunning(p.Spec.NodeName) {
		return usage{}, false // no metrics yet, or none from a machine that is off
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%s/%d", p.UID, ctr.Name, c.Now().Unix()/60)
	jitter := h.Sum64()
	u := usage{cpuMilli: int64(jitter % 2), memBytes: mi}
	img, _, err := c.Images().Lookup(ctr.Image)
	if err == nil && img.Behavior == engine.BehaviorServer && len(ctr.Command) == 0 && len(ctr.Args) == 0 {
		u.cpuMilli++
		u.memBytes = max(2*mi, img.SizeBytes/16)
	}
	u.memBytes = u.memBytes * int64(85+(jitter>>8)%31) / 100
	if q, ok := ctr.Resources.Limits[engine.ResourceMemory]; ok {
		u.memBytes = min(u.memBytes, q.Value())
	}
	if q, ok := ctr.Resources.Limits[engine.ResourceCPU]; ok {
		u.cpuMilli = min(u.cpuMilli, q.MilliValue())
	}
	return u, true
}

// top is kubectl top pod|node.
func top(c *engine.Cluster, words []string) (string, error) {
	if len(words) == 0 {
		return "", errors.New("top needs a resource: kubectl top pod, or kubectl top node")
	}
	var containers bool
	var rest []string
	for _, w := range words[1:] {
		if w == "--containers" {
			containers = true
			continue
		}
		rest = append(rest, w)
	}
	f, err := parseFlags(rest, known("-n", "--namespace", "-A", "--all-namespaces", "-l", "--selector", "--sort-by"))
	if err != nil {
		return "", err
	}
	sel, err := parseSelector(f.selector)
	if err != nil {
		return "", err
	}
	sortBy, _ := f.value("--sort-by")
	if sortBy != "" && sortBy != "cpu" && sortBy != "memory" {
		return "", fmt.Errorf("--sort-by accepts only cpu or memory")
	}
	switch words[0] {
	case "pod", "pods", "po":
		return topPods(c, f, sel, sortBy, containers)
	case "node", "nodes", "no":
		return topNodes(c, f, sel, sortBy)
	}
	return "", fmt.Errorf("unknown command %q for \"kubectl top\": use pod or node", words[0])
}

type topRow struct {
	ns, pod, name string
	u             usage
}

func sortRows(rows []topRow, by string) {
	slices.SortStableFunc(rows, func(a, b topRow) int {
		switch by {
		case "cpu":
			return cmp.Compare(b.u.cpuMilli, a.u.cpuMilli)
		case "memory":
			return cmp.Compare(b.u.memBytes, a.u.memBytes)
		}
		return 0
	})
}

func topPods(c *engine.Cluster, f flags, sel labels.Selector, sortBy string, containers bool) (string, error) {
	ns := namespaceOf(f)
	if f.allNamespaces {
		ns = ""
	}
	var pods []*engine.Pod
	if len(f.args) > 0 {
		for _, name := range f.args {
			p, err := c.GetPod(ns, name)
			if err != nil {
				return "", err
			}
			pods = append(pods, p)
		}
	} else {
		pods = c.Pods(ns, sel)
	}
	var rows []topRow
	for _, p := range pods {
		var total usage
		seen := false
		for _, ctr := range p.Spec.Containers {
			u, ok := containerUsage(c, p, ctr)
			if !ok {
				continue
			}
			seen = true
			total.add(u)
			if containers {
				rows = append(rows, topRow{p.Namespace, p.Name, ctr.Name, u})
			}
		}
		if seen && !containers {
			rows = append(rows, topRow{p.Namespace, p.Name, p.Name, total})
		}
	}
	if len(rows) == 0 {
		if len(pods) > 0 {
			return "", fmt.Errorf("metrics not available yet")
		}
		return noResources(ns, resource{kind: engine.KindPod}), nil
	}
	sortRows(rows, sortBy)
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 10, 4, 3, ' ', 0)
	var head []string
	if f.allNamespaces {
		head = append(head, "NAMESPACE")
	}
	if containers {
		head = append(head, "POD")
	}
	fmt.Fprintln(w, strings.Join(append(head, "NAME", "CPU(cores)", "MEMORY(bytes)"), "\t"))
	for _, r := range rows {
		var cells []string
		if f.allNamespaces {
			cells = append(cells, r.ns)
		}
		if containers {
			cells = append(cells, r.pod)
		}
		cells = append(cells, r.name, fmt.Sprintf("%dm", r.u.cpuMilli), fmt.Sprintf("%dMi", r.u.memBytes/mi))
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	w.Flush()
	return b.String(), nil
}

// systemUsage is what a node's own daemons use.
var systemUsage = usage{cpuMilli: 60, memBytes: 450 * mi}

func topNodes(c *engine.Cluster, f flags, sel labels.Selector, sortBy string) (string, error) {
	var nodes []*engine.Node
	if len(f.args) > 0 {
		for _, name := range f.args {
			n, err := c.GetNode(name)
			if err != nil {
				return "", err
			}
			nodes = append(nodes, n)
		}
	} else {
		for _, n := range c.Nodes() {
			if sel == nil || sel.Matches(labels.Set(n.Labels)) {
				nodes = append(nodes, n)
			}
		}
	}
	perNode := map[string]usage{}
	for _, p := range c.Pods("", nil) {
		for _, ctr := range p.Spec.Containers {
			if u, ok := containerUsage(c, p, ctr); ok {
				t := perNode[p.Spec.NodeName]
				t.add(u)
				perNode[p.Spec.NodeName] = t
			}
		}
	}
	var rows []topRow
	var down []string
	for _, n := range nodes {
		if engine.NodeStatusWord(n) != "Ready" && !strings.HasPrefix(engine.NodeStatusWord(n), "Ready,") {
			down = append(down, n.Name)
			continue
		}
		u := systemUsage
		u.add(perNode[n.Name])
		rows = append(rows, topRow{name: n.Name, u: u})
	}
	sortRows(rows, sortBy)
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 10, 4, 3, ' ', 0)
	fmt.Fprintln(w, "NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)")
	for _, r := range rows {
		n, _ := c.GetNode(r.name)
		cpu := n.Status.Allocatable[engine.ResourceCPU]
		mem := n.Status.Allocatable[engine.ResourceMemory]
		fmt.Fprintf(w, "%s\t%dm\t%d%%\t%dMi\t%d%%\n", r.name, r.u.cpuMilli, percent(r.u.cpuMilli, cpu.MilliValue()),
			r.u.memBytes/mi, percent(r.u.memBytes, mem.Value()))
	}
	for _, name := range down {
		fmt.Fprintf(w, "%s\t<unknown>\t<unknown>\t<unknown>\t<unknown>\n", name)
	}
	w.Flush()
	return b.String(), nil
}

func percent(v, of int64) int64 {
	if of <= 0 {
		return 0
	}
	return v * 100 / of
}
