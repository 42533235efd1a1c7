package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
)

// get fetches a page and parses it.
func (ts *testServer) page(t *testing.T, path string, header ...string) (*http.Response, *goquery.Document) {
	t.Helper()
	req, err := http.NewRequest("GET", ts.URL+path, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	require.NoError(t, err)
	return resp, doc
}

func testid(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find(`[data-testid="` + id + `"]`)
}

func TestHomePage(t *testing.T) {
	ts := newTestServer(t)
	resp, doc := ts.page(t, "/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'self'")
	require.Equal(t, "en", doc.Find("html").AttrOr("lang", ""))
	require.Equal(t, "Open the sandbox", strings.TrimSpace(testid(doc, "open-sandbox").Text()))
	require.Equal(t, "/sandbox", doc.Find("form.start").AttrOr("action", ""))
	require.Equal(t, 0, testid(doc, "sessions").Length(), "a new browser has no recent clusters")

	// Every script and style sheet comes from this server, and is there.
	doc.Find("script[src], link[href]").Each(func(_ int, s *goquery.Selection) {
		u := s.AttrOr("src", s.AttrOr("href", ""))
		require.True(t, strings.HasPrefix(u, "/static/"), "%s is not served by podplay", u)
		r, err := ts.Client().Get(ts.URL + u)
		require.NoError(t, err)
		r.Body.Close()
		require.Equal(t, http.StatusOK, r.StatusCode, u)
		require.Contains(t, r.Header.Get("Cache-Control"), "immutable", u)
	})
	require.Zero(t, doc.Find("script:not([src]):not([type='application/json'])").Length(), "no inline scripts (the CSP forbids them)")
}

func TestHomePageKorean(t *testing.T) {
	ts := newTestServer(t)
	_, doc := ts.page(t, "/", "Accept-Language", "ko-KR,ko;q=0.9,en;q=0.5")
	require.Equal(t, "ko", doc.Find("html").AttrOr("lang", ""))
	require.Equal(t, "샌드박스 열기", strings.TrimSpace(testid(doc, "open-sandbox").Text()))
	require.Equal(t, "/?lang=en", testid(doc, "lang-en").AttrOr("href", ""))

	// An explicit choice wins over the browser's and is remembered.
	resp, doc := ts.page(t, "/?lang=en", "Accept-Language", "ko")
	require.Equal(t, "en", doc.Find("html").AttrOr("lang", ""))
	var remembered string
	for _, c := range resp.Cookies() {
		if c.Name == langCookie {
			remembered = c.Value
		}
	}
	require.Equal(t, "en", remembered)
	_, doc = ts.page(t, "/", "Accept-Language", "ko", "Cookie", langCookie+"=en")
	require.Equal(t, "en", doc.Find("html").AttrOr("lang", ""))
	// A made-up language is ignored.
	_, doc = ts.page(t, "/?lang=xx", "Accept-Language", "ko")
	require.Equal(t, "ko", doc.Find("html").AttrOr("lang", ""))
}

func TestSandboxFormOpensAPlayground(t *testing.T) {
	ts := newTestServer(t)
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.PostForm(ts.URL+"/sandbox", url.Values{})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/s/"), loc)
	id := strings.TrimPrefix(loc, "/s/")
	require.True(t, validID(id))

	resp, doc := ts.page(t, loc)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, id, testid(doc, "playground").AttrOr("data-session", ""))
	for _, want := range []string{"diagram", "terminal", "terminal-input", "editor", "editor-apply", "events",
		"clock-play", "clock-step", "clock-speed", "clock-time", "chaos-add-node", "chaos-kill-node",
		"chaos-restore-node", "chaos-crash", "chaos-traffic", "inspector", "narration", "prose"} {
		require.Equal(t, 1, testid(doc, want).Length(), "the playground has one %s", want)
	}
	require.Equal(t, "polite", testid(doc, "narration").AttrOr("aria-live", ""))
	require.NotEmpty(t, testid(doc, "diagram").AttrOr("aria-label", ""))
	var words map[string]string
	require.NoError(t, json.Unmarshal([]byte(doc.Find("script#i18n").Text()), &words))
	require.Equal(t, "Apply", words["pg.apply"])

	// The editor starts with a manifest the engine takes.
	manifest := testid(doc, "editor").Text()
	out := ts.exec(t, id, applyCommand(manifest))
	require.Zero(t, out.ExitCode, out.Output)
	require.Equal(t, "deployment.apps/hello created\n", out.Output)
}

