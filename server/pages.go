package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/web"
)

// Cookies that remember a browser's choices (not secrets: they only
// change how pages look).
const (
	langCookie  = "podplay-lang"
	themeCookie = "podplay-theme"
)

// contentSecurityPolicy lets a page load and connect to this server only:
// no inline scripts, no third parties.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

// page builds the frame every page shares: the language (an explicit
// ?lang= is remembered in a cookie), the theme and the title.
func page(w http.ResponseWriter, r *http.Request, title string) web.Page {
	choice := r.URL.Query().Get("lang")
	if choice != "" {
		if web.Lang(choice, "") == choice {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: choice, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		}
	} else if c, err := r.Cookie(langCookie); err == nil {
		choice = c.Value
	}
	p := web.Page{Lang: web.Lang(choice, r.Header.Get("Accept-Language")), Path: r.URL.Path}
	if c, err := r.Cookie(themeCookie); err == nil && (c.Value == "light" || c.Value == "dark") {
		p.Theme = c.Value
	}
	p.Title = title
	if p.Title == "" {
		p.Title = "podplay — " + p.T("tagline")
	} else {
		p.Title += " · podplay"
	}
	return p
}

// render writes a page with the headers every page gets.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil && !errors.Is(err, context.Canceled) {
		s.log.Error("rendering a page", "path", r.URL.Path, "err", err)
	}
}

// errorPage answers a page request with an error in the reader's
// language.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, web.ErrorPage(web.ErrorData{Page: page(w, r, http.StatusText(status)), Status: status, Message: msg}))
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	d := web.HomeData{Page: page(w, r, "")}
	var err error
	if d.Lessons, err = s.lessonCards(r.Context(), learner(r), d.Lang); err != nil {
		s.pageFail(w, r, err)
		return
	}
	d.Presets = s.presetCards(d.Lang)
	for _, id := range remembered(r) {
		rec, _, err := s.store.LoadSession(r.Context(), id)
		if err != nil {
			continue
		}
		what := d.T("pg.guide")
		if l, ok := s.sessions.lesson(rec.Lesson); ok {
			what = fmt.Sprintf("%d. %s", l.Order, l.Title.In(d.Lang))
		} else if p, ok := s.sessions.preset(rec.Preset); ok {
			what += " · " + p.Title.In(d.Lang)
		}
		d.Sessions = append(d.Sessions, web.SessionLink{ID: id, URL: "/s/" + id,
			Label: fmt.Sprintf("%s · %s · %s", what, rec.Updated.UTC().Format("2006-01-02 15:04 UTC"), id[:6])})
	}
	s.render(w, r, http.StatusOK, web.Home(d))
}

// handleSandbox is the home page's "Open the sandbox" form: a new
// session, then its page.
func (s *Server) handleSandbox(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read: "+err.Error())
		return
	}
	sess, err := s.create(w, r, Spec{Preset: r.PostForm.Get("preset")})
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	http.Redirect(w, r, "/s/"+sess.ID(), http.StatusSeeOther)
}

// handlePlayground is one session's page.
func (s *Server) handlePlayground(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	sess, err := s.sessions.Get(r.Context(), id)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	rememberSession(w, r, id)
	s.renderSession(w, r, page(w, r, ""), sess)
}

// renderSession renders a session's playground; a lesson's cluster shows
// its lesson, with the goals done so far.
func (s *Server) renderSession(w http.ResponseWriter, r *http.Request, p web.Page, sess *Session) {
	p.Title = p.T("pg.guide") + " · podplay"
	d := web.PlaygroundData{Page: p, SessionID: sess.ID()}
	if l, ok := s.sessions.lesson(sess.Lesson()); ok {
		st, err := sess.Goals(r.Context())
		if err != nil {
			s.pageFail(w, r, err)
			return
		}
		d.Lesson = s.lessonView(l, p.Lang, st)
		d.Title = l.Title.In(p.Lang) + " · podplay"
	}
	s.render(w, r, http.StatusOK, web.Playground(d))
}

// pageFail is fail for pages: the same statuses, as an HTML page.
func (s *Server) pageFail(w http.ResponseWriter, r *http.Request, err error) {
	p := page(w, r, "")
	var ie *inputError
	switch {
	case errors.As(err, &ie):
		s.errorPage(w, r, http.StatusBadRequest, ie.msg)
	case errors.Is(err, errTooMany):
		s.errorPage(w, r, http.StatusTooManyRequests, err.Error())
	case errors.Is(err, errNoSession):
		s.errorPage(w, r, http.StatusNotFound, p.T("pg.notfound"))
	case errors.Is(err, errShuttingDown), errors.Is(err, errClosed), errors.Is(err, errFailed):
		w.Header().Set("Retry-After", "1")
		s.errorPage(w, r, http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, context.Canceled):
	default:
		s.log.Error("page failed", "path", r.URL.Path, "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "internal error: "+err.Error())
	}
}

type completeResponse struct {
	Candidates []string `json:"candidates"`
}

// handleComplete answers the terminal's Tab: the completions of ?line=.
func (s *Server) handleComplete(w http.ResponseWriter, r *http.Request) {
	line := r.URL.Query().Get("line")
	if len(line) > 4096 {
		writeError(w, http.StatusBadRequest, "the line is too long to complete (4096 bytes at most)")
		return
	}
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	c, err := sess.Complete(r.Context(), line)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if c == nil {
		c = []string{}
	}
	writeJSON(w, http.StatusOK, completeResponse{Candidates: c})
}

// handleInspect answers the diagram's side panel: ?kind=&namespace=&name=
// described and as YAML.
func (s *Server) handleInspect(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind, name := q.Get("kind"), q.Get("name")
	if kind == "" || name == "" {
		writeError(w, http.StatusBadRequest, `"kind" and "name" are required, as in ?kind=Pod&namespace=default&name=web`)
		return
	}
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	in, err := sess.Inspect(r.Context(), engine.Kind(kind), q.Get("namespace"), name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}
