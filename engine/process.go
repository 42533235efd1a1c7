package engine

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file is the process VM: what runs inside a simulated container. A
// process is a short list of instructions (built from the image's default
// behaviour or compiled from the container's command) and a program
// counter. It runs until it sleeps, serves forever, or exits; the kubelet
// wakes it again when its sleep is over.

type opcode uint8

const (
	opShell      opcode = iota // run a command (args are raw words)
	opExec                     // run a command (args are literal argv)
	opJump                     // goto target
	opJumpIfFail               // goto target if status != 0
	opJumpIfOK                 // goto target if status == 0
	opSetStatus                // status = 0
	opForInit                  // begin iterating args into variable name
	opForNext                  // next item into name, or goto target
	opLog                      // log args[0] ("%t" becomes the time)
	opServe                    // run forever (a server's main loop)
	opSleep                    // sleep d
	opExit                     // exit with code
	opExitStatus               // exit with the last status
)

type instr struct {
	op       opcode
	args     []string
	redirect string
	appendTo bool
	target   int
	name     string
	d        time.Duration
	code     int
}

// procHost is what a process can reach outside itself.
type procHost interface {
	now() time.Time
	hostname() string
	log(line string)
	// logTemplate logs a line in which "%t" stands for the time.
	logTemplate(tmpl string)
	writeFile(path, data string, appendTo bool) error
	readFile(path string) (string, bool)
	listDir(path string) ([]string, bool)
}

// process is a running (or finished) program in a container.
type process struct {
	code   []instr
	pc     int
	status int
	vars   map[string]string
	// forItems holds, per opForNext index, the items not yet visited.
	forItems map[int][]string
	// wakeAt is when a sleeping process continues; zero when not sleeping.
	wakeAt  time.Time
	serving bool
	done    bool
	exit    int
	// handlesSIGTERM: the process exits promptly when asked to stop,
	// instead of being killed when the grace period ends.
	handlesSIGTERM bool
	image          *Image
}

// servingProcesses stand for every process that serves forever, which is
// all a container running a server needs once started. They are never
// run, so never modified, and may be shared.
var servingProcesses = [2]process{{serving: true}, {serving: true, handlesSIGTERM: true}}

func servingProcess(handlesSIGTERM bool) *process {
	if handlesSIGTERM {
		return &servingProcesses[1]
	}
	return &servingProcesses[0]
}

// maxStepsPerWake bounds the instructions one wake may run. A process that
// runs this many without sleeping or exiting is a busy loop: it would spin
// forever, so it is treated as running forever (what it has logged so far
// is what its log shows) instead of being stepped through at great cost.
const maxStepsPerWake = 20000

// run executes until the process blocks or exits.
func (p *process) run(h procHost) {
	p.wakeAt = time.Time{}
	for steps := 0; !p.done && !p.serving; steps++ {
		if steps >= maxStepsPerWake {
			p.serving = true
			return
		}
		if p.pc >= len(p.code) {
			p.done, p.exit = true, p.status
			return
		}
		in := &p.code[p.pc]
		p.pc++
		switch in.op {
		case opJump:
			p.pc = in.target
		case opJumpIfFail:
			if p.status != 0 {
				p.pc = in.target
			}
		case opJumpIfOK:
			if p.status == 0 {
				p.pc = in.target
			}
		case opSetStatus:
			p.status = 0
		case opForInit:
			items := make([]string, 0, len(in.args))
			for _, w := range in.args {
				items = append(items, strings.Fields(p.expand(w, h))...)
			}
			if p.forItems == nil {
				p.forItems = map[int][]string{}
			}
			p.forItems[p.pc] = items
		case opForNext:
			idx := p.pc - 1
			items := p.forItems[idx]
			if len(items) == 0 {
				p.pc = in.target
				continue
			}
			p.vars[in.name] = items[0]
			p.forItems[idx] = items[1:]
		case opLog:
			h.logTemplate(in.args[0])
		case opServe:
			p.serving = true
		case opSleep:
			p.wakeAt = h.now().Add(in.d)
			return
		case opExit:
			p.done, p.exit = true, in.code
		case opExitStatus:
			p.done, p.exit = true, p.status
		case opShell, opExec:
			argv := in.args
			if in.op == opShell {
				argv = make([]string, 0, len(in.args))
				for _, w := range in.args {
					argv = append(argv, p.expand(w, h))
				}
			}
			redirect := ""
			if in.redirect != "" {
				redirect = p.expand(in.redirect, h)
			}
			p.builtin(argv, redirect, in.appendTo, h)
			if !p.wakeAt.IsZero() {
				return
			}
		}
	}
}

