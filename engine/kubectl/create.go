package kubectl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podplay/podplay/engine"
)

// splitDashDash separates a verb's words from a command after "--".
func splitDashDash(words []string) (before, after []string, found bool) {
	for i, w := range words {
		if w == "--" {
			return words[:i], words[i+1:], true
		}
	}
	return words, nil, false
}

// createSub is "kubectl create deployment|namespace|ingress NAME …".
func createSub(c *engine.Cluster, words []string) (string, error) {
	sub, rest := words[0], words[1:]
	switch sub {
	case "deployment", "deploy":
		return createDeployment(c, rest)
	case "namespace", "ns":
		f, err := parseFlags(rest, known())
		if err != nil {
			return "", err
		}
		if len(f.args) != 1 {
			return "", errors.New("exactly one NAME is required, got " + strconv.Itoa(len(f.args)))
		}
		return created(c, &engine.Namespace{ObjectMeta: engine.ObjectMeta{Name: f.args[0]}})
	case "ingress", "ing":
		return createIngress(c, rest)
	}
	return "", fmt.Errorf("podplay does not know \"kubectl create %s\"; it knows create deployment, create namespace, create ingress and create -f -", sub)
}

// created creates obj and prints kubectl's "<kind>/<name> created".
func created(c *engine.Cluster, obj engine.Object) (string, error) {
	got, err := c.Create(obj)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/%s created\n", resourceOf(got.GetKind()).qualified(), got.GetObjectMeta().Name), nil
}

// containerName is the name kubectl gives a container from its image:
// "registry.k8s.io/echoserver:1.4" → "echoserver".
func containerName(image string) string {
	name := image
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name, _, _ = strings.Cut(name, "@")
	name, _, _ = strings.Cut(name, ":")
	return name
}

func parsePort(v, flag string) (int32, error) {
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("invalid argument %q for \"--%s\" flag: must be a port number between 1 and 65535", v, flag)
	}
	return int32(n), nil
}

func createDeployment(c *engine.Cluster, words []string) (string, error) {
	words, command, _ := splitDashDash(words)
	f, err := parseFlags(words, known("-n", "--namespace", "--image", "--replicas", "--port"))
	if err != nil {
		return "", err
	}
	if len(f.args) != 1 {
		return "", errors.New("exactly one NAME is required, got " + strconv.Itoa(len(f.args)))
	}
	image, ok := f.value("--image")
	if !ok || image == "" {
		return "", errors.New("required flag(s) \"image\" not set")
	}
	name := f.args[0]
	d := &engine.Deployment{ObjectMeta: engine.ObjectMeta{Name: name, Namespace: namespaceOf(f), Labels: map[string]string{"app": name}}}
	if v, ok := f.value("--replicas"); ok {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return "", fmt.Errorf("invalid argument %q for \"--replicas\" flag", v)
		}
		d.Spec.Replicas = engine.Ptr(int32(n))
	}
	d.Spec.Selector = &engine.LabelSelector{MatchLabels: map[string]string{"app": name}}
	d.Spec.Template.Labels = map[string]string{"app": name}
	ctr := engine.Container{Name: containerName(image), Image: image, Command: command}
	if v, ok := f.value("--port"); ok {
		p, err := parsePort(v, "port")
		if err != nil {
			return "", err
		}
		ctr.Ports = []engine.ContainerPort{{ContainerPort: p}}
	}
	d.Spec.Template.Spec.Containers = []engine.Container{ctr}
	return created(c, d)
}

