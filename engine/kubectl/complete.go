package kubectl

import (
	"slices"
	"strings"

	"github.com/podplay/podplay/engine"
)

// Complete returns the words that may come next at the end of a partial
// terminal line, for the browser's tab completion: commands, kubectl
// verbs, resource types, object names and flags. The last word of line
// (empty after a space) is the prefix the candidates start with. The
// candidates are sorted and unique.
func Complete(c *engine.Cluster, line string) []string {
	words := strings.Fields(line)
	prefix := ""
	if len(words) > 0 && !strings.HasSuffix(line, " ") {
		prefix, words = words[len(words)-1], words[:len(words)-1]
	}
	return filter(candidates(c, words, prefix), prefix)
}

func filter(cands []string, prefix string) []string {
	var out []string
	for _, w := range cands {
		if strings.HasPrefix(w, prefix) {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// verbFlags are the flags each verb takes, for completion.
var verbFlags = map[string][]string{
	"get":      {"-n", "--namespace", "-A", "--all-namespaces", "-l", "--selector", "-o", "--output", "--show-labels"},
	"describe": {"-n", "--namespace", "-l", "--selector"},
	"apply":    {"-f", "-n", "--namespace"},
	"create":   {"-f", "-n", "--namespace", "--image", "--replicas", "--port", "--rule", "--class"},
	"delete":   {"-n", "--namespace", "-l", "--selector", "--grace-period", "--force", "--now"},
	"scale":    {"-n", "--namespace", "--replicas"},
	"rollout":  {"-n", "--namespace", "--to-revision", "--revision", "--timeout"},
	"logs":     {"-n", "--namespace", "-c", "--container", "-p", "--previous", "--tail"},
	"exec":     {"-n", "--namespace", "-c", "--container", "-it", "--"},
	"run":      {"-n", "--namespace", "--image", "--port", "--labels", "--restart", "--env", "--command", "--"},
	"expose":   {"-n", "--namespace", "--port", "--target-port", "--type", "--name"},
	"drain":    {"--ignore-daemonsets", "--delete-emptydir-data", "--force", "--grace-period", "--timeout"},
	"taint":    {"--overwrite"},
	"top":      {"-n", "--namespace", "-A", "--all-namespaces", "-l", "--selector", "--sort-by", "--containers"},
	"label":    {"-n", "--namespace", "--overwrite", "-l", "--selector", "--all"},
	"annotate": {"-n", "--namespace", "--overwrite", "-l", "--selector", "--all"},
}

func candidates(c *engine.Cluster, words []string, prefix string) []string {
	if len(words) == 0 {
		return []string{"kubectl", "sleep", "node", "crash", "curl"}
	}
	switch words[0] {
	case "node":
		if len(words) == 1 {
			return []string{"add", "kill", "restore"}
		}
		return names(c, engine.KindNode, "")
	case "crash":
		return names(c, engine.KindPod, namespaceIn(words))
	case "kubectl", "k":
	default:
		return nil
	}
	if len(words) == 1 {
		return verbs
	}
	verb, args := words[1], words[2:]
	if strings.HasPrefix(prefix, "-") {
		return verbFlags[verb]
	}
	ns := namespaceIn(words)
	// The last word may be a flag waiting for its value.
	if len(args) > 0 {
		switch args[len(args)-1] {
		case "-n", "--namespace":
			return names(c, engine.KindNamespace, "")
		case "-o", "--output":
			return []string{"wide", "yaml", "json", "name"}
		case "-c", "--container":
			return containersOf(c, ns, args)
		case "--type":
			return []string{"ClusterIP", "NodePort", "LoadBalancer"}
		}
	}
	positional := positionals(args)
	switch verb {
	case "get", "describe", "delete", "label", "annotate":
		if len(positional) == 0 {
			if t, _, ok := strings.Cut(prefix, "/"); ok {
				return typedNames(c, t, ns)
			}
			out := resourceWords()
			if verb == "get" {
				out = append(out, "all")
			}
			return out
		}
		if r, ok := lookup(positional[0]); ok && !strings.Contains(positional[0], "/") {
			return names(c, r.kind, ns)
		}
	case "logs", "exec":
		if len(positional) == 0 {
			return names(c, engine.KindPod, ns)
		}
	case "cordon", "uncordon", "drain":
		return names(c, engine.KindNode, "")
	case "taint":
		if len(positional) == 0 {
			return []string{"nodes"}
		}
		return names(c, engine.KindNode, "")
	case "scale", "expose", "set", "rollout":
		if verb == "rollout" && len(positional) == 0 {
			return []string{"history", "pause", "restart", "resume", "status", "undo"}
		}
		if verb == "set" && len(positional) == 0 {
			return []string{"image"}
		}
		var out []string
		for _, n := range names(c, engine.KindDeployment, ns) {
			out = append(out, "deployment/"+n)
		}
		if verb != "rollout" {
			for _, n := range names(c, engine.KindReplicaSet, ns) {
				out = append(out, "replicaset/"+n)
			}
		}
		return out
	case "create":
		if len(positional) == 0 {
			return []string{"deployment", "namespace", "ingress", "-f"}
		}
	case "top":
		if len(positional) == 0 {
			return []string{"node", "pod"}
		}
		if positional[0] == "node" || positional[0] == "nodes" {
			return names(c, engine.KindNode, "")
		}
		return names(c, engine.KindPod, ns)
	}
	return nil
}

// positionals drops flags (and the values of flags that take one).
func positionals(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if !strings.Contains(a, "=") && takesValue(a) {
				i++
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

func takesValue(flag string) bool {
	switch flag {
	case "-A", "--all-namespaces", "--show-labels", "--force", "--now", "--overwrite", "--all",
		"--ignore-daemonsets", "--delete-emptydir-data", "--command", "-it", "-ti", "-i", "-t", "--":
		return false
	}
	return !boolFlags[flag]
}

func namespaceIn(words []string) string {
	for i, w := range words {
		if (w == "-n" || w == "--namespace") && i+1 < len(words) {
			return words[i+1]
		}
		if v, ok := strings.CutPrefix(w, "--namespace="); ok {
			return v
		}
	}
	return "default"
}

func resourceWords() []string {
	var out []string
	for _, r := range resources {
		out = append(out, r.plural)
		out = append(out, r.short...)
	}
	return out
}

func names(c *engine.Cluster, kind engine.Kind, ns string) []string {
	if !kind.Namespaced() {
		ns = ""
	}
	var out []string
	for _, o := range c.List(kind, ns, nil) {
		out = append(out, o.GetObjectMeta().Name)
	}
	return out
}

func typedNames(c *engine.Cluster, t, ns string) []string {
	r, ok := lookup(t)
	if !ok {
		return nil
	}
	var out []string
	for _, n := range names(c, r.kind, ns) {
		out = append(out, t+"/"+n)
	}
	return out
}

func containersOf(c *engine.Cluster, ns string, args []string) []string {
	pos := positionals(args[:len(args)-1])
	if len(pos) == 0 {
		return nil
	}
	name := strings.TrimPrefix(strings.TrimPrefix(pos[0], "pod/"), "pods/")
	p, err := c.GetPod(ns, name)
	if err != nil {
		return nil
	}
	var out []string
	for _, ctr := range p.Spec.InitContainers {
		out = append(out, ctr.Name)
	}
	for _, ctr := range p.Spec.Containers {
		out = append(out, ctr.Name)
	}
	return out
}
