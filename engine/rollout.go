package engine

import (
	"fmt"
	"slices"
	"strconv"
)

// Revision is one entry of a Deployment's rollout history.
type Revision struct {
	Number      int64
	ChangeCause string
	ReplicaSet  string
	Template    PodTemplateSpec
}

// RolloutHistory returns a Deployment's revisions, oldest first, from the
// ReplicaSets it keeps (as kubectl rollout history reads them).
func (c *Cluster) RolloutHistory(namespace, name string) ([]Revision, error) {
	d, err := c.getDeployment(namespace, name)
	if err != nil {
		return nil, err
	}
	var out []Revision
	for _, rs := range c.deployments.replicaSets(d) {
		n := revisionOf(rs)
		if n == 0 {
			continue
		}
		t := rs.Spec.Template.DeepCopy()
		delete(t.Labels, LabelPodTemplateHash)
		out = append(out, Revision{Number: n, ChangeCause: rs.Annotations[AnnotationChangeCause], ReplicaSet: rs.Name, Template: t})
	}
	slices.SortFunc(out, func(a, b Revision) int { return int(a.Number - b.Number) })
	return out, nil
}

func (c *Cluster) getDeployment(namespace, name string) (*Deployment, error) {
	if namespace == "" {
		namespace = "default"
	}
	d, _ := c.store.get(KindDeployment, objectKey(namespace, name)).(*Deployment)
	if d == nil {
		return nil, errNotFound(KindDeployment, name)
	}
	return d, nil
}

// RollbackDeployment rolls a Deployment back to a revision (0 means the one
// before the current), the way kubectl rollout undo does: it copies that
// revision's pod template into the Deployment. It returns kubectl's
// wording: "rolled back", or "skipped rollback (…)".
func (c *Cluster) RollbackDeployment(namespace, name string, toRevision int64) (string, error) {
	d, err := c.getDeployment(namespace, name)
	if err != nil {
		return "", err
	}
	if d.Spec.Paused {
		return "", &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/%s' and try again", name)}
	}
	history, err := c.RolloutHistory(namespace, name)
	if err != nil {
		return "", err
	}
	current, _ := strconv.ParseInt(d.Annotations[AnnotationRevision], 10, 64)
	var target *Revision
	if toRevision == 0 {
		for i := len(history) - 1; i >= 0; i-- {
			if history[i].Number != current {
				target = &history[i]
				break
			}
		}
		if target == nil {
			return "", &APIError{Reason: ReasonBadRequest, Message: "no rollout history found for deployment \"" + name + "\""}
		}
	} else {
		for i := range history {
			if history[i].Number == toRevision {
				target = &history[i]
			}
		}
		if target == nil {
			return "", &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf("unable to find specified revision %d in history", toRevision)}
		}
	}
	if templatesEqual(&target.Template, &d.Spec.Template) {
		return fmt.Sprintf("skipped rollback (current template already matches revision %d)", target.Number), nil
	}
	nd := d.DeepCopy()
	nd.Spec.Template = target.Template
	if _, err := c.Update(nd); err != nil {
		return "", err
	}
	return "rolled back", nil
}
