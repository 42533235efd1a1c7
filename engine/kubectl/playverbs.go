package kubectl

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/podplay/podplay/engine"
)

// execIn is "kubectl exec POD [-c CONTAINER] -- COMMAND ARGS…", run against
// the simulated container's filesystem and environment.
func execIn(c *engine.Cluster, words []string) (string, int, error) {
	before, argv, dash := splitDashDash(words)
	var rest []string
	for _, w := range before {
		if w == "-it" || w == "-ti" || w == "-i" || w == "-t" || w == "--stdin" || w == "--tty" {
			continue // a simulated terminal is always interactive enough
		}
		rest = append(rest, w)
	}
	f, err := parseFlags(rest, known("-n", "--namespace", "-c", "--container"))
	if err != nil {
		return "", 1, err
	}
	if len(f.args) == 0 {
		return "", 1, errors.New("pod, type/name or --filename must be specified")
	}
	if !dash || len(argv) == 0 {
		if len(f.args) > 1 {
			return "", 1, errors.New("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead")
		}
		return "", 1, errors.New("you must specify at least one command for the container")
	}
	name, _, err := podArg(c, namespaceOf(f), f.args[0], "execs into")
	if err != nil {
		return "", 1, err
	}
	ctr, _ := f.value("-c", "--container")
	res, err := c.Exec(namespaceOf(f), name, ctr, argv)
	if err != nil {
		return "", 1, err
	}
	if res.ExitCode != 0 {
		return res.Output + fmt.Sprintf("command terminated with exit code %d\n", res.ExitCode), res.ExitCode, nil
	}
	return res.Output, 0, nil
}

// podArg reads the pod a verb acts on: NAME or pod/NAME, or TYPE/NAME
// of a Deployment, ReplicaSet or Service, which stands for one of its
// pods, chosen as kubectl chooses (podutils.ByLogging: scheduled before
// not, running before pending, ready before not, ready longest, most
// restarts, oldest). It returns how many pods there were to choose from
// (1 for a pod named); doing says what the verb does with pods, for the
// error.
func podArg(c *engine.Cluster, ns, arg, doing string) (string, int, error) {
	t, name, ok := strings.Cut(arg, "/")
	if !ok {
		return arg, 1, nil
	}
	r, found := lookup(t)
	if !found {
		return "", 0, fmt.Errorf("the server doesn't have a resource type %q", t)
	}
	if r.kind == engine.KindPod {
		return name, 1, nil
	}
	obj, err := c.Get(r.kind, ns, name)
	if err != nil {
		return "", 0, err
	}
	var sel labels.Selector
	switch o := obj.(type) {
	case *engine.Deployment:
		sel, err = o.Spec.Selector.AsSelector()
	case *engine.ReplicaSet:
		sel, err = o.Spec.Selector.AsSelector()
	case *engine.Service:
		if len(o.Spec.Selector) == 0 {
			return "", 0, fmt.Errorf("cannot attach to *v1.Service: invalid service '%s': Service is defined without a selector", name)
		}
		sel = labels.SelectorFromSet(o.Spec.Selector)
	default:
		return "", 0, fmt.Errorf("podplay %s pods: use pod/NAME, deployment/NAME, replicaset/NAME or service/NAME, not %q", doing, arg)
	}
	if err != nil {
		return "", 0, err
	}
	pods := c.Pods(ns, sel)
	if len(pods) == 0 {
		return "", 0, errors.New("timed out waiting for the condition")
	}
	slices.SortStableFunc(pods, byLogging)
	return pods[0].Name, len(pods), nil
}

// byLogging orders pods as kubectl's podutils.ByLogging does: the pod to
// read or exec into first.
func byLogging(a, b *engine.Pod) int {
	rank := func(p *engine.Pod) int {
		switch p.Status.Phase {
		case engine.PodRunning:
			return 0
		case engine.PodUnknown:
			return 1
		case engine.PodPending:
			return 2
		}
		return 3
	}
	readySince := func(p *engine.Pod) time.Time {
		for _, cd := range p.Status.Conditions {
			if cd.Type == "Ready" && cd.Status == "True" {
				return cd.LastTransitionTime
			}
		}
		return time.Time{}
	}
	restarts := func(p *engine.Pod) (n int32) {
		for _, cs := range p.Status.ContainerStatuses {
			n = max(n, cs.RestartCount)
		}
		return n
	}
	switch {
	case (a.Spec.NodeName == "") != (b.Spec.NodeName == ""):
		return cmpBool(a.Spec.NodeName != "", b.Spec.NodeName != "")
	case rank(a) != rank(b):
		return rank(a) - rank(b)
	case a.IsReady() != b.IsReady():
		return cmpBool(a.IsReady(), b.IsReady())
	}
	if ra, rb := readySince(a), readySince(b); a.IsReady() && !ra.Equal(rb) {
		return ra.Compare(rb) // ready longer first
	}
	if ra, rb := restarts(a), restarts(b); ra != rb {
		return int(rb - ra)
	}
	return a.CreationTimestamp.Compare(b.CreationTimestamp)
}

