package engine

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// LabelSelector selects objects by label, as in a ReplicaSet's or a
// Deployment's spec.selector.
type LabelSelector struct {
	MatchLabels      map[string]string          `json:"matchLabels,omitempty"`
	MatchExpressions []LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

// LabelSelectorRequirement is one expression of a LabelSelector.
type LabelSelectorRequirement struct {
	Key string `json:"key"`
	// Operator is In, NotIn, Exists or DoesNotExist.
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// DeepCopy returns a copy of s that shares no memory with it.
func (s *LabelSelector) DeepCopy() *LabelSelector {
	if s == nil {
		return nil
	}
	out := &LabelSelector{MatchLabels: cloneStringMap(s.MatchLabels)}
	if s.MatchExpressions != nil {
		out.MatchExpressions = make([]LabelSelectorRequirement, len(s.MatchExpressions))
		for i, r := range s.MatchExpressions {
			r.Values = slices.Clone(r.Values)
			out.MatchExpressions[i] = r
		}
	}
	return out
}

// AsSelector converts s with apimachinery's label machinery. A nil
// selector selects nothing, an empty one everything, as in Kubernetes.
func (s *LabelSelector) AsSelector() (labels.Selector, error) {
	if s == nil {
		return labels.Nothing(), nil
	}
	sel := labels.NewSelector()
	for _, k := range sortedMapKeys(s.MatchLabels) {
		r, err := labels.NewRequirement(k, selection.Equals, []string{s.MatchLabels[k]})
		if err != nil {
			return nil, err
		}
		sel = sel.Add(*r)
	}
	for _, e := range s.MatchExpressions {
		var op selection.Operator
		switch e.Operator {
		case "In":
			op = selection.In
		case "NotIn":
			op = selection.NotIn
		case "Exists":
			op = selection.Exists
		case "DoesNotExist":
			op = selection.DoesNotExist
		default:
			return nil, fmt.Errorf("%q is not a valid label selector operator", e.Operator)
		}
		r, err := labels.NewRequirement(e.Key, op, sets.List(sets.New(e.Values...)))
		if err != nil {
			return nil, err
		}
		sel = sel.Add(*r)
	}
	return sel, nil
}

// validateSelector checks a workload's selector: required, non-empty, valid,
// and matching its template's labels — the API server's rules.
func validateSelector(sel *LabelSelector, templateLabels map[string]string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if sel == nil {
		return field.ErrorList{field.Required(p.Child("selector"), "")}
	}
	if len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
		errs = append(errs, field.Invalid(p.Child("selector"), sel, "empty selector is invalid for deployment"))
	}
	errs = append(errs, validateLabels(sel.MatchLabels, func() *field.Path { return p.Child("selector", "matchLabels") })...)
	s, err := sel.AsSelector()
	if err != nil {
		return append(errs, field.Invalid(p.Child("selector"), sel, err.Error()))
	}
	if len(errs) == 0 && !s.Matches(labels.Set(templateLabels)) {
		errs = append(errs, field.Invalid(p.Child("template", "metadata", "labels"), templateLabels,
			"`selector` does not match template `labels`"))
	}
	return errs
}
