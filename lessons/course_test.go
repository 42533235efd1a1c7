package lessons

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podplay/podplay/engine/kubectl"
)

// solutionSeed is the seed solutions are written for: podplay run's
// default. Generated names in a solution (pods of a Deployment) are this
// seed's.
const solutionSeed = SolutionSeed

func mustBuiltin(t testing.TB) *Catalog {
	t.Helper()
	cat, err := Builtin()
	require.NoError(t, err)
	return cat
}

func TestBuiltinLoadsInEveryLanguage(t *testing.T) {
	cat := mustBuiltin(t)
	ls := cat.Lessons()
	require.NotEmpty(t, ls)
	for i, l := range ls {
		if i > 0 {
			assert.Less(t, ls[i-1].Order, l.Order, "lessons are sorted by order")
		}
		for _, lang := range Languages {
			assert.NotEmpty(t, l.Title[lang], "%s: title in %s", l.ID, lang)
			assert.NotEmpty(t, l.Summary[lang], "%s: summary in %s", l.ID, lang)
			assert.NotEmpty(t, l.LearnedHTML[lang], "%s: learned in %s", l.ID, lang)
			for _, s := range l.Steps {
				assert.NotEmpty(t, s.HTML[lang], "%s/%s: prose in %s", l.ID, s.ID, lang)
				for _, g := range s.Goals {
					assert.NotEmpty(t, g.Text[lang], "%s/%s/%s: goal text in %s", l.ID, s.ID, g.ID, lang)
				}
				for _, h := range s.HintsHTML {
					assert.NotEmpty(t, h[lang])
				}
			}
		}
		got, ok := cat.Lesson(l.ID)
		assert.True(t, ok)
		assert.Same(t, l, got)
		next, ok := cat.Next(l.ID)
		if i+1 < len(ls) {
			assert.True(t, ok)
			assert.Same(t, ls[i+1], next)
		} else {
			assert.False(t, ok)
		}
	}
	_, ok := cat.Lesson("no-such-lesson")
	assert.False(t, ok)
}

func TestBuiltinPresets(t *testing.T) {
	cat := mustBuiltin(t)
	var ids []string
	for _, p := range cat.Presets() {
		ids = append(ids, p.ID)
		c, err := p.NewCluster(solutionSeed)
		require.NoError(t, err, p.ID)
		assert.NotEmpty(t, c.Nodes(), p.ID)
		for _, lang := range Languages {
			assert.NotEmpty(t, p.Title[lang])
			assert.NotEmpty(t, p.Summary[lang])
		}
	}
	assert.Subset(t, ids, []string{"empty", "webapp", "broken"})
}

// TestSolutions runs every lesson's solution command by command, as a
// learner would type it (Check): the steps complete in order and the
// lesson ends complete — and nothing is complete before the first command.
func TestSolutions(t *testing.T) {
	for _, l := range mustBuiltin(t).Lessons() {
		t.Run(l.ID, func(t *testing.T) {
			c, err := l.NewCluster(solutionSeed)
			require.NoError(t, err)
			tr := NewTracker(l)
			tr.Observe(c)
			st := tr.Status()
			require.False(t, st.Complete)
			require.Equal(t, 0, st.Step)
			for _, s := range st.Steps {
				require.False(t, s.Done, "step %s done before the learner did anything", s.ID)
			}
			for _, g := range st.Steps[0].Goals {
				assert.False(t, g.Done, "goal %s of the first step done before the learner did anything", g.ID)
			}
			require.NoError(t, Check(l, t.Logf))
		})
	}
}

func TestCheckFindsWhatIsWrong(t *testing.T) {
	l := *mustBuiltin(t).Lessons()[0]
	l.Solution = "kubectl get nodes\nkubectl get nosuchthing\n"
	require.ErrorContains(t, Check(&l, nil), "solution.txt:2: kubectl get nosuchthing: exit code 1")
	l.Solution = "kubectl get nodes\n"
	require.ErrorContains(t, Check(&l, nil), "the solution leaves step")
}

// TestSolutionTranscripts runs each solution as podplay run --strict does.
func TestSolutionTranscripts(t *testing.T) {
	for _, l := range mustBuiltin(t).Lessons() {
		c, err := l.NewCluster(solutionSeed)
		require.NoError(t, err)
		steps, err := kubectl.ParseScript(l.Solution)
		require.NoError(t, err)
		_, err = kubectl.RunScript(c, steps, true)
		require.NoError(t, err, l.ID)
	}
}