// createIngress is "kubectl create ingress NAME --rule=host/path=svc:port
// [--class=CLASS]": a path ending in "*" is a Prefix path, any other Exact.
func createIngress(c *engine.Cluster, words []string) (string, error) {
	var rules []string
	var rest []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case strings.HasPrefix(w, "--rule="):
			rules = append(rules, strings.TrimPrefix(w, "--rule="))
		case w == "--rule":
			if i+1 >= len(words) {
				return "", errors.New("flag needs an argument: --rule")
			}
			i++
			rules = append(rules, words[i])
		default:
			rest = append(rest, w)
		}
	}
	f, err := parseFlags(rest, known("-n", "--namespace", "--class", "--default-backend"))
	if err != nil {
		return "", err
	}
	if len(f.args) != 1 {
		return "", errors.New("exactly one NAME is required, got " + strconv.Itoa(len(f.args)))
	}
	ing := &engine.Ingress{ObjectMeta: engine.ObjectMeta{Name: f.args[0], Namespace: namespaceOf(f)}}
	if v, ok := f.value("--class"); ok {
		ing.Spec.IngressClassName = &v
	}
	if v, ok := f.value("--default-backend"); ok {
		b, err := backendOf(v)
		if err != nil {
			return "", err
		}
		ing.Spec.DefaultBackend = &b
	}
	if len(rules) == 0 && ing.Spec.DefaultBackend == nil {
		return "", errors.New("not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)")
	}
	for _, r := range rules {
		hostPath, backend, ok := strings.Cut(r, "=")
		if !ok {
			return "", fmt.Errorf("rule %s is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]", r)
		}
		backend, _, _ = strings.Cut(backend, ",") // tls: podplay does not simulate certificates
		b, err := backendOf(backend)
		if err != nil {
			return "", fmt.Errorf("rule %s is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]", r)
		}
		host, path, _ := strings.Cut(hostPath, "/")
		path = "/" + path
		pathType := "Exact"
		if strings.HasSuffix(path, "*") {
			path, pathType = strings.TrimSuffix(path, "*"), "Prefix"
		}
		ing.Spec.Rules = append(ing.Spec.Rules, engine.IngressRule{Host: host, HTTP: &engine.HTTPIngressRuleValue{
			Paths: []engine.HTTPIngressPath{{Path: path, PathType: pathType, Backend: b}},
		}})
	}
	return created(c, ing)
}

func backendOf(s string) (engine.IngressBackend, error) {
	svc, port, ok := strings.Cut(s, ":")
	if !ok || svc == "" || port == "" {
		return engine.IngressBackend{}, fmt.Errorf("backend %q should be in format svcname:svcport", s)
	}
	b := engine.IngressServiceBackend{Name: svc}
	if n, err := strconv.ParseInt(port, 10, 32); err == nil {
		b.Port.Number = int32(n)
	} else {
		b.Port.Name = port
	}
	return engine.IngressBackend{Service: &b}, nil
}

// runPod is "kubectl run NAME --image=IMAGE [--port] [--labels] [--restart]
// [--env] [-- COMMAND ARGS…]": one pod, labelled run=NAME.
func runPod(c *engine.Cluster, words []string) (string, error) {
	words, after, _ := splitDashDash(words)
	var isCommand bool
	var rest []string
	for _, w := range words {
		if w == "--command" {
			isCommand = true
			continue
		}
		rest = append(rest, w)
	}
	f, err := parseFlags(rest, known("-n", "--namespace", "--image", "--port", "--labels", "-l", "--restart", "--env"))
	if err != nil {
		return "", err
	}
	if len(f.args) != 1 {
		return "", errors.New("NAME is required for run")
	}
	image, ok := f.value("--image")
	if !ok || image == "" {
		return "", errors.New("required flag(s) \"image\" not set")
	}
	name := f.args[0]
	p := &engine.Pod{ObjectMeta: engine.ObjectMeta{Name: name, Namespace: namespaceOf(f), Labels: map[string]string{"run": name}}}
	if v, ok := f.value("--labels", "-l"); ok {
		p.Labels = map[string]string{}
		for _, kv := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(kv, "=")
			if !ok {
				return "", fmt.Errorf("invalid label spec: %s", kv)
			}
			p.Labels[k] = val
		}
	}
	switch v, _ := f.value("--restart"); v {
	case "", "Always":
	case "OnFailure", "Never":
		p.Spec.RestartPolicy = engine.RestartPolicy(v)
	default:
		return "", fmt.Errorf("invalid restart policy: %s", v)
	}
	ctr := engine.Container{Name: name, Image: image}
	if isCommand {
		ctr.Command = after
	} else {
		ctr.Args = after
	}
	if v, ok := f.value("--port"); ok {
		port, err := parsePort(v, "port")
		if err != nil {
			return "", err
		}
		ctr.Ports = []engine.ContainerPort{{ContainerPort: port}}
	}
	if v, ok := f.value("--env"); ok {
		k, val, ok := strings.Cut(v, "=")
		if !ok {
			return "", fmt.Errorf("invalid env: %s", v)
		}
		ctr.Env = []engine.EnvVar{{Name: k, Value: val}}
	}
	p.Spec.Containers = []engine.Container{ctr}
	return created(c, p)
}

