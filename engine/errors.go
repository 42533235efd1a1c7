package engine

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// StatusReason classifies an APIError the way the Kubernetes API server's
// Status.reason does.
type StatusReason string

// The reasons an operation on the cluster can fail.
const (
	ReasonNotFound      StatusReason = "NotFound"
	ReasonAlreadyExists StatusReason = "AlreadyExists"
	ReasonInvalid       StatusReason = "Invalid"
	ReasonConflict      StatusReason = "Conflict"
	ReasonForbidden     StatusReason = "Forbidden"
	ReasonBadRequest    StatusReason = "BadRequest"
	ReasonGone          StatusReason = "Expired"
)

// APIError is an error the simulated API server returns. Its message uses
// the API server's wording, so kubectl can print it as
// "Error from server (<Reason>): <message>".
type APIError struct {
	Reason  StatusReason
	Message string
	// Kind, Name and Causes detail an Invalid error as the API server's
	// status details do: one cause per field error ("metadata.name:
	// Invalid value: …"), from which kubectl writes its own message.
	Kind   Kind
	Name   string
	Causes []string
}

func (e *APIError) Error() string { return e.Message }

// ReasonOf returns the reason of err if it is (or wraps) an APIError.
func ReasonOf(err error) StatusReason {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Reason
	}
	return ""
}

// IsNotFound reports whether err says the object does not exist.
func IsNotFound(err error) bool { return ReasonOf(err) == ReasonNotFound }

// IsAlreadyExists reports whether err says the object already exists.
func IsAlreadyExists(err error) bool { return ReasonOf(err) == ReasonAlreadyExists }

func errNotFound(kind Kind, name string) error {
	return &APIError{Reason: ReasonNotFound, Message: fmt.Sprintf("%s %q not found", kind.groupResource(), name)}
}

func errAlreadyExists(kind Kind, name string) error {
	return &APIError{Reason: ReasonAlreadyExists, Message: fmt.Sprintf("%s %q already exists", kind.groupResource(), name)}
}

// errInvalid reports validation failures as the API server does:
// `Pod "web" is invalid: spec.containers[0].image: Required value`.
func errInvalid(kind Kind, name string, errs field.ErrorList) error {
	detail := errs.ToAggregate().Error()
	causes := make([]string, len(errs))
	for i, e := range errs {
		causes[i] = e.Error()
	}
	return &APIError{Reason: ReasonInvalid, Message: fmt.Sprintf("%s %q is invalid: %s", kind, name, detail),
		Kind: kind, Name: name, Causes: causes}
}

func errConflict(kind Kind, name string) error {
	return &APIError{Reason: ReasonConflict, Message: fmt.Sprintf(
		"Operation cannot be fulfilled on %s %q: the object has been modified; please apply your changes to the latest version and try again",
		kind.groupResource(), name)}
}

func errForbidden(kind Kind, name, detail string) error {
	return &APIError{Reason: ReasonForbidden, Message: fmt.Sprintf("%s %q is forbidden: %s", kind.groupResource(), name, detail)}
}

// TooOldError says a watch asked for history that has been compacted
// away; the reader must start again from a fresh snapshot.
type TooOldError struct {
	Requested, Oldest uint64
}

func (e *TooOldError) Error() string {
	return fmt.Sprintf("too old resource version: %d (%d)", e.Requested, e.Oldest)
}

// ErrLivelock is returned when controllers keep changing the cluster
// without settling; see Config.ReconcileLimit.
var ErrLivelock = errors.New("engine: controllers did not settle (livelock guard tripped)")
