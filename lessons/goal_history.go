package lessons

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/kubectl"
)

// fileGoal reads a file in a running container, as kubectl exec … -- cat
// would: it holds if some running pod the filter picks has the file with
// the content asked for (or, with Absent, has no such file).
type fileGoal struct {
	objectFilter `yaml:",inline"`
	Container    string `yaml:"container"`
	Path         string `yaml:"path"`
	// Contains is text the file must contain; Equals its whole content
	// (a final newline aside).
	Contains string `yaml:"contains"`
	Equals   string `yaml:"equals"`
	// Absent asks for a running pod without the file.
	Absent bool `yaml:"absent"`
}

func (g *fileGoal) validate() error {
	if err := g.objectFilter.validate(); err != nil {
		return err
	}
	if !strings.HasPrefix(g.Path, "/") {
		return fmt.Errorf("path %q must be absolute", g.Path)
	}
	if g.Absent && (g.Contains != "" || g.Equals != "") {
		return errors.New("a file cannot be absent and have content")
	}
	if g.Contains != "" && g.Equals != "" {
		return errors.New("give contains or equals, not both")
	}
	if g.Name == "" && g.Selector == "" {
		return errors.New("name the pod (name) or pick it by label (selector)")
	}
	return nil
}

func (g *fileGoal) holds(c *engine.Cluster) bool {
	for _, o := range g.list(c, engine.KindPod) {
		p := o.(*engine.Pod)
		if p.DeletionTimestamp != nil || p.Status.Phase != engine.PodRunning || !c.NodeRunning(p.Spec.NodeName) {
			continue
		}
		res, err := c.Exec(p.Namespace, p.Name, g.Container, []string{"cat", g.Path})
		if err != nil {
			continue
		}
		switch {
		case g.Absent:
			if res.ExitCode == 1 && strings.Contains(res.Output, "No such file") {
				return true
			}
		case res.ExitCode != 0:
		case g.Equals != "":
			if strings.TrimSuffix(res.Output, "\n") == strings.TrimSuffix(g.Equals, "\n") {
				return true
			}
		case strings.Contains(res.Output, g.Contains):
			return true
		}
	}
	return false
}

func (g *fileGoal) describe() Text {
	in, ko := "pod "+g.Name, g.Name+" 파드"
	if g.Name == "" {
		in, ko = "a pod with "+g.Selector, g.Selector+" 파드"
	}
	path := code(g.Path)
	switch {
	case g.Absent:
		return Text{"en": fmt.Sprintf("A running %s without %s", strings.TrimPrefix(in, "a "), path),
			"ko": fmt.Sprintf("실행 중인 %s에 %s 파일이 없음", ko, path)}
	case g.Equals != "":
		return Text{"en": fmt.Sprintf("%s in %s reads %q", path, in, strings.TrimSpace(g.Equals)),
			"ko": fmt.Sprintf("%s의 %s 내용이 %q", ko, path, strings.TrimSpace(g.Equals))}
	case g.Contains != "":
		return Text{"en": fmt.Sprintf("%s in %s contains %q", path, in, g.Contains),
			"ko": fmt.Sprintf("%s의 %s에 %q가 들어 있음", ko, path, g.Contains)}
	}
	return Text{"en": fmt.Sprintf("%s exists in %s", path, in), "ko": fmt.Sprintf("%s에 %s 파일이 있음", ko, path)}
}

// rescheduledGoal is met once a pod the filter picks was lost with its
// node (powered off, or NotReady) and a replacement, created after, runs
// Ready on another node.
type rescheduledGoal struct {
	Namespace string `yaml:"namespace"`
	Selector  string `yaml:"selector"`
	// From narrows the lost node.
	From string `yaml:"from"`
}

func (g *rescheduledGoal) validate() error {
	if g.Selector == "" {
		return errors.New("selector is required: the label of the pods to follow, such as app=web")
	}
	return objectFilter{Selector: g.Selector}.validate()
}

func (g *rescheduledGoal) newMemory() memory {
	return &rescheduledMemory{g: g, lost: map[string]lostPod{}}
}

type lostPod struct {
	node  string
	since time.Time
}

type rescheduledMemory struct {
	g *rescheduledGoal
	// lost holds, by uid, the pods seen on a node that was down.
	lost map[string]lostPod
}

func (m *rescheduledMemory) command(*engine.Cluster, *command, kubectl.Result) bool { return false }

