// Package kubectl is podplay's terminal language: a subset of kubectl,
// with kubectl's grammar, output formats and error messages, acting on an
// engine.Cluster. The browser terminal, lesson solutions, scenario scripts
// and the HTTP API all speak it.
//
// It is being built (see the project's issues): today it knows get, apply,
// create -f, delete and version. Like the engine, it does no I/O.
package kubectl
