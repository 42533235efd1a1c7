package engine

import "time"

// Event is a Kubernetes Event: a short, human-readable report from a
// component about something that happened to an object.
type Event struct {
	TypeMeta
	ObjectMeta     `json:"metadata"`
	InvolvedObject ObjectReference `json:"involvedObject"`
	Reason         string          `json:"reason"`
	Message        string          `json:"message"`
	Source         EventSource     `json:"source"`
	FirstTimestamp time.Time       `json:"firstTimestamp"`
	LastTimestamp  time.Time       `json:"lastTimestamp"`
	// Count is how many times this same event (same object, reason, message
	// and source) has happened.
	Count int32 `json:"count"`
	// Type is "Normal" or "Warning".
	Type                string `json:"type"`
	ReportingController string `json:"reportingComponent"`
	ReportingInstance   string `json:"reportingInstance"`
}

// The event types.
const (
	EventTypeNormal  = "Normal"
	EventTypeWarning = "Warning"
)

// ObjectReference points at an object.
type ObjectReference struct {
	Kind            Kind   `json:"kind"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name"`
	UID             string `json:"uid,omitempty"`
	APIVersion      string `json:"apiVersion,omitempty"`
	ResourceVersion string `json:"resourceVersion,omitempty"`
	FieldPath       string `json:"fieldPath,omitempty"`
}

// EventSource names the component that reported an event.
type EventSource struct {
	Component string `json:"component,omitempty"`
	Host      string `json:"host,omitempty"`
}

// GetKind implements Object.
func (e *Event) GetKind() Kind { return KindEvent }

// DeepCopyObject implements Object.
func (e *Event) DeepCopyObject() Object { return e.DeepCopy() }

// DeepCopy returns a copy of e that shares no memory with it.
func (e *Event) DeepCopy() *Event {
	out := *e
	out.ObjectMeta = e.ObjectMeta.DeepCopy()
	return &out
}

// refTo returns a reference to obj for an event.
func refTo(obj Object) ObjectReference {
	m := obj.GetObjectMeta()
	return ObjectReference{
		Kind:       obj.GetKind(),
		Namespace:  m.Namespace,
		Name:       m.Name,
		UID:        m.UID,
		APIVersion: obj.GetKind().APIVersion(),
	}
}
