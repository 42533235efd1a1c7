package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/podplay/podplay/engine/kubectl"
)

// learnerClient is a browser with cookies, that does not follow
// redirects by itself.
func (ts *testServer) learnerClient(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func getDoc(t testing.TB, c *http.Client, u string) (*http.Response, *goquery.Document) {
	t.Helper()
	resp, err := c.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	require.NoError(t, err)
	return resp, doc
}

// solutionSteps returns a lesson's solution, command by command.
func solutionSteps(t testing.TB, lesson string) []string {
	l, ok := testCourse(t).Lesson(lesson)
	require.True(t, ok)
	steps, err := kubectl.ParseScript(l.Solution)
	require.NoError(t, err)
	var out []string
	for _, s := range steps {
		if !s.Comment {
			out = append(out, s.Text)
		}
	}
	return out
}

func TestLessonPageKeepsTheLearnersCluster(t *testing.T) {
	ts := newTestServer(t)
	c := ts.learnerClient(t)

	resp, doc := getDoc(t, c, ts.URL+"/lessons/nodes")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	id := testid(doc, "playground").AttrOr("data-session", "")
	require.True(t, validID(id))
	require.Contains(t, doc.Find("#prose-h").Text(), "1. Nodes")
	steps := testid(doc, "steps").Find("li.step")
	require.Greater(t, steps.Length(), 1)
	_, hidden := steps.First().Attr("hidden")
	require.False(t, hidden)
	_, hidden = steps.Eq(1).Attr("hidden")
	require.True(t, hidden, "later steps wait their turn")
	require.Equal(t, "false", steps.First().Find("[data-goal]").AttrOr("aria-checked", ""))
	require.Contains(t, testid(doc, "next-lesson").Text(), "The Cluster")

	// The same browser comes back to the same cluster.
	_, doc = getDoc(t, c, ts.URL+"/lessons/nodes")
	require.Equal(t, id, testid(doc, "playground").AttrOr("data-session", ""))
	// Another browser gets its own.
	_, doc = getDoc(t, ts.learnerClient(t), ts.URL+"/lessons/nodes")
	require.NotEqual(t, id, testid(doc, "playground").AttrOr("data-session", ""))

	// Its own address shows the lesson too.
	_, doc = getDoc(t, c, ts.URL+"/s/"+id)
	require.Contains(t, doc.Find("#prose-h").Text(), "1. Nodes")

	// Work through the first step; the page shows it done.
	ts.exec(t, id, "kubectl get nodes")
	_, doc = getDoc(t, c, ts.URL+"/lessons/nodes")
	first := testid(doc, "steps").Find("li.step").First()
	require.True(t, first.HasClass("done"), "the first step is done")
	require.Equal(t, "true", first.Find("[data-goal]").AttrOr("aria-checked", ""))
	_, hidden = testid(doc, "steps").Find("li.step").Eq(1).Attr("hidden")
	require.False(t, hidden, "the second step shows")

	// The home page and the API show the progress.
	_, doc = getDoc(t, c, ts.URL+"/")
	require.Contains(t, testid(doc, "lesson-nodes").Find(`[data-testid=lesson-progress]`).Text(), "1/")
	require.Contains(t, testid(doc, "sessions").Text(), "1. Nodes")
	resp, err := c.Get(ts.URL + "/api/lessons")
	require.NoError(t, err)
	var list struct {
		Lessons []lessonJSON
		Presets []presetJSON
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	resp.Body.Close()
	require.Len(t, list.Lessons, 8)
	require.Equal(t, "nodes", list.Lessons[0].ID)
	require.Equal(t, "노드", list.Lessons[0].Title["ko"])
	require.NotNil(t, list.Lessons[0].Progress)
	require.Equal(t, 1, list.Lessons[0].Progress.StepsDone)
	require.Equal(t, id, list.Lessons[0].Progress.Session)
	require.Nil(t, list.Lessons[1].Progress)
	require.NotEmpty(t, list.Presets)

	// Reset: a new cluster, progress from zero.
	resp, err = c.PostForm(ts.URL+"/lessons/nodes/reset", url.Values{})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/lessons/nodes", resp.Header.Get("Location"))
	_, doc = getDoc(t, c, ts.URL+"/lessons/nodes")
	fresh := testid(doc, "playground").AttrOr("data-session", "")
	require.NotEqual(t, id, fresh)
	require.False(t, testid(doc, "steps").Find("li.step").First().HasClass("done"))
	_, doc = getDoc(t, c, ts.URL+"/")
	require.Zero(t, testid(doc, "lesson-nodes").Find(`[data-testid=lesson-progress]`).Length())
}

func TestLessonErrors(t *testing.T) {
	ts := newTestServer(t)
	c := ts.learnerClient(t)
	resp, doc := getDoc(t, c, ts.URL+"/lessons/nope")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, testid(doc, "error-message").Text(), `There is no lesson "nope"`)
	resp, err := c.PostForm(ts.URL+"/lessons/nope/reset", url.Values{})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// The websocket sends the goals first and as they change; a session
// unloaded and restored has the same goals.
func TestLessonGoalsOverWebsocket(t *testing.T) {
	ts := newTestServer(t)
	ts.unlimited()
	id := ts.create(t, `{"lesson": "cluster"}`)
	c, _, err := ts.dial(t, id, nil)
	require.NoError(t, err)
	c.next("snapshot")
	type goals struct {
		Goals struct {
			Lesson   string
			Step     int
			Complete bool
			Steps    []struct {
				ID    string
				Done  bool
				Goals []struct {
					ID   string
					Text map[string]string
					Done bool
				}
			}
		}
	}
	var g goals
	decode := func(m map[string]any) {
		data, _ := json.Marshal(m)
		g = goals{}
		require.NoError(t, json.Unmarshal(data, &g))
	}
	decode(c.next("goals"))
	require.Equal(t, "cluster", g.Goals.Lesson)
	require.Equal(t, 0, g.Goals.Step)
	require.False(t, g.Goals.Steps[0].Done)
	require.NotEmpty(t, g.Goals.Steps[0].Goals[0].Text["ko"])

	for _, cmd := range solutionSteps(t, "cluster") {
		c.send(map[string]string{"type": "exec", "command": cmd})
		c.next("output")
	}
	// The last goals message says the lesson is complete.
	s, err := ts.sessions.Get(context.Background(), id)
	require.NoError(t, err)
	st, err := s.Goals(context.Background())
	require.NoError(t, err)
	require.True(t, st.Complete)

	// Unloaded and restored by replay, it is still complete.
	ts.sessions.UnloadIdle(time.Now().Add(time.Hour))
	s, err = ts.sessions.Get(context.Background(), id)
	require.NoError(t, err)
	st2, err := s.Goals(context.Background())
	require.NoError(t, err)
	require.Equal(t, st, st2)
}

// Progress is saved as the learner works, and hints are counted.
func TestLessonProgressIsSaved(t *testing.T) {
	ts := newTestServer(t)
	ts.unlimited()
	c := ts.learnerClient(t)
	_, doc := getDoc(t, c, ts.URL+"/lessons/cluster")
	id := testid(doc, "playground").AttrOr("data-session", "")
	u, _ := url.Parse(ts.URL)
	var me string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "podplay-learner" {
			me = ck.Value
		}
	}
	require.True(t, validID(me))

	ws, _, err := ts.dial(t, id, nil)
	require.NoError(t, err)
	ws.next("goals")
	ws.send(map[string]any{"type": "hint", "step": 0})
	ws.send(map[string]any{"type": "hint", "step": 0})
	cmds := solutionSteps(t, "cluster")
	for _, cmd := range cmds[:2] { // create the deployment, wait
		ws.send(map[string]string{"type": "exec", "command": cmd})
		ws.next("output")
	}
	require.Eventually(t, func() bool {
		p, err := ts.store.LessonProgress(context.Background(), me, "cluster")
		return err == nil && p.StepsDone == 1 && p.HintsUsed == 2 && !p.Complete
	}, 5*time.Second, 10*time.Millisecond)
	for _, cmd := range cmds[2:] {
		ws.send(map[string]string{"type": "exec", "command": cmd})
		ws.next("output")
	}
	p, err := ts.store.LessonProgress(context.Background(), me, "cluster")
	require.NoError(t, err)
	require.True(t, p.Complete)
	require.Equal(t, p.Steps, p.StepsDone)
	require.Equal(t, id, p.SessionID)

	_, doc = getDoc(t, c, ts.URL+"/")
	require.Equal(t, 1, testid(doc, "lesson-cluster").Find(`[data-testid=lesson-done]`).Length())
	_, doc = getDoc(t, c, ts.URL+"/lessons/cluster")
	_, hidden := testid(doc, "lesson-complete").Attr("hidden")
	require.False(t, hidden, "the page says the lesson is complete")

	// A sandbox has no hints to count.
	sid := ts.create(t, `{}`)
	sws, _, err := ts.dial(t, sid, nil)
	require.NoError(t, err)
	sws.send(map[string]any{"type": "hint", "step": 0})
	require.Contains(t, sws.next("error")["message"], "follows no lesson")
}

func TestPresetSandboxes(t *testing.T) {
	ts := newTestServer(t)
	c := ts.learnerClient(t)
	resp, err := c.PostForm(ts.URL+"/sandbox", url.Values{"preset": {"webapp"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/s/")
	out := ts.exec(t, id, "kubectl get deployments")
	require.Contains(t, out.Output, "web")

	resp, err = c.PostForm(ts.URL+"/sandbox", url.Values{"preset": {"nosuch"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}
