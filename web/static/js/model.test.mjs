import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ClusterModel, narrate, parseCPU, parseMemory, podRequests, podSummary } from "./model.js";

const load = (f) => JSON.parse(readFileSync(new URL(`./testdata/${f}.json`, import.meta.url)));
const model = (f) => { const m = new ClusterModel(); m.reset(load(f).objects); return m; };
const clone = (o) => JSON.parse(JSON.stringify(o));
const pod = (m, name) => m.byKindName("Pod", "default", name);
const podView = (m, name) => [...m.view().pods.values()].find((p) => p.name === name);
const ctr = (cpu, memory, extra = {}) => ({ name: "c" + Math.random(), resources: { requests: { cpu, memory } }, ...extra });

test("parseCPU", () => {
  assert.equal(parseCPU("3920m"), 3920);
  assert.equal(parseCPU("4"), 4000);
  assert.equal(parseCPU("0.5"), 500);
  assert.equal(parseCPU("100m"), 100);
  assert.equal(parseCPU(".25"), 250);
  assert.equal(parseCPU("1e1"), 10000);
  assert.equal(parseCPU("250000u"), 250);
  assert.equal(parseCPU(2), 2000);
  for (const bad of ["", undefined, null, "abc", "1x", "1Xi", "m"]) assert.equal(parseCPU(bad), 0, String(bad));
});

test("parseMemory", () => {
  assert.equal(parseMemory("6398771Ki"), 6398771 * 1024);
  assert.equal(parseMemory("8Gi"), 8 * 2 ** 30);
  assert.equal(parseMemory("256Mi"), 256 * 2 ** 20);
  assert.equal(parseMemory("1.5Gi"), 1.5 * 2 ** 30);
  assert.equal(parseMemory("2Ti"), 2 * 2 ** 40);
  assert.equal(parseMemory("1Ei"), 2 ** 60);
  assert.equal(parseMemory("1E"), 1e18);
  assert.equal(parseMemory("500k"), 500000);
  assert.equal(parseMemory("1M"), 1e6);
  assert.equal(parseMemory("1G"), 1e9);
  assert.equal(parseMemory("3T"), 3e12);
  assert.equal(parseMemory("128974848"), 128974848);
  assert.equal(parseMemory("129e6"), 129e6);
  assert.equal(parseMemory("1E3"), 1000, "E followed by digits is an exponent");
  assert.equal(parseMemory("1000m"), 1);
});

test("podRequests sums containers, takes the max of init containers, adds sidecars", () => {
  assert.deepEqual(podRequests({ spec: { containers: [ctr("100m", "64Mi"), ctr("250m", "128Mi")] } }), { cpu: 350, memory: 192 * 2 ** 20 });
  // A big init container dominates the small app container.
  assert.deepEqual(podRequests({ spec: { initContainers: [ctr("1", "1Gi"), ctr("200m")], containers: [ctr("100m", "64Mi")] } }),
    { cpu: 1000, memory: 2 ** 30 });
  // Sidecar (100m) runs alongside the later init (500m) and the app (200m): max(100+500, 200+100).
  const side = { spec: { initContainers: [ctr("100m", "10Mi", { restartPolicy: "Always" }), ctr("500m", "10Mi")], containers: [ctr("200m", "100Mi")] } };
  assert.deepEqual(podRequests(side), { cpu: 600, memory: 110 * 2 ** 20 });
  // An init container before the sidecar does not add it.
  const before = { spec: { initContainers: [ctr("300m"), ctr("100m", undefined, { restartPolicy: "Always" })], containers: [ctr("100m")] } };
  assert.equal(podRequests(before).cpu, 300);
  assert.deepEqual(podRequests({ spec: { containers: [ctr("1")], overhead: { cpu: "250m", memory: "120Mi" } } }), { cpu: 1250, memory: 120 * 2 ** 20 });
  assert.deepEqual(podRequests({ spec: { containers: [{ name: "x" }] } }), { cpu: 0, memory: 0 });
  assert.deepEqual(podRequests(pod(model("snapshot"), "db")), { cpu: 500, memory: 256 * 2 ** 20 });
});

test("reset, get, byKindName, unknown kinds ignored", () => {
  const m = new ClusterModel();
  const objs = load("snapshot").objects;
  m.reset([...objs, { kind: "Widget", metadata: { name: "w", uid: "w1" } }, { kind: "Pod", metadata: { name: "nouid" } }]);
  assert.equal(m.get("w1"), undefined);
  assert.equal(m.list("Pod").length, 6);
  assert.equal(m.list("Node").length, 3);
  const web = m.byKindName("Service", "default", "web");
  assert.equal(web.spec.clusterIP, "10.96.89.189");
  assert.equal(m.get(web.metadata.uid), web);
  assert.equal(m.byKindName("Node", "", "node-2").metadata.name, "node-2");
  assert.equal(m.byKindName("Node", undefined, "node-2").metadata.name, "node-2");
  assert.equal(m.find("Pod", "db").metadata.name, "db");
  m.reset([]);
  assert.equal(m.list("Pod").length, 0);
});

