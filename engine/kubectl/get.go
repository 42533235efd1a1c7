package kubectl

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/manifest"
)

// get prints objects as kubectl get does.
func get(c *engine.Cluster, words []string) (string, error) {
	f, err := parseFlags(words, known("-n", "--namespace", "-A", "--all-namespaces", "-l", "--selector", "-o", "--output", "--show-labels",
		"-w", "--watch", "--request-timeout", "-L", "--label-columns"))
	if err != nil {
		return "", err
	}
	if len(f.args) == 0 {
		return "", errors.New(`You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.`)
	}
	switch f.output {
	case "", "wide", "yaml", "json", "name":
	default:
		return "", fmt.Errorf("unable to match a printer suitable for the output format %q, allowed formats are: json,name,wide,yaml", f.output)
	}
	sel, err := parseSelector(f.selector)
	if err != nil {
		return "", err
	}
	// Arguments: TYPE[,TYPE…] [NAME…], or TYPE/NAME…
	type request struct {
		res   resource
		names []string
	}
	var reqs []request
	if strings.Contains(f.args[0], "/") {
		for _, a := range f.args {
			t, name, ok := strings.Cut(a, "/")
			if !ok || name == "" {
				return "", fmt.Errorf("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")
			}
			r, ok := lookup(t)
			if !ok {
				return "", fmt.Errorf("the server doesn't have a resource type %q", t)
			}
			reqs = append(reqs, request{res: r, names: []string{name}})
		}
	} else {
		for _, t := range strings.Split(f.args[0], ",") {
			if t == "all" {
				for _, k := range []string{"pods", "services", "deployments", "replicasets"} {
					r, _ := lookup(k)
					reqs = append(reqs, request{res: r})
				}
				continue
			}
			r, ok := lookup(t)
			if !ok {
				return "", fmt.Errorf("the server doesn't have a resource type %q", t)
			}
			reqs = append(reqs, request{res: r, names: f.args[1:]})
		}
	}
	if f.isSet("-w", "--watch") && (len(reqs) != 1 || f.output == "yaml" || f.output == "json" || f.output == "name") {
		return "", errors.New("podplay watches one resource type at a time, printed as a table: kubectl get pods -w")
	}
	ns := namespaceOf(f)
	if f.allNamespaces {
		ns = ""
	}
	var b strings.Builder
	var errs []error
	var all []engine.Object
	multi := len(reqs) > 1
	for _, rq := range reqs {
		var objs []engine.Object
		if len(rq.names) > 0 {
			for _, name := range rq.names {
				o, err := c.Get(rq.res.kind, scope(rq.res, ns), name)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				objs = append(objs, o)
			}
		} else {
			objs = c.List(rq.res.kind, scope(rq.res, ns), sel)
			if rq.res.kind == engine.KindEvent {
				objs = sortedEvents(objs)
			}
		}
		all = append(all, objs...)
		if f.output == "yaml" || f.output == "json" || len(objs) == 0 {
			continue
		}
		if f.output == "name" {
			for _, o := range objs {
				fmt.Fprintf(&b, "%s/%s\n", rq.res.qualified(), o.GetObjectMeta().Name)
			}
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(table(c, rq.res, objs, f, multi))
	}
	switch f.output {
	case "yaml", "json":
		if len(all) == 0 && len(errs) > 0 {
			break
		}
		var out []byte
		var err error
		if len(reqs) == 1 && len(reqs[0].names) == 1 && len(all) == 1 {
			if f.output == "json" {
				out, err = manifest.EncodeJSON(all[0])
			} else {
				out, err = manifest.Encode(all[0])
			}
		} else {
			out, err = manifest.EncodeList(all, f.output == "json")
		}
		if err != nil {
			return "", err
		}
		return string(out), errors.Join(errs...)
	}
	if f.isSet("-w", "--watch") {
		if len(all) == 0 && len(errs) == 0 {
			b.WriteString(noResources(ns, reqs[0].res))
		}
		err := watch(c, &b, reqs[0].res, reqs[0].names, scope(reqs[0].res, ns), sel, f)
		return b.String(), errors.Join(append(errs, err)...)
	}
	if len(all) == 0 && len(errs) == 0 {
		return noResources(ns, reqs[0].res), nil
	}
	return b.String(), errors.Join(errs...)
}

func noResources(ns string, r resource) string {
	if ns == "" || !r.kind.Namespaced() {
		return "No resources found\n"
	}
	return fmt.Sprintf("No resources found in %s namespace.\n", ns)
}

// watchFor is how much virtual time get -w watches, unless
// --request-timeout says otherwise: a real watch runs until interrupted,
// but a script or lesson step must end.
const watchFor = time.Minute

// maxWatchRows bounds what one watch prints.
const maxWatchRows = 500

// watch is get -w: it moves virtual time, printing a row (without header)
// each time an object of the kind changes, as kubectl does.
func watch(c *engine.Cluster, b *strings.Builder, r resource, names []string, ns string, sel labels.Selector, f flags) error {
	d := watchFor
	if v, ok := f.value("--request-timeout"); ok {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d <= 0 || d > time.Hour {
			return fmt.Errorf("invalid argument %q for \"--request-timeout\" flag: a duration up to 1h, as in 2m", v)
		}
	}
	deadline := c.Now().Add(d)
	rv := c.ResourceVersion()
	rows := 0
	for rows < maxWatchRows {
		next, ok := c.NextTimer()
		if !ok || next.After(deadline) {
			return c.Advance(deadline.Sub(c.Now()))
		}
		if _, err := c.Step(); err != nil {
			return err
		}
		if err := c.Settle(); err != nil {
			return err
		}
		evs, err := c.Since(rv)
		if err != nil {
			return err
		}
		rv = c.ResourceVersion()
		for _, ev := range evs {
			o := ev.Object
			m := o.GetObjectMeta()
			if o.GetKind() != r.kind || (ns != "" && m.Namespace != ns) ||
				(len(names) > 0 && !slices.Contains(names, m.Name)) ||
				(sel != nil && !sel.Matches(labels.Set(m.Labels))) {
				continue
			}
			t := table(c, r, []engine.Object{o}, f, false)
			_, row, _ := strings.Cut(t, "\n")
			b.WriteString(row)
			rows++
		}
	}
	return nil
}

func sortedEvents(objs []engine.Object) []engine.Object {
	slices.SortStableFunc(objs, func(a, b engine.Object) int {
		return a.(*engine.Event).LastTimestamp.Compare(b.(*engine.Event).LastTimestamp)
	})
	return objs
}

func age(c *engine.Cluster, t time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(c.Now().Sub(t))
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func labelString(m map[string]string) string {
	if len(m) == 0 {
		return "<none>"
	}
	return labels.Set(m).String()
}

// table renders objects of one kind with kubectl's columns.
func table(c *engine.Cluster, r resource, objs []engine.Object, f flags, multi bool) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 6, 4, 3, ' ', 0)
	wide := f.output == "wide"
	header, row := columns(c, r.kind, wide)
	if f.allNamespaces && r.kind.Namespaced() {
		header = append([]string{"NAMESPACE"}, header...)
	}
	var labelCols []string
	if v, ok := f.value("-L", "--label-columns"); ok {
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				labelCols = append(labelCols, k)
				header = append(header, strings.ToUpper(k[strings.LastIndexByte(k, '/')+1:]))
			}
		}
	}
	if f.showLabels {
		header = append(header, "LABELS")
	}
	fmt.Fprintln(w, strings.Join(header, "\t"))
	for _, o := range objs {
		cells := row(o)
		if multi {
			cells[0] = r.qualified() + "/" + cells[0]
		}
		if f.allNamespaces && r.kind.Namespaced() {
			cells = append([]string{o.GetObjectMeta().Namespace}, cells...)
		}
		for _, k := range labelCols {
			cells = append(cells, o.GetObjectMeta().Labels[k])
		}
		if f.showLabels {
			cells = append(cells, labelString(o.GetObjectMeta().Labels))
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	w.Flush()
	return b.String()
}

func columns(c *engine.Cluster, kind engine.Kind, wide bool) ([]string, func(engine.Object) []string) {
	switch kind {
	case engine.KindPod:
		h := []string{"NAME", "READY", "STATUS", "RESTARTS", "AGE"}
		if wide {
			h = append(h, "IP", "NODE", "NOMINATED NODE", "READINESS GATES")
		}
		return h, func(o engine.Object) []string {
			p := o.(*engine.Pod)
			s := engine.SummarizePod(p)
			restarts := strconv.Itoa(int(s.Restarts))
			if !s.LastRestart.IsZero() {
				restarts += " (" + age(c, s.LastRestart) + " ago)"
			}
			cells := []string{p.Name, s.Ready, s.Status, restarts, age(c, p.CreationTimestamp)}
			if wide {
				cells = append(cells, orNone(p.Status.PodIP), orNone(p.Spec.NodeName), "<none>", "<none>")
			}
			return cells
		}
	case engine.KindNode:
		h := []string{"NAME", "STATUS", "ROLES", "AGE", "VERSION"}
		if wide {
			h = append(h, "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME")
		}
		return h, func(o engine.Object) []string {
			n := o.(*engine.Node)
			cells := []string{n.Name, engine.NodeStatusWord(n), "<none>", age(c, n.CreationTimestamp), n.Status.NodeInfo.KubeletVersion}
			if wide {
				cells = append(cells, orNone(n.InternalIP()), "<none>", n.Status.NodeInfo.OSImage, n.Status.NodeInfo.KernelVersion, n.Status.NodeInfo.ContainerRuntimeVersion)
			}
			return cells
		}
	case engine.KindNamespace:
		return []string{"NAME", "STATUS", "AGE"}, func(o engine.Object) []string {
			n := o.(*engine.Namespace)
			return []string{n.Name, n.Status.Phase, age(c, n.CreationTimestamp)}
		}
	case engine.KindDeployment:
		h := []string{"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"}
		if wide {
			h = append(h, "CONTAINERS", "IMAGES", "SELECTOR")
		}
		return h, func(o engine.Object) []string {
			d := o.(*engine.Deployment)
			cells := []string{d.Name, fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, d.DesiredReplicas()),
				strconv.Itoa(int(d.Status.UpdatedReplicas)), strconv.Itoa(int(d.Status.AvailableReplicas)), age(c, d.CreationTimestamp)}
			if wide {
				names, images := containerColumns(d.Spec.Template.Spec.Containers)
				cells = append(cells, names, images, selectorString(d.Spec.Selector))
			}
			return cells
		}
	case engine.KindReplicaSet:
		h := []string{"NAME", "DESIRED", "CURRENT", "READY", "AGE"}
		if wide {
			h = append(h, "CONTAINERS", "IMAGES", "SELECTOR")
		}
		return h, func(o engine.Object) []string {
			rs := o.(*engine.ReplicaSet)
			cells := []string{rs.Name, strconv.Itoa(int(rs.DesiredReplicas())), strconv.Itoa(int(rs.Status.Replicas)),
				strconv.Itoa(int(rs.Status.ReadyReplicas)), age(c, rs.CreationTimestamp)}
			if wide {
				names, images := containerColumns(rs.Spec.Template.Spec.Containers)
				cells = append(cells, names, images, selectorString(rs.Spec.Selector))
			}
			return cells
		}
	case engine.KindService:
		h := []string{"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"}
		if wide {
			h = append(h, "SELECTOR")
		}
		return h, func(o engine.Object) []string {
			s := o.(*engine.Service)
			ext := "<none>"
			switch {
			case len(s.Status.LoadBalancer.Ingress) > 0:
				ext = s.Status.LoadBalancer.Ingress[0].IP
			case s.Spec.Type == "LoadBalancer":
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
			cells := []string{s.Name, s.Spec.Type, orNone(s.Spec.ClusterIP), ext, orNone(strings.Join(ports, ",")), age(c, s.CreationTimestamp)}
			if wide {
				cells = append(cells, labelString(s.Spec.Selector))
			}
			return cells
		}
	case engine.KindEndpoints:
		return []string{"NAME", "ENDPOINTS", "AGE"}, func(o engine.Object) []string {
			e := o.(*engine.Endpoints)
			return []string{e.Name, engine.EndpointsString(e), age(c, e.CreationTimestamp)}
		}
	case engine.KindIngress:
		return []string{"NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"}, func(o engine.Object) []string {
			in := o.(*engine.Ingress)
			class := "<none>"
			if in.Spec.IngressClassName != nil {
				class = *in.Spec.IngressClassName
			}
			var hosts []string
			for _, r := range in.Spec.Rules {
				if r.Host != "" {
					hosts = append(hosts, r.Host)
				}
			}
			host := "*"
			if len(hosts) > 0 {
				host = strings.Join(hosts, ",")
			}
			addr := ""
			if len(in.Status.LoadBalancer.Ingress) > 0 {
				addr = in.Status.LoadBalancer.Ingress[0].IP
			}
			ports := "80"
			if len(in.Spec.TLS) > 0 {
				ports = "80, 443"
			}
			return []string{in.Name, class, host, addr, ports, age(c, in.CreationTimestamp)}
		}
	case engine.KindIngressClass:
		return []string{"NAME", "CONTROLLER", "PARAMETERS", "AGE"}, func(o engine.Object) []string {
			ic := o.(*engine.IngressClass)
			return []string{ic.Name, ic.Spec.Controller, "<none>", age(c, ic.CreationTimestamp)}
		}
	case engine.KindPersistentVolume:
		return []string{"NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"}, func(o engine.Object) []string {
			v := o.(*engine.PersistentVolume)
			capacity := v.Spec.Capacity["storage"]
			claim := ""
			if v.Spec.ClaimRef != nil {
				claim = v.Spec.ClaimRef.Namespace + "/" + v.Spec.ClaimRef.Name
			}
			return []string{v.Name, capacity.String(), accessModes(v.Spec.AccessModes), v.Spec.PersistentVolumeReclaimPolicy, v.Status.Phase,
				claim, v.Spec.StorageClassName, "<unset>", v.Status.Reason, age(c, v.CreationTimestamp)}
		}
	case engine.KindPersistentVolumeClaim:
		return []string{"NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"}, func(o engine.Object) []string {
			p := o.(*engine.PersistentVolumeClaim)
			size := ""
			if q, ok := p.Status.Capacity["storage"]; ok {
				size = q.String()
			}
			modes := ""
			if p.Status.Phase == "Bound" {
				modes = accessModes(p.Status.AccessModes)
			}
			class := ""
			if p.Spec.StorageClassName != nil {
				class = *p.Spec.StorageClassName
			}
			status := p.Status.Phase
			if p.DeletionTimestamp != nil {
				status = "Terminating"
			}
			return []string{p.Name, status, p.Spec.VolumeName, size, modes, class, "<unset>", age(c, p.CreationTimestamp)}
		}
	case engine.KindStorageClass:
		return []string{"NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"}, func(o engine.Object) []string {
			s := o.(*engine.StorageClass)
			name := s.Name
			if s.Annotations[engine.AnnotationDefaultStorageClass] == "true" {
				name += " (default)"
			}
			expand := "false"
			if s.AllowVolumeExpansion != nil && *s.AllowVolumeExpansion {
				expand = "true"
			}
			return []string{name, s.Provisioner, deref(s.ReclaimPolicy), deref(s.VolumeBindingMode), expand, age(c, s.CreationTimestamp)}
		}
	case engine.KindEvent:
		return []string{"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"}, func(o engine.Object) []string {
			e := o.(*engine.Event)
			obj := strings.ToLower(string(e.InvolvedObject.Kind)) + "/" + e.InvolvedObject.Name
			return []string{age(c, e.LastTimestamp), e.Type, e.Reason, obj, e.Message}
		}
	}
	return []string{"NAME", "AGE"}, func(o engine.Object) []string {
		m := o.GetObjectMeta()
		return []string{m.Name, age(c, m.CreationTimestamp)}
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func accessModes(modes []string) string {
	short := map[string]string{"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
	var out []string
	for _, m := range modes {
		out = append(out, short[m])
	}
	return strings.Join(out, ",")
}

func containerColumns(cs []engine.Container) (string, string) {
	var names, images []string
	for _, c := range cs {
		names = append(names, c.Name)
		images = append(images, c.Image)
	}
	return strings.Join(names, ","), strings.Join(images, ",")
}

func selectorString(s *engine.LabelSelector) string {
	if s == nil {
		return "<none>"
	}
	sel, err := s.AsSelector()
	if err != nil {
		return "<error>"
	}
	return sel.String()
}

// parseSelector parses a -l selector; none (nil) for "".
func parseSelector(s string) (labels.Selector, error) {
	if s == "" {
		return nil, nil
	}
	return labels.Parse(s)
}
