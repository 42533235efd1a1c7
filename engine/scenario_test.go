package engine_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"k8s.io/apimachinery/pkg/util/duration"
	"sigs.k8s.io/yaml"

	"github.com/podplay/podplay/engine"
)

// TestScenarios runs the golden stories in testdata/scenarios. Each is a
// list of commands against one cluster with the expected output under
// each; run with -rewrite to regenerate them, then read the diff.
//
// Commands (mutations settle the controllers, as kubectl would see a
// moment later; only advance and step move time):
//
//	cluster [seed=N] [startup=DURATION] [max-pods=N] [max-nodes=N]
//	node name=N [cpu=Q] [memory=Q] [pods=N] [labels=k=v,k=v]
//	create            (YAML body: a Pod, Node or Namespace)
//	delete KIND NAME [grace=SECONDS] [ns=NS] | delete-first LABEL=VALUE
//	cordon NAME | uncordon NAME | taint NAME key=K value=V effect=E
//	kill-node NAME | restore-node NAME | crash POD [container=C]
//	set-image POD CONTAINER IMAGE
//	advance DURATION | step [n=N] | settle
//	pods [wide] | nodes | rs | events | logs POD [container=C] [previous] | watch
//	scale KIND NAME replicas=N
//	deploy | deploy-status NAME | set-deploy-image NAME IMAGE | history NAME
//	rollout-undo NAME [to-revision=N] | pause NAME | resume NAME
//	exec pod=NAME|label=K:V [container=C] (a shell line as the body) | pvc | pv
//	svc | traffic host=H [path=P] [n=N]
//	conditions POD
func TestScenarios(t *testing.T) {
	datadriven.Walk(t, "testdata/scenarios", func(t *testing.T, path string) {
		h := &harness{}
		h.reset(engine.Config{})
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			return h.run(t, d)
		})
	})
}

type harness struct {
	c        *engine.Cluster
	start    time.Time
	seenRV   uint64
	eventsRV map[string]string // event name → resourceVersion last printed
}

func (h *harness) reset(cfg engine.Config) {
	h.c = engine.New(cfg)
	h.start = h.c.Now()
	h.seenRV = h.c.ResourceVersion()
	h.eventsRV = map[string]string{}
}

func arg(d *datadriven.TestData, key, def string) string {
	for _, a := range d.CmdArgs {
		if a.Key == key && len(a.Vals) > 0 {
			return strings.Join(a.Vals, ",")
		}
	}
	return def
}

func has(d *datadriven.TestData, key string) bool {
	for _, a := range d.CmdArgs {
		if a.Key == key {
			return true
		}
	}
	return false
}

func positional(d *datadriven.TestData, i int) string {
	n := 0
	for _, a := range d.CmdArgs {
		if len(a.Vals) == 0 {
			if n == i {
				return a.Key
			}
			n++
		}
	}
	return ""
}

func (h *harness) settle() string {
	if err := h.c.Settle(); err != nil {
		return "settle: " + err.Error() + "\n"
	}
	return ""
}

func result(err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return "ok"
}

func (h *harness) since(t time.Time) string {
	return "T+" + t.Sub(h.start).String()
}

