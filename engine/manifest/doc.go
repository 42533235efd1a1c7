// Package manifest reads and writes Kubernetes manifests for the engine:
// multi-document YAML or JSON is checked against the real k8s.io/api types
// — strictly, as the API server checks it, with the line each error came
// from — and converted to engine objects; engine objects are written back
// as kubectl-applicable YAML.
//
// Valid fields the engine does not simulate are accepted with a warning
// naming them, never dropped silently. Inputs over 3 MiB, alias bombs and
// absurd nesting are refused before they cost memory.
//
// Like the engine, this package does no I/O.
package manifest
