package lessons

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Languages are the languages every text of a lesson is written in, the
// first being the fallback.
var Languages = []string{"en", "ko"}

// Text is one text in each language, by language code ("en", "ko").
type Text map[string]string

// In returns the text in lang, or in English when it has no such
// translation.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	return t["en"]
}

// missing returns the languages t has no (non-blank) text in.
func (t Text) missing() []string {
	var out []string
	for _, l := range Languages {
		if strings.TrimSpace(t[l]) == "" {
			out = append(out, l)
		}
	}
	return out
}

// html renders t's Markdown in every language.
func (t Text) html(md *markdown) map[string]template.HTML {
	out := make(map[string]template.HTML, len(t))
	for l, s := range t {
		out[l] = md.render(s)
	}
	return out
}

// markdown turns lesson Markdown into HTML that is safe to put in a page:
// CommonMark plus GitHub tables and strikethrough, then sanitised (an
// instructor's lesson is not trusted to carry scripts).
type markdown struct {
	gm     goldmark.Markdown
	policy *bluemonday.Policy
}

func newMarkdown() *markdown {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("class").Matching(bluemonday.SpaceSeparatedTokens).OnElements("code", "pre")
	return &markdown{gm: goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough)), policy: p}
}

func (m *markdown) render(src string) template.HTML {
	var b bytes.Buffer
	if err := m.gm.Convert([]byte(src), &b); err != nil {
		// goldmark only fails when the writer does; a bytes.Buffer does not.
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(m.policy.SanitizeBytes(b.Bytes())) //nolint:gosec // sanitised just above
}

// Markdown renders one Markdown text as lessons are rendered: CommonMark
// with tables, sanitised for a page.
func Markdown(src string) template.HTML { return newMarkdown().render(src) }