func (h *harness) run(t *testing.T, d *datadriven.TestData) string {
	c := h.c
	switch d.Cmd {
	case "cluster":
		cfg := engine.Config{}
		cfg.Seed, _ = strconv.ParseUint(arg(d, "seed", "0"), 10, 64)
		if s := arg(d, "startup", ""); s != "" {
			if cfg.NodeStartupDelay = mustDuration(t, s); cfg.NodeStartupDelay == 0 {
				cfg.NodeStartupDelay = -1 // at once
			}
		}
		cfg.Limits.MaxPods, _ = strconv.Atoi(arg(d, "max-pods", "0"))
		cfg.Limits.MaxNodes, _ = strconv.Atoi(arg(d, "max-nodes", "0"))
		h.reset(cfg)
		return "ok"
	case "node":
		pods, _ := strconv.Atoi(arg(d, "pods", "0"))
		labels := map[string]string{}
		if l := arg(d, "labels", ""); l != "" {
			for _, kv := range strings.Split(l, ",") {
				k, v, _ := strings.Cut(kv, "=")
				labels[k] = v
			}
		}
		_, err := c.AddNode(engine.NodeOptions{Name: arg(d, "name", ""), CPU: arg(d, "cpu", ""), Memory: arg(d, "memory", ""), Pods: pods, Labels: labels})
		return result(err) + "\n" + h.settle()
	case "create":
		var meta struct{ Kind string }
		if err := yaml.Unmarshal([]byte(d.Input), &meta); err != nil {
			t.Fatalf("%s: %v", d.Pos, err)
		}
		var obj engine.Object
		switch meta.Kind {
		case "Pod":
			obj = &engine.Pod{}
		case "Node":
			obj = &engine.Node{}
		case "Namespace":
			obj = &engine.Namespace{}
		case "ReplicaSet":
			obj = &engine.ReplicaSet{}
		case "Deployment":
			obj = &engine.Deployment{}
		case "PersistentVolume":
			obj = &engine.PersistentVolume{}
		case "PersistentVolumeClaim":
			obj = &engine.PersistentVolumeClaim{}
		case "StorageClass":
			obj = &engine.StorageClass{}
		case "Service":
			obj = &engine.Service{}
		case "Ingress":
			obj = &engine.Ingress{}
		default:
			t.Fatalf("%s: unknown kind %q", d.Pos, meta.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(d.Input), obj); err != nil {
			t.Fatalf("%s: %v", d.Pos, err)
		}
		_, err := c.Create(obj)
		return result(err) + "\n" + h.settle()
	case "delete":
		kind := engine.Kind(positional(d, 0))
		var opts engine.DeleteOptions
		if g := arg(d, "grace", ""); g != "" {
			n, _ := strconv.ParseInt(g, 10, 64)
			opts.GracePeriodSeconds = &n
		}
		return result(c.Delete(kind, arg(d, "ns", ""), positional(d, 1), opts)) + "\n" + h.settle()
	case "exec":
		// exec pod=NAME [container=C], with a shell line as the body.
		pod := arg(d, "pod", "")
		if l := arg(d, "label", ""); l != "" {
			k, v, _ := strings.Cut(l, ":")
			for _, p := range c.Pods("", nil) {
				if p.Labels[k] == v && p.DeletionTimestamp == nil && p.Status.Phase == engine.PodRunning {
					pod = p.Name
					break
				}
			}
		}
		res, err := c.Exec("", pod, arg(d, "container", ""), []string{"sh", "-c", strings.TrimSpace(d.Input)})
		if err != nil {
			return "error: " + err.Error()
		}
		out := res.Output
		if res.ExitCode != 0 {
			out += res.ExitError() + "\n"
		}
		if out == "" {
			out = "(no output)"
		}
		return out
	case "pvc":
		rows := [][]string{{"NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS"}}
		for _, o := range c.List(engine.KindPersistentVolumeClaim, "", nil) {
			p := o.(*engine.PersistentVolumeClaim)
			capacity := p.Status.Capacity["storage"]
			cls := ""
			if p.Spec.StorageClassName != nil {
				cls = *p.Spec.StorageClassName
			}
			status := p.Status.Phase
			if p.DeletionTimestamp != nil {
				status = "Terminating"
			}
			size := ""
			if p.Status.Capacity != nil {
				size = capacity.String()
			}
			rows = append(rows, []string{p.Name, status, p.Spec.VolumeName, size, strings.Join(p.Spec.AccessModes, ","), cls})
		}
		return table(rows)
	case "pv":
		rows := [][]string{{"NAME", "CAPACITY", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS"}}
		for _, o := range c.List(engine.KindPersistentVolume, "", nil) {
			v := o.(*engine.PersistentVolume)
			capacity := v.Spec.Capacity["storage"]
			claim := ""
			if v.Spec.ClaimRef != nil {
				claim = v.Spec.ClaimRef.Namespace + "/" + v.Spec.ClaimRef.Name
			}
			rows = append(rows, []string{v.Name, capacity.String(), v.Spec.PersistentVolumeReclaimPolicy, v.Status.Phase, claim, v.Spec.StorageClassName})
		}
		return table(rows)
	case "traffic":
		n, _ := strconv.Atoi(arg(d, "n", "1"))
		reqs, err := c.SendTraffic(arg(d, "host", ""), arg(d, "path", "/"), n)
		if err != nil {
			return "error: " + err.Error()
		}
		var b strings.Builder
		for _, r := range reqs {
			if r.Status == 200 {
				fmt.Fprintf(&b, "%d %s -> %s -> %s on %s: %s\n", r.Status, r.Ingress, r.Service, r.Pod, r.Node, strings.SplitN(strings.TrimSpace(r.Body), "\n", 2)[0])
			} else {
				fmt.Fprintf(&b, "%d %s: %s\n", r.Status, r.Service, r.Reason)
			}
		}
		return b.String()
	case "svc":
		rows := [][]string{{"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "ENDPOINTS"}}
		for _, o := range c.List(engine.KindService, "", nil) {
			s := o.(*engine.Service)
			ext := "<none>"
			if len(s.Status.LoadBalancer.Ingress) > 0 {
				ext = s.Status.LoadBalancer.Ingress[0].IP
			} else if s.Spec.Type == "LoadBalancer" {
				ext = "<pending>"
			}
			var ports []string
			for _, p := range s.Spec.Ports {
				if p.NodePort != 0 {
					ports = append(ports, fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, p.Protocol))
				} else {
					ports = append(ports, fmt.Sprintf("%d/%s", p.Port, p.Protocol))
				}
			}
			var ep *engine.Endpoints
			if obj, err := c.Get(engine.KindEndpoints, s.Namespace, s.Name); err == nil {
				ep = obj.(*engine.Endpoints)
			}
			rows = append(rows, []string{s.Name, s.Spec.Type, s.Spec.ClusterIP, ext, strings.Join(ports, ","), engine.EndpointsString(ep)})
		}
		return table(rows)
	case "delete-first":
		// delete-first KEY=VALUE: delete the first pod (by name) with
		// that label, so stories do not depend on generated names.
		for _, a := range d.CmdArgs {
			if len(a.Vals) == 0 {
				continue
			}
			for _, p := range c.Pods("", nil) {
				if p.Labels[a.Key] == a.Vals[0] && p.DeletionTimestamp == nil {
					return "deleted " + p.Name + "\n" + result(c.Delete(engine.KindPod, p.Namespace, p.Name, engine.DeleteOptions{})) + "\n" + h.settle()
				}
			}
		}
		return "no such pod"
	case "cordon", "uncordon":
		n, err := c.GetNode(positional(d, 0))
		if err == nil {
			n.Spec.Unschedulable = d.Cmd == "cordon"
			_, err = c.Update(n)
		}
		return result(err) + "\n" + h.settle()
	case "taint":
		n, err := c.GetNode(positional(d, 0))
		if err == nil {
			n.Spec.Taints = append(n.Spec.Taints, engine.Taint{Key: arg(d, "key", ""), Value: arg(d, "value", ""), Effect: engine.TaintEffect(arg(d, "effect", ""))})
			_, err = c.Update(n)
		}
		return result(err) + "\n" + h.settle()
	case "kill-node":
		return result(c.KillNode(positional(d, 0))) + "\n" + h.settle()
	case "restore-node":
		return result(c.RestoreNode(positional(d, 0))) + "\n" + h.settle()
	case "crash-first":
		for _, a := range d.CmdArgs {
			for _, p := range c.Pods("", nil) {
				if len(a.Vals) > 0 && p.Labels[a.Key] == a.Vals[0] && p.DeletionTimestamp == nil {
					return result(c.CrashContainer(p.Namespace, p.Name, "")) + "\n" + h.settle()
				}
			}
		}
		return "no such pod"
	case "crash":
		return result(c.CrashContainer("", positional(d, 0), arg(d, "container", ""))) + "\n" + h.settle()
	case "set-image":
		p, err := c.GetPod("", positional(d, 0))
		if err == nil {
			for i := range p.Spec.Containers {
				if p.Spec.Containers[i].Name == positional(d, 1) {
					p.Spec.Containers[i].Image = positional(d, 2)
				}
			}
			_, err = c.Update(p)
		}
		return result(err) + "\n" + h.settle()
	case "advance":
		if err := c.Advance(mustDuration(t, positional(d, 0))); err != nil {
			return "error: " + err.Error()
		}
		return h.since(c.Now())
	case "step":
		n, _ := strconv.Atoi(arg(d, "n", "1"))
		for range n {
			ok, err := c.Step()
			if err != nil {
				return "error: " + err.Error()
			}
			if !ok {
				return "nothing to do at " + h.since(c.Now())
			}
		}
		return h.since(c.Now())
	case "settle":
		return result(c.Settle())
	case "pods":
		return h.pods(has(d, "wide"))
	case "rs":
		return h.replicaSets()
	case "deploy":
		return h.deployments()
	case "rollout-undo":
		rev, _ := strconv.ParseInt(arg(d, "to-revision", "0"), 10, 64)
		msg, err := c.RollbackDeployment("", positional(d, 0), rev)
		if err != nil {
			return "error: " + err.Error()
		}
		return msg + "\n" + h.settle()
	case "history":
		revs, err := c.RolloutHistory("", positional(d, 0))
		if err != nil {
			return "error: " + err.Error()
		}
		var b strings.Builder
		for _, r := range revs {
			fmt.Fprintf(&b, "%d %s %s\n", r.Number, r.ReplicaSet, r.Template.Spec.Containers[0].Image)
		}
		return b.String()
	case "set-deploy-image":
		obj, err := c.Get(engine.KindDeployment, "", positional(d, 0))
		if err == nil {
			dep := obj.(*engine.Deployment)
			dep.Spec.Template.Spec.Containers[0].Image = positional(d, 1)
			_, err = c.Update(dep)
		}
		return result(err) + "\n" + h.settle()
	case "pause", "resume":
		obj, err := c.Get(engine.KindDeployment, "", positional(d, 0))
		if err == nil {
			dep := obj.(*engine.Deployment)
			dep.Spec.Paused = d.Cmd == "pause"
			_, err = c.Update(dep)
		}
		return result(err) + "\n" + h.settle()
	case "deploy-status":
		obj, err := c.Get(engine.KindDeployment, "", positional(d, 0))
		if err != nil {
			return "error: " + err.Error()
		}
		dep := obj.(*engine.Deployment)
		var b strings.Builder
		fmt.Fprintf(&b, "revision=%s replicas=%d updated=%d ready=%d available=%d unavailable=%d\n",
			dep.Annotations["deployment.kubernetes.io/revision"], dep.Status.Replicas, dep.Status.UpdatedReplicas,
			dep.Status.ReadyReplicas, dep.Status.AvailableReplicas, dep.Status.UnavailableReplicas)
		for _, cond := range dep.Status.Conditions {
			fmt.Fprintf(&b, "%s=%s %s: %s\n", cond.Type, cond.Status, cond.Reason, cond.Message)
		}
		return b.String()
	case "scale":
		kind, name := engine.Kind(positional(d, 0)), positional(d, 1)
		n, _ := strconv.Atoi(arg(d, "replicas", "0"))
		obj, err := c.Get(kind, "", name)
		if err == nil {
			switch o := obj.(type) {
			case *engine.ReplicaSet:
				o.Spec.Replicas = engine.Ptr(int32(n))
			case *engine.Deployment:
				o.Spec.Replicas = engine.Ptr(int32(n))
			}
			_, err = c.Update(obj)
		}
		return result(err) + "\n" + h.settle()
	case "nodes":
		return h.nodes()
	case "events":
		return h.events()
	case "watch":
		return h.watch()
	case "logs":
		lines, err := c.Logs("", positional(d, 0), arg(d, "container", ""), has(d, "previous"))
		if err != nil {
			return "error: " + err.Error()
		}
		var b strings.Builder
		for _, l := range lines {
			fmt.Fprintf(&b, "%s %s\n", h.since(l.Time), l.Text)
		}
		return b.String()
	case "conditions":
		p, err := c.GetPod("", positional(d, 0))
		if err != nil {
			return "error: " + err.Error()
		}
		var b strings.Builder
		for _, cond := range p.Status.Conditions {
			fmt.Fprintf(&b, "%s=%s %s %s\n", cond.Type, cond.Status, cond.Reason, cond.Message)
		}
		return b.String()
	}
	t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	return ""
}

func mustDuration(t *testing.T, s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func table(rows [][]string) string {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, cell := range r {
			widths[i] = max(widths[i], len(cell))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, cell := range r {
			if i == len(r)-1 {
				b.WriteString(cell)
			} else {
				fmt.Fprintf(&b, "%-*s   ", widths[i], cell)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (h *harness) pods(wide bool) string {
	pods := h.c.Pods("", nil)
	if len(pods) == 0 {
		return "No resources found.\n"
	}
	rows := [][]string{{"NAME", "READY", "STATUS", "RESTARTS", "AGE"}}
	if wide {
		rows[0] = append(rows[0], "IP", "NODE")
	}
	for _, p := range pods {
		s := engine.SummarizePod(p)
		restarts := strconv.Itoa(int(s.Restarts))
		if !s.LastRestart.IsZero() {
			restarts += " (" + duration.HumanDuration(h.c.Now().Sub(s.LastRestart)) + " ago)"
		}
		row := []string{p.Name, s.Ready, s.Status, restarts, duration.HumanDuration(h.c.Now().Sub(p.CreationTimestamp))}
		if wide {
			ip, node := p.Status.PodIP, p.Spec.NodeName
			if ip == "" {
				ip = "<none>"
			}
			if node == "" {
				node = "<none>"
			}
			row = append(row, ip, node)
		}
		rows = append(rows, row)
	}
	return table(rows)
}

func (h *harness) replicaSets() string {
	objs := h.c.List(engine.KindReplicaSet, "", nil)
	if len(objs) == 0 {
		return "No resources found.\n"
	}
	rows := [][]string{{"NAME", "DESIRED", "CURRENT", "READY", "AGE"}}
	for _, o := range objs {
		rs := o.(*engine.ReplicaSet)
		rows = append(rows, []string{rs.Name, strconv.Itoa(int(rs.DesiredReplicas())), strconv.Itoa(int(rs.Status.Replicas)),
			strconv.Itoa(int(rs.Status.ReadyReplicas)), duration.HumanDuration(h.c.Now().Sub(rs.CreationTimestamp))})
	}
	return table(rows)
}

func (h *harness) deployments() string {
	objs := h.c.List(engine.KindDeployment, "", nil)
	if len(objs) == 0 {
		return "No resources found.\n"
	}
	rows := [][]string{{"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"}}
	for _, o := range objs {
		d := o.(*engine.Deployment)
		rows = append(rows, []string{d.Name, fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, d.DesiredReplicas()),
			strconv.Itoa(int(d.Status.UpdatedReplicas)), strconv.Itoa(int(d.Status.AvailableReplicas)),
			duration.HumanDuration(h.c.Now().Sub(d.CreationTimestamp))})
	}
	return table(rows)
}

func (h *harness) nodes() string {
	rows := [][]string{{"NAME", "STATUS", "CPU", "MEMORY", "PODS", "TAINTS"}}
	for _, n := range h.c.Nodes() {
		var cpu, mem int64
		pods := 0
		for _, p := range h.c.Pods("", nil) {
			if p.Spec.NodeName == n.Name && !p.IsTerminal() {
				c, m := engine.PodRequests(p)
				cpu, mem = cpu+c, mem+m
				pods++
			}
		}
		var taints []string
		for _, t := range n.Spec.Taints {
			taints = append(taints, t.ToString())
		}
		if len(taints) == 0 {
			taints = []string{"<none>"}
		}
		a := n.Status.Allocatable
		cpuAlloc, memAlloc := a[engine.ResourceCPU], a[engine.ResourceMemory]
		rows = append(rows, []string{n.Name, engine.NodeStatusWord(n),
			fmt.Sprintf("%dm/%s", cpu, cpuAlloc.String()),
			fmt.Sprintf("%dMi/%dMi", mem>>20, memAlloc.Value()>>20),
			strconv.Itoa(pods), strings.Join(taints, ",")})
	}
	return table(rows)
}

// events prints the events that are new or repeated since the last call.
func (h *harness) events() string {
	var b strings.Builder
	for _, e := range h.c.Events("") {
		if h.eventsRV[e.Name] == e.ResourceVersion {
			continue
		}
		h.eventsRV[e.Name] = e.ResourceVersion
		count := ""
		if e.Count > 1 {
			count = fmt.Sprintf(" (x%d)", e.Count)
		}
		obj := strings.ToLower(string(e.InvolvedObject.Kind)) + "/" + e.InvolvedObject.Name
		fmt.Fprintf(&b, "%s %s %s %s: %s%s\n", h.since(e.LastTimestamp), e.Type, e.Reason, obj, e.Message, count)
	}
	if b.Len() == 0 {
		return "(no new events)"
	}
	return b.String()
}

// watch prints the watch events since the last call, except Events.
func (h *harness) watch() string {
	evs, err := h.c.Since(h.seenRV)
	if err != nil {
		return "error: " + err.Error()
	}
	var lines []string
	for _, ev := range evs {
		h.seenRV = ev.ResourceVersion
		if ev.Object.GetKind() == engine.KindEvent {
			continue
		}
		m := ev.Object.GetObjectMeta()
		lines = append(lines, fmt.Sprintf("%s %s %s", ev.Type, ev.Object.GetKind(), m.Key()))
	}
	lines = slices.Compact(lines)
	return strings.Join(lines, "\n")
}
