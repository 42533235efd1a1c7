package lessons

import (
	"embed"
)

// course holds the built-in lessons (folders ORDER-ID) and the sandbox
// presets.
//
//go:embed [0-9]*-* sandbox
var course embed.FS

// Builtin returns the built-in course, validated.
func Builtin() (*Catalog, error) { return Load(course) }
