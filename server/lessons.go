package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/podplay/podplay/lessons"
	"github.com/podplay/podplay/web"
)

// learnerCookie names a browser's learner: a random id that keys its
// progress through the lessons. There are no accounts; losing the cookie
// loses the record of progress, not any session.
func learnerCookie(r *http.Request) string {
	if r.TLS != nil {
		return "__Host-podplay-learner"
	}
	return "podplay-learner"
}

// learner returns the request's learner id, or "" if it has none.
func learner(r *http.Request) string {
	if c, err := r.Cookie(learnerCookie(r)); err == nil && validID(c.Value) {
		return c.Value
	}
	return ""
}

// ensureLearner returns the request's learner id, giving the browser one
// if it has none.
func ensureLearner(w http.ResponseWriter, r *http.Request) string {
	if id := learner(r); id != "" {
		return id
	}
	id := newID()
	http.SetCookie(w, &http.Cookie{
		Name: learnerCookie(r), Value: id, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
	return id
}

// lessonCards lists the course with a learner's progress, in lang.
func (s *Server) lessonCards(ctx context.Context, learnerID, lang string) ([]web.LessonCard, error) {
	if s.lessons == nil {
		return nil, nil
	}
	progress, err := s.progressOf(ctx, learnerID)
	if err != nil {
		return nil, err
	}
	var out []web.LessonCard
	for _, l := range s.lessons.Lessons() {
		p := progress[l.ID]
		out = append(out, web.LessonCard{ID: l.ID, Title: l.Title.In(lang), Summary: l.Summary.In(lang),
			Order: l.Order, Minutes: l.Minutes, Steps: len(l.Steps), StepsDone: p.StepsDone, Complete: p.Complete})
	}
	return out, nil
}

// progressOf returns a learner's progress by lesson id (none for a
// browser that has no learner id yet).
func (s *Server) progressOf(ctx context.Context, learnerID string) (map[string]Progress, error) {
	if learnerID == "" {
		return map[string]Progress{}, nil
	}
	return s.store.LearnerProgress(ctx, learnerID)
}

// presetCards lists the sandbox's starting states, in lang.
func (s *Server) presetCards(lang string) []web.PresetCard {
	if s.lessons == nil {
		return nil
	}
	var out []web.PresetCard
	for _, p := range s.lessons.Presets() {
		out = append(out, web.PresetCard{ID: p.ID, Title: p.Title.In(lang), Summary: p.Summary.In(lang)})
	}
	return out
}

// lessonView is a lesson as its page shows it, in lang, with the goals
// done so far.
func (s *Server) lessonView(l *lessons.Lesson, lang string, st *lessons.Status) *web.LessonView {
	v := &web.LessonView{ID: l.ID, Title: fmt.Sprintf("%d. %s", l.Order, l.Title.In(lang)), Learned: string(l.LearnedHTML[lang])}
	if st != nil {
		v.Current, v.Complete = st.Step, st.Complete
	}
	if next, ok := s.lessons.Next(l.ID); ok {
		v.NextURL, v.NextTitle = "/lessons/"+next.ID, next.Title.In(lang)
	}
	for i, step := range l.Steps {
		sv := web.StepView{ID: step.ID, HTML: string(step.HTML[lang]), Explain: string(step.ExplainHTML[lang])}
		for _, h := range step.HintsHTML {
			sv.Hints = append(sv.Hints, string(h[lang]))
		}
		for j, g := range step.Goals {
			gv := web.GoalView{ID: g.ID, Text: g.Text.In(lang)}
			if st != nil && i < len(st.Steps) && j < len(st.Steps[i].Goals) {
				gv.Done = st.Steps[i].Goals[j].Done
			}
			sv.Goals = append(sv.Goals, gv)
		}
		if st != nil && i < len(st.Steps) {
			sv.Done = st.Steps[i].Done
		}
		v.Steps = append(v.Steps, sv)
	}
	return v
}

// handleLesson is a lesson's page: the learner's own cluster for it,
// created on the first visit and kept until they reset the lesson.
func (s *Server) handleLesson(w http.ResponseWriter, r *http.Request) {
	p := page(w, r, "")
	l, ok := s.lessonOf(r)
	if !ok {
		s.errorPage(w, r, http.StatusNotFound, fmt.Sprintf("There is no lesson %q.", chi.URLParam(r, "id")))
		return
	}
	me := ensureLearner(w, r)
	var sess *Session
	prog, err := s.store.LessonProgress(r.Context(), me, l.ID)
	switch {
	case err == nil && prog.SessionID != "":
		sess, err = s.sessions.Get(r.Context(), prog.SessionID)
		if errors.Is(err, errNoSession) {
			sess, err = nil, nil
		}
	case errors.Is(err, ErrNotFound):
		err = nil
	}
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	if sess == nil {
		if sess, err = s.startLesson(w, r, me, l); err != nil {
			s.pageFail(w, r, err)
			return
		}
	}
	s.renderSession(w, r, p, sess)
}

// handleLessonReset starts a lesson over on a fresh cluster.
func (s *Server) handleLessonReset(w http.ResponseWriter, r *http.Request) {
	l, ok := s.lessonOf(r)
	if !ok {
		s.errorPage(w, r, http.StatusNotFound, fmt.Sprintf("There is no lesson %q.", chi.URLParam(r, "id")))
		return
	}
	if _, err := s.startLesson(w, r, ensureLearner(w, r), l); err != nil {
		s.pageFail(w, r, err)
		return
	}
	http.Redirect(w, r, "/lessons/"+l.ID, http.StatusSeeOther)
}

func (s *Server) lessonOf(r *http.Request) (*lessons.Lesson, bool) {
	return s.sessions.lesson(chi.URLParam(r, "id"))
}

// startLesson creates a lesson's session for a learner and points their
// progress at it, from zero.
func (s *Server) startLesson(w http.ResponseWriter, r *http.Request, learnerID string, l *lessons.Lesson) (*Session, error) {
	sess, err := s.create(w, r, Spec{Lesson: l.ID})
	if err != nil {
		return nil, err
	}
	if err := s.store.StartLesson(r.Context(), learnerID, l.ID, sess.ID(), len(l.Steps), time.Now()); err != nil {
		return nil, err
	}
	return sess, nil
}

type lessonJSON struct {
	ID      string       `json:"id"`
	Order   int          `json:"order"`
	Minutes int          `json:"minutes"`
	Title   lessons.Text `json:"title"`
	Summary lessons.Text `json:"summary"`
	Steps   int          `json:"steps"`
	URL     string       `json:"url"`
	// Progress is the asking browser's, when it has begun the lesson.
	Progress *progressJSON `json:"progress,omitempty"`
}

type progressJSON struct {
	StepsDone int    `json:"stepsDone"`
	Complete  bool   `json:"complete"`
	HintsUsed int    `json:"hintsUsed"`
	Spent     string `json:"spent"`
	Session   string `json:"session,omitempty"`
}

type presetJSON struct {
	ID      string       `json:"id"`
	Title   lessons.Text `json:"title"`
	Summary lessons.Text `json:"summary"`
}

// handleLessons lists the course and the sandbox presets.
func (s *Server) handleLessons(w http.ResponseWriter, r *http.Request) {
	out := struct {
		Lessons []lessonJSON `json:"lessons"`
		Presets []presetJSON `json:"presets"`
	}{Lessons: []lessonJSON{}, Presets: []presetJSON{}}
	if s.lessons != nil {
		progress, err := s.progressOf(r.Context(), learner(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, l := range s.lessons.Lessons() {
			j := lessonJSON{ID: l.ID, Order: l.Order, Minutes: l.Minutes, Title: l.Title, Summary: l.Summary, Steps: len(l.Steps), URL: "/lessons/" + l.ID}
			if p, ok := progress[l.ID]; ok {
				j.Progress = &progressJSON{StepsDone: p.StepsDone, Complete: p.Complete, HintsUsed: p.HintsUsed, Spent: p.Spent.Round(time.Second).String(), Session: p.SessionID}
			}
			out.Lessons = append(out.Lessons, j)
		}
		for _, p := range s.lessons.Presets() {
			out.Presets = append(out.Presets, presetJSON{ID: p.ID, Title: p.Title, Summary: p.Summary})
		}
	}
	writeJSON(w, http.StatusOK, out)
}