test("apply ADDED, MODIFIED, DELETED; returns changed uids", () => {
  const m = model("snapshot");
  const p = clone(pod(m, "db"));
  const v0 = m.view();
  p.metadata.name = "db2"; p.metadata.uid = "u-db2";
  assert.deepEqual(m.apply([{ type: "ADDED", object: p }]), ["u-db2"]);
  assert.notEqual(m.view(), v0, "view recomputed after a change");
  assert.equal(m.view(), m.view(), "view cached while unchanged");
  const p2 = clone(p); p2.status.phase = "Failed";
  const w = { kind: "Widget", metadata: { name: "w", uid: "w" } };
  assert.deepEqual(m.apply([{ type: "MODIFIED", object: p2 }, { type: "ADDED", object: w }, { type: "BOOKMARK", object: p2 }]), ["u-db2"]);
  assert.equal(m.get("u-db2").status.phase, "Failed");
  assert.deepEqual(m.apply([{ type: "DELETED", object: p2 }, { type: "DELETED", object: p2 }]), ["u-db2"]);
  assert.equal(m.get("u-db2"), undefined);
  assert.equal(m.byKindName("Pod", "default", "db2"), undefined);
  assert.equal(m.list("Pod").length, 6);
});

test("ownerChain follows controllers from Pod through ReplicaSet to Deployment", () => {
  const m = model("snapshot");
  const chain = m.ownerChain(pod(m, "web-b4dcb98d5-jpflg").metadata.uid);
  assert.deepEqual(chain.map((o) => `${o.kind}/${o.metadata.name}`), ["Pod/web-b4dcb98d5-jpflg", "ReplicaSet/web-b4dcb98d5", "Deployment/web"]);
  assert.deepEqual(m.ownerChain(pod(m, "db").metadata.uid).map((o) => o.kind), ["Pod"]);
  assert.deepEqual(m.ownerChain("nope"), []);
  assert.deepEqual(podView(m, "web-b4dcb98d5-jpflg").owner, { kind: "Deployment", name: "web", uid: "20d7513d-f8a1-4c55-849b-8b13326e55b2" });
  assert.equal(podView(m, "db").owner, null);
});

test("eventsFor and events, oldest first", () => {
  const m = model("snapshot");
  const db = pod(m, "db").metadata.uid;
  const evs = m.eventsFor(db);
  assert.equal(evs.length, 2);
  assert.deepEqual(evs.map((e) => e.reason), ["Scheduled", "Pulling"]);
  const late = clone(evs[0]);
  late.metadata.uid = "late"; late.reason = "BackOff"; late.lastTimestamp = "2026-01-01T10:00:00Z";
  const early = clone(evs[0]);
  early.metadata.uid = "early"; early.reason = "Early"; early.lastTimestamp = "2026-01-01T08:00:00Z"; early.involvedObject.uid = "other";
  m.apply([{ type: "ADDED", object: late }, { type: "ADDED", object: early }]);
  assert.deepEqual(m.eventsFor(db).map((e) => e.reason), ["Scheduled", "Pulling", "BackOff"]);
  assert.equal(m.events()[0].reason, "Early");
  assert.equal(m.events().at(-1).reason, "BackOff");
  assert.equal(m.events().length, 4);
});

test("view: nodes with requested vs allocatable, sorted, pods in creation order", () => {
  const v = model("snapshot").view();
  assert.deepEqual(v.nodes.map((n) => n.name), ["node-1", "node-2", "node-3"]);
  const n2 = v.nodes[1];
  assert.equal(n2.status, "Ready");
  assert.equal(n2.schedulable, true);
  assert.deepEqual(n2.cpu, { req: 500, alloc: 3920 });
  assert.deepEqual(n2.mem, { req: 256 * 2 ** 20, alloc: 6398771 * 1024 });
  assert.deepEqual(n2.pods.map((p) => p.name), ["web-b4dcb98d5-qklnw", "db"]);
  assert.deepEqual(v.nodes[0].cpu, { req: 0, alloc: 3920 });
  assert.deepEqual(v.nodes[0].pods.map((p) => p.name), ["bad", "web-b4dcb98d5-mvdfl"], "same time: by name");
});

