package kubectl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/podplay/podplay/engine"
)

// targetOf reads "TYPE NAME" or "TYPE/NAME" from a verb's arguments.
func targetOf(args []string) (resource, string, error) {
	if len(args) == 0 {
		return resource{}, "", errors.New("you must specify the type of resource and its name, as in deployment/web")
	}
	t, name, slash := strings.Cut(args[0], "/")
	rest := args[1:]
	if !slash {
		if len(rest) == 0 {
			return resource{}, "", errors.New("resource(s) were provided, but no name was specified")
		}
		name, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return resource{}, "", fmt.Errorf("unexpected argument %q", rest[0])
	}
	r, ok := lookup(t)
	if !ok {
		return resource{}, "", fmt.Errorf("the server doesn't have a resource type %q", t)
	}
	if name == "" {
		return resource{}, "", errors.New("resource name may not be empty")
	}
	return r, name, nil
}

// scale sets the replicas of a Deployment or ReplicaSet.
func scale(c *engine.Cluster, words []string) (string, error) {
	f, err := parseFlags(words, known("-n", "--namespace", "--replicas"))
	if err != nil {
		return "", err
	}
	v, ok := f.value("--replicas")
	if !ok {
		return "", errors.New("required flag(s) \"replicas\" not set")
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return "", fmt.Errorf("invalid argument %q for \"--replicas\" flag: %w", v, errors.Unwrap(err))
	}
	r, name, err := targetOf(f.args)
	if err != nil {
		return "", err
	}
	obj, err := c.Get(r.kind, namespaceOf(f), name)
	if err != nil {
		return "", err
	}
	replicas := int32(n)
	switch o := obj.(type) {
	case *engine.Deployment:
		o.Spec.Replicas = &replicas
	case *engine.ReplicaSet:
		o.Spec.Replicas = &replicas
	default:
		return "", fmt.Errorf("cannot scale a %s: only deployments and replicasets have replicas", r.singular)
	}
	if _, err := c.Update(obj); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/%s scaled\n", r.qualified(), name), nil
}

// setImage is "kubectl set image TYPE/NAME CONTAINER=IMAGE…".
func setImage(c *engine.Cluster, words []string) (string, error) {
	if len(words) == 0 || words[0] != "image" {
		return "", errors.New(`podplay knows "kubectl set image" only, as in: kubectl set image deployment/web nginx=nginx:1.28`)
	}
	f, err := parseFlags(words[1:], known("-n", "--namespace"))
	if err != nil {
		return "", err
	}
	var objArgs []string
	images := map[string]string{}
	var order []string
	for _, a := range f.args {
		if ctr, img, ok := strings.Cut(a, "="); ok {
			images[ctr] = img
			order = append(order, ctr)
			continue
		}
		objArgs = append(objArgs, a)
	}
	if len(images) == 0 {
		return "", errors.New("at least one image update is required, as in nginx=nginx:1.28")
	}
	r, name, err := targetOf(objArgs)
	if err != nil {
		return "", err
	}
	obj, err := c.Get(r.kind, namespaceOf(f), name)
	if err != nil {
		return "", err
	}
	var spec *engine.PodSpec
	switch o := obj.(type) {
	case *engine.Deployment:
		spec = &o.Spec.Template.Spec
	case *engine.ReplicaSet:
		spec = &o.Spec.Template.Spec
	case *engine.Pod:
		spec = &o.Spec
	default:
		return "", fmt.Errorf("a %s has no containers", r.singular)
	}
	for _, ctr := range order {
		found := false
		for _, list := range [][]engine.Container{spec.InitContainers, spec.Containers} {
			for i := range list {
				if list[i].Name == ctr || ctr == "*" {
					list[i].Image = images[ctr]
					found = true
				}
			}
		}
		if !found {
			return "", fmt.Errorf("unable to find container named %q", ctr)
		}
	}
	if _, err := c.Update(obj); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/%s image updated\n", r.qualified(), name), nil
}

// rolloutTimeout bounds how much virtual time rollout status waits.
const rolloutTimeout = 10 * time.Minute