func (m *rescheduledMemory) observe(c *engine.Cluster) bool {
	down := map[string]time.Time{}
	for _, n := range c.Nodes() {
		if !c.NodeRunning(n.Name) || !n.IsReady() {
			since := c.Now()
			if cond := n.Condition(engine.NodeReady); cond != nil && cond.Status != engine.ConditionTrue {
				since = cond.LastTransitionTime
			}
			down[n.Name] = since
		}
	}
	f := objectFilter{Namespace: m.g.Namespace, Selector: m.g.Selector}
	pods := f.list(c, engine.KindPod)
	for _, o := range pods {
		p := o.(*engine.Pod)
		since, isDown := down[p.Spec.NodeName]
		if _, seen := m.lost[p.UID]; isDown && !seen && (m.g.From == "" || p.Spec.NodeName == m.g.From) {
			m.lost[p.UID] = lostPod{node: p.Spec.NodeName, since: since}
		}
	}
	for _, o := range pods {
		p := o.(*engine.Pod)
		if _, wasLost := m.lost[p.UID]; wasLost || p.DeletionTimestamp != nil || !p.IsReady() {
			continue
		}
		if _, isDown := down[p.Spec.NodeName]; isDown || p.Spec.NodeName == "" {
			continue
		}
		for _, l := range m.lost {
			if l.node != p.Spec.NodeName && !p.CreationTimestamp.Before(l.since) {
				return true
			}
		}
	}
	return false
}

func (g *rescheduledGoal) describe() Text {
	from, koFrom := "a node that went down", "죽은 노드"
	if g.From != "" {
		from, koFrom = g.From+" when it went down", "죽은 "+g.From
	}
	return Text{
		"en": fmt.Sprintf("A pod with %s lost with %s is replaced, Ready on another node", g.Selector, from),
		"ko": fmt.Sprintf("%s에서 잃은 %s 파드가 다른 노드에서 새로 Ready", koFrom, g.Selector),
	}
}

// rollbackGoal is met once a Deployment was rolled back: its current
// ReplicaSet is older than one of lower revision (an old template came
// back, as kubectl rollout undo brings it).
type rollbackGoal struct {
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
}

func (g *rollbackGoal) validate() error { return nil }

func (g *rollbackGoal) newMemory() memory { return &rollbackMemory{g: g} }

type rollbackMemory struct{ g *rollbackGoal }

func (m *rollbackMemory) command(*engine.Cluster, *command, kubectl.Result) bool { return false }

func (m *rollbackMemory) observe(c *engine.Cluster) bool {
	f := objectFilter{Name: m.g.Name, Namespace: m.g.Namespace}
	for _, o := range f.list(c, engine.KindDeployment) {
		d := o.(*engine.Deployment)
		var current *engine.ReplicaSet
		var others []*engine.ReplicaSet
		for _, ro := range c.List(engine.KindReplicaSet, d.Namespace, nil) {
			rs := ro.(*engine.ReplicaSet)
			if !ownedBy(rs.OwnerReferences, d.UID) {
				continue
			}
			if rs.Annotations[engine.AnnotationRevision] == d.Annotations[engine.AnnotationRevision] {
				current = rs
			} else {
				others = append(others, rs)
			}
		}
		if current == nil {
			continue
		}
		rev, _ := strconv.Atoi(current.Annotations[engine.AnnotationRevision])
		for _, rs := range others {
			r, _ := strconv.Atoi(rs.Annotations[engine.AnnotationRevision])
			if r < rev && rs.CreationTimestamp.After(current.CreationTimestamp) {
				return true
			}
		}
	}
	return false
}

func ownedBy(refs []engine.OwnerReference, uid string) bool {
	for _, r := range refs {
		if r.UID == uid {
			return true
		}
	}
	return false
}

func (g *rollbackGoal) describe() Text {
	if g.Name == "" {
		return Text{"en": "A Deployment was rolled back", "ko": "Deployment 롤백"}
	}
	return Text{"en": "Deployment " + g.Name + " was rolled back", "ko": "Deployment " + g.Name + " 롤백"}
}

// trafficGoal is met once curl requests for Host (and a path under Path)
// got Status from at least Pods different pods — with NodeDown, counting
// only requests sent while some node was down.
type trafficGoal struct {
	Host     string `yaml:"host"`
	Path     string `yaml:"path"`
	Status   int    `yaml:"status"`
	Pods     int    `yaml:"pods"`
	NodeDown bool   `yaml:"nodeDown"`
}

func (g *trafficGoal) validate() error {
	if g.Host == "" {
		return errors.New("host is required, such as shop.example")
	}
	if g.Path != "" && !strings.HasPrefix(g.Path, "/") {
		return fmt.Errorf("path %q must start with /", g.Path)
	}
	if g.Status != 0 && (g.Status < 100 || g.Status > 599) {
		return fmt.Errorf("status %d is not an HTTP status", g.Status)
	}
	if g.Pods < 0 {
		return errors.New("pods must not be negative")
	}
	return nil
}

func (g *trafficGoal) newMemory() memory { return &trafficMemory{g: g, pods: map[string]bool{}} }

type trafficMemory struct {
	g    *trafficGoal
	pods map[string]bool
}