// expose makes a Service for a Deployment, ReplicaSet, Pod or Service, with
// the selector of what it exposes.
func expose(c *engine.Cluster, words []string) (string, error) {
	f, err := parseFlags(words, known("-n", "--namespace", "--port", "--target-port", "--type", "--name", "--protocol"))
	if err != nil {
		return "", err
	}
	r, name, err := targetOf(f.args)
	if err != nil {
		return "", errors.New("you must provide the resource to expose, as in: kubectl expose deployment web --port=80")
	}
	ns := namespaceOf(f)
	obj, err := c.Get(r.kind, ns, name)
	if err != nil {
		return "", err
	}
	var selector map[string]string
	var ports []engine.ContainerPort
	switch o := obj.(type) {
	case *engine.Deployment:
		selector, ports = matchLabelsOf(o.Spec.Selector), containerPorts(o.Spec.Template.Spec)
	case *engine.ReplicaSet:
		selector, ports = matchLabelsOf(o.Spec.Selector), containerPorts(o.Spec.Template.Spec)
	case *engine.Pod:
		selector, ports = o.Labels, containerPorts(o.Spec)
	case *engine.Service:
		selector = o.Spec.Selector
	default:
		return "", fmt.Errorf("cannot expose a %s", r.singular)
	}
	if len(selector) == 0 {
		return "", fmt.Errorf("couldn't retrieve selectors via --selector flag or introspection: the %s %q has no labels to select its pods by", r.singular, name)
	}
	svc := &engine.Service{ObjectMeta: engine.ObjectMeta{Name: name, Namespace: ns, Labels: obj.GetObjectMeta().Labels}}
	if v, ok := f.value("--name"); ok {
		svc.Name = v
	}
	svc.Spec.Selector = selector
	if v, ok := f.value("--type"); ok {
		switch v {
		case "ClusterIP", "NodePort", "LoadBalancer":
			svc.Spec.Type = v
		default:
			return "", fmt.Errorf("invalid service type %q: podplay knows ClusterIP, NodePort and LoadBalancer", v)
		}
	}
	port := engine.ServicePort{Protocol: "TCP"}
	if v, ok := f.value("--protocol"); ok {
		port.Protocol = v
	}
	if v, ok := f.value("--port"); ok {
		if port.Port, err = parsePort(v, "port"); err != nil {
			return "", err
		}
	} else if len(ports) > 0 {
		port.Port = ports[0].ContainerPort
	} else {
		return "", errors.New("couldn't find port via --port flag or introspection")
	}
	if v, ok := f.value("--target-port"); ok {
		port.TargetPort = intstr.Parse(v)
	} else {
		port.TargetPort = intstr.FromInt32(port.Port)
	}
	svc.Spec.Ports = []engine.ServicePort{port}
	if _, err := c.Create(svc); err != nil {
		return "", err
	}
	return fmt.Sprintf("service/%s exposed\n", svc.Name), nil
}

func matchLabelsOf(s *engine.LabelSelector) map[string]string {
	if s == nil {
		return nil
	}
	return s.MatchLabels
}

func containerPorts(s engine.PodSpec) []engine.ContainerPort {
	var out []engine.ContainerPort
	for _, ctr := range s.Containers {
		out = append(out, ctr.Ports...)
	}
	return out
}