// output sends text to the log or, when redirected, to a file.
func (p *process) output(text, redirect string, appendTo bool, h procHost) {
	if redirect != "" {
		if redirect == "/dev/null" {
			return
		}
		if err := h.writeFile(redirect, text, appendTo); err != nil {
			h.log("sh: can't create " + redirect + ": " + err.Error())
			p.status = 1
		}
		return
	}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		h.log(line)
	}
}

func (p *process) builtin(argv []string, redirect string, appendTo bool, h procHost) {
	// Leading NAME=value words set variables.
	for len(argv) > 0 {
		name, value, ok := strings.Cut(argv[0], "=")
		if !ok || name == "" || strings.ContainsAny(name, "/-.") {
			break
		}
		p.vars[name] = value
		argv = argv[1:]
	}
	if len(argv) == 0 {
		p.status = 0
		return
	}
	cmd := path.Base(argv[0])
	args := argv[1:]
	p.status = 0
	switch cmd {
	case "true", ":", "mkdir", "cd", "trap", "set", "wait", "ulimit", "umask", "sync":
	case "false":
		p.status = 1
	case "export":
		for _, a := range args {
			if name, value, ok := strings.Cut(a, "="); ok {
				p.vars[name] = value
			}
		}
	case "exec":
		p.builtin(args, redirect, appendTo, h)
	case "echo":
		newline := true
		for len(args) > 0 && (args[0] == "-n" || args[0] == "-e" || args[0] == "-ne" || args[0] == "-en") {
			if strings.Contains(args[0], "n") {
				newline = false
			}
			args = args[1:]
		}
		text := strings.Join(args, " ")
		if newline {
			text += "\n"
		}
		p.output(text, redirect, appendTo, h)
	case "printf":
		if len(args) > 0 {
			p.output(shellPrintf(args[0], args[1:]), redirect, appendTo, h)
		}
	case "sleep":
		d, ok := parseSleep(args)
		if !ok {
			h.log("sleep: invalid number '" + strings.Join(args, " ") + "'")
			p.status = 1
			return
		}
		if d < 0 {
			p.serving = true // sleep infinity
			return
		}
		p.wakeAt = h.now().Add(d)
	case "exit":
		code := p.status
		if len(args) > 0 {
			n, err := strconv.Atoi(args[0])
			if err != nil {
				h.log("sh: exit: Illegal number: " + args[0])
				n = 2
			}
			code = n & 0xff
		}
		p.done, p.exit = true, code
	case "date":
		p.output(h.now().Format("Mon Jan _2 15:04:05 MST 2006")+"\n", redirect, appendTo, h)
	case "hostname":
		p.output(h.hostname()+"\n", redirect, appendTo, h)
	case "env", "printenv":
		if cmd == "printenv" && len(args) > 0 {
			if v, ok := p.vars[args[0]]; ok {
				p.output(v+"\n", redirect, appendTo, h)
			} else {
				p.status = 1
			}
			return
		}
		var b strings.Builder
		for _, k := range sortedMapKeys(p.vars) {
			b.WriteString(k + "=" + p.vars[k] + "\n")
		}
		p.output(b.String(), redirect, appendTo, h)
	case "cat":
		var b strings.Builder
		for _, f := range args {
			data, ok := h.readFile(f)
			if !ok {
				h.log("cat: can't open '" + f + "': No such file or directory")
				p.status = 1
				continue
			}
			b.WriteString(data)
		}
		if b.Len() > 0 {
			p.output(b.String(), redirect, appendTo, h)
		}
	case "touch":
		for _, f := range args {
			if _, ok := h.readFile(f); !ok {
				if err := h.writeFile(f, "", true); err != nil {
					h.log("touch: " + f + ": " + err.Error())
					p.status = 1
				}
			}
		}
	case "ls":
		dir := "."
		if len(args) > 0 && !strings.HasPrefix(args[len(args)-1], "-") {
			dir = args[len(args)-1]
		}
		names, ok := h.listDir(dir)
		if !ok {
			h.log("ls: " + dir + ": No such file or directory")
			p.status = 1
			return
		}
		if len(names) > 0 {
			p.output(strings.Join(names, "\n")+"\n", redirect, appendTo, h)
		}
	case "tail":
		if slices.Contains(args, "-f") || slices.Contains(args, "-F") {
			p.serving = true
		}
	case "[", "test":
		if cmd == "[" {
			if len(args) == 0 || args[len(args)-1] != "]" {
				h.log("sh: missing ]")
				p.status = 2
				return
			}
			args = args[:len(args)-1]
		}
		if !shellTest(args, h) {
			p.status = 1
		}
	default:
		if p.image != nil && slices.Contains(p.image.Binaries, cmd) {
			p.runImageDefault(h)
			return
		}
		h.log("sh: " + cmd + ": not found")
		p.status = 127
	}
}

