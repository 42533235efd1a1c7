package engine

import (
	"testing"
	"time"
)

// FuzzShell feeds arbitrary container command lines to the shell: parsing,
// compiling and running them must never panic or hang.
func FuzzShell(f *testing.F) {
	for _, seed := range []string{
		`echo hi; sleep 5; exit 3`,
		`i=0; while true; do i=$((i+1)); echo "$i"; sleep 1; done`,
		`for x in a b c; do echo $x > /tmp/$x; done; cat /tmp/a`,
		`if [ "$A" = "b" ]; then echo y; elif false; then :; else echo n; fi`,
		`echo 'unterminated`,
		`$(($(()))) ${ ${A:-x} $(date +%s) && || ;; ) (`,
		`{ echo a; } | cat > /dev/null`,
		`exec nginx -g 'daemon off;'`,
	} {
		f.Add(seed)
	}
	cat := DefaultImages()
	im, _, _ := cat.Lookup("busybox:1.36")
	f.Fuzz(func(t *testing.T, script string) {
		if len(script) > 4096 {
			return
		}
		p, err := newProcess(im, &Container{Command: []string{"sh", "-c", script}}, func() map[string]string { return map[string]string{"A": "b"} })
		if err != nil {
			return
		}
		h := &fakeHost{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), files: map[string]string{}}
		for range 50 {
			p.run(h)
			if p.done || p.serving || p.wakeAt.IsZero() {
				return
			}
			h.t = p.wakeAt
		}
	})
}

// FuzzImageReference: any image name is parsed or refused, never a panic.
func FuzzImageReference(f *testing.F) {
	for _, seed := range []string{"nginx", "nginx:1.27", "registry.k8s.io/echoserver:1.4", "a@sha256:" + string(make([]byte, 64)), "Nginx", ":", "@", "/", "a//b"} {
		f.Add(seed)
	}
	cat := DefaultImages()
	f.Fuzz(func(t *testing.T, name string) {
		ref, err := ParseImageReference(name)
		if err == nil && ref.String() == "" {
			t.Fatalf("%q parsed to an empty reference", name)
		}
		_, _, _ = cat.Lookup(name)
	})
}
