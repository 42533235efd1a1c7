// Package lessons will hold the built-in course (one folder per lesson:
// lesson.md, cluster.yaml, solution.txt) and its loader and validator. It
// is not built yet; see the project's issues.
package lessons