// runImageDefault runs the image's own program in place of the current
// instruction stream (what `exec nginx -g 'daemon off;'` does).
func (p *process) runImageDefault(h procHost) {
	p.code = defaultProgram(p.image, func(name string) bool { return p.vars[name] != "" })
	p.pc = 0
	p.handlesSIGTERM = p.image.HandlesSIGTERM
}

// expand performs quote removal and parameter expansion on a raw word.
func (p *process) expand(w string, h procHost) string {
	var b strings.Builder
	inDouble := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c == '\'' && !inDouble:
			j := strings.IndexByte(w[i+1:], '\'')
			if j < 0 {
				b.WriteString(w[i+1:])
				return b.String()
			}
			b.WriteString(w[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inDouble = !inDouble
		case c == '\\' && i+1 < len(w):
			i++
			if inDouble && !strings.ContainsRune("\"\\$`\n", rune(w[i])) {
				b.WriteByte('\\')
			}
			b.WriteByte(w[i])
		case c == '$' && i+1 < len(w):
			n, val := p.parameter(w[i+1:], h)
			if n == 0 {
				b.WriteByte('$')
				continue
			}
			b.WriteString(val)
			i += n
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parameter expands the text after a '$' and reports how much it used.
func (p *process) parameter(s string, h procHost) (int, string) {
	switch {
	case strings.HasPrefix(s, "(("):
		end := strings.Index(s, "))")
		if end < 0 {
			return 0, ""
		}
		return end + 2, strconv.Itoa(p.arith(s[2:end]))
	case s[0] == '(':
		depth := 0
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					return i + 1, p.substitute(strings.TrimSpace(s[1:i]), h)
				}
			}
		}
		return 0, ""
	case s[0] == '{':
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return 0, ""
		}
		name, def, hasDef := strings.Cut(s[1:end], ":-")
		v, ok := p.vars[name]
		if (!ok || v == "") && hasDef {
			v = def
		}
		return end + 1, v
	case s[0] == '?':
		return 1, strconv.Itoa(p.status)
	case s[0] == '$':
		return 1, "1"
	}
	n := 0
	for n < len(s) && (s[n] == '_' || s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z' || n > 0 && s[n] >= '0' && s[n] <= '9') {
		n++
	}
	if n == 0 {
		return 0, ""
	}
	return n, p.vars[s[:n]]
}

// substitute runs the few commands podplay allows in $(…).
func (p *process) substitute(cmd string, h procHost) string {
	fields := strings.Fields(cmd)
	if len(fields) == 0 {
		return ""
	}
	switch fields[0] {
	case "date":
		if len(fields) > 1 && fields[1] == "+%s" {
			return strconv.FormatInt(h.now().Unix(), 10)
		}
		return h.now().Format("Mon Jan _2 15:04:05 MST 2006")
	case "hostname":
		return h.hostname()
	case "cat":
		if len(fields) > 1 {
			data, _ := h.readFile(fields[1])
			return strings.TrimRight(data, "\n")
		}
	case "seq":
		var lo, hi int
		switch len(fields) {
		case 2:
			lo = 1
			hi, _ = strconv.Atoi(fields[1])
		case 3:
			lo, _ = strconv.Atoi(fields[1])
			hi, _ = strconv.Atoi(fields[2])
		}
		var nums []string
		for i := lo; i <= hi && len(nums) < 1000; i++ {
			nums = append(nums, strconv.Itoa(i))
		}
		return strings.Join(nums, " ")
	}
	return ""
}