func rollout(c *engine.Cluster, words []string) (string, error) {
	if len(words) == 0 {
		return "", errors.New("rollout needs a subcommand: status, history, undo, restart, pause or resume")
	}
	sub := words[0]
	f, err := parseFlags(words[1:], known("-n", "--namespace", "--to-revision", "--revision", "--timeout"))
	if err != nil {
		return "", err
	}
	r, name, err := targetOf(f.args)
	if err != nil {
		return "", err
	}
	if r.kind != engine.KindDeployment {
		return "", fmt.Errorf("no rollout for %s: podplay rolls out deployments", r.plural)
	}
	ns := namespaceOf(f)
	if _, err := c.Get(r.kind, ns, name); err != nil {
		return "", err
	}
	switch sub {
	case "status":
		timeout := rolloutTimeout
		if v, ok := f.value("--timeout"); ok {
			if timeout, err = time.ParseDuration(v); err != nil || timeout <= 0 {
				return "", fmt.Errorf("invalid argument %q for \"--timeout\" flag", v)
			}
		}
		return rolloutStatus(c, ns, name, timeout)
	case "history":
		revs, err := c.RolloutHistory(ns, name)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		if v, ok := f.value("--revision"); ok {
			for _, rv := range revs {
				if strconv.FormatInt(rv.Number, 10) == v {
					fmt.Fprintf(&b, "deployment.apps/%s with revision #%d\nPod Template:\n", name, rv.Number)
					fmt.Fprintf(&b, "  Labels:\t%s\n", labelString(rv.Template.Labels))
					b.WriteString("  Containers:\n")
					for _, ctr := range rv.Template.Spec.Containers {
						fmt.Fprintf(&b, "   %s:\n    Image:\t%s\n", ctr.Name, ctr.Image)
					}
					return b.String(), nil
				}
			}
			return "", fmt.Errorf("unable to find the specified revision")
		}
		fmt.Fprintf(&b, "deployment.apps/%s \n", name)
		w := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
		fmt.Fprintln(w, "REVISION\tCHANGE-CAUSE")
		for _, rv := range revs {
			fmt.Fprintf(w, "%d\t%s\n", rv.Number, orNone(rv.ChangeCause))
		}
		w.Flush()
		return b.String() + "\n", nil
	case "undo":
		var to int64
		if v, ok := f.value("--to-revision"); ok {
			if to, err = strconv.ParseInt(v, 10, 64); err != nil {
				return "", fmt.Errorf("invalid argument %q for \"--to-revision\" flag", v)
			}
		}
		msg, err := c.RollbackDeployment(ns, name, to)
		if err != nil {
			return "", err
		}
		if msg != "" {
			return fmt.Sprintf("deployment.apps/%s %s\n", name, msg), nil
		}
		return fmt.Sprintf("deployment.apps/%s rolled back\n", name), nil
	case "restart", "pause", "resume":
		obj, err := c.Get(engine.KindDeployment, ns, name)
		if err != nil {
			return "", err
		}
		d := obj.(*engine.Deployment)
		switch sub {
		case "restart":
			if d.Spec.Paused {
				return "", fmt.Errorf("can't restart paused deployment (run rollout resume first)")
			}
			if d.Spec.Template.Annotations == nil {
				d.Spec.Template.Annotations = map[string]string{}
			}
			d.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] = c.Now().Format(time.RFC3339)
		case "pause":
			if d.Spec.Paused {
				return "", fmt.Errorf("deployments.apps %q is already paused", name)
			}
			d.Spec.Paused = true
		case "resume":
			if !d.Spec.Paused {
				return "", fmt.Errorf("deployments.apps %q is not paused", name)
			}
			d.Spec.Paused = false
		}
		if _, err := c.Update(d); err != nil {
			return "", err
		}
		word := map[string]string{"restart": "restarted", "pause": "paused", "resume": "resumed"}[sub]
		return fmt.Sprintf("deployment.apps/%s %s\n", name, word), nil
	}
	return "", fmt.Errorf("unknown command %q for \"kubectl rollout\"", sub)
}