func TestPlaygroundErrors(t *testing.T) {
	ts := newTestServer(t)
	resp, doc := ts.page(t, "/s/nosuchsession")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, testid(doc, "error-message").Text(), "There is no cluster at this address")

	resp, doc = ts.page(t, "/s/nosuchsession", "Accept-Language", "ko")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, testid(doc, "error-message").Text(), "클러스터가 없습니다")

	// A form from another site is refused before anything is created.
	req, _ := http.NewRequest("POST", ts.URL+"/sandbox", strings.NewReader(""))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	r, err := ts.Client().Do(req)
	require.NoError(t, err)
	r.Body.Close()
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	n, err := ts.store.SessionIDs(t.Context())
	require.NoError(t, err)
	require.Empty(t, n)
}

func TestRecentSessionsOnHome(t *testing.T) {
	ts := newTestServer(t)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(ts.URL+"/sandbox", url.Values{})
	require.NoError(t, err)
	resp.Body.Close()
	resp, err = client.Get(ts.URL + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	require.NoError(t, err)
	links := testid(doc, "sessions").Find("a")
	require.Equal(t, 1, links.Length())
	require.True(t, strings.HasPrefix(links.AttrOr("href", ""), "/s/"))
}

func TestCompleteAndInspect(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, "{}")
	ts.exec(t, id, "kubectl run web --image=nginx")

	var c completeResponse
	require.Equal(t, http.StatusOK, ts.call(t, "GET", "/api/sessions/"+id+"/complete?line="+url.QueryEscape("kubectl get pods w"), "", &c))
	require.Equal(t, []string{"web"}, c.Candidates)
	require.Equal(t, http.StatusOK, ts.call(t, "GET", "/api/sessions/"+id+"/complete?line="+url.QueryEscape("kubectl zzz"), "", &c))
	require.Equal(t, []string{}, c.Candidates)
	var e map[string]string
	require.Equal(t, http.StatusBadRequest, ts.call(t, "GET", "/api/sessions/"+id+"/complete?line="+strings.Repeat("x", 5000), "", &e))

	var in struct{ Describe, YAML string }
	require.Equal(t, http.StatusOK, ts.call(t, "GET", "/api/sessions/"+id+"/inspect?kind=Pod&namespace=default&name=web", "", &in))
	require.Contains(t, in.Describe, "Name:             web")
	require.Contains(t, in.YAML, "kind: Pod")
	require.Equal(t, http.StatusBadRequest, ts.call(t, "GET", "/api/sessions/"+id+"/inspect?kind=Pod&name=nope", "", &e))
	require.Equal(t, `Error from server (NotFound): pods "nope" not found`, e["error"])
	require.Equal(t, http.StatusBadRequest, ts.call(t, "GET", "/api/sessions/"+id+"/inspect?name=web", "", &e))
	require.Equal(t, http.StatusNotFound, ts.call(t, "GET", "/api/sessions/nope/inspect?kind=Pod&name=web", "", &e))

	// Neither is a command: nothing was recorded beyond the one run.
	_, inputs, err := ts.store.LoadSession(t.Context(), id)
	require.NoError(t, err)
	require.Len(t, inputs, 1)
}

func TestStaticAssets(t *testing.T) {
	ts := newTestServer(t)
	for path, want := range map[string]int{
		"/static/anything/js/app.js":       http.StatusOK, // an old version still loads
		"/static/v/js/terminal.test.mjs":   http.StatusNotFound,
		"/static/v/js/testdata/x.json":     http.StatusNotFound,
		"/static/v/js/":                    http.StatusNotFound,
		"/static/v/../../server/server.go": http.StatusNotFound,
		"/static/v/js/nosuch.js":           http.StatusNotFound,
	} {
		resp, err := ts.Client().Get(ts.URL + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, "%s: %s", path, body)
		if want == http.StatusOK {
			require.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
			require.Equal(t, "text/javascript; charset=utf-8", resp.Header.Get("Content-Type"))
		}
	}
}
