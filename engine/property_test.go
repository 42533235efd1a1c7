package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// randomOps drives a cluster with a random but reproducible sequence of
// what learners do: add and kill nodes, cordon them, create and delete
// pods, crash containers, let time pass. check is called after each step.
// opsSeed chooses the operations; clusterSeed seeds the cluster.
func randomOps(t *testing.T, opsSeed, clusterSeed uint64, steps int, check func(c *Cluster)) *Cluster {
	t.Helper()
	r := rand.New(rand.NewPCG(opsSeed, 1))
	c := New(Config{Seed: clusterSeed, WatchLogLimit: 1 << 20, EventLimit: 1 << 20})
	images := []string{"nginx:1.27", "busybox:1.36", "redis:7", "ngnix", "podplay/crasher:1.0", "ghcr.io/acme/app:1"}
	nodeCount := 0
	for i := range steps {
		nodes := c.Nodes()
		pods := c.Pods("", nil)
		switch op := r.IntN(100); {
		case op < 12 && len(nodes) < 8:
			nodeCount++
			_, err := c.AddNode(NodeOptions{
				Name:   fmt.Sprintf("node-%d", nodeCount),
				CPU:    []string{"1", "2", "4"}[r.IntN(3)],
				Memory: []string{"2Gi", "4Gi", "8Gi"}[r.IntN(3)],
				Pods:   []int{3, 10, 110}[r.IntN(3)],
				Labels: map[string]string{"zone": []string{"a", "b"}[r.IntN(2)]},
			})
			require.NoError(t, err)
		case op < 50:
			p := &Pod{ObjectMeta: ObjectMeta{GenerateName: "p-", Labels: map[string]string{"app": "x"}}}
			ctr := Container{Name: "c", Image: images[r.IntN(len(images))]}
			if r.IntN(3) > 0 {
				ctr.Resources.Requests = ResourceList{
					ResourceCPU:    *resource.NewMilliQuantity(int64(50+r.IntN(1500)), resource.DecimalSI),
					ResourceMemory: *resource.NewQuantity(int64(16+r.IntN(2000))<<20, resource.BinarySI),
				}
			}
			if r.IntN(4) == 0 {
				ctr.Command = []string{"sh", "-c", fmt.Sprintf("sleep %d; exit %d", r.IntN(30), r.IntN(2))}
				ctr.Image = "busybox:1.36"
			}
			p.Spec.Containers = []Container{ctr}
			if r.IntN(5) == 0 {
				p.Spec.NodeSelector = map[string]string{"zone": "a"}
			}
			if r.IntN(6) == 0 {
				p.Spec.RestartPolicy = RestartPolicyNever
			}
			_, err := c.Create(p)
			require.NoError(t, err)
		case op < 54:
			// A ReplicaSet: create one, or scale or delete an existing one.
			name := fmt.Sprintf("rs-%d", r.IntN(3))
			obj, err := c.Get(KindReplicaSet, "default", name)
			switch {
			case err != nil:
				rs := &ReplicaSet{ObjectMeta: ObjectMeta{Name: name}}
				rs.Spec.Replicas = Ptr(int32(r.IntN(6)))
				rs.Spec.Selector = &LabelSelector{MatchLabels: map[string]string{"set": name}}
				rs.Spec.Template.Labels = map[string]string{"set": name, "app": "x"}
				rs.Spec.Template.Spec.Containers = []Container{{Name: "c", Image: images[r.IntN(3)],
					Resources: ResourceRequirements{Requests: ResourceList{ResourceCPU: *resource.NewMilliQuantity(int64(100+r.IntN(400)), resource.DecimalSI)}}}}
				_, err = c.Create(rs)
				require.NoError(t, err)
			case r.IntN(4) == 0:
				require.NoError(t, c.Delete(KindReplicaSet, "default", name, DeleteOptions{}))
			default:
				rs := obj.(*ReplicaSet)
				rs.Spec.Replicas = Ptr(int32(r.IntN(8)))
				_, err = c.Update(rs)
				require.NoError(t, err)
			}
		case op < 57:
			// A Deployment: create one, change its image, scale it, or
			// delete it.
			name := fmt.Sprintf("dep-%d", r.IntN(2))
			obj, err := c.Get(KindDeployment, "default", name)
			switch {
			case err != nil:
				d := &Deployment{ObjectMeta: ObjectMeta{Name: name}}
				d.Spec.Replicas = Ptr(int32(r.IntN(5)))
				d.Spec.Selector = &LabelSelector{MatchLabels: map[string]string{"dep": name}}
				d.Spec.Template.Labels = map[string]string{"dep": name}
				d.Spec.Template.Spec.Containers = []Container{{Name: "c", Image: images[r.IntN(3)]}}
				if r.IntN(2) == 0 {
					d.Spec.Strategy.Type = "Recreate"
				}
				_, err = c.Create(d)
				require.NoError(t, err)
			case r.IntN(5) == 0:
				require.NoError(t, c.Delete(KindDeployment, "default", name, DeleteOptions{}))
			default:
				d := obj.(*Deployment)
				if r.IntN(2) == 0 {
					d.Spec.Template.Spec.Containers[0].Image = images[r.IntN(3)]
				} else {
					d.Spec.Replicas = Ptr(int32(r.IntN(6)))
				}
				_, err = c.Update(d)
				require.NoError(t, err)
			}
		case op < 59:
			// Claims: create one (some fit a static volume), or delete one.
			name := fmt.Sprintf("claim-%d", r.IntN(4))
			if _, err := c.Get(KindPersistentVolumeClaim, "default", name); err == nil {
				require.NoError(t, c.Delete(KindPersistentVolumeClaim, "default", name, DeleteOptions{}))
				break
			}
			pvc := &PersistentVolumeClaim{ObjectMeta: ObjectMeta{Name: name}}
			pvc.Spec.AccessModes = []string{"ReadWriteOnce"}
			pvc.Spec.Resources.Requests = ResourceList{"storage": resource.MustParse([]string{"1Gi", "2Gi"}[r.IntN(2)])}
			if r.IntN(2) == 0 {
				pvc.Spec.StorageClassName = Ptr("")
			}
			_, err := c.Create(pvc)
			require.NoError(t, err)
			if r.IntN(2) == 0 {
				pv := &PersistentVolume{ObjectMeta: ObjectMeta{GenerateName: "disk-"}}
				pv.Spec.Capacity = ResourceList{"storage": resource.MustParse("2Gi")}
				pv.Spec.AccessModes = []string{"ReadWriteOnce"}
				pv.Spec.HostPath = &HostPathVolumeSource{Path: "/mnt/disk"}
				_, err := c.Create(pv)
				require.NoError(t, err)
			}
		case op < 60 && len(pods) > 0:
			p := pods[r.IntN(len(pods))]
			var grace *int64
			if r.IntN(4) == 0 {
				grace = Ptr(int64(0))
			}
			require.NoError(t, c.Delete(KindPod, p.Namespace, p.Name, DeleteOptions{GracePeriodSeconds: grace}))
		case op < 66 && len(nodes) > 0:
			n := nodes[r.IntN(len(nodes))]
			n.Spec.Unschedulable = !n.Spec.Unschedulable
			_, err := c.Update(n)
			require.NoError(t, err)
		case op < 72 && len(nodes) > 0:
			n := nodes[r.IntN(len(nodes))]
			if c.NodeRunning(n.Name) {
				require.NoError(t, c.KillNode(n.Name))
			} else {
				require.NoError(t, c.RestoreNode(n.Name))
			}
		case op < 74 && len(nodes) > 0:
			require.NoError(t, c.Delete(KindNode, "", nodes[r.IntN(len(nodes))].Name, DeleteOptions{}))
		case op < 78 && len(pods) > 0:
			p := pods[r.IntN(len(pods))]
			_ = c.CrashContainer(p.Namespace, p.Name, "") // may be not running: an error, and that is fine
		default:
			d := []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute, 6 * time.Minute}[r.IntN(5)]
			require.NoError(t, c.Advance(d), "step %d", i)
		}
		require.NoError(t, c.Settle(), "step %d", i)
		if check != nil {
			check(c)
		}
	}
	return c
}

