package lessons

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/podplay/podplay/engine/kubectl"
	"github.com/podplay/podplay/engine/manifest"
)

// Catalog is a validated set of lessons and sandbox presets.
type Catalog struct {
	lessons []*Lesson
	presets []*Preset
}

// Lessons returns the lessons by order.
func (c *Catalog) Lessons() []*Lesson { return slices.Clone(c.lessons) }

// Lesson returns the lesson with an id.
func (c *Catalog) Lesson(id string) (*Lesson, bool) {
	for _, l := range c.lessons {
		if l.ID == id {
			return l, true
		}
	}
	return nil, false
}

// Next returns the lesson after the one with id, if there is one.
func (c *Catalog) Next(id string) (*Lesson, bool) {
	for i, l := range c.lessons {
		if l.ID == id && i+1 < len(c.lessons) {
			return c.lessons[i+1], true
		}
	}
	return nil, false
}

// Presets returns the sandbox presets, sorted by id.
func (c *Catalog) Presets() []*Preset { return slices.Clone(c.presets) }

// Preset returns the sandbox preset with an id.
func (c *Catalog) Preset(id string) (*Preset, bool) {
	for _, p := range c.presets {
		if p.ID == id {
			return p, true
		}
	}
	return nil, false
}

// lessonDir is a lesson folder's name: ORDER-ID.
var lessonDir = regexp.MustCompile(`^(\d+)-([a-z0-9]([a-z0-9-]*[a-z0-9])?)$`)

// Load reads and validates every lesson in fsys (folders named ORDER-ID at
// its root) and every sandbox preset (folders under sandbox/). Anything
// else at the root is ignored. The error lists every problem found, each
// as FILE:LINE: reason.
func Load(fsys fs.FS) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	md := newMarkdown()
	cat := &Catalog{}
	var errs []error
	if ps, err := loadPresets(fsys); err != nil {
		errs = append(errs, err)
	} else {
		cat.presets = ps
	}
	ids := map[string]string{}
	orders := map[int]string{}
	for _, e := range entries {
		m := lessonDir.FindStringSubmatch(e.Name())
		if !e.IsDir() || m == nil {
			continue
		}
		l, err := loadLesson(fsys, e.Name(), md, cat)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		file := path.Join(e.Name(), "lesson.md")
		order, _ := strconv.Atoi(m[1])
		switch {
		case l.ID != m[2]:
			errs = append(errs, fmt.Errorf("%s:%d: id %q does not match the folder name %s (ORDER-ID)", file, 2, l.ID, e.Name()))
		case l.Order != order:
			errs = append(errs, fmt.Errorf("%s:%d: order %d does not match the folder name %s (ORDER-ID)", file, 2, l.Order, e.Name()))
		case ids[l.ID] != "":
			errs = append(errs, fmt.Errorf("%s:1: duplicate lesson id %q (also in %s)", file, l.ID, ids[l.ID]))
		case orders[l.Order] != "":
			errs = append(errs, fmt.Errorf("%s:1: duplicate lesson order %d (also in %s)", file, l.Order, orders[l.Order]))
		default:
			ids[l.ID], orders[l.Order] = e.Name(), e.Name()
			cat.lessons = append(cat.lessons, l)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(cat.lessons, func(a, b *Lesson) int { return a.Order - b.Order })
	return cat, nil
}

// frontMatter is lesson.md's YAML header.
type frontMatter struct {
	ID      string `yaml:"id"`
	Order   int    `yaml:"order"`
	Minutes int    `yaml:"minutes"`
	Title   Text   `yaml:"title"`
	Summary Text   `yaml:"summary"`
	Learned Text   `yaml:"learned"`
	Cluster string `yaml:"cluster"`
}

func loadLesson(fsys fs.FS, dir string, md *markdown, cat *Catalog) (*Lesson, error) {
	file := path.Join(dir, "lesson.md")
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("%s:0: %v", file, errors.Unwrap(err))
	}
	l, err := parseLesson(string(data), md)
	if err != nil {
		return nil, atFile(file, err)
	}
	l.Dir = dir
	manifestFile := path.Join(dir, "cluster.yaml")
	mdata, err := fs.ReadFile(fsys, manifestFile)
	switch {
	case err == nil && l.Cluster != "":
		return nil, fmt.Errorf("%s:1: the lesson has a cluster.yaml and names the starting state %q too; keep one", file, l.Cluster)
	case err == nil:
		if err := checkManifest(mdata); err != nil {
			return nil, atFile(manifestFile, err)
		}
		l.manifest, l.Cluster = mdata, "cluster.yaml"
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s:0: %v", manifestFile, err)
	case l.Cluster != "" && l.Cluster != "default":
		p, ok := cat.Preset(l.Cluster)
		if !ok {
			return nil, fmt.Errorf("%s:1: cluster %q is neither \"default\" nor a sandbox preset", file, l.Cluster)
		}
		l.manifest = p.manifest
	}
	solFile := path.Join(dir, "solution.txt")
	sol, err := fs.ReadFile(fsys, solFile)
	if err != nil {
		return nil, fmt.Errorf("%s:0: every lesson needs a solution.txt that completes its goals", solFile)
	}
	steps, err := kubectl.ParseScript(string(sol))
	if err != nil {
		return nil, fmt.Errorf("%s:%v", solFile, strings.TrimPrefix(err.Error(), "line "))
	}
	if !slices.ContainsFunc(steps, func(s kubectl.Step) bool { return !s.Comment }) {
		return nil, fmt.Errorf("%s:1: the solution has no commands", solFile)
	}
	l.Solution = string(sol)
	return l, nil
}