// arith evaluates a + or - expression of integers and variables.
func (p *process) arith(expr string) int {
	total, sign := 0, 1
	for _, f := range strings.FieldsFunc(strings.ReplaceAll(strings.ReplaceAll(expr, "+", " + "), "-", " - "), func(r rune) bool { return r == ' ' }) {
		switch f {
		case "+":
			sign = 1
		case "-":
			sign = -1
		default:
			n, err := strconv.Atoi(f)
			if err != nil {
				n, _ = strconv.Atoi(p.vars[strings.TrimPrefix(f, "$")])
			}
			total += sign * n
		}
	}
	return total
}

func shellTest(args []string, h procHost) bool {
	switch len(args) {
	case 0:
		return false
	case 1:
		return args[0] != ""
	case 2:
		switch args[0] {
		case "-z":
			return args[1] == ""
		case "-n":
			return args[1] != ""
		case "-f", "-e", "-s":
			data, ok := h.readFile(args[1])
			return ok && (args[0] != "-s" || data != "")
		case "-d":
			_, ok := h.listDir(args[1])
			return ok
		case "!":
			return args[1] == ""
		}
	case 3:
		a, b := args[0], args[2]
		ai, errA := strconv.Atoi(a)
		bi, errB := strconv.Atoi(b)
		nums := errA == nil && errB == nil
		switch args[1] {
		case "=", "==":
			return a == b
		case "!=":
			return a != b
		case "-eq":
			return nums && ai == bi
		case "-ne":
			return nums && ai != bi
		case "-lt":
			return nums && ai < bi
		case "-le":
			return nums && ai <= bi
		case "-gt":
			return nums && ai > bi
		case "-ge":
			return nums && ai >= bi
		}
	}
	return false
}