func (m *trafficMemory) observe(*engine.Cluster) bool { return len(m.pods) >= max(m.g.Pods, 1) }

// curlLine is a line of curl's output: status, body, and the pod that
// answered ("200 Hello  ← web-1 on node-1").
var curlLine = regexp.MustCompile(`^(\d{3}) .*  ← (\S+) on (\S+)$`)

func (m *trafficMemory) command(c *engine.Cluster, cmd *command, res kubectl.Result) bool {
	g := m.g
	if cmd.prog != "curl" || len(cmd.args) == 0 {
		return m.observe(c)
	}
	if g.NodeDown && !anyNodeDown(c) {
		return m.observe(c)
	}
	want := g.Status
	if want == 0 {
		want = 200
	}
	type answer struct {
		host, path, pod string
		status          int
	}
	var answers []answer
	if len(res.Traffic) > 0 {
		for _, r := range res.Traffic {
			answers = append(answers, answer{r.Host, r.Path, r.Pod, r.Status})
		}
	} else {
		host, path := splitURL(cmd.args[len(cmd.args)-1])
		if h, ok := cmd.flags["-H"]; ok {
			if v, ok := strings.CutPrefix(strings.ToLower(h), "host:"); ok {
				host = strings.TrimSpace(v)
			}
		}
		for _, l := range strings.Split(res.Output, "\n") {
			if mm := curlLine.FindStringSubmatch(l); mm != nil {
				st, _ := strconv.Atoi(mm[1])
				answers = append(answers, answer{host, path, mm[2], st})
			}
		}
	}
	for _, a := range answers {
		if a.status == want && a.pod != "" && strings.EqualFold(a.host, g.Host) && underPath(a.path, g.Path) {
			m.pods[a.pod] = true
		}
	}
	return m.observe(c)
}

func splitURL(raw string) (host, path string) {
	if _, rest, ok := strings.Cut(raw, "://"); ok {
		raw = rest
	}
	host, path, _ = strings.Cut(raw, "/")
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	return host, "/" + path
}

func underPath(path, prefix string) bool {
	p := strings.TrimSuffix(prefix, "/")
	return p == "" || path == p || strings.HasPrefix(path, p+"/")
}

func anyNodeDown(c *engine.Cluster) bool {
	for _, n := range c.Nodes() {
		if !c.NodeRunning(n.Name) || !n.IsReady() {
			return true
		}
	}
	return false
}

func (g *trafficGoal) describe() Text {
	url := "http://" + g.Host + g.Path
	if g.Path == "" {
		url += "/"
	}
	status := g.Status
	if status == 0 {
		status = 200
	}
	n := max(g.Pods, 1)
	en := fmt.Sprintf("`curl %s` answered %d by %d different pods", url, status, n)
	ko := fmt.Sprintf("`curl %s` 요청에 서로 다른 파드 %d개가 %d으로 응답", url, n, status)
	if n == 1 {
		en = fmt.Sprintf("`curl %s` answered %d", url, status)
		ko = fmt.Sprintf("`curl %s` 요청이 %d으로 응답받음", url, status)
	}
	if g.NodeDown {
		en += " while a node is down"
		ko = "노드가 죽어 있는 동안 " + ko
	}
	return Text{"en": en, "ko": ko}
}

// ranGoal is met once the learner runs a command that matches the
// pattern, successfully: "kubectl describe pod" is met by "k describe
// po web", not by "kubectl describe pods nosuch" that failed, nor by
// "kubectl descibe pod".
type ranGoal struct {
	pattern *command
	text    string
}

func (g *ranGoal) parse(s string) error {
	p, err := parseCommand(s)
	if err != nil {
		return fmt.Errorf("ran %q: %v", s, err)
	}
	switch p.prog {
	case "kubectl", "node", "crash", "curl", "sleep":
	default:
		return fmt.Errorf("ran %q: commands are kubectl, node, crash, curl and sleep", s)
	}
	if p.prog == "kubectl" && p.verb == "" {
		return fmt.Errorf("ran %q: name the kubectl verb, such as \"kubectl get pods\"", s)
	}
	g.pattern, g.text = p, strings.TrimSpace(s)
	return nil
}

func (g *ranGoal) newMemory() memory { return &ranMemory{g: g} }

type ranMemory struct {
	g    *ranGoal
	done bool
}

func (m *ranMemory) observe(*engine.Cluster) bool { return m.done }

func (m *ranMemory) command(_ *engine.Cluster, cmd *command, res kubectl.Result) bool {
	if res.ExitCode == 0 && m.g.pattern.matches(cmd) {
		m.done = true
	}
	return m.done
}

func (g *ranGoal) describe() Text {
	return Text{"en": "Run " + code(g.text), "ko": code(g.text) + " 실행"}
}
