// Package migrations will embed podplay's numbered SQL migrations, applied
// in order at start-up. It is not built yet; see the project's issues.
package migrations