func shellPrintf(format string, args []string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == '\\' && i+1 < len(format) {
			i++
			switch format[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(format[i])
			}
			continue
		}
		if c == '%' && i+1 < len(format) {
			i++
			switch format[i] {
			case 's', 'd':
				if len(args) > 0 {
					b.WriteString(args[0])
					args = args[1:]
				}
			case '%':
				b.WriteByte('%')
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// parseSleep parses sleep's operands: seconds, or numbers with s/m/h/d
// suffixes (summed), or "infinity" (returned as a negative duration).
func parseSleep(args []string) (time.Duration, bool) {
	if len(args) == 0 {
		return 0, false
	}
	var total time.Duration
	for _, a := range args {
		if a == "infinity" || a == "inf" {
			return -1, true
		}
		unit := time.Second
		switch {
		case strings.HasSuffix(a, "s"):
			a = strings.TrimSuffix(a, "s")
		case strings.HasSuffix(a, "m"):
			a, unit = strings.TrimSuffix(a, "m"), time.Minute
		case strings.HasSuffix(a, "h"):
			a, unit = strings.TrimSuffix(a, "h"), time.Hour
		case strings.HasSuffix(a, "d"):
			a, unit = strings.TrimSuffix(a, "d"), 24*time.Hour
		}
		f, err := strconv.ParseFloat(a, 64)
		if err != nil || f < 0 {
			return 0, false
		}
		total += time.Duration(f * float64(unit))
	}
	if total > 100*365*24*time.Hour {
		return -1, true
	}
	return total, true
}

// coreutils are the commands every image with a shell (busybox, a Debian
// or Alpine base) has on its PATH.
var coreutils = []string{"sh", "bash", "ash", "dash", "sleep", "echo", "printf", "true", "false", "cat", "date",
	"env", "printenv", "hostname", "touch", "ls", "tail", "mkdir", "test", "["}

// defaultProgram is what an image does when its command is not overridden.
// The instructions are built once per image and shared: processes never
// modify their code.
func defaultProgram(im *Image, isSet func(name string) bool) []instr {
	envOK := 1
	for _, name := range im.RequiredEnv {
		envOK = 0
		if isSet(name) {
			envOK = 1
			break
		}
	}
	if im.programs[envOK] == nil {
		im.programs[envOK] = buildDefaultProgram(im, envOK == 1)
	}
	return im.programs[envOK]
}

func buildDefaultProgram(im *Image, envOK bool) []instr {
	if im.Generic {
		return []instr{{op: opServe}}
	}
	var code []instr
	logs := func(lines []string) {
		for _, l := range lines {
			code = append(code, instr{op: opLog, args: []string{l}})
		}
	}
	switch im.Behavior {
	case BehaviorShell:
		return []instr{{op: opExit, code: 0}}
	case BehaviorCrash:
		logs(im.StartupLogs)
		code = append(code, instr{op: opSleep, d: im.CrashAfter})
		logs(im.FailLogs)
		return append(code, instr{op: opExit, code: 1})
	}
	if !envOK {
		logs(im.FailLogs)
		return append(code, instr{op: opExit, code: 1})
	}
	logs(im.StartupLogs)
	return append(code, instr{op: opServe})
}

// startError is why a container's process could not be started at all
// (the runtime's StartError: exit code 128).
type startError struct{ message string }

func (e *startError) Error() string { return e.message }

// newProcess builds the process a container runs: the image's default, or
// its command and args with Kubernetes' $(VAR) expansion, interpreted. env
// gives the container's environment; it is only built when a command needs
// it.
func newProcess(im *Image, ctr *Container, env func() map[string]string) (*process, error) {
	p := &process{image: im}
	overridden := len(ctr.Command) > 0 || len(ctr.Args) > 0
	if !overridden {
		p.code = defaultProgram(im, func(name string) bool {
			for _, e := range ctr.Env {
				if e.Name == name && e.Value != "" {
					return true
				}
			}
			return false
		})
		p.handlesSIGTERM = im.HandlesSIGTERM && im.Behavior == BehaviorServer
		return p, nil
	}
	vars := env()
	p.vars = vars
	var argv []string
	if len(ctr.Command) > 0 {
		argv = append(argv, ctr.Command...)
	} else {
		argv = append(argv, im.Entrypoint...)
	}
	argv = append(argv, ctr.Args...)
	for i, a := range argv {
		argv[i] = expandKubeVars(a, vars)
	}
	// Entrypoint wrapper scripts exec their arguments.
	for len(argv) > 1 && strings.HasSuffix(argv[0], "docker-entrypoint.sh") {
		argv = argv[1:]
	}
	if len(argv) == 0 {
		p.code = defaultProgram(im, func(name string) bool { return vars[name] != "" })
		return p, nil
	}
	cmd := path.Base(argv[0])
	known := im.Generic || slices.Contains(im.Binaries, cmd) || (im.Shell && slices.Contains(coreutils, cmd))
	if !known {
		return nil, &startError{message: fmt.Sprintf(
			"failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: %q: executable file not found in $PATH: unknown", argv[0])}
	}
	switch {
	case slices.Contains([]string{"sh", "bash", "ash", "dash"}, cmd):
		if len(argv) < 3 || argv[1] != "-c" {
			if len(argv) == 1 {
				p.code = []instr{{op: opExit, code: 0}} // no terminal: exits at once
				return p, nil
			}
			p.code = []instr{{op: opLog, args: []string{cmd + ": can't open '" + argv[1] + "': No such file or directory"}}, {op: opExit, code: 2}}
			return p, nil
		}
		for i, a := range argv[3:] {
			p.vars[strconv.Itoa(i)] = a
		}
		nodes, err := parseShell(argv[2])
		if err != nil {
			p.code = []instr{{op: opLog, args: []string{cmd + ": " + err.Error()}}, {op: opExit, code: 2}}
			return p, nil
		}
		p.code = append(compileShell(nodes, nil), instr{op: opExitStatus})
	case im.Generic && !slices.Contains(coreutils, cmd):
		p.code = []instr{{op: opServe}}
		p.handlesSIGTERM = true
	default:
		p.code = []instr{{op: opExec, args: argv}, {op: opExitStatus}}
		if slices.Contains(im.Binaries, cmd) {
			p.handlesSIGTERM = im.HandlesSIGTERM
		}
	}
	return p, nil
}

// expandKubeVars performs Kubernetes' $(VAR) expansion of command and args
// from the container's environment; $$ escapes a dollar.
func expandKubeVars(s string, vars map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i:], ')')
			if end < 0 {
				b.WriteByte('$')
				continue
			}
			name := s[i+2 : i+end]
			if v, ok := vars[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+end+1])
			}
			i += end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}
