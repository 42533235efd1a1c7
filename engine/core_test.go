package engine

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/resource"
)

func newTestPod(name string) *Pod {
	p := &Pod{ObjectMeta: ObjectMeta{Name: name}}
	p.Spec.Containers = []Container{{Name: "app", Image: "nginx:1.27"}}
	return p
}

func mustCreate(t *testing.T, c *Cluster, obj Object) Object {
	t.Helper()
	out, err := c.Create(obj)
	require.NoError(t, err)
	return out
}

// spinner is a broken controller that re-enqueues itself forever.
type spinner struct {
	c  *Cluster
	id int
}

func (s *spinner) observe(WatchEvent, Object) {}
func (s *spinner) reconcile(key string)       { s.c.enqueue(s.id, key+"!") }

func TestLivelockGuardReturnsErrorAndClusterGoesOn(t *testing.T) {
	c := New(Config{ReconcileLimit: 1000})
	s := &spinner{c: c}
	s.id = c.register("spinner", s)
	c.enqueue(s.id, "x")
	err := c.Settle()
	require.ErrorIs(t, err, ErrLivelock)
	require.Contains(t, err.Error(), "spinner")
	// The queues were dropped; the cluster still works.
	_, err = c.AddNode(NodeOptions{Name: "node-1"})
	require.NoError(t, err)
	require.NoError(t, c.Advance(5*time.Second))
	n, err := c.GetNode("node-1")
	require.NoError(t, err)
	require.True(t, n.IsReady())
}

func TestWatchLogCompactionAsksForResync(t *testing.T) {
	c := New(Config{WatchLogLimit: 10})
	start := c.ResourceVersion()
	for i := range 30 {
		mustCreate(t, c, &Namespace{ObjectMeta: ObjectMeta{Name: fmt.Sprintf("ns-%d", i)}})
	}
	_, err := c.Since(start)
	var tooOld *TooOldError
	require.ErrorAs(t, err, &tooOld)
	require.Contains(t, err.Error(), "too old resource version")
	// A fresh snapshot gives a version to watch from.
	snap := c.Snapshot()
	evs, err := c.Since(snap.ResourceVersion)
	require.NoError(t, err)
	require.Empty(t, evs)
	mustCreate(t, c, &Namespace{ObjectMeta: ObjectMeta{Name: "late"}})
	evs, err = c.Since(snap.ResourceVersion)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, Added, evs[0].Type)
	require.Equal(t, "late", evs[0].Object.GetObjectMeta().Name)
	require.LessOrEqual(t, len(c.store.log.events), 10)
}

func TestCompactForgetsWhatWasRead(t *testing.T) {
	c := New(Config{})
	start := c.ResourceVersion()
	mustCreate(t, c, &Namespace{ObjectMeta: ObjectMeta{Name: "a"}})
	mustCreate(t, c, &Namespace{ObjectMeta: ObjectMeta{Name: "b"}})
	mid := c.ResourceVersion()
	mustCreate(t, c, &Namespace{ObjectMeta: ObjectMeta{Name: "c"}})
	before := c.Snapshot()

	c.Compact(mid)
	var tooOld *TooOldError
	_, err := c.Since(start)
	require.ErrorAs(t, err, &tooOld, "what was compacted is gone")
	evs, err := c.Since(mid)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, "c", evs[0].Object.GetObjectMeta().Name)
	require.Len(t, c.store.log.events, 1)
	require.Equal(t, before, c.Snapshot(), "the state does not change")

	c.Compact(c.ResourceVersion())
	require.Empty(t, c.store.log.events)
	evs, err = c.Since(c.ResourceVersion())
	require.NoError(t, err)
	require.Empty(t, evs)
	c.Compact(start) // older than what is kept: nothing happens
	mustCreate(t, c, &Namespace{ObjectMeta: ObjectMeta{Name: "d"}})
	evs, err = c.Since(before.ResourceVersion)
	require.NoError(t, err)
	require.Len(t, evs, 1)
}

