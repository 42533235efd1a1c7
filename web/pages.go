package web

import "strings"

// Page is what every page's frame needs.
type Page struct {
	Lang  string
	Title string
	// Theme is "light", "dark" or "" (follow the system).
	Theme string
	// Path is the page's own path, for the language switch's links.
	Path string
}

// T returns the page's words for key in the page's language.
func (p Page) T(key string) string { return T(p.Lang, key) }

// HomeData is the home page: the course and the ways into the sandbox.
type HomeData struct {
	Page
	Lessons  []LessonCard
	Presets  []PresetCard
	Sessions []SessionLink
}

// LessonCard is one lesson in the list, with the learner's progress.
type LessonCard struct {
	ID, Title, Summary string
	Order, Minutes     int
	Steps, StepsDone   int
	Complete           bool
}

// Started reports whether the learner has begun the lesson.
func (l LessonCard) Started() bool { return l.StepsDone > 0 }

// PresetCard is a starting state for the sandbox.
type PresetCard struct {
	ID, Title, Summary string
}

// SessionLink is one of the browser's recent clusters.
type SessionLink struct {
	ID, URL, Label string
}

// PlaygroundData is the playground page of one session.
type PlaygroundData struct {
	Page
	SessionID string
	// Lesson is the lesson the session follows; nil in the sandbox.
	Lesson *LessonView
}

// LessonView is a lesson as its page shows it: the steps in the page's
// language; the goals' state arrives over the websocket.
type LessonView struct {
	ID, Title string
	// Current is the index of the step the learner is on; Complete is
	// set once every step is done.
	Current   int
	Complete  bool
	Steps     []StepView
	Learned   string // sanitised HTML
	NextURL   string
	NextTitle string
}

// StepView is one step of a lesson.
type StepView struct {
	ID string
	// HTML, Hints and Explain are sanitised HTML, rendered from Markdown
	// by the lessons package.
	HTML    string
	Goals   []GoalView
	Hints   []string
	Explain string
	Done    bool
}

// GoalView is one goal of a step, in the page's language.
type GoalView struct {
	ID, Text string
	Done     bool
}

// ErrorData is an error page.
type ErrorData struct {
	Page
	Status  int
	Message string
}

// sampleManifest starts the YAML editor with something worth applying.
const sampleManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 2
  selector:
    matchLabels:
      app: hello
  template:
    metadata:
      labels:
        app: hello
    spec:
      containers:
      - name: hello
        image: nginx:1.27
        resources:
          requests:
            cpu: 250m
            memory: 128Mi
`

// pageMessages are the words the page's script needs, in lang.
func pageMessages(lang string) map[string]string {
	out := map[string]string{}
	for k := range messages["en"] {
		if strings.HasPrefix(k, "pg.") || strings.HasPrefix(k, "lesson.") {
			out[k] = T(lang, k)
		}
	}
	return out
}
