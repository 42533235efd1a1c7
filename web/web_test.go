package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
)

// budget is the most the page's own JavaScript and CSS may weigh,
// gzipped, in all (issue 6).
const budget = 40_000

// gzipped returns the gzipped size of every shipped script and style
// sheet, as the server sends them.
func gzipped(t testing.TB) (map[string]int, int) {
	sizes := map[string]int{}
	total := 0
	for _, name := range Shipped() {
		if ext := path.Ext(name); ext != ".js" && ext != ".css" {
			continue
		}
		data, err := fs.ReadFile(static, name)
		require.NoError(t, err)
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		w.Write(data)
		w.Close()
		sizes[name] = b.Len()
		total += b.Len()
	}
	return sizes, total
}

func TestBudget(t *testing.T) {
	sizes, total := gzipped(t)
	for _, want := range []string{"js/app.js", "js/diagram.js", "js/model.js", "js/layout.js", "js/terminal.js", "css/app.css", "css/diagram.css"} {
		require.Contains(t, sizes, want)
	}
	t.Logf("JS + CSS gzipped: %d bytes in all: %v", total, sizes)
	require.LessOrEqual(t, total, budget, "the page's JS + CSS is over its budget: %v", sizes)
}

// BenchmarkAssets reports the page's JS + CSS weight, gzipped, as a
// metric (the budget is 40 kB).
func BenchmarkAssets(b *testing.B) {
	var total int
	for b.Loop() {
		_, total = gzipped(b)
	}
	b.ReportMetric(float64(total), "gzip-bytes")
}

func TestMessagesInEveryLanguage(t *testing.T) {
	for _, lang := range Languages {
		for key := range messages["en"] {
			require.NotEmpty(t, messages[lang][key], "%s has no %q", lang, key)
		}
		for key := range messages[lang] {
			require.Contains(t, messages["en"], key, "%s has %q, which English lacks", lang, key)
		}
	}
	require.Equal(t, "Apply", T("xx", "pg.apply"))
	require.Equal(t, "no.such.key", T("ko", "no.such.key"))
}

func TestLang(t *testing.T) {
	for _, c := range []struct{ choice, accept, want string }{
		{"", "", "en"},
		{"", "ko-KR,ko;q=0.9,en-US;q=0.8", "ko"},
		{"", "ko", "ko"},
		{"", "en-GB,en;q=0.9,ko;q=0.5", "en"},
		{"", "fr-FR,fr;q=0.9", "en"},
		{"", "fr;q=0.9,ko;q=0.8", "ko"},
		{"en", "ko", "en"},
		{"ko", "en", "ko"},
		{"xx", "ko", "ko"},
		{"", "garbage;;;q=x", "en"},
	} {
		require.Equal(t, c.want, Lang(c.choice, c.accept), "choice %q, Accept-Language %q", c.choice, c.accept)
	}
}

func TestPlaygroundRendersLesson(t *testing.T) {
	var b bytes.Buffer
	d := PlaygroundData{Page: Page{Lang: "en", Title: "t", Path: "/lessons/nodes"}, SessionID: "abc",
		Lesson: &LessonView{ID: "nodes", Title: "Nodes", NextURL: "/lessons/cluster", NextTitle: "The Cluster",
			Steps: []StepView{
				{ID: "look", HTML: "<p>Look at <code>kubectl get nodes</code></p>", Goals: []GoalView{{ID: "g1", Text: "List the nodes"}}, Hints: []string{"Type it"}},
				{ID: "two", HTML: "<p>Second</p>", Goals: []GoalView{{ID: "g2", Text: "Describe a node"}}, Explain: "It showed capacity."},
			}}}
	require.NoError(t, Playground(d).Render(context.Background(), &b))
	doc, err := goquery.NewDocumentFromReader(&b)
	require.NoError(t, err)
	step := doc.Find(`[data-testid="step-look"]`)
	require.Equal(t, "kubectl get nodes", step.Find(".body code").Text())
	_, hidden := step.Attr("hidden")
	require.False(t, hidden, "the first step shows")
	_, hidden = doc.Find(`[data-testid="step-two"]`).Attr("hidden")
	require.True(t, hidden, "later steps wait")
	require.Equal(t, "false", doc.Find(`[data-testid="goal-g1"]`).AttrOr("aria-checked", ""))
	require.Equal(t, "List the nodes", doc.Find(`[data-testid="goal-g1"]`).Text())
	require.Equal(t, "/lessons/nodes/reset", doc.Find("form.reset").AttrOr("action", ""))
	require.Contains(t, doc.Find(`[data-testid="lesson-complete"] a`).Text(), "The Cluster")
}

// TestJavaScript runs the browser modules' unit tests with Node's own
// test runner (no npm packages). Without node it skips, except in CI.
func TestJavaScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is needed for the JavaScript tests in CI: apt-get install -y nodejs")
		}
		t.Skip("node not found: the browser modules' unit tests (node --test web/static/js/) did not run")
	}
	var tests []string
	_ = fs.WalkDir(static, ".", func(name string, d fs.DirEntry, err error) error {
		if strings.HasSuffix(name, ".test.mjs") {
			tests = append(tests, "static/"+name)
		}
		return err
	})
	require.NotEmpty(t, tests)
	cmd := exec.Command(node, append([]string{"--test", "--test-reporter=tap"}, tests...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test failed: %v\n%s", err, out)
	}
	require.Contains(t, string(out), "# fail 0")
	t.Logf("%s", out[max(0, len(out)-300):])
}