func TestReadsReturnCopies(t *testing.T) {
	c := New(Config{})
	mustCreate(t, c, newTestPod("web"))
	p, err := c.GetPod("default", "web")
	require.NoError(t, err)
	p.Labels = map[string]string{"tampered": "yes"}
	p.Spec.Containers[0].Image = "evil"
	again, err := c.GetPod("default", "web")
	require.NoError(t, err)
	require.Nil(t, again.Labels)
	require.Equal(t, "nginx:1.27", again.Spec.Containers[0].Image)
	evs, err := c.Since(0)
	require.NoError(t, err)
	evs[len(evs)-1].Object.(*Pod).Spec.Containers[0].Image = "evil"
	require.Equal(t, "nginx:1.27", c.pod("default/web").Spec.Containers[0].Image)
}

func TestStepSkipsEmptyTime(t *testing.T) {
	c := New(Config{NodeStartupDelay: 90 * time.Second})
	ok, err := c.Step()
	require.NoError(t, err)
	require.False(t, ok, "nothing is due in an empty cluster")
	_, err = c.AddNode(NodeOptions{Name: "node-1"})
	require.NoError(t, err)
	require.NoError(t, c.Settle())
	start := c.Now()
	ok, err = c.Step()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 90*time.Second, c.Now().Sub(start), "one step jumps straight to the kubelet's Ready")
	n, _ := c.GetNode("node-1")
	require.True(t, n.IsReady())
}

func TestAdvanceFiresTimersInOrder(t *testing.T) {
	c := New(Config{NodeStartupDelay: -1})
	_, err := c.AddNode(NodeOptions{Name: "node-1"})
	require.NoError(t, err)
	p := newTestPod("job")
	p.Spec.RestartPolicy = RestartPolicyNever
	p.Spec.Containers[0] = Container{Name: "app", Image: "busybox:1.36", Command: []string{"sh", "-c", "echo a; sleep 3; echo b; sleep 4; echo c"}}
	mustCreate(t, c, p)
	require.NoError(t, c.Advance(time.Hour))
	logs, err := c.Logs("", "job", "", false)
	require.NoError(t, err)
	require.Len(t, logs, 3)
	require.Equal(t, 3*time.Second, logs[1].Time.Sub(logs[0].Time))
	require.Equal(t, 4*time.Second, logs[2].Time.Sub(logs[1].Time))
	got, _ := c.GetPod("", "job")
	require.Equal(t, PodSucceeded, got.Status.Phase)
	require.Equal(t, "Completed", SummarizePod(got).Status)
	require.Error(t, c.Advance(-time.Second))
}

func TestEventsAreCappedAndExpire(t *testing.T) {
	c := New(Config{EventLimit: 5, EventTTL: time.Minute})
	pod := mustCreate(t, c, newTestPod("web"))
	for i := range 8 {
		c.event(pod, EventTypeNormal, "Test", sourceScheduler, "message %d", i)
	}
	evs := c.Events("")
	require.Len(t, evs, 5)
	require.Equal(t, "message 3", evs[0].Message, "the oldest go first")
	// A repeat bumps the count instead of adding an Event.
	c.event(pod, EventTypeNormal, "Test", sourceScheduler, "message 7")
	evs = c.Events("")
	require.Len(t, evs, 5)
	require.Equal(t, int32(2), evs[len(evs)-1].Count)
	require.NoError(t, c.Advance(2*time.Minute))
	c.event(pod, EventTypeNormal, "Test", sourceScheduler, "fresh")
	evs = c.Events("")
	require.Len(t, evs, 1, "older events expired after the TTL")
	require.Equal(t, "fresh", evs[0].Message)
}

func TestNumFeasibleNodesToFind(t *testing.T) {
	for _, tc := range []struct{ nodes, want int }{
		{3, 3}, {99, 99}, {100, 100}, {500, 230}, {1000, 420}, {5000, 500}, {6000, 300}, {10000, 500},
	} {
		require.Equal(t, tc.want, numFeasibleNodesToFind(tc.nodes), "%d nodes", tc.nodes)
	}
}

