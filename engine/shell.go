package engine

import (
	"fmt"
	"strings"
)

// This file parses the small shell that container commands are written in
// (`sh -c 'while true; do echo hi; sleep 5; done'`) into instructions for
// the process VM in process.go. It understands what teaching manifests
// use: sequences (; && || newlines), while/until/for/if, quoting, $VAR and
// ${VAR}, $(date) and $(hostname), and > / >> redirection.

type tokKind int

const (
	tokWord tokKind = iota
	tokOp
)

type token struct {
	kind tokKind
	text string
}

// tokenize splits a script into words and operators, keeping each word's
// raw text (quotes included) for expansion at run time.
func tokenize(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		ch := src[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\r':
			i++
		case ch == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i += 2
		case ch == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case ch == '\n' || ch == ';' || ch == '(' || ch == ')' || ch == '<':
			toks = append(toks, token{tokOp, string(ch)})
			i++
		case ch == '&' || ch == '|' || ch == '>':
			if i+1 < len(src) && src[i+1] == ch {
				toks = append(toks, token{tokOp, src[i : i+2]})
				i += 2
			} else {
				toks = append(toks, token{tokOp, string(ch)})
				i++
			}
		default:
			start := i
			for i < len(src) {
				c := src[i]
				if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';' || c == '&' || c == '|' || c == '>' || c == '<' || c == '(' || c == ')' {
					break
				}
				switch c {
				case '\\':
					i += 2
					continue
				case '\'':
					j := strings.IndexByte(src[i+1:], '\'')
					if j < 0 {
						return nil, fmt.Errorf("unterminated quoted string")
					}
					i += j + 2
					continue
				case '"':
					j := i + 1
					for j < len(src) && src[j] != '"' {
						if src[j] == '\\' {
							j++
						}
						j++
					}
					if j >= len(src) {
						return nil, fmt.Errorf("unterminated quoted string")
					}
					i = j + 1
					continue
				case '$':
					if i+1 < len(src) && src[i+1] == '(' {
						depth := 0
						j := i + 1
						for ; j < len(src); j++ {
							if src[j] == '(' {
								depth++
							} else if src[j] == ')' {
								depth--
								if depth == 0 {
									break
								}
							}
						}
						if j >= len(src) {
							return nil, fmt.Errorf("unterminated $(")
						}
						i = j + 1
						continue
					}
				}
				i++
			}
			toks = append(toks, token{tokWord, src[start:min(i, len(src))]})
		}
	}
	return toks, nil
}

// Shell syntax tree.
type shNode interface{ isNode() }

type shSimple struct {
	words    []string
	redirect string // target of > or >>, raw
	appendTo bool
}
type shAndOr struct {
	left  shNode
	op    string // "&&" or "||"
	right shNode
}
type shLoop struct {
	cond  []shNode
	body  []shNode
	until bool
}
type shFor struct {
	name  string
	words []string
	body  []shNode
}
type shIf struct {
	cond       []shNode
	then, els  []shNode
	hasElse    bool
	elseIsElif bool
}

func (shSimple) isNode() {}
func (shAndOr) isNode()  {}
func (shLoop) isNode()   {}
func (shFor) isNode()    {}
func (shIf) isNode()     {}

type shParser struct {
	toks []token
	pos  int
}

// parseShell parses a script into a list of commands.
func parseShell(src string) ([]shNode, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	p := &shParser{toks: toks}
	nodes, err := p.list()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("syntax error: unexpected %q", p.toks[p.pos].text)
	}
	return nodes, nil
}

func (p *shParser) peek() (token, bool) {
	if p.pos >= len(p.toks) {
		return token{}, false
	}
	return p.toks[p.pos], true
}

func (p *shParser) isKeyword(words ...string) bool {
	t, ok := p.peek()
	if !ok || t.kind != tokWord {
		return false
	}
	for _, w := range words {
		if t.text == w {
			return true
		}
	}
	return false
}

