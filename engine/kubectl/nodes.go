package kubectl

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podplay/podplay/engine"
)

// This file is kubectl's node maintenance (cordon, uncordon, drain, taint)
// and its metadata edits (label, annotate).
//
// Boolean flags: parseFlags reads any flag it does not know as boolean as
// taking a value ("--overwrite app=web" would swallow "app=web"), so the
// verbs here take their boolean flags (--overwrite, --all, --force,
// --ignore-daemonsets, --delete-emptydir-data) out of the words first with
// takeBools, which understands "--flag", "--flag=true" and "--flag=false" as
// kubectl's flag library does, and hand the rest to parseFlags.

// takeBools removes the boolean flags names from words and reports which
// were set (a flag given as --name=false is reported false).
func takeBools(words []string, names ...string) ([]string, map[string]bool, error) {
	set := map[string]bool{}
	var rest []string
	for _, w := range words {
		name, val, hasVal := strings.Cut(w, "=")
		if !slices.Contains(names, name) {
			rest = append(rest, w)
			continue
		}
		on := true
		if hasVal {
			b, err := strconv.ParseBool(val)
			if err != nil {
				return nil, nil, fmt.Errorf("invalid argument %q for %q flag: strconv.ParseBool: parsing %q: invalid syntax", val, name, val)
			}
			on = b
		}
		set[name] = on
	}
	return rest, set, nil
}

// usageError is cobra's usage error as kubectl prints it.
func usageError(verb, msg string) error {
	return fmt.Errorf("%s\nSee 'kubectl %s -h' for help and examples", msg, verb)
}

