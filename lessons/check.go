package lessons

import (
	"fmt"
	"strings"

	"github.com/podplay/podplay/engine/kubectl"
)

// SolutionSeed is the seed a lesson's solution is written for (podplay
// run's default): generated names in a solution are this seed's.
const SolutionSeed = 1

// Check runs a lesson's solution on its starting cluster, command by
// command as a learner would type it, through a Tracker, and reports the
// first thing wrong: a command that fails, a step done out of order or
// undone, a lesson left incomplete. log, if not nil, hears which command
// completes which step.
func Check(l *Lesson, log func(format string, args ...any)) error {
	c, err := l.NewCluster(SolutionSeed)
	if err != nil {
		return fmt.Errorf("%s: the starting cluster: %w", l.Dir, err)
	}
	steps, err := kubectl.ParseScript(l.Solution)
	if err != nil {
		return fmt.Errorf("%s/solution.txt: %w", l.Dir, err)
	}
	tr := NewTracker(l)
	tr.Observe(c)
	if st := tr.Status(); st.Steps[0].Done {
		return fmt.Errorf("%s: step %s is done before the learner did anything", l.Dir, st.Steps[0].ID)
	}
	done := 0
	for _, s := range steps {
		if s.Comment {
			continue
		}
		first, _, _ := strings.Cut(s.Text, "\n")
		res := kubectl.Run(c, s.Text)
		if res.ExitCode != 0 {
			return fmt.Errorf("%s/solution.txt:%d: %s: exit code %d:\n%s", l.Dir, s.Line, first, res.ExitCode, res.Output)
		}
		tr.Command(c, s.Text, res)
		st := tr.Status()
		for i := range done {
			if !st.Steps[i].Done {
				return fmt.Errorf("%s/solution.txt:%d: %s: step %s came undone", l.Dir, s.Line, first, st.Steps[i].ID)
			}
		}
		for done < len(st.Steps) && st.Steps[done].Done {
			if log != nil {
				log("%s/solution.txt:%d: %q completes step %s", l.Dir, s.Line, first, st.Steps[done].ID)
			}
			done++
		}
		for i := done; i < len(st.Steps); i++ {
			if st.Steps[i].Done {
				return fmt.Errorf("%s/solution.txt:%d: %s: step %s is done before step %s", l.Dir, s.Line, first, st.Steps[i].ID, st.Steps[done].ID)
			}
		}
	}
	if st := tr.Status(); !st.Complete {
		var open []string
		for _, g := range st.Steps[st.Step].Goals {
			if !g.Done {
				open = append(open, g.Text.In("en"))
			}
		}
		return fmt.Errorf("%s: the solution leaves step %s undone: %s", l.Dir, st.Steps[st.Step].ID, strings.Join(open, "; "))
	}
	return nil
}
