package lessons

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/kubectl"
)

// Goal is one check of a step: a declarative condition on the cluster, or
// on what the learner did, with a description in every language.
type Goal struct {
	// ID names the goal within its step ("pods-1" unless the author
	// chose one).
	ID string
	// Type is the goal's kind, the key that introduced it: pods, nodes,
	// claims, service, ingress, deployment, file, rescheduled, rollback,
	// traffic, ran.
	Type string
	// Text describes the goal to the learner: the author's words, or
	// generated from the parameters.
	Text Text
	// Latches is true for history and terminal goals: once met they stay
	// met. Other goals hold only while the cluster is in the state they
	// describe.
	Latches bool
	// Line is where the goal starts in lesson.md.
	Line int

	m matcher
}

// matcher is a goal's parsed parameters.
type matcher interface {
	// describe generates the goal's text.
	describe() Text
}

// liveMatcher is a goal on the cluster's present state.
type liveMatcher interface {
	matcher
	holds(c *engine.Cluster) bool
}

// historyMatcher is a goal on what has happened: each Tracker keeps a
// memory of its own.
type historyMatcher interface {
	matcher
	newMemory() memory
}

// memory is one Tracker's record for one history goal. Both methods report
// whether the goal has been met.
type memory interface {
	observe(c *engine.Cluster) bool
	command(c *engine.Cluster, cmd *command, res kubectl.Result) bool
}

// Holds reports whether a live goal holds in c now. History and terminal
// goals (Latches) need a Tracker and report false here.
func (g *Goal) Holds(c *engine.Cluster) bool {
	if m, ok := g.m.(liveMatcher); ok {
		return m.holds(c)
	}
	return false
}

// goalTypes maps each goal type to a constructor of its parameters.
var goalTypes = map[string]func() matcher{
	"pods":        func() matcher { return &podsGoal{} },
	"nodes":       func() matcher { return &nodesGoal{} },
	"claims":      func() matcher { return &claimsGoal{} },
	"service":     func() matcher { return &serviceGoal{} },
	"ingress":     func() matcher { return &ingressGoal{} },
	"deployment":  func() matcher { return &deploymentGoal{} },
	"file":        func() matcher { return &fileGoal{} },
	"rescheduled": func() matcher { return &rescheduledGoal{} },
	"rollback":    func() matcher { return &rollbackGoal{} },
	"traffic":     func() matcher { return &trafficGoal{} },
	"ran":         func() matcher { return &ranGoal{} },
}

// GoalTypes lists the goal types a lesson may use, sorted.
func GoalTypes() []string {
	out := make([]string, 0, len(goalTypes))
	for k := range goalTypes {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// validator is implemented by parameters with rules beyond their types.
type validator interface{ validate() error }

// lineError is an error at a line of a file.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return e.msg }

func errAt(line int, format string, args ...any) error {
	return &lineError{line: line, msg: fmt.Sprintf(format, args...)}
}

var idPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// parseGoals reads a ```goals block: a YAML list of goals. first is the
// line of lesson.md the block's content starts on.
func parseGoals(src string, first int) ([]*Goal, error) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		return nil, yamlError(err, first)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, errAt(first, "the goals block is empty")
	}
	list := root.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, errAt(first+list.Line-1, "goals must be a YAML list (each goal starts with \"- \")")
	}
	var goals []*Goal
	seen := map[string]bool{}
	count := map[string]int{}
	for _, item := range list.Content {
		g, err := parseGoal(item, first)
		if err != nil {
			return nil, err
		}
		count[g.Type]++
		if g.ID == "" {
			g.ID = fmt.Sprintf("%s-%d", g.Type, count[g.Type])
		}
		if seen[g.ID] {
			return nil, errAt(g.Line, "duplicate goal id %q in this step", g.ID)
		}
		seen[g.ID] = true
		goals = append(goals, g)
	}
	return goals, nil
}

func parseGoal(n *yaml.Node, first int) (*Goal, error) {
	line := first + n.Line - 1
	if n.Kind != yaml.MappingNode {
		return nil, errAt(line, "a goal must be a mapping such as \"pods: {selector: app=web, count: 3}\"")
	}
	g := &Goal{Line: line}
	var params *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kl := first + k.Line - 1
		switch k.Value {
		case "id":
			if !idPattern.MatchString(v.Value) {
				return nil, errAt(kl, "goal id %q must be lowercase letters, digits and dashes", v.Value)
			}
			g.ID = v.Value
		case "text":
			var t Text
			if err := v.Decode(&t); err != nil {
				return nil, errAt(kl, "text must be a mapping of languages, such as {en: …, ko: …}")
			}
			if miss := t.missing(); len(miss) > 0 {
				return nil, errAt(kl, "the goal's text has no translation in %s", strings.Join(miss, ", "))
			}
			g.Text = t
		default:
			mk, ok := goalTypes[k.Value]
			if !ok {
				return nil, errAt(kl, "unknown goal type %q (known: %s)", k.Value, strings.Join(GoalTypes(), ", "))
			}
			if g.Type != "" {
				return nil, errAt(kl, "a goal has one type, but this one has %s and %s", g.Type, k.Value)
			}
			g.Type, params = k.Value, v
			g.m = mk()
		}
	}
	if g.m == nil {
		return nil, errAt(line, "the goal has no type (one of: %s)", strings.Join(GoalTypes(), ", "))
	}
	if err := decodeParams(params, g.m, first); err != nil {
		return nil, err
	}
	if v, ok := g.m.(validator); ok {
		if err := v.validate(); err != nil {
			return nil, errAt(first+params.Line-1, "%s goal: %v", g.Type, err)
		}
	}
	_, g.Latches = g.m.(historyMatcher)
	if g.Text == nil {
		g.Text = g.m.describe()
	}
	return g, nil
}

// decodeParams decodes a goal's parameters strictly: an unknown key is an
// error at its line. A goal type whose parameters are one string (ran)
// implements scalarParams.
func decodeParams(n *yaml.Node, m matcher, first int) error {
	line := first + n.Line - 1
	if s, ok := m.(scalarParams); ok {
		if n.Kind != yaml.ScalarNode {
			return errAt(line, "this goal takes a command line, such as \"ran: kubectl get nodes\"")
		}
		if err := s.parse(n.Value); err != nil {
			return errAt(line, "%v", err)
		}
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return errAt(line, "the goal's parameters must be a mapping, such as {selector: app=web}")
	}
	allowed := yamlKeys(reflect.TypeOf(m).Elem())
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(allowed, k.Value) {
			return errAt(first+k.Line-1, "unknown parameter %q (known: %s)", k.Value, strings.Join(allowed, ", "))
		}
	}
	if err := n.Decode(m); err != nil {
		return yamlError(err, first)
	}
	return nil
}

// scalarParams is a goal whose parameters are one string.
type scalarParams interface{ parse(s string) error }

// yamlKeys lists the yaml keys of a struct, inlined structs included.
func yamlKeys(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "inline") {
			out = append(out, yamlKeys(f.Type)...)
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		out = append(out, name)
	}
	return out
}

var yamlLineRE = regexp.MustCompile(`line (\d+): `)

// yamlError turns a YAML error into one at a line of lesson.md.
func yamlError(err error, first int) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLineRE.FindStringSubmatchIndex(msg); m != nil {
		var l int
		fmt.Sscanf(msg[m[2]:m[3]], "%d", &l)
		return errAt(first+l-1, "%s", strings.TrimPrefix(msg[m[1]:], "yaml: "))
	}
	return errAt(first, "%s", strings.TrimPrefix(msg, "yaml: "))
}