test("view: nodes in natural name order; Events do not invalidate the view", () => {
  const mk = (name) => ({ kind: "Node", metadata: { name, uid: name }, status: {} });
  const m = new ClusterModel();
  m.reset(["node-10", "node-2", "node-1", "edge"].map(mk));
  const v = m.view();
  assert.deepEqual(v.nodes.map((n) => n.name), ["edge", "node-1", "node-2", "node-10"]);
  assert.equal(v.nodes[0].status, "Unknown", "no Ready condition");
  m.apply([{ type: "ADDED", object: { kind: "Event", metadata: { name: "e", uid: "e" }, involvedObject: { uid: "node-1" } } }]);
  assert.equal(m.view(), v);
  assert.equal(m.eventsFor("node-1").length, 1);
});

test("view: terminated pods do not count towards requests", () => {
  const m = model("snapshot");
  const p = clone(pod(m, "db"));
  p.status.phase = "Succeeded";
  m.apply([{ type: "MODIFIED", object: p }]);
  assert.equal(m.view().nodes[1].cpu.req, 0);
  assert.equal(podView(m, "db").phase, "Succeeded");
  assert.equal(podView(m, "db").active, false);
});

test("view: node statuses NotReady, Unknown, cordoned", () => {
  const m = model("watch");
  m.apply(load("watch").events);
  const [n1, n2, n3] = m.view().nodes;
  assert.equal(n1.status, "Unknown");
  assert.equal(n2.status, "Ready");
  assert.equal(n3.schedulable, false);
  assert.equal(n1.schedulable, true);
  const dead = clone(m.byKindName("Node", "", "node-2"));
  dead.status.conditions.find((c) => c.type === "Ready").status = "False";
  m.apply([{ type: "MODIFIED", object: dead }]);
  assert.equal(m.view().nodes[1].status, "NotReady");
});

test("view: pending pods with the scheduler's reason", () => {
  const v = model("snapshot").view();
  assert.deepEqual(v.pending.map((p) => [p.name, p.node, p.reason]), [["huge", "", "0/3 nodes are available: 3 Insufficient cpu."]]);
  assert.equal(v.nodes.flatMap((n) => n.pods).length, 5);
});

test("view: a pod bound to a node that is gone waits in the pending list", () => {
  const m = model("snapshot");
  m.apply([{ type: "DELETED", object: m.byKindName("Node", "", "node-3") }]);
  const v = m.view();
  assert.deepEqual(v.pending.map((p) => p.name), ["web-b4dcb98d5-jpflg", "huge"]);
  assert.equal(v.pending[0].node, "node-3");
});

test("view: PV ↔ PVC ↔ pod", () => {
  const m = model("snapshot");
  const [pv] = m.view().pvs;
  assert.equal(pv.name, "pvc-1e643c5a-89db-4aac-9978-36a2d4be8901");
  assert.equal(pv.kind, "PersistentVolume");
  assert.equal(pv.capacity, "1Gi");
  assert.equal(pv.claim.name, "data");
  assert.deepEqual(pv.pods, [pod(m, "db").metadata.uid]);
  assert.deepEqual(podView(m, "db").claims, ["data"]);
  // An unbound claim shows on its own, with its pods.
  const c = clone(m.byKindName("PersistentVolumeClaim", "default", "data"));
  c.metadata.name = "cache"; c.metadata.uid = "u-cache"; c.status = { phase: "Pending" }; delete c.spec.volumeName;
  const p = clone(pod(m, "db"));
  p.metadata.name = "cachey"; p.metadata.uid = "u-cachey"; p.spec.volumes = [{ name: "c", persistentVolumeClaim: { claimName: "cache" } }];
  m.apply([{ type: "ADDED", object: c }, { type: "ADDED", object: p }]);
  const pvs = m.view().pvs;
  assert.equal(pvs.length, 2);
  assert.deepEqual([pvs[1].kind, pvs[1].name, pvs[1].phase, pvs[1].pods], ["PersistentVolumeClaim", "cache", "Pending", ["u-cachey"]]);
});

