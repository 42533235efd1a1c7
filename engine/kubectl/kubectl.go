package kubectl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/podplay/podplay/engine"
)

// Result is what a command printed and its exit code (0 for success, 1
// for an error, as kubectl's).
type Result struct {
	Output   string
	ExitCode int
	// Traffic is what a curl sent through the ingress controller, request
	// by request, for the diagram to draw.
	Traffic []engine.Request
}

// Run runs one terminal command (with a heredoc body, if it has one) on
// the cluster and settles the controllers, as a real cluster would have
// reacted a moment later. Nothing typed can panic the engine: bad input is
// an error in kubectl's words.
func Run(c *engine.Cluster, input string) Result {
	line, stdin, err := splitHeredoc(input)
	if err != nil {
		return fail("error: " + err.Error())
	}
	words, err := splitWords(line)
	if err != nil {
		return fail("error: " + err.Error())
	}
	if len(words) == 0 {
		return Result{}
	}
	switch words[0] {
	case "sleep":
		if err := sleepErr(c, words[1:]); err != nil {
			return fail("error: " + err.Error())
		}
		return Result{}
	case "node":
		out, err := nodePlay(c, words[1:])
		return finish(c, out, err)
	case "crash":
		out, err := crash(c, words[1:])
		return finish(c, out, err)
	case "curl":
		out, reqs, code, err := curl(c, words[1:])
		res := finishCode(c, out, code, err)
		res.Traffic = reqs
		return res
	}
	if words[0] != "kubectl" && words[0] != "k" {
		return fail(fmt.Sprintf("podplay: %s: command not found (commands are kubectl …, and the playground's sleep, node, crash and curl)", words[0]))
	}
	if len(words) == 1 {
		return Result{Output: "kubectl controls the Kubernetes cluster manager.\n\nTry: kubectl get pods, kubectl apply -f - <<EOF, kubectl version\n"}
	}
	verb, rest := words[1], words[2:]
	var out string
	switch verb {
	case "get":
		out, err = get(c, rest)
	case "create":
		if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			out, err = createSub(c, rest)
		} else {
			out, err = apply(c, verb, rest, stdin)
		}
	case "apply":
		out, err = apply(c, verb, rest, stdin)
	case "run":
		out, err = runPod(c, rest)
	case "expose":
		out, err = expose(c, rest)
	case "exec":
		out, code, err := execIn(c, rest)
		return finishCode(c, out, code, err)
	case "delete":
		out, err = del(c, rest)
	case "scale":
		out, err = scale(c, rest)
	case "set":
		out, err = setImage(c, rest)
	case "rollout":
		out, err = rollout(c, rest)
	case "logs":
		out, err = logs(c, rest)
	case "describe":
		out, err = describe(c, rest)
	case "cordon", "uncordon", "drain", "taint":
		out, err = nodeVerb(c, verb, rest)
	case "label", "annotate":
		out, err = labelVerb(c, verb, rest)
	case "top":
		out, err = top(c, rest)
	case "explain":
		out, err = explain(rest)
	case "api-resources":
		out, err = apiResources(rest)
	case "cluster-info":
		out = clusterInfo(c)
	case "version":
		out = fmt.Sprintf("Client Version: %s\nKustomize Version: v5.7.1\nServer Version: %s\n", engine.KubernetesVersion, engine.KubernetesVersion)
	default:
		return fail(unknownCommand(verb))
	}
	if settleErr := c.Settle(); settleErr != nil {
		err = errors.Join(err, settleErr)
	}
	if err != nil {
		return Result{Output: out + errorText(err), ExitCode: 1}
	}
	return Result{Output: out}
}

// finish settles the cluster after a command and renders its result.
func finish(c *engine.Cluster, out string, err error) Result {
	return finishCode(c, out, 0, err)
}

// finishCode is finish for commands with exit codes of their own (exec
// passes on the container's): code is the exit code, raised to 1 if err
// is set and code is 0.
func finishCode(c *engine.Cluster, out string, code int, err error) Result {
	if settleErr := c.Settle(); settleErr != nil {
		err = errors.Join(err, settleErr)
	}
	if err != nil {
		if code == 0 {
			code = 1
		}
		return Result{Output: out + errorText(err), ExitCode: code}
	}
	return Result{Output: out, ExitCode: code}
}

func fail(msg string) Result {
	return Result{Output: strings.TrimSuffix(msg, "\n") + "\n", ExitCode: 1}
}

// verbs lists the commands kubectl knows, for "did you mean".
var verbs = []string{"annotate", "api-resources", "apply", "cluster-info", "cordon", "create", "delete", "describe", "drain",
	"exec", "explain", "expose", "get", "label", "logs", "rollout", "run", "scale", "set", "taint", "top", "uncordon", "version"}

func unknownCommand(verb string) string {
	msg := fmt.Sprintf("error: unknown command %q for \"kubectl\"", verb)
	var near []string
	for _, v := range verbs {
		if levenshtein(verb, v) <= 2 {
			near = append(near, v)
		}
	}
	if len(near) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(near, "\n\t")
	}
	return msg + "\n"
}

func levenshtein(a, b string) int {
	d := make([]int, len(b)+1)
	for j := range d {
		d[j] = j
	}
	for i := 1; i <= len(a); i++ {
		prev := d[0]
		d[0] = i
		for j := 1; j <= len(b); j++ {
			cur := d[j]
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[j] = min(d[j]+1, d[j-1]+1, prev+cost)
			prev = cur
		}
	}
	return d[len(b)]
}

// errorText renders an error as kubectl prints it: errors from the
// (simulated) API server as "Error from server (Reason): …", the rest as
// "error: …".
func errorText(err error) string {
	var lines []string
	for _, e := range unjoin(err) {
		var ae *engine.APIError
		if errors.As(e, &ae) {
			lines = append(lines, apiErrorText(ae))
			continue
		}
		msg := e.Error()
		if !strings.HasPrefix(msg, "error: ") && !strings.HasPrefix(msg, "Error") {
			msg = "error: " + msg
		}
		lines = append(lines, msg)
	}
	return strings.Join(lines, "\n") + "\n"
}

// apiErrorText is kubectl's rendering of an API error: "Error from
// server (Reason): message", except for Invalid, which kubectl writes
// from the field causes: "The Pod "x" is invalid: cause", or one "* cause"
// a line when there are several.
func apiErrorText(ae *engine.APIError) string {
	if ae.Reason != engine.ReasonInvalid || len(ae.Causes) == 0 {
		return fmt.Sprintf("Error from server (%s): %s", ae.Reason, ae.Message)
	}
	head := fmt.Sprintf("The %s %q is invalid: ", ae.Kind, ae.Name)
	if len(ae.Causes) == 1 {
		return head + ae.Causes[0]
	}
	return head + "\n* " + strings.Join(ae.Causes, "\n* ")
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

// namespaceOf returns the namespace a command works in.
func namespaceOf(f flags) string {
	if f.namespace != "" {
		return f.namespace
	}
	return "default"
}

// scope is the namespace to ask in: none for cluster-scoped kinds.
func scope(r resource, ns string) string {
	if !r.kind.Namespaced() {
		return ""
	}
	return ns
}

func known(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}