func TestPodRequestsWithInitContainersAndSidecars(t *testing.T) {
	req := func(cpu string) ResourceRequirements {
		return ResourceRequirements{Requests: ResourceList{ResourceCPU: resource.MustParse(cpu)}}
	}
	p := newTestPod("p")
	p.Spec.Containers = []Container{{Name: "a", Image: "x", Resources: req("100m")}, {Name: "b", Image: "x", Resources: req("200m")}}
	p.Spec.InitContainers = []Container{
		{Name: "sidecar", Image: "x", Resources: req("50m"), RestartPolicy: Ptr("Always")},
		{Name: "big-init", Image: "x", Resources: req("500m")},
	}
	cpu, _ := PodRequests(p)
	require.Equal(t, int64(550), cpu, "the big init container plus the sidecar running beside it")
	p.Spec.InitContainers[1].Resources = req("100m")
	cpu, _ = PodRequests(p)
	require.Equal(t, int64(350), cpu, "app containers plus the sidecar")
	// A limit alone defaults the request.
	p.Spec.InitContainers = nil
	p.Spec.Containers = []Container{{Name: "a", Image: "x", Resources: ResourceRequirements{Limits: ResourceList{ResourceCPU: resource.MustParse("1")}}}}
	cpu, _ = PodRequests(p)
	require.Equal(t, int64(1000), cpu)
}

func TestAllocatableReservesLikeAManagedNode(t *testing.T) {
	a := allocatable(resource.MustParse("2"), resource.MustParse("4Gi"), resource.MustParse("110"), resource.MustParse("100Gi"))
	require.Equal(t, int64(1930), a.MilliCPU())
	require.Equal(t, int64(4096-1024-100)<<20, a.MemoryBytes())
	a = allocatable(resource.MustParse("4"), resource.MustParse("16Gi"), resource.MustParse("110"), resource.MustParse("100Gi"))
	require.Equal(t, int64(4000-60-10-10), a.MilliCPU())
	const gi = int64(1) << 30
	reserved := (4*gi*2500+4*gi*2000+8*gi*1000)/10000 + 100<<20
	require.Equal(t, (16*gi-reserved)/1024*1024, a.MemoryBytes())
}

func TestUpdateRefusesImmutablePodFields(t *testing.T) {
	c := New(Config{})
	mustCreate(t, c, newTestPod("web"))
	p, _ := c.GetPod("", "web")
	p.Spec.Containers[0].Name = "renamed"
	_, err := c.Update(p)
	require.Error(t, err)
	require.Equal(t, ReasonInvalid, ReasonOf(err))
	require.Contains(t, err.Error(), "pod updates may not change fields other than")

	p, _ = c.GetPod("", "web")
	stale := p.DeepCopy()
	p.Labels = map[string]string{"tier": "front"}
	_, err = c.Update(p)
	require.NoError(t, err)
	stale.Labels = map[string]string{"tier": "back"}
	_, err = c.Update(stale)
	require.Equal(t, ReasonConflict, ReasonOf(err), "an update from a stale read conflicts")

	_, err = c.Update(newTestPod("nope"))
	require.True(t, IsNotFound(err))
}

// An update that changes nothing writes nothing, as on a real API server:
// the resource version stays, so kubectl apply can say "unchanged". An
// update that leaves out defaulted fields is defaulted before comparing.
func TestNoOpUpdateKeepsResourceVersion(t *testing.T) {
	c := New(Config{})
	mustCreate(t, c, newTestPod("web"))
	before, _ := c.GetPod("", "web")

	got, err := c.Update(newTestPod("web"))
	require.NoError(t, err)
	require.Equal(t, before.ResourceVersion, got.GetObjectMeta().ResourceVersion)

	changed := newTestPod("web")
	changed.Spec.Containers[0].Image = "nginx:1.28"
	got, err = c.Update(changed)
	require.NoError(t, err)
	require.NotEqual(t, before.ResourceVersion, got.GetObjectMeta().ResourceVersion)
	require.Equal(t, "nginx:1.28", got.(*Pod).Spec.Containers[0].Image)
}

func TestUpdateValidatesAnnotations(t *testing.T) {
	c := New(Config{})
	mustCreate(t, c, newTestPod("web"))
	p, _ := c.GetPod("", "web")
	p.Annotations = map[string]string{"bad key": "x"}
	_, err := c.Update(p)
	require.Equal(t, ReasonInvalid, ReasonOf(err))
	require.Contains(t, err.Error(), `metadata.annotations: Invalid value: "bad key"`)
}

