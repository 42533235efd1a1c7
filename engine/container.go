package engine

import (
	"slices"
	"strings"
	"time"
)

// containerRuntime is the kubelet's record of one container of a pod on its
// node: the state it reports, the image pull in progress, the back-off
// timers, and the running process with its logs and writable layer.
type containerRuntime struct {
	// spec points into the spec of the stored pod (immutable, shared); a
	// changed image makes it point into the new version's spec.
	spec    *Container
	init    bool // an init container (a sidecar when also restartAlways)
	sidecar bool

	state      containerPhase
	waitReason string
	waitMsg    string
	startedAt  nanos
	// terminated is set while state is phaseTerminated.
	terminated *ContainerStateTerminated
	// last is the previous instance's termination (lastState).
	last        *ContainerStateTerminated
	restarts    int32
	containerID string
	// everStarted records that this container has started at least once
	// (kubelet's "started" for sidecars gating the next init container).
	everStarted bool
	// succeeded records that an init container has completed with 0.
	succeeded bool
	// backingOff is set while an exited container waits out its restart
	// back-off; it is reported as waiting in CrashLoopBackOff.
	backingOff bool

	// imageRef is the parsed image name, shared with the catalogue's cache.
	imageRef *ImageReference
	image    *Image
	// pull is the state of pulling the image, from the first pull until
	// one succeeds; nil for the rest of the container's life, which is
	// most of it.
	pull *imagePull

	// backoff is the delay before the next restart after an exit; restartAt
	// is when a container waiting in CrashLoopBackOff starts again.
	backoff   time.Duration
	restartAt nanos

	proc *process
	// stopAt, while the pod terminates, is when the process is gone.
	stopAt nanos

	logs, prevLogs []logLine
	// files is the container's writable layer: lost when it restarts.
	files map[string]string
}

// imagePull is a container's image pull in progress, or its failures.
type imagePull struct {
	// pulling is set while a pull is in progress; it completes at doneAt
	// with err (nil on success).
	pulling bool
	started time.Time
	doneAt  time.Time
	err     error
	// shared: this pull waited for another pull of the same image.
	shared  bool
	backoff time.Duration
	retryAt time.Time
	// failedAt is when the last pull failed; ErrImagePull shows until the
	// kubelet's next look, a moment later, turns it to ImagePullBackOff.
	failedAt time.Time
}

// pulling reports whether an image pull is in progress.
func (cr *containerRuntime) pulling() bool { return cr.pull != nil && cr.pull.pulling }

type containerPhase int

const (
	phaseWaiting containerPhase = iota
	phaseRunning
	phaseTerminated
)

// LogLine is one line a container wrote to its standard output.
type LogLine struct {
	Time time.Time
	Text string
}

// logLine is a LogLine as kept: a line from an image's startup template
// keeps the template and is stamped with its time only when read, which
// saves memory in clusters of many pods, as does keeping the time as Unix
// nanoseconds (virtual time is UTC, after 1970): a negative at says the
// line is stamped — its text has "%t" to replace with the time, in the
// image's layout.
type logLine struct {
	at   int64
	text string
}

func newLogLine(at time.Time, text string, stamped bool) logLine {
	if stamped {
		return logLine{at: -at.UnixNano(), text: text}
	}
	return logLine{at: at.UnixNano(), text: text}
}

func (l logLine) stamped() bool { return l.at < 0 }

func (l logLine) time() time.Time {
	if l.at < 0 {
		return time.Unix(0, -l.at).UTC()
	}
	return time.Unix(0, l.at).UTC()
}

func (cr *containerRuntime) readLogs(lines []logLine) []LogLine {
	out := make([]LogLine, len(lines))
	layout := "2006/01/02 15:04:05"
	if cr.image != nil && cr.image.TimeFormat != "" {
		layout = cr.image.TimeFormat
	}
	for i, l := range lines {
		at := l.time()
		out[i] = LogLine{Time: at, Text: l.text}
		if l.stamped() {
			out[i].Text = strings.ReplaceAll(l.text, "%t", at.Format(layout))
		}
	}
	return out
}

