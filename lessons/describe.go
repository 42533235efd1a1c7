package lessons

import (
	"errors"
	"fmt"
	"strings"
)

// countSpec is how many objects a goal wants: exactly Count, or at least
// Min and at most Max. With none set, at least one.
type countSpec struct {
	Count *int `yaml:"count"`
	Min   *int `yaml:"min"`
	Max   *int `yaml:"max"`
}

func (c countSpec) validate() error {
	for _, p := range []*int{c.Count, c.Min, c.Max} {
		if p != nil && *p < 0 {
			return errors.New("count, min and max must not be negative")
		}
	}
	if c.Count != nil && (c.Min != nil || c.Max != nil) {
		return errors.New("use count alone, or min and/or max")
	}
	if c.Min != nil && c.Max != nil && *c.Min > *c.Max {
		return errors.New("min is greater than max")
	}
	return nil
}

func (c countSpec) ok(n int) bool {
	switch {
	case c.Count != nil:
		return n == *c.Count
	case c.Min == nil && c.Max == nil:
		return n >= 1
	}
	return (c.Min == nil || n >= *c.Min) && (c.Max == nil || n <= *c.Max)
}

// phrase says the count with a noun: "3 pods", "at least 2 nodes", "no
// pods" / "파드 3개", "노드 2개 이상", "파드 없음".
func (c countSpec) phrase(one, many, ko string) (string, string) {
	plural := func(n int) string {
		if n == 1 {
			return one
		}
		return many
	}
	switch {
	case c.Count != nil && *c.Count == 0, c.Max != nil && *c.Max == 0:
		return "no " + many, ko + " 없음"
	case c.Count != nil:
		return fmt.Sprintf("%d %s", *c.Count, plural(*c.Count)), fmt.Sprintf("%s %d개", ko, *c.Count)
	case c.Min != nil && c.Max != nil:
		return fmt.Sprintf("%d to %d %s", *c.Min, *c.Max, many), fmt.Sprintf("%s %d~%d개", ko, *c.Min, *c.Max)
	case c.Max != nil:
		return fmt.Sprintf("at most %d %s", *c.Max, plural(*c.Max)), fmt.Sprintf("%s %d개 이하", ko, *c.Max)
	case c.Min != nil && *c.Min > 1:
		return fmt.Sprintf("at least %d %s", *c.Min, many), fmt.Sprintf("%s %d개 이상", ko, *c.Min)
	}
	return article(one) + " " + one, ko + " 1개 이상"
}

func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiouAEIOU", rune(noun[0])) {
		return "an"
	}
	return "a"
}

// sentence joins a subject and its conditions: "3 pods with app=web:
// Running, Ready".
type sentence struct {
	en, ko         string
	enConds, koCon []string
}

func (s *sentence) add(en, ko string) {
	s.enConds = append(s.enConds, en)
	s.koCon = append(s.koCon, ko)
}

func (s *sentence) text() Text {
	en, ko := s.en, s.ko
	if len(s.enConds) > 0 {
		en += ": " + strings.Join(s.enConds, ", ")
		ko += ": " + strings.Join(s.koCon, ", ")
	}
	return Text{"en": upperFirst(en), "ko": ko}
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func code(s string) string { return "`" + s + "`" }

func times(n int) (string, string) {
	if n == 1 {
		return "once", "1회"
	}
	return fmt.Sprintf("%d times", n), fmt.Sprintf("%d회", n)
}