func TestGenerateNameAndErrors(t *testing.T) {
	c := New(Config{Seed: 42})
	p := newTestPod("")
	p.GenerateName = "web-"
	got := mustCreate(t, c, p).(*Pod)
	require.Regexp(t, `^web-[bcdfghjklmnpqrstvwxz2456789]{5}$`, got.Name)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, got.UID)
	_, err := c.Create(newTestPod(""))
	require.Equal(t, ReasonInvalid, ReasonOf(err))
	_, err = c.Get(Kind("Gadget"), "", "x")
	require.Equal(t, ReasonBadRequest, ReasonOf(err))
	_, err = c.Create(nil)
	require.Error(t, err)
	var ae *APIError
	require.True(t, errors.As(err, &ae))
}

// TestDeepCopySharesNothing fills every field of each kind through
// reflection and checks that a deep copy is equal but shares no pointer,
// map or slice with the original, so a reader can never change the store.
func TestDeepCopySharesNothing(t *testing.T) {
	for _, obj := range []Object{&Pod{}, &Node{}, &Namespace{}, &Event{}, &ReplicaSet{}, &Deployment{}, &StorageClass{},
		&PersistentVolume{}, &PersistentVolumeClaim{}, &Service{}, &Endpoints{}, &Ingress{}, &IngressClass{}} {
		require.True(t, obj.GetKind().Known(), "%T", obj)
		fill(reflect.ValueOf(obj).Elem(), 0)
		cp := obj.DeepCopyObject()
		require.Equal(t, obj, cp, "%T", obj)
		assertNoSharing(t, reflect.ValueOf(obj).Elem(), reflect.ValueOf(cp).Elem(), fmt.Sprintf("%T", obj))
	}
}

var quantityType = reflect.TypeOf(resource.Quantity{})
var timeType = reflect.TypeOf(time.Time{})

func fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), depth+1)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, depth+1)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		switch v.Type() {
		case quantityType:
			v.Set(reflect.ValueOf(resource.MustParse("250m")))
			return
		case timeType:
			v.Set(reflect.ValueOf(DefaultStart))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	}
}

func assertNoSharing(t *testing.T, a, b reflect.Value, path string) {
	t.Helper()
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return
		}
		require.NotEqual(t, a.Pointer(), b.Pointer(), "%s is shared", path)
		assertNoSharing(t, a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Len() == 0 {
			return
		}
		require.NotEqual(t, a.Pointer(), b.Pointer(), "%s is shared", path)
		for i := range a.Len() {
			assertNoSharing(t, a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if a.Len() == 0 {
			return
		}
		require.NotEqual(t, a.Pointer(), b.Pointer(), "%s is shared", path)
	case reflect.Struct:
		if a.Type() == quantityType || a.Type() == timeType {
			return
		}
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				assertNoSharing(t, a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)
			}
		}
	}
}

func TestRevisionHistoryLimitKeepsFewOldReplicaSets(t *testing.T) {
	c := New(Config{Seed: 2, NodeStartupDelay: -1})
	_, err := c.AddNode(NodeOptions{Name: "node-1", CPU: "8", Memory: "16Gi"})
	require.NoError(t, err)
	d := &Deployment{ObjectMeta: ObjectMeta{Name: "web"}}
	d.Spec.Replicas = Ptr(int32(2))
	d.Spec.RevisionHistoryLimit = Ptr(int32(2))
	d.Spec.Selector = &LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	d.Spec.Template.Labels = map[string]string{"app": "web"}
	d.Spec.Template.Spec.Containers = []Container{{Name: "app", Image: "nginx:1.20"}}
	_, err = c.Create(d)
	require.NoError(t, err)
	require.NoError(t, c.Advance(time.Minute))
	for _, tag := range []string{"1.21", "1.22", "1.23", "1.24", "1.25"} {
		obj, err := c.Get(KindDeployment, "", "web")
		require.NoError(t, err)
		nd := obj.(*Deployment)
		nd.Spec.Template.Spec.Containers[0].Image = "nginx:" + tag
		_, err = c.Update(nd)
		require.NoError(t, err)
		require.NoError(t, c.Advance(time.Minute))
	}
	rss := c.List(KindReplicaSet, "default", nil)
	require.Len(t, rss, 3, "the current ReplicaSet and two old ones")
	history, err := c.RolloutHistory("", "web")
	require.NoError(t, err)
	var revs []int64
	for _, r := range history {
		revs = append(revs, r.Number)
	}
	require.Equal(t, []int64{4, 5, 6}, revs)
	got, _ := c.getDeployment("default", "web")
	require.Equal(t, "6", got.Annotations[AnnotationRevision])
}

