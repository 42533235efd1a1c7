package lessons

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validLesson is a minimal lesson that loads; the refusal tests break it
// one way at a time.
const validLesson = `---
id: first
order: 1
minutes: 5
title: {en: First, ko: 처음}
summary: {en: A lesson., ko: 레슨입니다.}
learned: {en: Things., ko: 것들.}
---

## Step: look

### en
Run ` + "`kubectl get nodes`" + `.

#### Hint
Type it.

#### What happened
You saw them.

### ko
` + "`kubectl get nodes`" + `를 실행하세요.

#### Hint
입력하세요.

#### What happened
보았습니다.

` + "```goals" + `
- ran: kubectl get nodes
- nodes: {ready: true, count: 3}
` + "```" + `
`

func lessonFS(files map[string]string) fstest.MapFS {
	fs := fstest.MapFS{}
	for name, data := range files {
		fs[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fs
}

func TestLoadValidLesson(t *testing.T) {
	cat, err := Load(lessonFS(map[string]string{
		"1-first/lesson.md":    validLesson,
		"1-first/solution.txt": "kubectl get nodes\n",
		"README.md":            "ignored",
	}))
	require.NoError(t, err)
	l, ok := cat.Lesson("first")
	require.True(t, ok)
	require.Len(t, l.Steps, 1)
	s := l.Steps[0]
	assert.Equal(t, "look", s.ID)
	assert.Equal(t, "Run `kubectl get nodes`.", s.Prose["en"])
	assert.Equal(t, Text{"en": "Type it.", "ko": "입력하세요."}, s.Hints[0])
	assert.Equal(t, "보았습니다.", s.Explain.In("ko"))
	assert.Contains(t, string(s.HTML["en"]), "<code>kubectl get nodes</code>")
	require.Len(t, s.Goals, 2)
	assert.Equal(t, "ran-1", s.Goals[0].ID)
	assert.Equal(t, "nodes-1", s.Goals[1].ID)
	assert.Equal(t, 32, s.Goals[1].Line)
	c, err := l.NewCluster(1)
	require.NoError(t, err)
	assert.Len(t, c.Nodes(), 3)
}

func TestMarkdownIsSanitised(t *testing.T) {
	h := string(Markdown("hi <script>alert(1)</script> [x](javascript:alert(1)) **b**"))
	assert.NotContains(t, h, "<script")
	assert.NotContains(t, h, "javascript:")
	assert.Contains(t, h, "<strong>b</strong>")
}

func TestTextFallsBackToEnglish(t *testing.T) {
	tx := Text{"en": "hello", "ko": "안녕"}
	assert.Equal(t, "안녕", tx.In("ko"))
	assert.Equal(t, "hello", tx.In("fr"))
}

// TestLoadRefuses breaks the valid lesson one way at a time and checks
// the loader names the file, the line and the reason.
func TestLoadRefuses(t *testing.T) {
	replace := func(old, new string) string {
		if !strings.Contains(validLesson, old) {
			panic("no " + old)
		}
		return strings.Replace(validLesson, old, new, 1)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"unknown goal type", map[string]string{"1-first/lesson.md": replace("- nodes: {ready: true, count: 3}", "- nodez: {ready: true}")},
			`1-first/lesson.md:32: unknown goal type "nodez"`},
		{"unknown goal parameter", map[string]string{"1-first/lesson.md": replace("{ready: true, count: 3}", "{ready: true, cuont: 3}")},
			`1-first/lesson.md:32: unknown parameter "cuont"`},
		{"bad goal parameter value", map[string]string{"1-first/lesson.md": replace("{ready: true, count: 3}", "{ready: maybe}")},
			`1-first/lesson.md:32: cannot unmarshal`},
		{"bad selector", map[string]string{"1-first/lesson.md": replace("- nodes: {ready: true, count: 3}", "- pods: {selector: 'app in ('}")},
			`1-first/lesson.md:32: pods goal: selector`},
		{"contradictory counts", map[string]string{"1-first/lesson.md": replace("{ready: true, count: 3}", "{count: 3, min: 1}")},
			`1-first/lesson.md:32: nodes goal: use count alone`},
		{"bad ran command", map[string]string{"1-first/lesson.md": replace("- ran: kubectl get nodes", "- ran: kubectl")},
			`1-first/lesson.md:31: ran "kubectl": name the kubectl verb`},
		{"step without goals", map[string]string{"1-first/lesson.md": replace("```goals\n- ran: kubectl get nodes\n- nodes: {ready: true, count: 3}\n```\n", "")},
			`1-first/lesson.md:10: step "look" has no goals`},
		{"missing translation of prose", map[string]string{"1-first/lesson.md": replace("### ko\n`kubectl get nodes`를 실행하세요.\n", "### ko\n")},
			`1-first/lesson.md:21: step "look" has no prose in "ko"`},
		{"missing language section", map[string]string{"1-first/lesson.md": replace("### ko", "### ja")},
			`1-first/lesson.md:21: unknown language section "ja"`},
		{"missing translation of a hint", map[string]string{"1-first/lesson.md": replace("#### Hint\n입력하세요.\n", "")},
			`1-first/lesson.md:21: step "look" has 0 hints in "ko" but 1 in "en"`},
		{"missing translation of what happened", map[string]string{"1-first/lesson.md": replace("#### What happened\n보았습니다.\n", "")},
			`1-first/lesson.md:21: step "look" has "What happened" in one language only`},
		{"missing translation in front matter", map[string]string{"1-first/lesson.md": replace("summary: {en: A lesson., ko: 레슨입니다.}", "summary: {en: A lesson.}")},
			`1-first/lesson.md:6: summary has no translation in ko`},
		{"missing translation of a goal text", map[string]string{"1-first/lesson.md": replace("- ran: kubectl get nodes", "- ran: kubectl get nodes\n  text: {en: Look}")},
			`1-first/lesson.md:32: the goal's text has no translation in ko`},
		{"unknown front matter field", map[string]string{"1-first/lesson.md": replace("minutes: 5", "minutes: 5\nlevel: easy")},
			`1-first/lesson.md:5: field level not found`},
		{"no front matter", map[string]string{"1-first/lesson.md": "## Step: x\n"},
			`1-first/lesson.md:1: a lesson starts with front matter`},
		{"duplicate step id", map[string]string{"1-first/lesson.md": validLesson + strings.SplitN(validLesson, "---\n", 3)[2]},
			`duplicate step id "look" (also at line 10)`},
		{"duplicate goal id", map[string]string{"1-first/lesson.md": replace("- ran: kubectl get nodes", "- id: same\n  ran: kubectl get nodes\n- id: same\n  ran: kubectl get pods")},
			`1-first/lesson.md:33: duplicate goal id "same" in this step`},
		{"duplicate lesson id", map[string]string{"2-first/lesson.md": strings.Replace(validLesson, "order: 1", "order: 2", 1), "2-first/solution.txt": "kubectl get nodes\n"},
			`duplicate lesson id "first"`},
		{"folder does not match id", map[string]string{"1-second/lesson.md": validLesson, "1-second/solution.txt": "kubectl get nodes\n"},
			`1-second/lesson.md:2: id "first" does not match the folder name 1-second`},
		{"text before the first step", map[string]string{"1-first/lesson.md": replace("## Step: look", "Welcome!\n\n## Step: look")},
			`1-first/lesson.md:10: text before the first step`},
		{"unknown heading in a section", map[string]string{"1-first/lesson.md": replace("#### Hint\nType it.", "#### Tip\nType it.")},
			`1-first/lesson.md:15: unknown heading "#### Tip"`},
		{"unclosed goals block", map[string]string{"1-first/lesson.md": strings.TrimSuffix(validLesson, "```\n")},
			`is not closed`},
		{"cluster.yaml the engine refuses", map[string]string{"1-first/cluster.yaml": "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: []\n"},
			`1-first/cluster.yaml:5: the cluster refuses it`},
		{"cluster.yaml that is not YAML", map[string]string{"1-first/cluster.yaml": "apiVersion: v1\nkind: [\n"},
			`1-first/cluster.yaml:`},
		{"unknown starting state", map[string]string{"1-first/lesson.md": replace("minutes: 5", "minutes: 5\ncluster: nosuch")},
			`cluster "nosuch" is neither "default" nor a sandbox preset`},
		{"missing solution", map[string]string{"1-first/solution.txt": ""},
			`1-first/solution.txt:0: every lesson needs a solution.txt`},
		{"solution with an unclosed heredoc", map[string]string{"1-first/solution.txt": "kubectl apply -f - <<EOF\nkind: Pod\n"},
			`1-first/solution.txt:1: the heredoc is not closed`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"1-first/lesson.md": validLesson, "1-first/solution.txt": "kubectl get nodes\n"}
			for k, v := range tc.files {
				files[k] = v
			}
			if v, ok := tc.files["1-first/solution.txt"]; ok && v == "" {
				delete(files, "1-first/solution.txt")
			}
			if _, ok := tc.files["1-second/lesson.md"]; ok {
				delete(files, "1-first/lesson.md")
				delete(files, "1-first/solution.txt")
			}
			_, err := Load(lessonFS(files))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestLoadPresets(t *testing.T) {
	preset := "---\nid: mine\ntitle: {en: Mine, ko: 내 것}\nsummary: {en: Two nodes., ko: 노드 두 대.}\n---\n"
	nodes := "apiVersion: v1\nkind: Node\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: b}\n"
	cat, err := Load(lessonFS(map[string]string{
		"sandbox/mine/preset.md":    preset,
		"sandbox/mine/cluster.yaml": nodes,
		"1-first/lesson.md":         strings.Replace(validLesson, "minutes: 5", "minutes: 5\ncluster: mine", 1),
		"1-first/solution.txt":      "kubectl get nodes\n",
	}))
	require.NoError(t, err)
	p, ok := cat.Preset("mine")
	require.True(t, ok)
	c, err := p.NewCluster(1)
	require.NoError(t, err)
	assert.Len(t, c.Nodes(), 2)
	l, _ := cat.Lesson("first")
	c, err = l.NewCluster(1)
	require.NoError(t, err)
	assert.Len(t, c.Nodes(), 2, "the lesson starts from the preset")

	_, err = Load(lessonFS(map[string]string{"sandbox/mine/preset.md": strings.Replace(preset, "ko: 내 것", "", 1)}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sandbox/mine/preset.md:3: title has no translation in ko")
	_, err = Load(lessonFS(map[string]string{"sandbox/other/preset.md": preset}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `id "mine" does not match the folder name`)
}