// Limits of the simulated container world.
const (
	maxLogLines    = 1000
	maxFileBytes   = 64 * 1024
	maxFilesPerCtr = 256
)

const (
	initialBackoff = 10 * time.Second
	maxBackoff     = 5 * time.Minute
	// backoffReset: a container that ran this long without trouble starts
	// its back-off afresh.
	backoffReset = 10 * time.Minute
)

func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return initialBackoff
	}
	return min(2*d, maxBackoff)
}

// host is what a container's process sees of the world.
type containerHost struct {
	k   *kubelet
	pod *Pod
	rt  *podRuntime
	ctr *containerRuntime
}

func (h containerHost) now() time.Time   { return h.k.c.clock.now }
func (h containerHost) hostname() string { return h.pod.Name }

func (h containerHost) log(line string) {
	h.appendLog(newLogLine(h.k.c.clock.now, line, false))
}

func (h containerHost) logTemplate(tmpl string) {
	h.appendLog(newLogLine(h.k.c.clock.now, tmpl, strings.Contains(tmpl, "%t")))
}

func (h containerHost) appendLog(l logLine) {
	c := h.ctr
	if c.logs == nil {
		c.logs = make([]logLine, 0, 6) // most processes log a few lines at start
	}
	c.logs = append(c.logs, l)
	if len(c.logs) > maxLogLines {
		c.logs = slices.Delete(c.logs, 0, len(c.logs)-maxLogLines)
	}
}

func cleanPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p
}

// mount resolves a path in the container to the files that hold it: a
// mounted volume (emptyDir, PersistentVolume, hostPath) or the container's
// own writable layer. key is the path within that file map.
func (h containerHost) mount(path string) (files map[string]string, key string, readOnly bool, err error) {
	path = cleanPath(path)
	var best *VolumeMount
	bestLen := -1
	for i := range h.ctr.spec.VolumeMounts {
		vm := &h.ctr.spec.VolumeMounts[i]
		mp := strings.TrimSuffix(cleanPath(vm.MountPath), "/")
		if (path == mp || strings.HasPrefix(path, mp+"/")) && len(mp) > bestLen {
			best, bestLen = vm, len(mp)
		}
	}
	if best == nil {
		if h.ctr.files == nil {
			h.ctr.files = map[string]string{}
		}
		return h.ctr.files, path, false, nil
	}
	rel := "/" + strings.TrimPrefix(strings.TrimPrefix(path, strings.TrimSuffix(cleanPath(best.MountPath), "/")), "/")
	for _, vol := range h.pod.Spec.Volumes {
		if vol.Name != best.Name {
			continue
		}
		switch {
		case vol.EmptyDir != nil && h.rt != nil:
			if h.rt.emptyDirs == nil {
				h.rt.emptyDirs = map[string]map[string]string{}
			}
			m := h.rt.emptyDirs[vol.Name]
			if m == nil {
				m = map[string]string{}
				h.rt.emptyDirs[vol.Name] = m
			}
			return m, rel, best.ReadOnly, nil
		case vol.PersistentVolumeClaim != nil:
			m := h.k.c.volumes.files(h.pod.Namespace, vol.PersistentVolumeClaim.ClaimName)
			if m == nil {
				return nil, "", false, fsError("Transport endpoint is not connected")
			}
			return m, rel, best.ReadOnly || vol.PersistentVolumeClaim.ReadOnly, nil
		case vol.HostPath != nil:
			if a := h.k.agents[h.pod.Spec.NodeName]; a != nil {
				if a.hostFiles == nil {
					a.hostFiles = map[string]string{}
				}
				return a.hostFiles, cleanPath(vol.HostPath.Path + rel), best.ReadOnly, nil
			}
		}
	}
	return nil, "", false, fsError("No such device")
}

func (h containerHost) writeFile(path, data string, appendTo bool) error {
	files, key, ro, err := h.mount(path)
	if err != nil {
		return err
	}
	if ro {
		return errReadOnly
	}
	if _, exists := files[key]; !exists && len(files) >= maxFilesPerCtr {
		return errNoSpace
	}
	if appendTo {
		data = files[key] + data
	}
	if len(data) > maxFileBytes {
		return errNoSpace
	}
	files[key] = data
	return nil
}