// atFile prefixes an error with its file and line.
func atFile(file string, err error) error {
	var le *lineError
	if errors.As(err, &le) {
		return fmt.Errorf("%s:%d: %s", file, le.line, le.msg)
	}
	return fmt.Errorf("%s:0: %v", file, err)
}

// checkManifest builds the cluster a manifest describes, as a session
// would, and turns the engine's refusal into a line of the file.
func checkManifest(data []byte) error {
	docs, err := manifest.Decode(data)
	if err != nil {
		var me *manifest.Error
		if errors.As(err, &me) {
			return errAt(me.Line, "%s", me.Message)
		}
		return err
	}
	if _, err := kubectl.ClusterFrom(1, data); err != nil {
		line := 1
		for _, d := range docs {
			m := d.Object.GetObjectMeta()
			if strings.HasPrefix(err.Error(), fmt.Sprintf("%s %q:", d.Object.GetKind(), m.Name)) {
				line = d.Line
			}
		}
		return errAt(line, "the cluster refuses it: %v", err)
	}
	return nil
}

func parseLesson(src string, md *markdown) (*Lesson, error) {
	fm, body, bodyLine, err := splitFrontMatter(src)
	if err != nil {
		return nil, err
	}
	var meta frontMatter
	dec := yaml.NewDecoder(strings.NewReader(fm))
	dec.KnownFields(true)
	if err := dec.Decode(&meta); err != nil {
		return nil, yamlError(err, 2)
	}
	if !idPattern.MatchString(meta.ID) {
		return nil, errAt(2, "id %q must be lowercase letters, digits and dashes", meta.ID)
	}
	if meta.Order < 1 {
		return nil, errAt(2, "order must be a positive number")
	}
	if meta.Minutes < 1 {
		return nil, errAt(2, "minutes (the estimated time) must be a positive number")
	}
	for _, f := range []struct {
		name string
		t    Text
	}{{"title", meta.Title}, {"summary", meta.Summary}, {"learned", meta.Learned}} {
		if miss := f.t.missing(); len(miss) > 0 {
			return nil, errAt(frontLine(fm, f.name), "%s has no translation in %s", f.name, strings.Join(miss, ", "))
		}
	}
	l := &Lesson{ID: meta.ID, Order: meta.Order, Minutes: meta.Minutes, Title: meta.Title, Summary: meta.Summary,
		Learned: meta.Learned, LearnedHTML: meta.Learned.html(md), Cluster: meta.Cluster}
	l.Steps, err = parseSteps(body, bodyLine, md)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// frontLine finds the line of a top-level key in the front matter.
func frontLine(fm, key string) int {
	for i, l := range strings.Split(fm, "\n") {
		if strings.HasPrefix(l, key+":") {
			return i + 2
		}
	}
	return 1
}

// splitFrontMatter separates "---\nYAML\n---\nbody"; bodyLine is the line
// the body starts on.
func splitFrontMatter(src string) (fm, body string, bodyLine int, err error) {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	lines := strings.Split(src, "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return "", "", 0, errAt(1, "a lesson starts with front matter: a line ---, YAML (id, order, title, …), and ---")
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "---" {
			return strings.Join(lines[1:i], "\n"), strings.Join(lines[i+1:], "\n"), i + 2, nil
		}
	}
	return "", "", 0, errAt(1, "the front matter is not closed by a line ---")
}

// section is one language's part of a step while it is read.
type section struct {
	line    int
	prose   []string
	hints   [][]string
	explain []string
	// in is where lines go: 0 prose, 1 the last hint, 2 explain.
	in int
}

func (s *section) add(l string) {
	switch s.in {
	case 0:
		s.prose = append(s.prose, l)
	case 1:
		s.hints[len(s.hints)-1] = append(s.hints[len(s.hints)-1], l)
	case 2:
		s.explain = append(s.explain, l)
	}
}

var (
	stepHeading = regexp.MustCompile(`^##\s+Step:\s*(\S*)\s*$`)
	fenceOpen   = regexp.MustCompile("^(`{3,}|~{3,})\\s*([A-Za-z0-9_-]*)")
)

// parseSteps reads the body: "## Step: ID" headings, each with "### en"
// and "### ko" sections (prose, then "#### Hint"s and an optional "####
// What happened"), and a ```goals block.
func parseSteps(body string, first int, md *markdown) ([]*Step, error) {
	var steps []*Step
	var cur *Step
	var secs map[string]*section
	var sec *section
	var fence string
	var goalsBuf []string
	goalsStart := 0
	finish := func(endLine int) error {
		if cur == nil {
			return nil
		}
		if err := finishStep(cur, secs, md); err != nil {
			return err
		}
		if len(cur.Goals) == 0 {
			return errAt(cur.Line, "step %q has no goals: add a ```goals block", cur.ID)
		}
		steps = append(steps, cur)
		return nil
	}
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		n := first + i
		trimmed := strings.TrimSpace(l)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				fence = ""
				if goalsStart > 0 {
					gs, err := parseGoals(strings.Join(goalsBuf, "\n"), goalsStart)
					if err != nil {
						return nil, err
					}
					cur.Goals = append(cur.Goals, gs...)
					goalsStart, goalsBuf = 0, nil
					continue
				}
			}
			if goalsStart > 0 {
				goalsBuf = append(goalsBuf, l)
			} else if sec != nil {
				sec.add(l)
			}
			continue
		}
		if m := fenceOpen.FindStringSubmatch(trimmed); m != nil {
			fence = m[1]
			if m[2] == "goals" {
				if cur == nil {
					return nil, errAt(n, "a goals block outside a step")
				}
				goalsStart = n + 1
				continue
			}
		}
		switch {
		case strings.HasPrefix(l, "## "):
			m := stepHeading.FindStringSubmatch(l)
			if m == nil {
				return nil, errAt(n, "unexpected heading %q: steps start with \"## Step: ID\"", trimmed)
			}
			if err := finish(n); err != nil {
				return nil, err
			}
			if !idPattern.MatchString(m[1]) {
				return nil, errAt(n, "step id %q must be lowercase letters, digits and dashes", m[1])
			}
			for _, s := range steps {
				if s.ID == m[1] {
					return nil, errAt(n, "duplicate step id %q (also at line %d)", m[1], s.Line)
				}
			}
			cur = &Step{ID: m[1], Line: n}
			secs, sec = map[string]*section{}, nil
		case strings.HasPrefix(l, "### "):
			if cur == nil {
				return nil, errAt(n, "a language section outside a step")
			}
			lang := strings.TrimSpace(strings.TrimPrefix(l, "### "))
			if !slices.Contains(Languages, lang) {
				return nil, errAt(n, "unknown language section %q (sections are: %s)", lang, strings.Join(Languages, ", "))
			}
			if secs[lang] != nil {
				return nil, errAt(n, "step %q has two %q sections", cur.ID, lang)
			}
			sec = &section{line: n}
			secs[lang] = sec
		case strings.HasPrefix(l, "#### "):
			if sec == nil {
				return nil, errAt(n, "%q outside a language section", trimmed)
			}
			switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(l, "#### "))) {
			case "hint":
				if sec.in == 2 {
					return nil, errAt(n, "hints come before \"#### What happened\"")
				}
				sec.hints = append(sec.hints, nil)
				sec.in = 1
			case "what happened":
				if sec.in == 2 {
					return nil, errAt(n, "a second \"#### What happened\"")
				}
				sec.in = 2
			default:
				return nil, errAt(n, "unknown heading %q: a language section has \"#### Hint\" and \"#### What happened\"", trimmed)
			}
		case strings.HasPrefix(l, "# "):
			return nil, errAt(n, "unexpected heading %q: the title is in the front matter; steps start with \"## Step: ID\"", trimmed)
		default:
			switch {
			case sec != nil:
				sec.add(l)
			case trimmed == "" || strings.HasPrefix(trimmed, "<!--"):
			case cur == nil:
				return nil, errAt(n, "text before the first step: a lesson's body is steps, \"## Step: ID\"")
			default:
				return nil, errAt(n, "text outside a language section: put it under \"### en\" or \"### ko\"")
			}
		}
	}
	if fence != "" {
		return nil, errAt(first+len(lines)-1, "a fenced block (%s) is not closed", fence)
	}
	if err := finish(first + len(lines)); err != nil {
		return nil, err
	}
	if len(steps) == 0 {
		return nil, errAt(first, "the lesson has no steps: add \"## Step: ID\" headings")
	}
	return steps, nil
}