// aggregateText renders several errors as Kubernetes' utilerrors.Aggregate
// does: one as itself, more as "[a, b]".
func aggregateText(errs []error) string {
	if len(errs) == 1 {
		return errs[0].Error()
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return "[" + strings.Join(msgs, ", ") + "]"
}

// nodeVerb is kubectl cordon, uncordon, drain and taint.
func nodeVerb(c *engine.Cluster, verb string, words []string) (string, error) {
	switch verb {
	case "cordon", "uncordon":
		f, err := parseFlags(words, known("-l", "--selector"))
		if err != nil {
			return "", err
		}
		nodes, err := nodesOf(c, verb, f)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		errs := cordonNodes(c, &b, nodes, verb == "cordon")
		return b.String(), errors.Join(errs...)
	case "drain":
		return drainNodes(c, words)
	case "taint":
		return taintNodes(c, words)
	}
	return "", fmt.Errorf("unknown command %q for \"kubectl\"", verb)
}

// nodesOf reads the nodes a cordon, uncordon or drain names: NODE… (or
// node/NODE), or -l SELECTOR.
func nodesOf(c *engine.Cluster, verb string, f flags) ([]*engine.Node, error) {
	if len(f.args) == 0 && f.selector == "" {
		return nil, usageError(verb, fmt.Sprintf("USAGE: %s NODE [flags]", verb))
	}
	if len(f.args) > 0 && f.selector != "" {
		return nil, usageError(verb, "error: cannot specify both a node name and a --selector option")
	}
	if f.selector != "" {
		sel, err := labels.Parse(f.selector)
		if err != nil {
			return nil, err
		}
		var nodes []*engine.Node
		for _, o := range c.List(engine.KindNode, "", sel) {
			nodes = append(nodes, o.(*engine.Node))
		}
		return nodes, nil
	}
	var nodes []*engine.Node
	for _, a := range f.args {
		name := a
		if t, n, ok := strings.Cut(a, "/"); ok {
			if r, found := lookup(t); !found || r.kind != engine.KindNode {
				return nil, fmt.Errorf("error: expected resource of type node, got %q", t)
			}
			name = n
		}
		if name == "" {
			return nil, errors.New("resource name may not be empty")
		}
		n, err := c.GetNode(name)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// cordonNodes sets (or clears) spec.unschedulable on the nodes, printing
// "node/NAME cordoned" or "node/NAME already cordoned" for each.
func cordonNodes(c *engine.Cluster, b *strings.Builder, nodes []*engine.Node, desired bool) []error {
	word := "cordon"
	if !desired {
		word = "uncordon"
	}
	var errs []error
	for _, n := range nodes {
		if n.Spec.Unschedulable == desired {
			fmt.Fprintf(b, "node/%s already %sed\n", n.Name, word)
			continue
		}
		n.Spec.Unschedulable = desired
		if _, err := c.Update(n); err != nil {
			errs = append(errs, fmt.Errorf("error: unable to %s node %q: %v", word, n.Name, err))
			continue
		}
		fmt.Fprintf(b, "node/%s %sed\n", n.Name, word)
	}
	return errs
}

// drainTimeout bounds how long drain waits for evicted pods to go when no
// --timeout is given. kubectl itself waits forever; a playground cannot, so
// podplay gives up after this much virtual time with kubectl's timeout error.
const drainTimeout = 5 * time.Minute

// The reasons drain refuses a pod, in kubectl's words.
const (
	unmanagedFatal      = "cannot delete Pods that declare no controller (use --force to override)"
	unmanagedWarning    = "deleting Pods that declare no controller"
	localStorageFatal   = "cannot delete Pods with local storage (use --delete-emptydir-data to override)"
	daemonSetFatal      = "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
	daemonSetWarning    = "ignoring DaemonSet-managed Pods"
	mirrorPodAnnotation = "kubernetes.io/config.mirror"
)

type drainOptions struct {
	force, ignoreDaemonSets, deleteEmptyDir bool
	grace                                   *int64
	timeout                                 time.Duration
}

// drainNodes is kubectl drain: cordon the nodes, then evict their pods and wait,
// in virtual time, until they are gone.
func drainNodes(c *engine.Cluster, words []string) (string, error) {
	words, bools, err := takeBools(words, "--force", "--ignore-daemonsets", "--delete-emptydir-data")
	if err != nil {
		return "", err
	}
	f, err := parseFlags(words, known("-l", "--selector", "--grace-period", "--timeout"))
	if err != nil {
		return "", err
	}
	o := drainOptions{
		force:            bools["--force"],
		ignoreDaemonSets: bools["--ignore-daemonsets"],
		deleteEmptyDir:   bools["--delete-emptydir-data"],
		grace:            f.gracePeriod,
		timeout:          drainTimeout,
	}
	if o.grace != nil && *o.grace < 0 {
		o.grace = nil // -1, kubectl's default: the pod's own grace period
	}
	if v, ok := f.value("--timeout"); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			return "", fmt.Errorf("invalid argument %q for \"--timeout\" flag: %v", v, err)
		}
		if d > 0 {
			o.timeout = d
		}
	}
	nodes, err := nodesOf(c, "drain", f)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	// errAt is where the first line kubectl writes as an error starts:
	// from there on the text is returned as the command's error.
	errAt := -1
	markErr := func() {
		if errAt < 0 {
			errAt = b.Len()
		}
	}
	for _, e := range cordonNodes(c, &b, nodes, true) {
		markErr()
		b.WriteString(e.Error() + "\n")
	}
	if err := c.Settle(); err != nil {
		return b.String(), err
	}
	var fatal [][]error
	var pending []string
	for _, n := range nodes {
		errs := drainNode(c, &b, n.Name, o)
		if len(errs) == 0 {
			fmt.Fprintf(&b, "node/%s drained\n", n.Name)
			continue
		}
		markErr()
		fmt.Fprintf(&b, "error: unable to drain node %q due to error: %s, continuing command...\n", n.Name, aggregateText(errs))
		fatal = append(fatal, errs)
		pending = append(pending, n.Name)
	}
	if len(pending) == 0 && errAt < 0 {
		return b.String(), nil
	}
	if len(pending) > 0 {
		b.WriteString("There are pending nodes to be drained:\n")
		for _, name := range pending {
			fmt.Fprintf(&b, " %s\n", name)
		}
		// kubectl prints the errors of one node as lines of their own; of
		// several nodes, one line for each.
		if len(fatal) == 1 {
			for _, e := range fatal[0] {
				b.WriteString(e.Error() + "\n")
			}
		} else {
			for _, errs := range fatal {
				b.WriteString(aggregateText(errs) + "\n")
			}
		}
	}
	out := b.String()
	return out[:errAt], errors.New(strings.TrimSuffix(out[errAt:], "\n"))
}

type podDelete struct {
	pod     *engine.Pod
	delete  bool
	fatal   string
	warning string
}

// podsForDeletion is kubectl's GetPodsForDeletion: every pod on the node,
// through its filters (DaemonSet, mirror pod, local storage, unreplicated),
// in that order; the first filter that keeps a pod decides.
func podsForDeletion(c *engine.Cluster, node string, o drainOptions) ([]podDelete, []error) {
	var list []podDelete
	for _, obj := range c.List(engine.KindPod, "", nil) {
		p := obj.(*engine.Pod)
		if p.Spec.NodeName != node {
			continue
		}
		list = append(list, filterPod(p, o))
	}
	// Errors, grouped by reason in the order the reasons first appear.
	var reasons []string
	byReason := map[string][]string{}
	for _, d := range list {
		if d.fatal == "" {
			continue
		}
		if _, ok := byReason[d.fatal]; !ok {
			reasons = append(reasons, d.fatal)
		}
		byReason[d.fatal] = append(byReason[d.fatal], d.pod.Namespace+"/"+d.pod.Name)
	}
	var errs []error
	for _, r := range reasons {
		errs = append(errs, fmt.Errorf("%s: %s", r, strings.Join(byReason[r], ", ")))
	}
	return list, errs
}

func filterPod(p *engine.Pod, o drainOptions) podDelete {
	d := podDelete{pod: p, delete: true}
	finished := p.Status.Phase == engine.PodSucceeded || p.Status.Phase == engine.PodFailed
	ref := p.ControllerRef()
	if ref != nil && ref.Kind == "DaemonSet" && !finished {
		if !o.ignoreDaemonSets {
			return podDelete{pod: p, fatal: daemonSetFatal}
		}
		return podDelete{pod: p, warning: daemonSetWarning}
	}
	if _, ok := p.Annotations[mirrorPodAnnotation]; ok {
		return podDelete{pod: p}
	}
	if !finished && hasLocalStorage(p) && !o.deleteEmptyDir {
		return podDelete{pod: p, fatal: localStorageFatal}
	}
	// (kubectl's local storage warning is lost to the next filter, as
	// here: only the last filter's verdict is kept.)
	if !finished && ref == nil {
		if !o.force {
			return podDelete{pod: p, fatal: unmanagedFatal}
		}
		d.warning = unmanagedWarning
	}
	return d
}

func hasLocalStorage(p *engine.Pod) bool {
	for _, v := range p.Spec.Volumes {
		if v.EmptyDir != nil {
			return true
		}
	}
	return false
}

// drainNode evicts the pods of one node and waits for them to be gone,
// moving virtual time, as kubectl drain does.
func drainNode(c *engine.Cluster, b *strings.Builder, node string, o drainOptions) []error {
	list, errs := podsForDeletion(c, node, o)
	if len(errs) > 0 {
		return errs
	}
	// Warnings, grouped by message.
	var msgs []string
	byMsg := map[string][]string{}
	for _, d := range list {
		if d.warning == "" {
			continue
		}
		if _, ok := byMsg[d.warning]; !ok {
			msgs = append(msgs, d.warning)
		}
		byMsg[d.warning] = append(byMsg[d.warning], d.pod.Namespace+"/"+d.pod.Name)
	}
	if len(msgs) > 0 {
		var parts []string
		for _, m := range msgs {
			parts = append(parts, m+": "+strings.Join(byMsg[m], ", "))
		}
		fmt.Fprintf(b, "Warning: %s\n", strings.Join(parts, "; "))
	}
	type evicted struct{ ns, name, uid string }
	var waiting []evicted
	for _, d := range list {
		if !d.delete {
			continue
		}
		p := d.pod
		fmt.Fprintf(b, "evicting pod %s/%s\n", p.Namespace, p.Name)
		err := c.Delete(engine.KindPod, p.Namespace, p.Name, engine.DeleteOptions{GracePeriodSeconds: o.grace})
		switch {
		case engine.IsNotFound(err):
			// Gone already: nothing to wait for.
		case err != nil:
			errs = append(errs, fmt.Errorf("error when evicting pods/%q -n %q: %v", p.Name, p.Namespace, err))
		default:
			waiting = append(waiting, evicted{p.Namespace, p.Name, p.UID})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	deadline := c.Now().Add(o.timeout)
	for {
		if err := c.Settle(); err != nil {
			return []error{err}
		}
		var still []evicted
		for _, e := range waiting {
			p, err := c.GetPod(e.ns, e.name)
			if engine.IsNotFound(err) || (err == nil && p.UID != e.uid) {
				fmt.Fprintf(b, "pod/%s evicted\n", e.name)
				continue
			}
			still = append(still, e)
		}
		waiting = still
		if len(waiting) == 0 {
			return nil
		}
		next, ok := c.NextTimer()
		if !ok || next.After(deadline) {
			if c.Now().Before(deadline) {
				// Nothing more will happen before the deadline, but time
				// still passes while kubectl waits.
				if err := c.Advance(deadline.Sub(c.Now())); err != nil {
					return []error{err}
				}
			}
			break
		}
		if _, err := c.Step(); err != nil {
			return []error{err}
		}
	}
	for _, e := range waiting {
		errs = append(errs, fmt.Errorf("error when waiting for pod %q in namespace %q to terminate: global timeout reached: %v", e.name, e.ns, o.timeout))
	}
	// kubectl lists what is still on the node before it gives up on it.
	left, _ := podsForDeletion(c, node, o)
	fmt.Fprintf(b, "There are pending pods in node %q when an error occurred: %s\n", node, aggregateText(errs))
	for _, d := range left {
		if d.delete {
			fmt.Fprintf(b, "pod/%s\n", d.pod.Name)
		}
	}
	return errs
}

// taintNodes is kubectl taint nodes NAME… KEY[=VALUE]:EFFECT… and KEY[:EFFECT]-.
func taintNodes(c *engine.Cluster, words []string) (string, error) {
	words, bools, err := takeBools(words, "--overwrite", "--all")
	if err != nil {
		return "", err
	}
	f, err := parseFlags(words, known("-l", "--selector"))
	if err != nil {
		return "", err
	}
	var res, specs []string
	for _, a := range f.args {
		isTaint := strings.Contains(a, "=") || strings.Contains(a, ":") || strings.HasSuffix(a, "-")
		switch {
		case isTaint:
			specs = append(specs, a)
		case len(specs) > 0:
			return "", fmt.Errorf("all resources must be specified before taint changes: %s", a)
		default:
			res = append(res, a)
		}
	}
	if len(res) == 0 {
		return "", errors.New("one or more resources must be specified as <resource> <name>")
	}
	if len(specs) == 0 {
		return "", errors.New("at least one taint update is required")
	}
	add, remove, err := parseTaints(specs)
	if err != nil {
		return "", usageError("taint", err.Error())
	}
	// TYPE NAME…, or (podplay is lenient) node/NAME.
	typ := res[0]
	names := res[1:]
	if t, n, ok := strings.Cut(typ, "/"); ok {
		typ = t
		names = append([]string{n}, names...)
	}
	r, ok := lookup(typ)
	if !ok {
		return "", fmt.Errorf("the server doesn't have a resource type %q", typ)
	}
	if r.kind != engine.KindNode {
		return "", fmt.Errorf("invalid resource type %s, only node types are supported", strings.ToLower(res[0]))
	}
	var conflicts []string
	for _, a := range add {
		for _, rm := range remove {
			if a.Key == rm.Key && (rm.Effect == "" || rm.Effect == a.Effect) {
				conflicts = append(conflicts, fmt.Sprintf("%s=%s", rm.Key, rm.Effect))
			}
		}
	}
	if len(conflicts) > 0 {
		return "", fmt.Errorf("can not both modify and remove the following taint(s) in the same command: %s", strings.Join(conflicts, ", "))
	}
	all := bools["--all"]
	if all && f.selector != "" {
		return "", errors.New("setting 'all' parameter with a non empty selector is prohibited")
	}
	if !all && f.selector == "" && len(names) == 0 {
		return "", errors.New("at least one resource name must be specified since 'all' parameter is not set")
	}
	var nodes []*engine.Node
	var errs []error
	switch {
	case all || f.selector != "":
		sel, err := parseSelector(f.selector)
		if err != nil {
			return "", err
		}
		for _, o := range c.List(engine.KindNode, "", sel) {
			nodes = append(nodes, o.(*engine.Node))
		}
	default:
		for _, name := range names {
			n, err := c.GetNode(name)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			nodes = append(nodes, n)
		}
	}
	var b strings.Builder
	for _, n := range nodes {
		op, err := updateTaints(n, bools["--overwrite"], add, remove)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := c.Update(n); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(&b, "node/%s %s\n", n.Name, op)
	}
	return b.String(), errors.Join(errs...)
}

// taintString is Kubernetes' Taint.ToString.
func taintString(t engine.Taint) string {
	switch {
	case t.Effect == "" && t.Value == "":
		return t.Key
	case t.Effect == "":
		return t.Key + "=" + t.Value + ":"
	}
	return t.ToString()
}

// parseTaints is kubectl's: KEY[=VALUE]:EFFECT to add, KEY[:EFFECT]- to
// remove.
func parseTaints(specs []string) (add, remove []engine.Taint, err error) {
	seen := map[string]bool{}
	for _, s := range specs {
		if rm, ok := strings.CutSuffix(s, "-"); ok {
			t, err := parseTaint(rm)
			if err != nil {
				return nil, nil, err
			}
			remove = append(remove, engine.Taint{Key: t.Key, Effect: t.Effect})
			continue
		}
		t, err := parseTaint(s)
		if err != nil {
			return nil, nil, err
		}
		if t.Effect == "" {
			return nil, nil, fmt.Errorf("invalid taint spec: %v", s)
		}
		id := string(t.Effect) + "\x00" + t.Key
		if seen[id] {
			return nil, nil, fmt.Errorf("duplicated taints with the same key and effect: %v", taintString(t))
		}
		seen[id] = true
		add = append(add, t)
	}
	return add, remove, nil
}

func parseTaint(s string) (engine.Taint, error) {
	var t engine.Taint
	parts := strings.Split(s, ":")
	switch len(parts) {
	case 1:
		t.Key = parts[0]
	case 2:
		t.Effect = engine.TaintEffect(parts[1])
		switch t.Effect {
		case engine.TaintEffectNoSchedule, engine.TaintEffectPreferNoSchedule, engine.TaintEffectNoExecute:
		default:
			return t, fmt.Errorf("invalid taint effect: %v, unsupported taint effect", t.Effect)
		}
		kv := strings.Split(parts[0], "=")
		if len(kv) > 2 {
			return t, fmt.Errorf("invalid taint spec: %v", s)
		}
		t.Key = kv[0]
		if len(kv) == 2 {
			t.Value = kv[1]
			if errs := validation.IsValidLabelValue(t.Value); len(errs) > 0 {
				return t, fmt.Errorf("invalid taint spec: %v, %s", s, strings.Join(errs, "; "))
			}
		}
	default:
		return t, fmt.Errorf("invalid taint spec: %v", s)
	}
	if errs := validation.IsQualifiedName(t.Key); len(errs) > 0 {
		return t, fmt.Errorf("invalid taint spec: %v, %s", s, strings.Join(errs, "; "))
	}
	return t, nil
}

// updateTaints is kubectl's updateTaints and reorganizeTaints: it returns
// what was done ("tainted", "untainted" or "modified").
func updateTaints(n *engine.Node, overwrite bool, add, remove []engine.Taint) (string, error) {
	if !overwrite {
		var exists []string
		for _, t := range add {
			for _, old := range n.Spec.Taints {
				if t.Key == old.Key && t.Effect == old.Effect {
					exists = append(exists, t.Key)
				}
			}
		}
		if len(exists) > 0 {
			return "", fmt.Errorf("node %s already has %s taint(s) with same effect(s) and --overwrite is false", n.Name, strings.Join(exists, ","))
		}
	}
	next := slices.Clone(add)
	for _, old := range n.Spec.Taints {
		if !slices.ContainsFunc(next, func(t engine.Taint) bool { return t.Key == old.Key && t.Effect == old.Effect }) {
			next = append(next, old)
		}
	}
	added := len(n.Spec.Taints) != len(next)
	var errs []error
	deleted := false
	for _, rm := range remove {
		before := len(next)
		next = slices.DeleteFunc(next, func(t engine.Taint) bool {
			return t.Key == rm.Key && (rm.Effect == "" || t.Effect == rm.Effect)
		})
		deleted = len(next) < before
		if !deleted {
			errs = append(errs, fmt.Errorf("taint %q not found", taintString(rm)))
		}
	}
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	n.Spec.Taints = next
	switch {
	case (added && deleted) || overwrite:
		return "modified", nil
	case added:
		return "tainted", nil
	}
	return "untainted", nil
}

// labelVerb is kubectl label and annotate.
func labelVerb(c *engine.Cluster, verb string, words []string) (string, error) {
	words, bools, err := takeBools(words, "--overwrite", "--all")
	if err != nil {
		return "", err
	}
	f, err := parseFlags(words, known("-n", "--namespace", "-A", "--all-namespaces", "-l", "--selector"))
	if err != nil {
		return "", err
	}
	what := "label"
	if verb == "annotate" {
		what = "annotation"
	}
	// Resources come first, then the KEY=VALUE and KEY- changes.
	var res, pairs []string
	for _, a := range f.args {
		isPair := (strings.Contains(a, "=") && a[0] != '=') || (strings.HasSuffix(a, "-") && a != "-")
		switch {
		case isPair:
			pairs = append(pairs, a)
		case len(pairs) > 0:
			return "", fmt.Errorf("all resources must be specified before %s changes: %s", what, a)
		default:
			res = append(res, a)
		}
	}
	var set map[string]string
	var remove []string
	if verb == "annotate" {
		set, remove, err = parseAnnotations(pairs)
	} else {
		set, remove, err = parseLabels(pairs)
	}
	if err != nil {
		return "", err
	}
	all := bools["--all"]
	if all && f.selector != "" {
		return "", errors.New("cannot set --all and --selector at the same time")
	}
	if len(res) == 0 {
		return "", errors.New("one or more resources must be specified as <resource> <name> or <resource>/<name>")
	}
	if len(set) == 0 && len(remove) == 0 {
		return "", fmt.Errorf("at least one %s update is required", what)
	}
	if verb == "annotate" {
		var both []string
		for _, k := range remove {
			if _, ok := set[k]; ok {
				both = append(both, k)
			}
		}
		if len(both) > 0 {
			return "", fmt.Errorf("can not both modify and remove the following annotation(s) in the same command: %s", strings.Join(both, ", "))
		}
	}
	ns := namespaceOf(f)
	if f.allNamespaces {
		ns = ""
	}
	objs, errs := resolveTargets(c, res, ns, f.selector, all)
	var b strings.Builder
	for _, t := range objs {
		var msg string
		var err error
		if verb == "annotate" {
			msg, err = annotateObject(c, t.obj, set, remove, bools["--overwrite"])
		} else {
			msg, err = labelObject(c, &b, t.obj, set, remove, bools["--overwrite"])
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(&b, "%s/%s %s\n", t.res.qualified(), t.obj.GetObjectMeta().Name, msg)
	}
	return b.String(), errors.Join(errs...)
}

type labelTarget struct {
	res resource
	obj engine.Object
}

// resolveTargets reads kubectl's resource arguments: TYPE NAME…,
// TYPE/NAME…, or TYPE with --all or -l SELECTOR. Objects that are not
// found are errors; the others are returned.
func resolveTargets(c *engine.Cluster, args []string, ns, selector string, all bool) ([]labelTarget, []error) {
	sel, err := parseSelector(selector)
	if err != nil {
		return nil, []error{err}
	}
	var out []labelTarget
	var errs []error
	get := func(r resource, name string) {
		if name == "" {
			errs = append(errs, errors.New("resource name may not be empty"))
			return
		}
		gns := scope(r, ns)
		if r.kind.Namespaced() && gns == "" {
			gns = "default"
		}
		o, err := c.Get(r.kind, gns, name)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if sel != nil && !sel.Matches(labels.Set(o.GetObjectMeta().Labels)) {
			return
		}
		out = append(out, labelTarget{r, o})
	}
	if strings.Contains(args[0], "/") {
		for _, a := range args {
			t, name, ok := strings.Cut(a, "/")
			if !ok {
				return nil, []error{errors.New("arguments in resource/name form must have a single resource and name")}
			}
			r, found := lookup(t)
			if !found {
				return nil, []error{fmt.Errorf("the server doesn't have a resource type %q", t)}
			}
			get(r, name)
		}
		return out, errs
	}
	r, found := lookup(args[0])
	if !found {
		return nil, []error{fmt.Errorf("the server doesn't have a resource type %q", args[0])}
	}
	names := args[1:]
	for _, n := range names {
		if strings.Contains(n, "/") {
			return nil, []error{errors.New("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")}
		}
	}
	if len(names) == 0 {
		if !all && sel == nil {
			return nil, []error{errors.New("resource(s) were provided, but no name was specified")}
		}
		for _, o := range c.List(r.kind, scope(r, ns), sel) {
			out = append(out, labelTarget{r, o})
		}
		return out, nil
	}
	for _, n := range names {
		get(r, n)
	}
	return out, errs
}

// parseLabels is kubectl label's: KEY=VALUE sets, KEY- removes; values are
// checked here, keys by the API server.
func parseLabels(pairs []string) (map[string]string, []string, error) {
	set := map[string]string{}
	var remove []string
	for _, p := range pairs {
		if strings.Contains(p, "=") {
			parts := strings.Split(p, "=")
			if len(parts) != 2 {
				return nil, nil, fmt.Errorf("invalid label spec: %v", p)
			}
			if errs := validation.IsValidLabelValue(parts[1]); len(errs) != 0 {
				return nil, nil, fmt.Errorf("invalid label value: %q: %s", p, strings.Join(errs, ";"))
			}
			set[parts[0]] = parts[1]
		} else if k, ok := strings.CutSuffix(p, "-"); ok {
			remove = append(remove, k)
		} else {
			return nil, nil, fmt.Errorf("unknown label spec: %v", p)
		}
	}
	for _, k := range remove {
		if _, ok := set[k]; ok {
			return nil, nil, errors.New("can not both modify and remove a label in the same command")
		}
	}
	return set, remove, nil
}

// parseAnnotations is kubectl's ParsePairs for annotations: the value is
// everything after the first "=".
func parseAnnotations(pairs []string) (map[string]string, []string, error) {
	set := map[string]string{}
	var remove, invalid []string
	for _, p := range pairs {
		switch {
		case strings.Contains(p, "=") && p[0] != '=':
			k, v, _ := strings.Cut(p, "=")
			set[k] = v
		case strings.HasSuffix(p, "-") && p != "-":
			remove = append(remove, strings.TrimSuffix(p, "-"))
		default:
			invalid = append(invalid, p)
		}
	}
	if len(invalid) > 0 {
		return nil, nil, fmt.Errorf("invalid annotation format: %s", strings.Join(invalid, ", "))
	}
	return set, remove, nil
}

func sortedLabelKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// labelObject applies a label change and says what it did, in kubectl's
// words: labeled, unlabeled, not labeled, label(s) changed.
func labelObject(c *engine.Cluster, b *strings.Builder, obj engine.Object, set map[string]string, remove []string, overwrite bool) (string, error) {
	m := obj.GetObjectMeta()
	for _, k := range remove {
		if _, ok := m.Labels[k]; !ok {
			fmt.Fprintf(b, "label %q not found.\n", k)
		}
	}
	if !overwrite {
		var errs []error
		for _, k := range sortedLabelKeys(set) {
			if cur, ok := m.Labels[k]; ok && cur != set[k] {
				errs = append(errs, fmt.Errorf("'%s' already has a value (%s), and --overwrite is false", k, cur))
			}
		}
		if len(errs) > 0 {
			return "", errors.Join(errs...)
		}
	}
	old := m.Labels
	next := map[string]string{}
	for k, v := range old {
		next[k] = v
	}
	for k, v := range set {
		next[k] = v
	}
	for _, k := range remove {
		delete(next, k)
	}
	m.Labels = next
	if _, err := c.Update(obj); err != nil {
		return "", err
	}
	labeled, unlabeled := false, false
	for k, v := range old {
		if nv, ok := next[k]; !ok {
			unlabeled = true
		} else if nv != v {
			labeled = true
		}
	}
	for k := range next {
		if _, ok := old[k]; !ok {
			labeled = true
		}
	}
	switch {
	case labeled && unlabeled:
		return "label(s) changed", nil
	case labeled:
		return "labeled", nil
	case unlabeled:
		return "unlabeled", nil
	}
	return "not labeled", nil
}

// annotateChangeCause may always be overwritten by kubectl annotate.
const annotateChangeCause = "kubernetes.io/change-cause"

// annotateObject applies an annotation change; kubectl says "annotated"
// whatever it did.
func annotateObject(c *engine.Cluster, obj engine.Object, set map[string]string, remove []string, overwrite bool) (string, error) {
	m := obj.GetObjectMeta()
	if !overwrite {
		var found []string
		for _, k := range sortedLabelKeys(set) {
			if cur, ok := m.Annotations[k]; ok && cur != set[k] && k != annotateChangeCause {
				found = append(found, fmt.Sprintf("'%s' already has a value (%s)", k, cur))
			}
		}
		if len(found) > 0 {
			return "", fmt.Errorf("--overwrite is false but found the following declared annotation(s): %s", strings.Join(found, "; "))
		}
	}
	next := map[string]string{}
	for k, v := range m.Annotations {
		next[k] = v
	}
	for k, v := range set {
		next[k] = v
	}
	for _, k := range remove {
		delete(next, k)
	}
	m.Annotations = next
	if _, err := c.Update(obj); err != nil {
		return "", err
	}
	return "annotated", nil
}
