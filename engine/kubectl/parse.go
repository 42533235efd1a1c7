package kubectl

import (
	"errors"
	"strings"
)

// Words returns the words of a terminal input's command line, as Run
// reads them: the first line, less any heredoc, split as a shell would.
// A lesson's goals use it to know what the learner ran.
func Words(input string) ([]string, error) {
	line, _, _ := strings.Cut(strings.ReplaceAll(input, "\r\n", "\n"), "\n")
	if i := strings.Index(line, "<<"); i >= 0 {
		line = line[:i]
	}
	return splitWords(line)
}

// splitWords splits a command line as a shell would: spaces separate
// words; single and double quotes group; a backslash escapes.
func splitWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated quoted string")
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j := i + 1
			for ; j < len(line) && line[j] != '"'; j++ {
				if line[j] == '\\' && j+1 < len(line) {
					j++
				}
				cur.WriteByte(line[j])
			}
			if j >= len(line) {
				return nil, errors.New("unterminated quoted string")
			}
			i = j
			inWord = true
		case c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// splitHeredoc separates "cmd <<EOF\nbody\nEOF" into the command line and
// the body fed to its standard input.
func splitHeredoc(input string) (line, stdin string, err error) {
	first, rest, _ := strings.Cut(input, "\n")
	i := strings.Index(first, "<<")
	if i < 0 {
		return strings.TrimSpace(first), rest, nil
	}
	marker := strings.Trim(strings.TrimSpace(strings.TrimPrefix(first[i+2:], "-")), `'"`)
	if marker == "" {
		return "", "", errors.New("syntax error: a heredoc needs an end marker, as in <<EOF")
	}
	var body []string
	for _, l := range strings.Split(rest, "\n") {
		if strings.TrimSpace(l) == marker {
			return strings.TrimSpace(first[:i]), strings.Join(body, "\n") + "\n", nil
		}
		body = append(body, l)
	}
	return "", "", errors.New("syntax error: the heredoc is not closed by a line " + marker)
}

// flags holds the flags common to kubectl's verbs.
type flags struct {
	namespace     string
	allNamespaces bool
	selector      string
	output        string
	showLabels    bool
	filename      string
	gracePeriod   *int64
	args          []string
	// values and set hold the flags of one verb only (--replicas,
	// --previous, …) by the name typed.
	values map[string]string
	set    map[string]bool
}

// boolFlags take no value.
var boolFlags = map[string]bool{"-p": true, "--previous": true, "-w": true, "--watch": true}

// value returns a verb's flag by any of its names.
func (f flags) value(names ...string) (string, bool) {
	for _, n := range names {
		if v, ok := f.values[n]; ok {
			return v, true
		}
	}
	return "", false
}

func (f flags) isSet(names ...string) bool {
	for _, n := range names {
		if f.set[n] {
			return true
		}
	}
	return false
}

// parseFlags separates flags from arguments. known lists the flags the
// verb takes, by every name; a flag not in it is an error, as in kubectl.
func parseFlags(words []string, known map[string]bool) (flags, error) {
	var f flags
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") || w == "-" {
			f.args = append(f.args, w)
			continue
		}
		name, value, hasValue := strings.Cut(w, "=")
		needValue := func() (string, error) {
			if hasValue {
				return value, nil
			}
			if i+1 >= len(words) {
				return "", errors.New("flag needs an argument: " + name)
			}
			i++
			return words[i], nil
		}
		if !known[name] {
			return f, errors.New("unknown flag: " + name)
		}
		var err error
		switch name {
		case "-n", "--namespace":
			f.namespace, err = needValue()
		case "-A", "--all-namespaces":
			f.allNamespaces = true
		case "-l", "--selector":
			f.selector, err = needValue()
		case "-o", "--output":
			f.output, err = needValue()
		case "--show-labels":
			f.showLabels = true
		case "-f", "--filename":
			f.filename, err = needValue()
		case "--grace-period":
			var v string
			if v, err = needValue(); err == nil {
				var n int64
				if n, err = parseInt(v); err == nil {
					f.gracePeriod = &n
				}
			}
		case "--force", "--now":
			if name == "--now" {
				one := int64(1)
				f.gracePeriod = &one
			}
		default:
			if boolFlags[name] {
				if f.set == nil {
					f.set = map[string]bool{}
				}
				f.set[name] = true
				break
			}
			var v string
			if v, err = needValue(); err == nil {
				if f.values == nil {
					f.values = map[string]string{}
				}
				f.values[name] = v
			}
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

func parseInt(s string) (int64, error) {
	var n int64
	if s == "" {
		return 0, errors.New("invalid number")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("invalid argument \"" + s + "\": not a number")
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}