func TestEventQueueDropsUnderABurstAsClientGoDoes(t *testing.T) {
	c := New(Config{Seed: 4, NodeStartupDelay: -1, EventLimit: 5000, Limits: Limits{}})
	for i := range 10 {
		_, err := c.AddNode(NodeOptions{Name: fmt.Sprintf("node-%d", i), CPU: "64", Memory: "256Gi", Pods: 250})
		require.NoError(t, err)
	}
	require.NoError(t, c.Settle())
	already := len(c.Events("default"))
	rs := &ReplicaSet{ObjectMeta: ObjectMeta{Name: "burst"}}
	rs.Spec.Replicas = Ptr(int32(2000))
	rs.Spec.Selector = &LabelSelector{MatchLabels: map[string]string{"app": "burst"}}
	rs.Spec.Template.Labels = map[string]string{"app": "burst"}
	rs.Spec.Template.Spec.Containers = []Container{{Name: "c", Image: "nginx:1.27"}}
	_, err := c.Create(rs)
	require.NoError(t, err)
	require.NoError(t, c.Settle())
	// 2,000 SuccessfulCreate and 2,000 Scheduled events in one settle: the
	// queue keeps the first 1,000.
	require.Equal(t, 3000, c.events.Dropped)
	require.Equal(t, already+1000, len(c.Events("default")))
	// One command's worth of events is never dropped.
	before := c.events.Dropped
	require.NoError(t, c.Delete(KindPod, "default", c.Pods("default", nil)[0].Name, DeleteOptions{}))
	require.NoError(t, c.Settle())
	require.Equal(t, before, c.events.Dropped)
}

func TestOwnerCountsPastAByte(t *testing.T) {
	var o ownerInfo
	for range 300 {
		o.add(3, 1)
	}
	o.add(1, 2)
	require.Equal(t, int32(300), o.count(3))
	require.Equal(t, int32(2), o.count(1))
	require.Equal(t, int32(0), o.count(2))
	require.Equal(t, int32(0), o.count(4000))
	require.Equal(t, 302, o.total)
	for range 100 {
		o.add(3, -1)
	}
	require.Equal(t, int32(200), o.count(3))
	require.Empty(t, o.many, "counts below a byte's worth go back into perSlot")
}

// TestSchedulerSpreadsHundredsOfSiblingsPerNode fills two nodes with one
// ReplicaSet's pods: spreading keeps them balanced all the way.
func TestSchedulerSpreadsHundredsOfSiblingsPerNode(t *testing.T) {
	c := New(Config{Seed: 1, NodeStartupDelay: -1})
	for _, name := range []string{"node-a", "node-b"} {
		_, err := c.AddNode(NodeOptions{Name: name, CPU: "64", Memory: "256Gi", Pods: 250})
		require.NoError(t, err)
	}
	mustCreate(t, c, newBenchReplicaSet("wide", 400))
	require.NoError(t, c.Settle())
	perNode := map[string]int{}
	for _, p := range c.Pods("default", nil) {
		perNode[p.Spec.NodeName]++
	}
	require.Equal(t, 400, perNode["node-a"]+perNode["node-b"])
	require.InDelta(t, 200, perNode["node-a"], 2, "%v", perNode)
	rs := c.scheduler.owners[c.Pods("default", nil)[0].ControllerRef().UID]
	require.Equal(t, int32(perNode["node-a"]), rs.count(c.scheduler.nodes["node-a"]))
}

// TestSettleAllowsABurstOfWork applies more pods at once than the
// livelock guard's base allowance: creating them is work, not a livelock.
func TestSettleAllowsABurstOfWork(t *testing.T) {
	c := New(Config{Seed: 1, NodeStartupDelay: -1, ReconcileLimit: 1000})
	for i := range 20 {
		_, err := c.AddNode(NodeOptions{Name: fmt.Sprintf("node-%02d", i), CPU: "64", Memory: "256Gi"})
		require.NoError(t, err)
	}
	require.NoError(t, c.Settle())
	mustCreate(t, c, newBenchReplicaSet("burst", 2000))
	require.NoError(t, c.Settle())
	require.Len(t, c.Pods("default", nil), 2000)
}