func joinLines(ls []string) string { return strings.TrimSpace(strings.Join(ls, "\n")) }

// finishStep checks a step's sections against each other and fills in
// its texts.
func finishStep(st *Step, secs map[string]*section, md *markdown) error {
	st.Prose, st.Explain = Text{}, Text{}
	en := secs["en"]
	for _, lang := range Languages {
		s := secs[lang]
		if s == nil {
			return errAt(st.Line, "step %q has no %q section (every text is in %s)", st.ID, lang, strings.Join(Languages, " and "))
		}
		if p := joinLines(s.prose); p == "" {
			return errAt(s.line, "step %q has no prose in %q", st.ID, lang)
		} else {
			st.Prose[lang] = p
		}
		if en != nil && len(s.hints) != len(en.hints) {
			return errAt(s.line, "step %q has %d hints in %q but %d in \"en\": every hint needs a translation", st.ID, len(s.hints), lang, len(en.hints))
		}
		if en != nil && (len(s.explain) == 0) != (len(en.explain) == 0) {
			return errAt(s.line, "step %q has \"What happened\" in one language only: translate it", st.ID)
		}
		if e := joinLines(s.explain); e != "" {
			st.Explain[lang] = e
		} else if len(s.explain) > 0 || s.in == 2 {
			return errAt(s.line, "step %q has an empty \"What happened\" in %q", st.ID, lang)
		}
	}
	st.Hints = make([]Text, len(en.hints))
	for i := range en.hints {
		st.Hints[i] = Text{}
		for _, lang := range Languages {
			h := joinLines(secs[lang].hints[i])
			if h == "" {
				return errAt(secs[lang].line, "step %q: hint %d in %q is empty", st.ID, i+1, lang)
			}
			st.Hints[i][lang] = h
		}
	}
	st.HTML = st.Prose.html(md)
	st.HintsHTML = make([]map[string]template.HTML, len(st.Hints))
	for i, h := range st.Hints {
		st.HintsHTML[i] = h.html(md)
	}
	if len(st.Explain) == 0 {
		st.Explain = nil
	} else {
		st.ExplainHTML = st.Explain.html(md)
	}
	return nil
}