// invariantChecker follows the watch log and checks, after every step, the
// promises the control plane makes.
type invariantChecker struct {
	t     *testing.T
	rv    uint64
	nodes map[string]*Node
	pods  map[string]*Pod
}

func (ic *invariantChecker) check(c *Cluster) {
	t := ic.t
	t.Helper()
	evs, err := c.store.log.since(ic.rv)
	require.NoError(t, err)
	for _, ev := range evs {
		ic.rv = ev.ResourceVersion
		switch o := ev.Object.(type) {
		case *Node:
			if ev.Type == Deleted {
				delete(ic.nodes, o.Name)
			} else {
				ic.nodes[o.Name] = o
			}
		case *Pod:
			old := ic.pods[o.Key()]
			if ev.Type == Deleted {
				delete(ic.pods, o.Key())
				continue
			}
			ic.pods[o.Key()] = o
			if old != nil && old.Spec.NodeName == "" && o.Spec.NodeName != "" {
				n := ic.nodes[o.Spec.NodeName]
				require.NotNil(t, n, "pod %s bound to unknown node %s", o.Key(), o.Spec.NodeName)
				require.False(t, n.Spec.Unschedulable, "pod %s bound to cordoned node %s", o.Key(), n.Name)
				require.True(t, n.IsReady(), "pod %s bound to NotReady node %s", o.Key(), n.Name)
				for _, taint := range n.Spec.Taints {
					if taint.Effect == TaintEffectPreferNoSchedule {
						continue
					}
					tolerated := false
					for _, tol := range o.Spec.Tolerations {
						if tol.ToleratesTaint(&taint) {
							tolerated = true
						}
					}
					require.True(t, tolerated, "pod %s bound to %s despite taint %s", o.Key(), n.Name, taint.ToString())
				}
				for k, v := range o.Spec.NodeSelector {
					require.Equal(t, v, n.Labels[k], "pod %s bound to %s against its nodeSelector", o.Key(), n.Name)
				}
			}
		}
	}
	// No node is over-committed, and the scheduler's books match the store.
	for _, obj := range c.store.list(KindNode, "", nil) {
		n := obj.(*Node)
		var cpu, mem, count int64
		for _, key := range c.store.podsOn(n.Name) {
			p := c.pod(key)
			if p.IsTerminal() {
				continue
			}
			r := computePodRequests(&p.Spec)
			cpu, mem, count = cpu+r.milliCPU, mem+r.memory, count+1
		}
		a := n.Status.Allocatable
		require.LessOrEqual(t, cpu, a.MilliCPU(), "node %s over-committed on cpu", n.Name)
		require.LessOrEqual(t, mem, a.MemoryBytes(), "node %s over-committed on memory", n.Name)
		require.LessOrEqual(t, count, a.Count(ResourcePods), "node %s runs too many pods", n.Name)
		ni := c.scheduler.info(n.Name)
		require.NotNil(t, ni)
		require.Equal(t, [3]int64{cpu, mem, count}, [3]int64{ni.reqMilliCPU, ni.reqMemory, ni.pods}, "scheduler cache of %s", n.Name)
	}
	// The scheduler's count of each controller's pods per node (for
	// spreading) matches the store too.
	owned := map[string]map[int32]int32{}
	for _, obj := range c.store.all(KindPod) {
		p := obj.(*Pod)
		slot, known := c.scheduler.nodes[p.Spec.NodeName]
		if ref := p.ControllerRef(); ref != nil && known && !p.IsTerminal() {
			if owned[ref.UID] == nil {
				owned[ref.UID] = map[int32]int32{}
			}
			owned[ref.UID][slot]++
		}
	}
	for uid, perSlot := range owned {
		o := c.scheduler.owners[uid]
		require.NotNil(t, o, "no counts for owner %s", uid)
		total := 0
		for slot, n := range perSlot {
			require.Equal(t, n, o.count(slot), "owner %s on slot %d", uid, slot)
			total += int(n)
		}
		require.Equal(t, total, o.total, "owner %s", uid)
	}
	for uid, o := range c.scheduler.owners {
		require.Equal(t, len(owned[uid]) > 0, o.total > 0, "owner %s", uid)
	}
	// No volume is bound to two claims, and bound pairs agree.
	boundTo := map[string]string{}
	for _, obj := range c.store.list(KindPersistentVolumeClaim, "", nil) {
		pvc := obj.(*PersistentVolumeClaim)
		if pvc.Spec.VolumeName == "" {
			continue
		}
		other, dup := boundTo[pvc.Spec.VolumeName]
		require.False(t, dup, "volume %s is bound to %s and %s", pvc.Spec.VolumeName, other, pvc.Key())
		boundTo[pvc.Spec.VolumeName] = pvc.Key()
		if pv, _ := c.store.get(KindPersistentVolume, pvc.Spec.VolumeName).(*PersistentVolume); pv != nil && pv.Spec.ClaimRef != nil {
			require.Equal(t, pvc.UID, pv.Spec.ClaimRef.UID, "volume %s and claim %s disagree", pv.Name, pvc.Key())
		}
	}
	// Every pod the scheduler thinks waits is really unbound.
	for key := range c.scheduler.unschedulable {
		p := c.pod(key)
		require.NotNil(t, p, "waiting pod %s is gone", key)
		require.Empty(t, p.Spec.NodeName, "waiting pod %s is bound", key)
	}
}