// rolloutStatus watches a Deployment as kubectl rollout status does,
// moving virtual time until the rollout is done, fails, or times out, and
// prints each new state once.
func rolloutStatus(c *engine.Cluster, ns, name string, timeout time.Duration) (string, error) {
	var b strings.Builder
	last := ""
	deadline := c.Now().Add(timeout)
	for {
		if err := c.Settle(); err != nil {
			return b.String(), err
		}
		obj, err := c.Get(engine.KindDeployment, ns, name)
		if err != nil {
			return b.String(), err
		}
		msg, done, err := deploymentStatus(obj.(*engine.Deployment))
		if err != nil {
			return b.String(), err
		}
		if msg != last {
			b.WriteString(msg)
			last = msg
		}
		if done {
			return b.String(), nil
		}
		next, ok := c.NextTimer()
		if !ok || next.After(deadline) {
			if ok || c.Now().Before(deadline) {
				// Nothing more will happen, or not before the deadline:
				// time still passes while kubectl waits.
				if err := c.Advance(deadline.Sub(c.Now())); err != nil {
					return b.String(), err
				}
			}
			return b.String(), errors.New("timed out waiting for the condition")
		}
		if _, err := c.Step(); err != nil {
			return b.String(), err
		}
	}
}

// deploymentStatus is kubectl's DeploymentStatusViewer.
func deploymentStatus(d *engine.Deployment) (msg string, done bool, err error) {
	if d.Generation > d.Status.ObservedGeneration {
		return "Waiting for deployment spec update to be observed...\n", false, nil
	}
	for _, cond := range d.Status.Conditions {
		if cond.Type == "Progressing" && cond.Reason == "ProgressDeadlineExceeded" {
			return "", false, fmt.Errorf("deployment %q exceeded its progress deadline", d.Name)
		}
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	s := d.Status
	switch {
	case s.UpdatedReplicas < want:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...\n", d.Name, s.UpdatedReplicas, want), false, nil
	case s.Replicas > s.UpdatedReplicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...\n", d.Name, s.Replicas-s.UpdatedReplicas), false, nil
	case s.AvailableReplicas < s.UpdatedReplicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...\n", d.Name, s.AvailableReplicas, s.UpdatedReplicas), false, nil
	}
	return fmt.Sprintf("deployment %q successfully rolled out\n", d.Name), true, nil
}

// logs prints a container's simulated log.
func logs(c *engine.Cluster, words []string) (string, error) {
	f, err := parseFlags(words, known("-n", "--namespace", "-c", "--container", "-p", "--previous", "--tail"))
	if err != nil {
		return "", err
	}
	if len(f.args) != 1 {
		return "", errors.New("expected POD or TYPE/NAME as the only argument, as in: kubectl logs web-6744467f46-flz7q")
	}
	ns := namespaceOf(f)
	name, found, err := podArg(c, ns, f.args[0], "reads logs of")
	if err != nil {
		return "", err
	}
	pod, err := c.GetPod(ns, name)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if found > 1 {
		fmt.Fprintf(&b, "Found %v pods, using pod/%v\n", found, name)
	}
	ctr, _ := f.value("-c", "--container")
	if ctr == "" && len(pod.Spec.Containers) > 1 {
		ctr = pod.Annotations["kubectl.kubernetes.io/default-container"]
		if ctr == "" {
			ctr = pod.Spec.Containers[0].Name
			var names []string
			for _, c := range pod.Spec.InitContainers {
				names = append(names, c.Name)
			}
			for _, c := range pod.Spec.Containers {
				names = append(names, c.Name)
			}
			fmt.Fprintf(&b, "Defaulted container %q out of: %s\n", ctr, strings.Join(names, ", "))
		}
	}
	lines, err := c.Logs(ns, name, ctr, f.isSet("-p", "--previous"))
	if err != nil {
		return "", err
	}
	if v, ok := f.value("--tail"); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return "", fmt.Errorf("invalid argument %q for \"--tail\" flag", v)
		}
		if n >= 0 && n < len(lines) {
			lines = lines[len(lines)-n:]
		}
	}
	for _, l := range lines {
		b.WriteString(l.Text)
		b.WriteString("\n")
	}
	return b.String(), nil
}

// sleep moves virtual time: "sleep 30s" (a bare number is seconds).
func sleepErr(c *engine.Cluster, words []string) error {
	if len(words) != 1 {
		return errors.New("usage: sleep DURATION, as in sleep 30s")
	}
	arg := words[0]
	if _, err := strconv.Atoi(arg); err == nil {
		arg += "s"
	}
	d, err := time.ParseDuration(arg)
	if err != nil || d < 0 {
		return fmt.Errorf("sleep: invalid time interval %q", words[0])
	}
	if d > 24*time.Hour {
		return fmt.Errorf("sleep: %s is more than a day of virtual time; sleep at most 24h at once", d)
	}
	return c.Advance(d)
}
