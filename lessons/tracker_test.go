package lessons

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/kubectl"
)

const trackerLesson = `---
id: t
order: 1
minutes: 5
title: {en: T, ko: T}
summary: {en: T, ko: T}
learned: {en: T, ko: T}
---

## Step: one

### en
Look.

### ko
보세요.

` + "```goals" + `
- ran: kubectl get nodes
` + "```" + `

## Step: two

### en
Run a pod and describe it.

### ko
파드를 실행하고 describe 하세요.

` + "```goals" + `
- pods: {name: box, phase: Running}
- ran: kubectl describe pod
` + "```" + `

## Step: three

### en
Write a file.

### ko
파일을 쓰세요.

` + "```goals" + `
- file: {name: box, path: /tmp/f}
` + "```" + `
`

func trackerFixture(t *testing.T) (*Lesson, *engine.Cluster, *Tracker) {
	t.Helper()
	cat, err := Load(lessonFS(map[string]string{"1-t/lesson.md": trackerLesson, "1-t/solution.txt": "kubectl get nodes\n"}))
	require.NoError(t, err)
	l, _ := cat.Lesson("t")
	c, err := l.NewCluster(1)
	require.NoError(t, err)
	tr := NewTracker(l)
	tr.Observe(c)
	return l, c, tr
}

func typeIn(t *testing.T, c *engine.Cluster, tr *Tracker, input string) {
	t.Helper()
	res := kubectl.Run(c, input)
	tr.Command(c, input, res)
	tr.Observe(c)
}

func doneSteps(st Status) []bool {
	var out []bool
	for _, s := range st.Steps {
		out = append(out, s.Done)
	}
	return out
}

func TestTrackerStepsInOrder(t *testing.T) {
	_, c, tr := trackerFixture(t)
	// Step two's goals, met while step one is current, do not count: the
	// pod is live state (checked again later), the describe a command
	// (counted only for the current step).
	typeIn(t, c, tr, "kubectl run box --image=busybox:1.36 -- sleep 3600")
	typeIn(t, c, tr, "sleep 5s")
	typeIn(t, c, tr, "kubectl describe pod box")
	st := tr.Status()
	assert.Equal(t, []bool{false, false, false}, doneSteps(st))
	assert.Equal(t, 0, st.Step)
	assert.False(t, st.Steps[1].Goals[0].Done, "later steps show only latched goals")

	typeIn(t, c, tr, "kubectl get nodes")
	st = tr.Status()
	assert.Equal(t, []bool{true, false, false}, doneSteps(st))
	assert.Equal(t, 1, st.Step)
	assert.True(t, st.Steps[1].Goals[0].Done, "the pod runs")
	assert.False(t, st.Steps[1].Goals[1].Done, "the describe came too early")

	typeIn(t, c, tr, "kubectl descibe pod box") // a typo is no describe
	assert.Equal(t, 1, tr.Status().Step)
	typeIn(t, c, tr, "kubectl describe pod box")
	st = tr.Status()
	assert.Equal(t, []bool{true, true, false}, doneSteps(st))

	typeIn(t, c, tr, "kubectl delete pod box --grace-period=0")
	st = tr.Status()
	assert.True(t, st.Steps[1].Done, "done steps stay done when their state goes")
	assert.False(t, st.Complete)

	typeIn(t, c, tr, "kubectl run box --image=busybox:1.36 -- sleep 3600")
	typeIn(t, c, tr, "sleep 5s")
	typeIn(t, c, tr, "kubectl exec box -- sh -c 'echo hi > /tmp/f'")
	st = tr.Status()
	assert.True(t, st.Complete)
	assert.Equal(t, 2, st.Step)
	b, err := json.Marshal(st)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"lesson":"t","step":2,"steps":[{"id":"one","done":true,"goals":[{"id":"ran-1","text":{"en":"Run `+"`kubectl get nodes`"+`","ko":"`+"`kubectl get nodes`"+` 실행"},"done":true}]}`)
}

func TestTrackerObserveIsCheapWhenNothingChanged(t *testing.T) {
	_, c, tr := trackerFixture(t)
	typeIn(t, c, tr, "kubectl get nodes")
	typeIn(t, c, tr, "kubectl run box --image=busybox:1.36 -- sleep 3600")
	typeIn(t, c, tr, "sleep 5s")
	typeIn(t, c, tr, "kubectl describe pod box")
	require.Equal(t, 2, tr.Status().Step)
	// A file written behind the tracker's back changes no resourceVersion:
	// Observe does not look again...
	_, err := c.Exec("default", "box", "", []string{"sh", "-c", "echo hi > /tmp/f"})
	require.NoError(t, err)
	tr.Observe(c)
	assert.False(t, tr.Status().Complete)
	// ...but any command makes it look.
	typeIn(t, c, tr, "kubectl get pods")
	assert.True(t, tr.Status().Complete)
}

// TestTrackerReplays checks that the same inputs give the same progress,
// as the server relies on when it rebuilds a session.
func TestTrackerReplays(t *testing.T) {
	l := mustBuiltin(t).Lessons()[1]
	steps, err := kubectl.ParseScript(l.Solution)
	require.NoError(t, err)
	run := func() []Status {
		c, err := l.NewCluster(7)
		require.NoError(t, err)
		tr := NewTracker(l)
		tr.Observe(c)
		var out []Status
		for _, s := range steps {
			if s.Comment {
				continue
			}
			res := kubectl.Run(c, s.Text)
			tr.Command(c, s.Text, res)
			out = append(out, tr.Status())
		}
		return out
	}
	assert.Equal(t, run(), run())
}