test("view: ingress → service → ready endpoint pods", () => {
  const m = model("snapshot");
  const v = m.view();
  const svc = m.byKindName("Service", "default", "web");
  assert.deepEqual(v.ingresses.map((i) => i.rules), [[{ host: "shop.example", path: "/", service: "web", serviceUid: svc.metadata.uid }]]);
  assert.deepEqual(v.services.map((s) => s.name), ["web"], "the selector-less kubernetes service is left out");
  const names = v.services[0].pods.map((u) => m.get(u).metadata.name).sort();
  assert.deepEqual(names, ["web-b4dcb98d5-jpflg", "web-b4dcb98d5-mvdfl", "web-b4dcb98d5-qklnw"]);
  assert.deepEqual(v.services[0].ports, [80]);
  // A rule without a host, and a default backend.
  const ing = clone(m.byKindName("Ingress", "default", "web"));
  delete ing.spec.rules[0].host;
  ing.spec.defaultBackend = { service: { name: "gone", port: { number: 80 } } };
  m.apply([{ type: "MODIFIED", object: ing }]);
  assert.deepEqual(m.view().ingresses[0].rules.map((r) => [r.host, r.path, r.service, !!r.serviceUid]), [["", "/", "web", true], ["", "(default)", "gone", false]]);
  // Endpoints lose a pod: the service's pods follow.
  const ep = clone(m.byKindName("Endpoints", "default", "web"));
  ep.subsets[0].notReadyAddresses = ep.subsets[0].addresses.splice(0, 1);
  m.apply([{ type: "MODIFIED", object: ep }]);
  assert.equal(m.view().services[0].pods.length, 2);
  assert.equal(m.view().services[0].notReady.length, 1);
});

test("STATUS words like kubectl", () => {
  const r = model("rollout"), s = model("snapshot"), w = model("watch");
  w.apply(load("watch").events);
  assert.equal(podView(r, "crash").status, "CrashLoopBackOff");
  assert.equal(podView(r, "crash").tone, "err");
  assert.equal(podView(r, "crash").restarts, 3);
  assert.equal(podView(r, "web-b4dcb98d5-mvdfl").status, "Terminating");
  assert.equal(podView(r, "web-b4dcb98d5-mvdfl").terminating, true);
  assert.equal(podView(r, "web-65bb876565-2qrp4").status, "ContainerCreating");
  assert.equal(podView(w, "bad").status, "ImagePullBackOff");
  assert.equal(podView(s, "huge").status, "Pending");
  assert.equal(podView(s, "db").status, "Init:CrashLoopBackOff", "a crash-looping sidecar, as kubectl shows it");
  assert.deepEqual([podView(s, "db").ready, podView(s, "db").total], [0, 2]);
  const p = clone(pod(s, "bad"));
  p.status.phase = "Succeeded";
  p.status.containerStatuses[0].state = { terminated: { exitCode: 0, reason: "Completed" } };
  assert.equal(podSummary(p).status, "Completed");
  p.status.phase = "Failed";
  p.status.containerStatuses[0].state = { terminated: { exitCode: 1, reason: "Error" } };
  assert.equal(podSummary(p).status, "Error");
  p.status.containerStatuses[0].state = { waiting: { reason: "ErrImagePull" } };
  assert.equal(podSummary(p).status, "ErrImagePull");
  p.status.containerStatuses[0].state = { terminated: { exitCode: 137 } };
  assert.equal(podSummary(p).status, "ExitCode:137");
  // Init containers: failed, waiting, in progress, done.
  const init = (state, ready = false) => ({ metadata: { name: "i" }, spec: { initContainers: [{ name: "a" }, { name: "b" }], containers: [{ name: "c" }] },
    status: { phase: "Pending", initContainerStatuses: [{ name: "a", state: { terminated: { exitCode: 0, reason: "Completed" } } }, { name: "b", state }],
      containerStatuses: [{ name: "c", ready, state: ready ? { running: {} } : { waiting: { reason: "PodInitializing" } } }] } });
  assert.equal(podSummary(init({ terminated: { exitCode: 1, reason: "Error" } })).status, "Init:Error");
  assert.equal(podSummary(init({ waiting: { reason: "ImagePullBackOff" } })).status, "Init:ImagePullBackOff");
  assert.equal(podSummary(init({ running: {} })).status, "Init:1/2");
  assert.equal(podSummary(init({ waiting: { reason: "PodInitializing" } })).status, "Init:1/2");
  const done = init({ terminated: { exitCode: 0, reason: "Completed" } }, true);
  done.status.phase = "Running";
  assert.deepEqual(podSummary(done), { ready: 1, total: 1, status: "Running", restarts: 0 });
  p.status.phase = "Running";
  p.metadata.deletionTimestamp = "2026-01-01T10:00:00Z";
  assert.equal(podSummary(p).status, "Terminating");
});

test("view: containers as chips (sidecar, main) with their states", () => {
  const db = podView(model("snapshot"), "db");
  assert.deepEqual(db.containers.map((c) => [c.name, c.kind, c.state, c.reason, c.ready]), [
    ["log", "sidecar", "waiting", "CrashLoopBackOff", false],
    ["db", "main", "running", "", true],
  ]);
});