// TestSchedulerChargesPodsOfANodeAddedBack deletes a Node object while
// its pods are still bound to it and adds it back: the scheduler must
// charge those pods to the node again, and must not charge them to
// whatever node takes the deleted node's place meanwhile.
func TestSchedulerChargesPodsOfANodeAddedBack(t *testing.T) {
	c := New(Config{Seed: 1, NodeStartupDelay: -1})
	_, err := c.AddNode(NodeOptions{Name: "node-a"})
	require.NoError(t, err)
	mustCreate(t, c, newBenchReplicaSet("app", 3))
	require.NoError(t, c.Settle())
	require.Equal(t, int64(3), c.scheduler.info("node-a").pods)

	n := c.node("node-a")
	c.dispatch(c.store.write(Deleted, n), n)
	require.Nil(t, c.scheduler.info("node-a"))
	// The freed slot goes to a new node, which runs nothing.
	_, err = c.AddNode(NodeOptions{Name: "node-b"})
	require.NoError(t, err)
	require.Equal(t, int64(0), c.scheduler.info("node-b").pods)
	_, err = c.AddNode(NodeOptions{Name: "node-a"})
	require.NoError(t, err)
	require.Equal(t, int64(3), c.scheduler.info("node-a").pods)
}

// TestWorkQueueHoldsAKeyOnce drives the queue through adds while waiting,
// re-adds after pops, emptying, and the compaction of a long queue,
// checking it against a plain model.
func TestWorkQueueHoldsAKeyOnce(t *testing.T) {
	q := newWorkQueue()
	var model []string
	waiting := func(k string) bool {
		for _, m := range model {
			if m == k {
				return true
			}
		}
		return false
	}
	rng := newRand(7)
	for step := range 200_000 {
		switch r := rng.IntN(10); {
		case r < 6:
			// Keys from a pool larger than the compaction threshold.
			k := fmt.Sprintf("k%d", rng.IntN(3000))
			q.add(k)
			if !waiting(k) {
				model = append(model, k)
			}
		default:
			k, ok := q.pop()
			if len(model) == 0 {
				require.False(t, ok, "step %d", step)
				continue
			}
			require.True(t, ok, "step %d", step)
			require.Equal(t, model[0], k, "step %d", step)
			model = model[1:]
		}
		require.Equal(t, len(model), q.len(), "step %d", step)
		if step%5000 == 0 {
			// Drain it completely now and then.
			for len(model) > 0 {
				k, _ := q.pop()
				require.Equal(t, model[0], k)
				model = model[1:]
			}
			_, ok := q.pop()
			require.False(t, ok)
		}
	}
}

// TestReplicasLogTheirOwnLines starts replicas that log the same first
// line at the same instant (their logs are shared then) and then their own
// hostnames: each pod's log must hold its own lines only.
func TestReplicasLogTheirOwnLines(t *testing.T) {
	c := New(Config{Seed: 1, NodeStartupDelay: -1})
	_, err := c.AddNode(NodeOptions{Name: "node-a", CPU: "8", Memory: "32Gi"})
	require.NoError(t, err)
	rs := newBenchReplicaSet("echo", 3)
	rs.Spec.Template.Spec.Containers[0].Image = "busybox:1.36"
	rs.Spec.Template.Spec.Containers[0].Command = []string{"sh", "-c", "echo start; while true; do echo $(hostname); sleep 1; done"}
	mustCreate(t, c, rs)
	require.NoError(t, c.Advance(30*time.Second))
	pods := c.Pods("default", nil)
	require.Len(t, pods, 3)
	for _, p := range pods {
		lines, err := c.Logs("default", p.Name, "", false)
		require.NoError(t, err)
		require.Greater(t, len(lines), 3, p.Name)
		require.Equal(t, "start", lines[0].Text)
		for _, l := range lines[1:] {
			require.Equal(t, p.Name, l.Text)
		}
	}
}
