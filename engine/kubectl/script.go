package kubectl

import (
	"fmt"
	"strings"
	"time"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/manifest"
)

// DefaultCluster is the cluster a terminal, a script or a lesson starts
// on unless told otherwise: three Ready nodes, node-1 to node-3, of 4 CPU
// and 8Gi each.
func DefaultCluster(seed uint64) (*engine.Cluster, error) {
	c := engine.New(engine.Config{Seed: seed, Limits: engine.LearnerLimits()})
	for i := 1; i <= 3; i++ {
		if _, err := c.AddNode(engine.NodeOptions{Name: fmt.Sprintf("node-%d", i), CPU: "4", Memory: "8Gi"}); err != nil {
			return nil, err
		}
	}
	// A minute of virtual time: the nodes report Ready, as a cluster one
	// is given has long been up.
	if err := c.Advance(time.Minute); err != nil {
		return nil, err
	}
	return c, nil
}

// ClusterFrom builds a starting cluster from a manifest instead: its
// Nodes join (capacity from status.capacity, default 2 CPU / 4Gi), its
// other objects are created in order, and a minute passes so that the
// nodes are Ready.
func ClusterFrom(seed uint64, data []byte) (*engine.Cluster, error) {
	docs, err := manifest.Decode(data)
	if err != nil {
		return nil, err
	}
	c := engine.New(engine.Config{Seed: seed, Limits: engine.LearnerLimits()})
	for _, d := range docs {
		if _, err := c.Create(d.Object); err != nil {
			return nil, fmt.Errorf("%s %q: %w", d.Object.GetKind(), d.Object.GetObjectMeta().Name, err)
		}
	}
	if err := c.Advance(time.Minute); err != nil {
		return nil, err
	}
	return c, nil
}

// A Step is one entry of a script: a comment line, kept as written, or a
// command with its heredoc.
type Step struct {
	Comment bool
	Text    string
	// Line is where the step starts in the script, from 1.
	Line int
}

// ParseScript splits a script into steps: one per line, except that a
// command with a heredoc ("<<EOF") takes the lines up to its end marker.
// Blank lines are dropped.
func ParseScript(script string) ([]Step, error) {
	lines := strings.Split(strings.ReplaceAll(script, "\r\n", "\n"), "\n")
	var steps []Step
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		switch {
		case t == "":
			continue
		case strings.HasPrefix(t, "#"):
			steps = append(steps, Step{Comment: true, Text: l, Line: i + 1})
			continue
		}
		marker, ok := heredocMarker(t)
		if !ok {
			steps = append(steps, Step{Text: t, Line: i + 1})
			continue
		}
		start := i
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != marker; i++ {
		}
		if i >= len(lines) {
			return nil, fmt.Errorf("line %d: the heredoc is not closed by a line %s", start+1, marker)
		}
		steps = append(steps, Step{Text: strings.Join(lines[start:i+1], "\n"), Line: start + 1})
	}
	return steps, nil
}

func heredocMarker(line string) (string, bool) {
	i := strings.Index(line, "<<")
	if i < 0 {
		return "", false
	}
	m := strings.Trim(strings.TrimSpace(strings.TrimPrefix(line[i+2:], "-")), `'"`)
	return m, m != ""
}

// RunScript runs a script's steps on c and writes the transcript: each
// command echoed as "$ COMMAND", its output under it, comments as they
// are. With strict, the first failing command ends the run and its error
// is returned (after its output is in the transcript).
func RunScript(c *engine.Cluster, steps []Step, strict bool) (string, error) {
	var b strings.Builder
	for _, s := range steps {
		if s.Comment {
			b.WriteString(s.Text + "\n")
			continue
		}
		b.WriteString("$ " + s.Text + "\n")
		r := Run(c, s.Text)
		b.WriteString(r.Output)
		if strict && r.ExitCode != 0 {
			first, _, _ := strings.Cut(s.Text, "\n")
			return b.String(), fmt.Errorf("line %d: %q failed with exit code %d", s.Line, first, r.ExitCode)
		}
	}
	return b.String(), nil
}