// converge lifts every fault — nodes restored and uncordoned — and lets
// time pass; then every ReplicaSet must have exactly its desired number of
// live pods.
func converge(t *testing.T, c *Cluster) {
	t.Helper()
	for _, n := range c.Nodes() {
		if !c.NodeRunning(n.Name) {
			require.NoError(t, c.RestoreNode(n.Name))
		}
		if n.Spec.Unschedulable {
			n, err := c.GetNode(n.Name) // fresh: the restore changed it
			require.NoError(t, err)
			n.Spec.Unschedulable = false
			_, err = c.Update(n)
			require.NoError(t, err)
		}
	}
	require.NoError(t, c.Advance(15*time.Minute))
	for _, obj := range c.List(KindReplicaSet, "", nil) {
		rs := obj.(*ReplicaSet)
		live := 0
		for _, p := range c.Pods("default", nil) {
			if ref := p.ControllerRef(); ref != nil && ref.UID == rs.UID && p.DeletionTimestamp == nil && !p.IsTerminal() {
				live++
			}
		}
		require.Equal(t, int(rs.DesiredReplicas()), live, "ReplicaSet %s", rs.Name)
		require.Equal(t, rs.DesiredReplicas(), rs.Status.Replicas, "status of ReplicaSet %s", rs.Name)
	}
	for _, obj := range c.List(KindDeployment, "", nil) {
		d := obj.(*Deployment)
		require.Equal(t, d.DesiredReplicas(), d.Status.UpdatedReplicas, "updated replicas of Deployment %s", d.Name)
		require.Equal(t, d.DesiredReplicas(), d.Status.Replicas, "replicas of Deployment %s", d.Name)
	}
}

