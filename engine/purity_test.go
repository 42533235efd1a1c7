package engine_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEngineIsPure enforces the engine package's contract: no I/O, no
// goroutines, no wall clock, no global randomness. Transitively it must
// not reach the network or a database; directly it must not touch the OS.
// (Its subpackages, which speak Kubernetes' own API types, are checked
// for direct use only.)
func TestEngineIsPure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err, "go list")
	deps := strings.Fields(string(out))
	for _, banned := range []string{"net/http", "database/sql", "os/exec"} {
		require.NotContains(t, deps, banned, "engine must not depend on %s", banned)
	}

	directBanned := []string{"os", "os/exec", "net", "net/http", "io/ioutil", "syscall", "unsafe", "math/rand", "database/sql", "log", "sync"}
	wallClock := []string{"Now", "Since", "Until", "Sleep", "After", "Tick", "NewTimer", "NewTicker", "AfterFunc"}
	randAllowed := []string{"New", "NewPCG", "NewChaCha8", "Rand", "PCG", "Source"}

	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	sub, err := filepath.Glob("*/*.go")
	require.NoError(t, err)
	files = append(files, sub...)
	checked := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, nil, 0)
		require.NoError(t, err)
		checked++
		names := map[string]string{} // local name → import path
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			require.NotContains(t, directBanned, path, "%s imports %s", file, path)
			name := path[strings.LastIndex(path, "/")+1:]
			if path == "math/rand/v2" {
				name = "rand"
			}
			if imp.Name != nil {
				name = imp.Name.Name
			}
			names[name] = path
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: the engine starts no goroutines", fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				pkg, ok := n.X.(*ast.Ident)
				if !ok {
					return true
				}
				switch names[pkg.Name] {
				case "time":
					if slices.Contains(wallClock, n.Sel.Name) {
						t.Errorf("%s: time.%s reads the wall clock; use the cluster's virtual clock", fset.Position(n.Pos()), n.Sel.Name)
					}
				case "math/rand/v2":
					if !slices.Contains(randAllowed, n.Sel.Name) {
						t.Errorf("%s: rand.%s uses global random state; use the cluster's seeded source", fset.Position(n.Pos()), n.Sel.Name)
					}
				}
			}
			return true
		})
	}
	require.Greater(t, checked, 10, "the check should have read the engine's files")
}
