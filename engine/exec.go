package engine

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// execHost is a container's world for a command run by Exec: the same
// files, with standard output captured instead of logged.
type execHost struct {
	containerHost
	out *strings.Builder
}

func (h execHost) log(line string)         { h.out.WriteString(line + "\n") }
func (h execHost) logTemplate(tmpl string) { h.log(tmpl) }

// ExecResult is what a command run in a container printed and how it
// ended.
type ExecResult struct {
	Output   string
	ExitCode int
}

// Exec runs a command in a running container, as kubectl exec does: argv
// is the command and its arguments (["sh", "-c", "…"] for a shell line).
// The command sees and changes the container's files — its writable layer
// and mounted volumes — and runs to completion at the current instant (a
// sleep in it does not wait). Errors are kubectl's.
func (c *Cluster) Exec(namespace, pod, container string, argv []string) (ExecResult, error) {
	p, rt, err := c.podRuntime(namespace, pod)
	if err != nil {
		if p != nil {
			return ExecResult{}, &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf("unable to upgrade connection: container not found (%q)", container)}
		}
		return ExecResult{}, err
	}
	cr, err := rt.container(p, container)
	if err != nil {
		return ExecResult{}, err
	}
	if cr.state != phaseRunning || !c.NodeRunning(p.Spec.NodeName) {
		return ExecResult{}, &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf("unable to upgrade connection: container not found (%q)", cr.spec.Name)}
	}
	if len(argv) == 0 {
		return ExecResult{}, &APIError{Reason: ReasonBadRequest, Message: "you must specify at least one command for the container"}
	}
	im := cr.image
	cmd := path.Base(argv[0])
	known := im.Generic || slices.Contains(im.Binaries, cmd) || (im.Shell && slices.Contains(coreutils, cmd))
	if !known {
		return ExecResult{Output: fmt.Sprintf("OCI runtime exec failed: exec failed: unable to start container process: exec: %q: executable file not found in $PATH: unknown\n", argv[0]), ExitCode: 126}, nil
	}
	vars := containerEnv(p, cr.spec)
	proc := &process{image: im, vars: vars}
	if slices.Contains([]string{"sh", "bash", "ash", "dash"}, cmd) && len(argv) >= 3 && argv[1] == "-c" {
		nodes, err := parseShell(argv[2])
		if err != nil {
			return ExecResult{Output: cmd + ": " + err.Error() + "\n", ExitCode: 2}, nil
		}
		proc.code = append(compileShell(nodes, nil), instr{op: opExitStatus})
	} else {
		proc.code = []instr{{op: opExec, args: slices.Clone(argv)}, {op: opExitStatus}}
	}
	var out strings.Builder
	host := execHost{containerHost: containerHost{k: c.kubelet, pod: p, rt: rt, ctr: cr}, out: &out}
	for range 1000 {
		proc.run(host)
		if proc.done || proc.serving || proc.wakeAt.IsZero() {
			break
		}
		// A sleep in an exec'd command does not wait for virtual time.
	}
	code := proc.exit
	if !proc.done {
		code = 0
	}
	return ExecResult{Output: out.String(), ExitCode: code}, nil
}

// ExitError formats an exec exit code as kubectl does.
func (r ExecResult) ExitError() string {
	if r.ExitCode == 0 {
		return ""
	}
	return "command terminated with exit code " + strconv.Itoa(r.ExitCode)
}
