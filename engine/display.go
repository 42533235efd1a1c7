package engine

import (
	"fmt"
	"time"
)

// PodSummary is a pod as kubectl get pods sums it up.
type PodSummary struct {
	// Ready is "ready/total" over app containers and sidecars.
	Ready string
	// Status is kubectl's STATUS word: Running, ContainerCreating,
	// CrashLoopBackOff, Init:0/1, Terminating, Completed, …
	Status   string
	Restarts int32
	// LastRestart is when a container last terminated before a restart
	// (zero if none did).
	LastRestart time.Time
}

// SummarizePod computes the READY, STATUS and RESTARTS columns of
// kubectl get pods with kubectl's own rules.
func SummarizePod(p *Pod) PodSummary {
	total := len(p.Spec.Containers)
	sidecar := map[string]bool{}
	for _, c := range p.Spec.InitContainers {
		if c.IsSidecar() {
			sidecar[c.Name] = true
			total++
		}
	}
	ready := 0
	var restarts, sidecarRestarts int32
	var lastRestart, sidecarLastRestart time.Time
	later := func(t *time.Time, s ContainerStatus) {
		if term := s.LastTerminationState.Terminated; term != nil && term.FinishedAt.After(*t) {
			*t = term.FinishedAt
		}
	}
	reason := string(p.Status.Phase)
	if p.Status.Reason != "" {
		reason = p.Status.Reason
	}
	initializing := false
	for i, s := range p.Status.InitContainerStatuses {
		restarts += s.RestartCount
		later(&lastRestart, s)
		if sidecar[s.Name] {
			sidecarRestarts += s.RestartCount
			later(&sidecarLastRestart, s)
		}
		switch {
		case s.State.Terminated != nil && s.State.Terminated.ExitCode == 0:
			continue
		case sidecar[s.Name] && s.Started != nil && *s.Started:
			if s.Ready {
				ready++
			}
			continue
		case s.State.Terminated != nil:
			if s.State.Terminated.Reason == "" {
				reason = fmt.Sprintf("Init:ExitCode:%d", s.State.Terminated.ExitCode)
			} else {
				reason = "Init:" + s.State.Terminated.Reason
			}
		case s.State.Waiting != nil && s.State.Waiting.Reason != "" && s.State.Waiting.Reason != "PodInitializing":
			reason = "Init:" + s.State.Waiting.Reason
		default:
			reason = fmt.Sprintf("Init:%d/%d", i, len(p.Spec.InitContainers))
		}
		initializing = true
		break
	}
	initialized := false
	if c := p.Condition(PodInitialized); c != nil && c.Status == ConditionTrue {
		initialized = true
	}
	if !initializing || initialized {
		restarts, lastRestart = sidecarRestarts, sidecarLastRestart
		hasRunning := false
		for i := len(p.Status.ContainerStatuses) - 1; i >= 0; i-- {
			s := p.Status.ContainerStatuses[i]
			restarts += s.RestartCount
			later(&lastRestart, s)
			switch {
			case s.State.Waiting != nil && s.State.Waiting.Reason != "":
				reason = s.State.Waiting.Reason
			case s.State.Terminated != nil && s.State.Terminated.Reason != "":
				reason = s.State.Terminated.Reason
			case s.State.Terminated != nil:
				reason = fmt.Sprintf("ExitCode:%d", s.State.Terminated.ExitCode)
			case s.Ready && s.State.Running != nil:
				hasRunning = true
				ready++
			}
		}
		if reason == "Completed" && hasRunning {
			reason = "NotReady"
			if p.IsReady() {
				reason = "Running"
			}
		}
	}
	if p.DeletionTimestamp != nil && p.Status.Reason == "NodeLost" {
		reason = "Unknown"
	} else if p.DeletionTimestamp != nil && !p.IsTerminal() {
		reason = "Terminating"
	}
	return PodSummary{Ready: fmt.Sprintf("%d/%d", ready, total), Status: reason, Restarts: restarts, LastRestart: lastRestart}
}

// NodeStatusWord is the STATUS column of kubectl get nodes: Ready or
// NotReady, with ",SchedulingDisabled" when cordoned.
func NodeStatusWord(n *Node) string {
	s := "Unknown"
	if c := n.Condition(NodeReady); c != nil {
		s = "NotReady"
		if c.Status == ConditionTrue {
			s = "Ready"
		}
	}
	if n.Spec.Unschedulable {
		s += ",SchedulingDisabled"
	}
	return s
}
