// Package migrations embeds podplay's numbered SQL migrations, applied in
// order at start-up by the server's store.
//
// Each file is named NNNN_name.sql (four digits, then a lower-case name):
// numbers start at 0001 and have no gaps or duplicates. A migration is
// applied once, in its own transaction together with its row in the
// schema_migrations table; never edit a file once it has shipped, add a new
// one instead.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