func (p *shParser) skipSeparators() {
	for {
		t, ok := p.peek()
		if !ok || t.kind != tokOp || (t.text != ";" && t.text != "\n" && t.text != "&") {
			return
		}
		p.pos++
	}
}

// list parses commands until the end or a closing keyword.
func (p *shParser) list() ([]shNode, error) {
	var out []shNode
	for {
		p.skipSeparators()
		if _, ok := p.peek(); !ok || p.isKeyword("do", "done", "then", "else", "elif", "fi", "}") {
			return out, nil
		}
		if t, _ := p.peek(); t.kind == tokOp && t.text == ")" {
			return out, nil
		}
		n, err := p.andOr()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
}

func (p *shParser) andOr() (shNode, error) {
	left, err := p.pipeline()
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.peek()
		if !ok || t.kind != tokOp || (t.text != "&&" && t.text != "||") {
			return left, nil
		}
		p.pos++
		for {
			if t, ok := p.peek(); ok && t.kind == tokOp && t.text == "\n" {
				p.pos++
				continue
			}
			break
		}
		right, err := p.pipeline()
		if err != nil {
			return nil, err
		}
		left = shAndOr{left: left, op: t.text, right: right}
	}
}

// pipeline parses `a | b`; podplay runs the last command of a pipe.
func (p *shParser) pipeline() (shNode, error) {
	n, err := p.command()
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.peek()
		if !ok || t.kind != tokOp || t.text != "|" {
			return n, nil
		}
		p.pos++
		if n, err = p.command(); err != nil {
			return nil, err
		}
	}
}

func (p *shParser) expectKeyword(w string) error {
	p.skipSeparators()
	if !p.isKeyword(w) {
		t, ok := p.peek()
		if !ok {
			return fmt.Errorf("syntax error: unexpected end of file (expecting %q)", w)
		}
		return fmt.Errorf("syntax error: unexpected %q (expecting %q)", t.text, w)
	}
	p.pos++
	return nil
}

func (p *shParser) command() (shNode, error) {
	t, ok := p.peek()
	if !ok {
		return nil, fmt.Errorf("syntax error: unexpected end of file")
	}
	if t.kind == tokOp {
		if t.text == "(" {
			p.pos++
			body, err := p.list()
			if err != nil {
				return nil, err
			}
			if t, ok := p.peek(); !ok || t.text != ")" {
				return nil, fmt.Errorf("syntax error: missing ')'")
			}
			p.pos++
			return shIf{cond: []shNode{shSimple{words: []string{"true"}}}, then: body}, nil
		}
		return nil, fmt.Errorf("syntax error: unexpected %q", t.text)
	}
	switch t.text {
	case "while", "until":
		p.pos++
		cond, err := p.listUntil("do")
		if err != nil {
			return nil, err
		}
		body, err := p.listUntil("done")
		if err != nil {
			return nil, err
		}
		return shLoop{cond: cond, body: body, until: t.text == "until"}, nil
	case "for":
		p.pos++
		name, ok := p.peek()
		if !ok || name.kind != tokWord {
			return nil, fmt.Errorf("syntax error: bad for loop variable")
		}
		p.pos++
		var words []string
		if p.isKeyword("in") {
			p.pos++
			for {
				w, ok := p.peek()
				if !ok || w.kind != tokWord {
					break
				}
				words = append(words, w.text)
				p.pos++
			}
		}
		if err := p.expectKeyword("do"); err != nil {
			return nil, err
		}
		body, err := p.listUntil("done")
		if err != nil {
			return nil, err
		}
		return shFor{name: name.text, words: words, body: body}, nil
	case "if":
		p.pos++
		return p.ifRest()
	case "{":
		p.pos++
		body, err := p.listUntil("}")
		if err != nil {
			return nil, err
		}
		return shIf{cond: []shNode{shSimple{words: []string{"true"}}}, then: body}, nil
	case "do", "done", "then", "else", "elif", "fi", "}":
		return nil, fmt.Errorf("syntax error: unexpected %q", t.text)
	}
	var s shSimple
	for {
		t, ok := p.peek()
		if !ok {
			break
		}
		if t.kind == tokWord {
			s.words = append(s.words, t.text)
			p.pos++
			continue
		}
		if t.text == ">" || t.text == ">>" || t.text == "<" {
			p.pos++
			target, ok := p.peek()
			if !ok || target.kind != tokWord {
				return nil, fmt.Errorf("syntax error: unexpected redirection")
			}
			p.pos++
			if t.text != "<" {
				s.redirect, s.appendTo = target.text, t.text == ">>"
			}
			continue
		}
		break
	}
	return s, nil
}

