package lessons

import (
	"html/template"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/kubectl"
)

// Lesson is one lesson of the course, loaded and validated.
type Lesson struct {
	ID      string
	Order   int
	Minutes int
	// Title, Summary and Learned are in every language; Learned (shown
	// when the lesson is complete) is Markdown.
	Title, Summary, Learned Text
	// LearnedHTML is Learned rendered and sanitised.
	LearnedHTML map[string]template.HTML
	Steps       []*Step
	// Solution is a terminal script that completes every goal
	// (solution.txt), as podplay run --strict runs it.
	Solution string
	// Cluster names the starting state: "" for the default three nodes,
	// "cluster.yaml" for the lesson's own, or a sandbox preset's id.
	Cluster string
	// Dir is the lesson's folder in the catalog's file system.
	Dir string

	// manifest is the starting state's cluster.yaml (nil: the default
	// cluster).
	manifest []byte
}

// Step is one step of a lesson: prose, the goals that finish it, hints
// revealed one at a time, and what happened, shown once it is done.
type Step struct {
	ID string
	// Prose is Markdown; HTML is the same rendered and sanitised.
	Prose Text
	HTML  map[string]template.HTML
	Goals []*Goal
	// Hints are Markdown, revealed one at a time; HintsHTML rendered.
	Hints     []Text
	HintsHTML []map[string]template.HTML
	// Explain ("what happened") is Markdown, possibly empty;
	// ExplainHTML rendered.
	Explain     Text
	ExplainHTML map[string]template.HTML
	// Line is where the step's heading is in lesson.md.
	Line int
}

// NewCluster returns the lesson's starting state with time settled: its
// nodes Ready and its objects reconciled.
func (l *Lesson) NewCluster(seed uint64) (*engine.Cluster, error) {
	return newCluster(seed, l.manifest)
}

// Manifest returns the starting state as a manifest (nil for the default
// three-node cluster).
func (l *Lesson) Manifest() []byte { return l.manifest }

func newCluster(seed uint64, manifest []byte) (*engine.Cluster, error) {
	if manifest == nil {
		return kubectl.DefaultCluster(seed)
	}
	return kubectl.ClusterFrom(seed, manifest)
}

// Preset is a sandbox's starting state: free play, no goals.
type Preset struct {
	ID             string
	Title, Summary Text
	// Dir is the preset's folder in the catalog's file system.
	Dir      string
	manifest []byte
}

// NewCluster returns the preset's cluster with time settled.
func (p *Preset) NewCluster(seed uint64) (*engine.Cluster, error) {
	return newCluster(seed, p.manifest)
}

// Manifest returns the preset's cluster.yaml (nil for the default
// cluster).
func (p *Preset) Manifest() []byte { return p.manifest }
