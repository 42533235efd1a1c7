package kubectl_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReferenceWording checks the golden transcripts against kubectl's own
// format strings, kept with their sources in reference.txt: a
// golden file regenerated with podplay's wording drifting from kubectl's
// fails here.
func TestReferenceWording(t *testing.T) {
	ref, err := os.ReadFile("reference.txt")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var golden strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		golden.Write(data)
	}
	verb := regexp.MustCompile(`%[sqd]`)
	for _, line := range strings.Split(string(ref), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		format, source, ok := strings.Cut(line, " | ")
		if !ok {
			t.Fatalf("reference line without a source: %q", line)
		}
		parts := verb.Split(format, -1)
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		re := regexp.MustCompile(`(?m)^` + strings.Join(parts, `.+`) + `$`)
		if !re.MatchString(golden.String()) {
			t.Errorf("no golden transcript prints kubectl's %q (%s)", format, source)
		}
	}
}