func (h containerHost) readFile(path string) (string, bool) {
	files, key, _, err := h.mount(path)
	if err != nil {
		return "", false
	}
	data, ok := files[key]
	return data, ok
}

func (h containerHost) listDir(dir string) ([]string, bool) {
	files, key, _, err := h.mount(dir)
	if err != nil {
		return nil, false
	}
	prefix := strings.TrimSuffix(key, "/") + "/"
	seen := map[string]bool{}
	var names []string
	add := func(name string) {
		if name != "" && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	for p := range files {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			name, _, _ := strings.Cut(rest, "/")
			add(name)
		}
	}
	// Mount points show as directories in their parent.
	dirPath := strings.TrimSuffix(cleanPath(dir), "/") + "/"
	isMount := false
	for _, vm := range h.ctr.spec.VolumeMounts {
		mp := strings.TrimSuffix(cleanPath(vm.MountPath), "/")
		if rest, ok := strings.CutPrefix(mp, dirPath); ok {
			name, _, _ := strings.Cut(rest, "/")
			add(name)
		}
		if mp+"/" == dirPath {
			isMount = true
		}
	}
	slices.Sort(names)
	return names, len(names) > 0 || dirPath == "/" || isMount
}

type fsError string

func (e fsError) Error() string { return string(e) }

const (
	errNoSpace  = fsError("No space left on device")
	errReadOnly = fsError("Read-only file system")
)

// startedTrue and startedFalse are shared by every ContainerStatus.Started
// the kubelet writes; they are never modified (readers get copies).
var startedTrue, startedFalse = Ptr(true), Ptr(false)

// stateCache shares container states between statuses (which are
// immutable): replicas waiting for the same reason, or started at the same
// instant, report the same state.
type stateCache struct {
	waiting *ContainerStateWaiting
	running *ContainerStateRunning
}

func (sc *stateCache) waitingState(reason, msg string) *ContainerStateWaiting {
	if w := sc.waiting; w == nil || w.Reason != reason || w.Message != msg {
		sc.waiting = &ContainerStateWaiting{Reason: reason, Message: msg}
	}
	return sc.waiting
}

func (sc *stateCache) runningState(startedAt time.Time) *ContainerStateRunning {
	if r := sc.running; r == nil || !r.StartedAt.Equal(startedAt) {
		sc.running = &ContainerStateRunning{StartedAt: startedAt}
	}
	return sc.running
}

// status renders the container's ContainerStatus.
func (cr *containerRuntime) status(sc *stateCache) ContainerStatus {
	s := ContainerStatus{
		Name:         cr.spec.Name,
		RestartCount: cr.restarts,
		Image:        cr.spec.Image,
		ContainerID:  cr.containerID,
	}
	if cr.imageRef != nil && cr.imageRef.Path != "" {
		s.Image = cr.imageRef.String()
		if cr.everStarted {
			s.ImageID = ImageID(*cr.imageRef)
		}
	}
	switch cr.state {
	case phaseWaiting:
		s.State.Waiting = sc.waitingState(cr.waitReason, cr.waitMsg)
	case phaseRunning:
		s.State.Running = sc.runningState(cr.startedAt.Time())
		s.Ready = true
	case phaseTerminated:
		t := *cr.terminated
		if cr.backingOff {
			s.State.Waiting = sc.waitingState(cr.waitReason, cr.waitMsg)
			s.LastTerminationState.Terminated = &t
			break
		}
		s.State.Terminated = &t
	}
	if cr.last != nil && s.LastTerminationState.Terminated == nil {
		t := *cr.last
		s.LastTerminationState.Terminated = &t
	}
	if !cr.init || cr.sidecar {
		s.Started = startedFalse
		if cr.state == phaseRunning {
			s.Started = startedTrue
		}
	}
	if cr.init && !cr.sidecar {
		s.Ready = cr.state == phaseTerminated && cr.succeeded
	}
	return s
}