// presetFront is a sandbox preset's preset.md header.
type presetFront struct {
	ID      string `yaml:"id"`
	Title   Text   `yaml:"title"`
	Summary Text   `yaml:"summary"`
}

func loadPresets(fsys fs.FS) ([]*Preset, error) {
	entries, err := fs.ReadDir(fsys, "sandbox")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Preset
	var errs []error
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		p, err := loadPreset(fsys, path.Join("sandbox", e.Name()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if p.ID != e.Name() {
			errs = append(errs, fmt.Errorf("%s/preset.md:2: id %q does not match the folder name", p.Dir, p.ID))
			continue
		}
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

func loadPreset(fsys fs.FS, dir string) (*Preset, error) {
	file := path.Join(dir, "preset.md")
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("%s:0: a sandbox preset needs a preset.md", file)
	}
	fm, body, bodyLine, err := splitFrontMatter(string(data))
	if err != nil {
		return nil, atFile(file, err)
	}
	var meta presetFront
	dec := yaml.NewDecoder(strings.NewReader(fm))
	dec.KnownFields(true)
	if err := dec.Decode(&meta); err != nil {
		return nil, atFile(file, yamlError(err, 2))
	}
	if !idPattern.MatchString(meta.ID) {
		return nil, fmt.Errorf("%s:2: id %q must be lowercase letters, digits and dashes", file, meta.ID)
	}
	for _, f := range []struct {
		name string
		t    Text
	}{{"title", meta.Title}, {"summary", meta.Summary}} {
		if miss := f.t.missing(); len(miss) > 0 {
			return nil, fmt.Errorf("%s:%d: %s has no translation in %s", file, frontLine(fm, f.name), f.name, strings.Join(miss, ", "))
		}
	}
	if t := strings.TrimSpace(body); t != "" && !strings.HasPrefix(t, "<!--") {
		return nil, fmt.Errorf("%s:%d: a preset is its front matter only (notes go in <!-- comments -->)", file, bodyLine)
	}
	p := &Preset{ID: meta.ID, Title: meta.Title, Summary: meta.Summary, Dir: dir}
	mfile := path.Join(dir, "cluster.yaml")
	mdata, err := fs.ReadFile(fsys, mfile)
	switch {
	case err == nil:
		if err := checkManifest(mdata); err != nil {
			return nil, atFile(mfile, err)
		}
		p.manifest = bytes.Clone(mdata)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s:0: %v", mfile, err)
	}
	return p, nil
}
