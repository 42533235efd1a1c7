// Package lessons is podplay's course: the built-in lessons (one folder
// each: lesson.md, an optional cluster.yaml, solution.txt), the sandbox
// presets, the loader that validates them, the goals that check a
// learner's cluster, and the Tracker that follows one learner through one
// lesson.
//
// A lesson is data, not code: its goals are declarative checks on the
// simulated cluster (engine) and on what the learner typed (engine/kubectl),
// so an instructor writes Markdown and YAML and never Go. The format is
// documented for instructors in README.md beside this file.
//
// The package does no I/O of its own beyond reading the fs.FS it is given,
// starts no goroutine and keeps no package-level mutable state; a Tracker,
// like the Cluster it watches, is not safe for concurrent use.
package lessons
