package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
)

//go:embed static
var embedded embed.FS

// static is the tree served under /static/VERSION/: the page's modules
// and style sheets. Tests and fixtures stay out (see shipped).
var static, _ = fs.Sub(embedded, "static")

// version names the assets' content: it changes whenever any shipped
// file does, so that browsers may cache them for good.
var version = func() string {
	h := sha256.New()
	for _, name := range Shipped() {
		data, _ := fs.ReadFile(static, name)
		h.Write([]byte(name))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// Shipped lists the files a browser may load, sorted: JavaScript modules
// and style sheets, without the tests and their fixtures.
func Shipped() []string {
	var out []string
	_ = fs.WalkDir(static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return fs.SkipDir
		}
		if !d.IsDir() && shipped(name) {
			out = append(out, name)
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func shipped(name string) bool {
	if strings.Contains(name, ".test.") {
		return false
	}
	switch path.Ext(name) {
	case ".js", ".css", ".svg":
		return true
	}
	return false
}

// Asset returns the URL of a static file, as in Asset("js/app.js").
func Asset(name string) string { return "/static/" + version + "/" + name }

// Static serves the assets at /static/VERSION/NAME. The current version
// is cached for a year; any other version is served too (a page from
// before a restart still works) but not cached.
func Static() http.Handler {
	files := http.FileServerFS(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/static/")
		ver, name, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || !shipped(name) {
			http.NotFound(w, r)
			return
		}
		if ver == version {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		files.ServeHTTP(w, r2)
	})
}