// cmpBool orders true before false.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// nodePlay is the playground's "node add|kill|restore NAME": what a real
// cluster's operator does with machines, not with kubectl.
func nodePlay(c *engine.Cluster, words []string) (string, error) {
	if len(words) == 0 {
		return "", errors.New("usage: node add|kill|restore NAME (node add takes --cpu 4 --memory 8Gi)")
	}
	sub := words[0]
	f, err := parseFlags(words[1:], known("--cpu", "--memory", "--pods"))
	if err != nil {
		return "", err
	}
	if len(f.args) != 1 {
		return "", fmt.Errorf("usage: node %s NAME", sub)
	}
	name := f.args[0]
	switch sub {
	case "add":
		o := engine.NodeOptions{Name: name, CPU: "4", Memory: "8Gi"}
		if v, ok := f.value("--cpu"); ok {
			o.CPU = v
		}
		if v, ok := f.value("--memory"); ok {
			o.Memory = v
		}
		if v, ok := f.value("--pods"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return "", fmt.Errorf("invalid argument %q for \"--pods\" flag: a positive number", v)
			}
			o.Pods = n
		}
		if _, err := c.AddNode(o); err != nil {
			return "", err
		}
		return fmt.Sprintf("node/%s added: it joins the cluster and reports Ready in a few seconds\n", name), nil
	case "kill":
		if err := c.KillNode(name); err != nil {
			return "", err
		}
		return fmt.Sprintf("node/%s powered off: its kubelet stops reporting; the control plane notices in about 40s\n", name), nil
	case "restore":
		if err := c.RestoreNode(name); err != nil {
			return "", err
		}
		return fmt.Sprintf("node/%s powered on\n", name), nil
	}
	return "", fmt.Errorf("unknown command %q for \"node\": use add, kill or restore", sub)
}

// crash is the playground's "crash POD [-c CONTAINER]": the container's
// process dies with exit code 1, as a bug would make it.
func crash(c *engine.Cluster, words []string) (string, error) {
	f, err := parseFlags(words, known("-n", "--namespace", "-c", "--container"))
	if err != nil {
		return "", err
	}
	if len(f.args) != 1 {
		return "", errors.New("usage: crash POD [-c CONTAINER]")
	}
	name := strings.TrimPrefix(strings.TrimPrefix(f.args[0], "pod/"), "pods/")
	ctr, _ := f.value("-c", "--container")
	if err := c.CrashContainer(namespaceOf(f), name, ctr); err != nil {
		return "", err
	}
	return fmt.Sprintf("pod/%s: container crashed with exit code 1\n", name), nil
}

// curl is the playground's way in from outside: "curl [-n N] URL" sends
// requests to the cluster's ingress controller and prints, for each, the
// answer and the pod that gave it.
func curl(c *engine.Cluster, words []string) (string, []engine.Request, int, error) {
	f, err := parseFlags(words, known("-n", "-H", "-s", "--silent"))
	if err != nil {
		return "", nil, 2, err
	}
	if len(f.args) != 1 {
		return "", nil, 2, errors.New("curl: usage: curl [-n COUNT] http://HOST/PATH")
	}
	raw := f.args[0]
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", nil, 3, fmt.Errorf("curl: (3) URL using bad/illegal format or missing URL: %s", f.args[0])
	}
	host := u.Hostname()
	if v, ok := f.value("-H"); ok {
		if h, ok := strings.CutPrefix(strings.ToLower(v), "host:"); ok {
			host = strings.TrimSpace(h)
		}
	}
	n := 1
	if f.namespace != "" { // -n is the count here, as in podplay's curl
		if n, err = strconv.Atoi(f.namespace); err != nil || n < 1 {
			return "", nil, 2, fmt.Errorf("curl: -n takes a count of requests, got %q", f.namespace)
		}
	}
	reqs, err := c.SendTraffic(host, u.EscapedPath(), n)
	if err != nil {
		return "", nil, 2, err
	}
	var b strings.Builder
	code := 0
	for _, r := range reqs {
		via := ""
		if r.Pod != "" {
			via = fmt.Sprintf("  ← %s on %s", r.Pod, r.Node)
		}
		body := summary(r.Body)
		fmt.Fprintf(&b, "%d %s%s\n", r.Status, body, via)
		if r.Status >= 400 {
			code = 22
			if r.Reason != "" {
				fmt.Fprintf(&b, "    (%s)\n", r.Reason)
			}
		}
	}
	return b.String(), reqs, code, nil
}

// summary is a response body in one line: an HTML page's title, or the
// first line of anything else.
func summary(body string) string {
	if _, rest, ok := strings.Cut(body, "<title>"); ok {
		if title, _, ok := strings.Cut(rest, "</title>"); ok {
			return strings.TrimSpace(title)
		}
	}
	body = strings.TrimSpace(body)
	if first, _, more := strings.Cut(body, "\n"); more {
		return first + " …"
	}
	return body
}