func TestPropertyInvariants(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			ic := &invariantChecker{t: t, nodes: map[string]*Node{}, pods: map[string]*Pod{}}
			c := randomOps(t, seed, seed, 300, ic.check)
			converge(t, c)
			ic.check(c)
		})
	}
}

// TestSameSeedSameLog proves the engine deterministic: the same seed and
// the same inputs give a byte-identical watch log (uids, name suffixes,
// IPs, container ids and timestamps included), and another seed does not.
func TestSameSeedSameLog(t *testing.T) {
	logOf := func(seed uint64) []byte {
		c := randomOps(t, 7, seed, 250, nil)
		evs, err := c.Since(0)
		require.NoError(t, err)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		for _, ev := range evs {
			require.NoError(t, enc.Encode(ev))
		}
		return buf.Bytes()
	}
	a, b := logOf(7), logOf(7)
	require.Greater(t, len(a), 10000, "the run should do real work")
	require.True(t, bytes.Equal(a, b), "same seed, same inputs, different logs")
	require.False(t, bytes.Equal(a, logOf(8)), "a different cluster seed should change uids and names")
}

// TestRollingUpdateKeepsAvailability rolls a Deployment out with maxSurge 1
// and maxUnavailable 0 and checks, at every step of virtual time, that
// never fewer than the desired number of pods are ready and never more
// than desired+1 exist.
func TestRollingUpdateKeepsAvailability(t *testing.T) {
	c := New(Config{Seed: 11, NodeStartupDelay: -1})
	for i := range 3 {
		_, err := c.AddNode(NodeOptions{Name: fmt.Sprintf("node-%d", i)})
		require.NoError(t, err)
	}
	d := &Deployment{ObjectMeta: ObjectMeta{Name: "web"}}
	d.Spec.Replicas = Ptr(int32(4))
	d.Spec.Selector = &LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	d.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{MaxSurge: Ptr(intstr.FromInt32(1)), MaxUnavailable: Ptr(intstr.FromInt32(0))}
	d.Spec.Template.Labels = map[string]string{"app": "web"}
	d.Spec.Template.Spec.Containers = []Container{{Name: "app", Image: "nginx:1.26"}}
	_, err := c.Create(d)
	require.NoError(t, err)
	require.NoError(t, c.Advance(time.Minute))

	check := func() (ready, live int) {
		for _, p := range c.Pods("default", nil) {
			if p.DeletionTimestamp == nil {
				live++
			}
			if p.IsReady() {
				ready++
			}
		}
		return ready, live
	}
	for _, image := range []string{"nginx:1.27", "httpd:2.4", "nginx:1.26"} {
		obj, err := c.Get(KindDeployment, "default", "web")
		require.NoError(t, err)
		nd := obj.(*Deployment)
		nd.Spec.Template.Spec.Containers[0].Image = image
		_, err = c.Update(nd)
		require.NoError(t, err)
		require.NoError(t, c.Settle())
		for steps := 0; ; steps++ {
			ready, live := check()
			require.GreaterOrEqual(t, ready, 4, "rolling to %s, step %d: too few ready", image, steps)
			require.LessOrEqual(t, live, 5, "rolling to %s, step %d: too many pods", image, steps)
			cur, _ := c.getDeployment("default", "web")
			if p := cur.Condition("Progressing"); p != nil && p.Reason == "NewReplicaSetAvailable" && cur.Status.UpdatedReplicas == 4 && cur.Status.Replicas == 4 {
				break
			}
			ok, err := c.Step()
			require.NoError(t, err)
			require.True(t, ok, "rolling to %s: nothing left to do but not complete", image)
			require.Less(t, steps, 500)
		}
		for _, p := range c.Pods("default", nil) {
			if p.DeletionTimestamp == nil {
				require.Equal(t, image, p.Spec.Containers[0].Image)
			}
		}
	}
}