// listUntil parses a list of commands closed by keyword.
func (p *shParser) listUntil(keyword string) ([]shNode, error) {
	nodes, err := p.list()
	if err != nil {
		return nil, err
	}
	return nodes, p.expectKeyword(keyword)
}

func (p *shParser) ifRest() (shNode, error) {
	cond, err := p.listUntil("then")
	if err != nil {
		return nil, err
	}
	then, err := p.list()
	if err != nil {
		return nil, err
	}
	n := shIf{cond: cond, then: then}
	p.skipSeparators()
	switch {
	case p.isKeyword("elif"):
		p.pos++
		rest, err := p.ifRest()
		if err != nil {
			return nil, err
		}
		n.els, n.hasElse = []shNode{rest}, true
		return n, nil // the nested if consumed "fi"
	case p.isKeyword("else"):
		p.pos++
		if n.els, err = p.list(); err != nil {
			return nil, err
		}
		n.hasElse = true
	}
	if err := p.expectKeyword("fi"); err != nil {
		return nil, err
	}
	return n, nil
}

// compile turns a syntax tree into VM instructions appended to code.
func compileShell(nodes []shNode, code []instr) []instr {
	for _, n := range nodes {
		code = compileNode(n, code)
	}
	return code
}

func compileNode(n shNode, code []instr) []instr {
	switch n := n.(type) {
	case shSimple:
		if len(n.words) == 0 {
			return code
		}
		return append(code, instr{op: opShell, args: n.words, redirect: n.redirect, appendTo: n.appendTo})
	case shAndOr:
		code = compileNode(n.left, code)
		jump := len(code)
		op := opJumpIfFail
		if n.op == "||" {
			op = opJumpIfOK
		}
		code = append(code, instr{op: op})
		code = compileNode(n.right, code)
		code[jump].target = len(code)
		return code
	case shLoop:
		top := len(code)
		code = compileShell(n.cond, code)
		exit := len(code)
		op := opJumpIfFail
		if n.until {
			op = opJumpIfOK
		}
		code = append(code, instr{op: op})
		code = compileShell(n.body, code)
		code = append(code, instr{op: opJump, target: top})
		code[exit].target = len(code)
		return append(code, instr{op: opSetStatus})
	case shFor:
		words := n.words
		if len(words) > 1000 {
			words = words[:1000]
		}
		code = append(code, instr{op: opForInit, name: n.name, args: words})
		top := len(code)
		code = append(code, instr{op: opForNext, name: n.name})
		code = compileShell(n.body, code)
		code = append(code, instr{op: opJump, target: top})
		code[top].target = len(code)
		return code
	case shIf:
		code = compileShell(n.cond, code)
		jumpElse := len(code)
		code = append(code, instr{op: opJumpIfFail})
		code = compileShell(n.then, code)
		jumpEnd := len(code)
		code = append(code, instr{op: opJump})
		code[jumpElse].target = len(code)
		if n.hasElse {
			code = compileShell(n.els, code)
		} else {
			code = append(code, instr{op: opSetStatus})
		}
		code[jumpEnd].target = len(code)
		return code
	}
	panic(fmt.Sprintf("engine: unknown shell node %T", n))
}
