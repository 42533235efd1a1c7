package lessons

import (
	"errors"
	"strings"

	"github.com/podplay/podplay/engine/kubectl"
)

// command is a terminal line as the goals see it: which program, verb,
// resources and names, and flags — parsed, so that "kubectl describe
// po/web" and "k describe pod web" are the same fact.
type command struct {
	// prog is kubectl (for k too), node, crash, curl or sleep.
	prog string
	// verb is kubectl's verb, with its subcommand where it has one
	// ("rollout undo", "set image"), or the playground verb's ("kill").
	verb string
	// resources are canonical singular resource names ("pod",
	// "deployment"); names are the objects named.
	resources []string
	names     []string
	flags     map[string]string
	// args are the remaining words: after "--" or a URL.
	args []string
}

// valueFlags take a value as the next word; every other flag is a switch.
var valueFlags = map[string]bool{
	"-o": true, "--output": true, "-n": true, "--namespace": true, "-l": true, "--selector": true,
	"-c": true, "--container": true, "--image": true, "--replicas": true, "--port": true,
	"--target-port": true, "-f": true, "--filename": true, "--grace-period": true, "--to-revision": true,
	"--timeout": true, "--type": true, "--name": true, "-H": true, "--cpu": true, "--memory": true,
	"--pods": true, "--field-selector": true, "--sort-by": true, "--protocol": true, "--revision": true,
	"--tail": true, "--since": true, "--overwrite": false, "--restart": true, "--env": true, "--labels": true,
}

// flagNames maps a flag's short and long forms to one name.
var flagNames = map[string]string{
	"--output": "-o", "--namespace": "-n", "--selector": "-l", "--container": "-c", "--filename": "-f",
	"--all-namespaces": "-A", "--watch": "-w", "--previous": "-p",
}

// resourceNames maps every name kubectl accepts for a resource to its
// singular.
var resourceNames = func() map[string]string {
	m := map[string]string{}
	for _, r := range [][]string{
		{"pod", "pods", "po"}, {"node", "nodes", "no"}, {"namespace", "namespaces", "ns"},
		{"deployment", "deployments", "deploy"}, {"replicaset", "replicasets", "rs"},
		{"service", "services", "svc"}, {"endpoints", "ep"}, {"ingress", "ingresses", "ing"},
		{"ingressclass", "ingressclasses"}, {"persistentvolume", "persistentvolumes", "pv"},
		{"persistentvolumeclaim", "persistentvolumeclaims", "pvc"}, {"storageclass", "storageclasses", "sc"},
		{"event", "events", "ev"},
	} {
		for _, n := range r {
			m[n] = r[0]
		}
	}
	return m
}()

// canonicalResource resolves what was typed ("deploy", "deployments.apps",
// "Pod") to a singular, or "" if it is not a resource.
func canonicalResource(s string) string {
	base, _, _ := strings.Cut(strings.ToLower(s), ".")
	return resourceNames[base]
}

// subcommands are kubectl verbs whose next word is part of the verb.
var subcommands = map[string]bool{"rollout": true, "set": true, "top": false, "config": true}

// parseCommand reads a terminal input (its first line; a heredoc's body is
// not the command).
func parseCommand(input string) (*command, error) {
	words, err := kubectl.Words(input)
	if err != nil {
		return nil, err
	}
	if len(words) == 0 {
		return nil, errors.New("empty command")
	}
	cmd := &command{prog: words[0], flags: map[string]string{}}
	if cmd.prog == "k" {
		cmd.prog = "kubectl"
	}
	rest := words[1:]
	var pos []string
	for i := 0; i < len(rest); i++ {
		w := rest[i]
		if w == "--" {
			cmd.args = append(cmd.args, rest[i+1:]...)
			break
		}
		if !strings.HasPrefix(w, "-") || w == "-" || isNumber(w) {
			pos = append(pos, w)
			continue
		}
		name, value, hasValue := strings.Cut(w, "=")
		if !hasValue && valueFlags[name] && i+1 < len(rest) {
			i++
			value = rest[i]
		}
		if n, ok := flagNames[name]; ok {
			name = n
		}
		cmd.flags[name] = value
	}
	switch cmd.prog {
	case "kubectl":
		cmd.parseKubectl(pos)
	case "node":
		if len(pos) > 0 {
			cmd.verb, pos = pos[0], pos[1:]
		}
		cmd.resources = []string{"node"}
		cmd.names = pos
	case "crash":
		cmd.resources = []string{"pod"}
		cmd.names = podNames(pos)
	default:
		cmd.args = append(pos, cmd.args...)
	}
	return cmd, nil
}

func isNumber(w string) bool {
	w = strings.TrimPrefix(w, "-")
	return w != "" && strings.Trim(w, "0123456789") == ""
}

func (cmd *command) parseKubectl(pos []string) {
	if len(pos) == 0 {
		return
	}
	cmd.verb, pos = pos[0], pos[1:]
	if subcommands[cmd.verb] && len(pos) > 0 {
		cmd.verb += " " + pos[0]
		pos = pos[1:]
	}
	switch cmd.verb {
	case "exec", "logs", "port-forward", "attach":
		cmd.resources = []string{"pod"}
		if len(pos) > 0 {
			cmd.names = podNames(pos[:1])
			cmd.args = append(pos[1:], cmd.args...)
		}
		return
	case "cordon", "uncordon", "drain":
		cmd.resources = []string{"node"}
		cmd.names = pos
		return
	}
	if len(pos) == 0 {
		return
	}
	// TYPE NAME…, TYPE/NAME…, or TYPE1,TYPE2.
	if t, name, ok := strings.Cut(pos[0], "/"); ok {
		for _, w := range pos {
			t, name, _ = strings.Cut(w, "/")
			if r := canonicalResource(t); r != "" {
				cmd.resources = append(cmd.resources, r)
				cmd.names = append(cmd.names, name)
			} else {
				cmd.args = append(cmd.args, w)
			}
		}
		return
	}
	for _, t := range strings.Split(pos[0], ",") {
		if r := canonicalResource(t); r != "" {
			cmd.resources = append(cmd.resources, r)
		}
	}
	if len(cmd.resources) == 0 {
		cmd.args = append(pos, cmd.args...)
		return
	}
	for _, w := range pos[1:] {
		if strings.Contains(w, "=") { // label key=value, image name=image
			cmd.args = append(cmd.args, w)
			continue
		}
		cmd.names = append(cmd.names, w)
	}
}

func podNames(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		if t, name, ok := strings.Cut(w, "/"); ok && canonicalResource(t) == "pod" {
			w = name
		}
		out[i] = w
	}
	return out
}

// matches reports whether cmd is an instance of pattern p: same program
// and verb, one of p's resources, every name and flag of p.
func (p *command) matches(cmd *command) bool {
	if p.prog != cmd.prog || p.verb != "" && p.verb != cmd.verb {
		return false
	}
	for _, r := range p.resources {
		found := false
		for _, cr := range cmd.resources {
			if cr == r {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	for _, n := range p.names {
		found := false
		for _, cn := range cmd.names {
			if cn == n {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	for k, v := range p.flags {
		cv, ok := cmd.flags[k]
		if !ok || v != "" && v != cv {
			return false
		}
	}
	return true
}