test("view: a rolling update marks the old ReplicaSet's pods", () => {
  const m = model("rollout");
  const v = [...m.view().pods.values()].filter((p) => p.owner?.name === "web");
  assert.equal(v.length, 7);
  assert.ok(v.every((p) => p.mixed));
  assert.deepEqual(v.filter((p) => p.old).map((p) => p.hash), ["b4dcb98d5", "b4dcb98d5", "b4dcb98d5"]);
  assert.ok(!podView(model("snapshot"), "web-b4dcb98d5-jpflg").mixed);
});

test("narrate a watch stream", () => {
  const m = model("watch"), said = [];
  for (const ev of load("watch").events) {
    const s = narrate(ev, m.get(ev.object.metadata.uid));
    m.apply([ev]);
    if (s) said.push(s);
  }
  assert.deepEqual(said, [
    "Deployment web scaled from 3 to 4 replicas",
    "Pod web-b4dcb98d5-shj6k created",
    "Pod web-b4dcb98d5-shj6k scheduled to node-1",
    "Pod web-b4dcb98d5-shj6k is Running and Ready",
    "Node node-3 cordoned: scheduling disabled",
    "Pod web-b4dcb98d5-mvdfl is no longer ready",
    "Pod web-b4dcb98d5-shj6k is no longer ready",
    "Node node-1 is NotReady (stopped reporting)",
    "Pod web-b4dcb98d5-mvdfl is terminating",
    "Pod web-b4dcb98d5-shj6k is terminating",
    "Pod web-b4dcb98d5-gntw2 created",
    "Pod web-b4dcb98d5-94spz created",
    "Pod web-b4dcb98d5-gntw2 scheduled to node-2",
    "Pod web-b4dcb98d5-gntw2 is Running and Ready",
    "Pod web-b4dcb98d5-94spz scheduled to node-2",
    "Pod bad created",
    "Pod bad scheduled to node-2",
    "Pod bad is in ImagePullBackOff",
  ]);
});

test("narrate single events and noise", () => {
  const m = model("snapshot");
  const n = m.byKindName("Node", "", "node-1"), ev = m.list("Event")[0];
  assert.equal(narrate({ type: "ADDED", object: ev }), null);
  assert.equal(narrate({ type: "MODIFIED", object: n }, n), null, "unchanged node");
  const p = pod(m, "web-b4dcb98d5-jpflg");
  assert.equal(narrate({ type: "MODIFIED", object: p }, p), null, "unchanged pod");
  assert.equal(narrate({ type: "DELETED", object: p }, p), "Pod web-b4dcb98d5-jpflg deleted");
  assert.equal(narrate({ type: "MODIFIED", object: m.byKindName("Endpoints", "default", "web") }), null);
  const back = clone(n);
  n.status.conditions[0].status = "Unknown";
  assert.equal(narrate({ type: "MODIFIED", object: back }, n), "Node node-1 is Ready");
  const db = pod(m, "db"), crash = clone(db);
  crash.status.initContainerStatuses[0].state = { running: {} };
  crash.status.initContainerStatuses[0].started = true;
  assert.equal(narrate({ type: "MODIFIED", object: db }, crash), "Pod db is in Init:CrashLoopBackOff");
  const huge = pod(m, "huge"), fresh = clone(huge);
  fresh.status.conditions = [];
  assert.equal(narrate({ type: "MODIFIED", object: huge }, fresh), "Pod huge cannot be scheduled: 0/3 nodes are available: 3 Insufficient cpu.");
  const pvc = m.byKindName("PersistentVolumeClaim", "default", "data"), pend = clone(pvc);
  pend.status.phase = "Pending";
  assert.equal(narrate({ type: "MODIFIED", object: pvc }, pend), "PersistentVolumeClaim data bound to pvc-1e643c5a-89db-4aac-9978-36a2d4be8901");
  assert.equal(narrate({ type: "MODIFIED", object: pvc }, pvc), null);
  const dep = m.byKindName("Deployment", "default", "web"), img = clone(dep);
  img.spec.template.spec.containers[0].image = "nginx:1.27";
  assert.equal(narrate({ type: "MODIFIED", object: img }, dep), "Deployment web is rolling out a new version");
  assert.equal(narrate({ type: "ADDED", object: dep }), "Deployment web created with 3 replicas");
  assert.equal(narrate({ type: "ADDED", object: m.byKindName("Service", "default", "web") }), "Service web created");
  const un = clone(m.byKindName("Node", "", "node-2")), cordoned = clone(un);
  cordoned.spec.unschedulable = true;
  assert.equal(narrate({ type: "MODIFIED", object: un }, cordoned), "Node node-2 uncordoned");
});
