import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ClusterModel } from "./model.js";
import { layout, fit, summary, MAX_FULL } from "./layout.js";

const load = (f) => JSON.parse(readFileSync(new URL(`./testdata/${f}.json`, import.meta.url)));
const model = (objs) => { const m = new ClusterModel(); m.reset(objs); return m; };
const clone = (o) => JSON.parse(JSON.stringify(o));
const ts = (i) => new Date(Date.UTC(2026, 0, 1, 9, 0, i)).toISOString();

const node = (name) => ({ kind: "Node", metadata: { name, uid: "n-" + name, creationTimestamp: ts(0) },
  spec: {}, status: { allocatable: { cpu: "3920m", memory: "6398771Ki" }, conditions: [{ type: "Ready", status: "True" }] } });
const pod = (name, nodeName, i, phase = "Running") => ({ kind: "Pod", metadata: { name, namespace: "default", uid: "p-" + name, creationTimestamp: ts(i) },
  spec: { nodeName, containers: [{ name: "c" }] }, status: { phase, containerStatuses: [{ name: "c", ready: true, state: { running: {} } }] } });
function cluster(nodes, pods) {
  const objs = [];
  for (let i = 1; i <= nodes; i++) objs.push(node(`node-${String(i).padStart(2, "0")}`));
  for (let i = 0; i < pods; i++) objs.push(pod(`p-${i}`, objs[i % nodes].metadata.name, i, i % 5 ? "Running" : "Pending"));
  return objs;
}

const overlap = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const inside = (a, b) => a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w + 0.01 && a.y + a.h <= b.y + b.h + 0.01;
function noOverlap(boxes, what) {
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) assert.ok(!overlap(boxes[i], boxes[j]), `${what} ${i} and ${j} overlap`);
}
function finite(v, path = "L") {
  if (typeof v === "number") assert.ok(Number.isFinite(v), `${path} is ${v}`);
  else if (typeof v === "string") assert.ok(!/NaN|undefined|Infinity/.test(v), `${path} = ${v}`);
  else if (v && typeof v === "object") for (const k in v) finite(v[k], `${path}.${k}`);
}
// Every pod sits in its node's card (or in the pending strip), boxes never overlap.
function sane(L, view, width = 1000) {
  finite(L);
  for (const k of ["nodes", "pods", "services", "ingresses", "pvs"])
    for (const b of L[k]) assert.ok(b.x >= 0 && b.x + b.w <= width + 0.01 && b.y >= 0 && b.y + b.h <= L.height, `${k} ${b.uid} within the viewBox`);
  noOverlap(L.nodes, "nodes");
  noOverlap(L.pods, "pods");
  noOverlap([...L.services, ...L.ingresses, ...L.pvs, L.cluster, L.pending], "side boxes");
  for (const n of view.nodes) {
    assert.ok(inside(L.at[n.uid], L.cluster), `${n.name} in the cluster`);
    for (const p of n.pods) assert.ok(inside(L.at[p.uid], L.at[n.uid]), `${p.name} in ${n.name}`);
  }
  for (const p of view.pending) assert.ok(inside(L.at[p.uid], L.pending), `${p.name} in the queue`);
}

test("the sample cluster lays out sanely", () => {
  for (const f of ["snapshot", "rollout"]) {
    const v = model(load(f).objects).view();
    for (const width of [1000, 760, 640, 480]) sane(layout(v, { width }), v, width);
  }
  const w = load("watch"), m = model(w.objects);
  m.apply(w.events);
  sane(layout(m.view()), m.view());
});

test("layout places everything, with links between existing boxes", () => {
  const m = model(load("snapshot").objects), v = m.view(), L = layout(v);
  assert.equal(L.width, 1000);
  assert.equal(L.nodes.length, 3);
  assert.equal(L.pods.length, 6);
  assert.deepEqual([L.services.length, L.ingresses.length, L.pvs.length], [1, 1, 1]);
  assert.deepEqual(L.nodes.map((n) => n.y), [L.nodes[0].y, L.nodes[0].y, L.nodes[0].y], "3 nodes in one row");
  assert.ok(L.nodes[0].x < L.nodes[1].x && L.nodes[1].x < L.nodes[2].x, "sorted by name, left to right");
  assert.ok(L.ingresses[0].x + L.ingresses[0].w <= L.services[0].x, "ingress left of services");
  assert.ok(L.services[0].x + L.services[0].w <= L.cluster.x, "services left of the cluster");
  assert.ok(L.pvs[0].y >= L.cluster.y + L.cluster.h, "drives below the cluster");
  for (const l of L.links) assert.ok(L.at[l.from] && L.at[l.to], l.id);
  const kinds = (k) => L.links.filter((l) => l.kind === k);
  assert.equal(kinds("ing").length, 1);
  assert.equal(kinds("svc").length, 3);
  const pv = kinds("pv");
  assert.equal(pv.length, 1);
  assert.equal(pv[0].to, m.byKindName("Pod", "default", "db").metadata.uid);
  assert.equal(pv[0].label, "data");
  assert.match(pv[0].d, /^M[\d.]+ [\d.]+C/);
});

test("adding a pod to node-2 moves nothing else", () => {
  const objs = load("snapshot").objects, before = layout(model(objs).view());
  const extra = clone(objs.find((o) => o.metadata.name === "web-b4dcb98d5-qklnw"));
  extra.metadata.name = "web-b4dcb98d5-zzzzz"; extra.metadata.uid = "new"; extra.metadata.creationTimestamp = "2026-01-01T09:05:00Z";
  const m = model(objs);
  m.apply([{ type: "ADDED", object: extra }]);
  const after = layout(m.view());
  assert.ok(after.at.new, "the new pod is placed");
  assert.ok(inside(after.at.new, after.at[m.byKindName("Node", "", "node-2").metadata.uid]));
  for (const p of before.pods) assert.deepEqual(after.at[p.uid], before.at[p.uid], `pod ${p.uid} kept its place`);
  for (const n of before.nodes) assert.deepEqual([after.at[n.uid].x, after.at[n.uid].y], [n.x, n.y]);
  for (const k of ["services", "ingresses"]) for (const b of before[k]) assert.deepEqual(after.at[b.uid], b);
});

test("pods keep creation-order slots when another node fills up", () => {
  const objs = cluster(3, 9), before = layout(model(objs).view());
  const m = model(objs);
  for (let i = 0; i < 10; i++) m.apply([{ type: "ADDED", object: pod(`late-${i}`, "node-02", 100 + i) }]);
  const after = layout(m.view());
  for (const p of before.pods) assert.deepEqual(after.at[p.uid], before.at[p.uid]);
});

test("1 node and 20 nodes: non-overlapping cards in a grid", () => {
  const one = model(cluster(1, 3)).view(), L1 = layout(one);
  sane(L1, one);
  assert.equal(L1.nodes.length, 1);
  assert.ok(L1.nodes[0].w > 300, "a lone node uses the width");
  const many = model(cluster(20, 60)).view();
  for (const [width, perRow] of [[1000, 4], [760, 3], [640, 3], [480, 2]]) { // no Services: the cluster takes the width
    const L = layout(many, { width });
    sane(L, many, width);
    assert.equal(L.nodes.length, 20);
    assert.equal(L.nodes.filter((n) => n.y === L.nodes[0].y).length, perRow, `${width}`);
    assert.ok(L.nodes.every((n) => n.w >= 170), "cards stay readable");
  }
  assert.deepEqual(many.nodes.map((n) => n.name).slice(0, 3), ["node-01", "node-02", "node-03"]);
});

test("200 pods: crowded nodes summarise", () => {
  const v = model(cluster(3, 200)).view(), L = layout(v);
  sane(L, v);
  assert.equal(L.pods.length, 200);
  assert.ok(L.nodes.every((n) => n.mini), "67 pods per node > " + MAX_FULL);
  assert.equal(L.nodes[0].summary, "67 pods: 53 Running, 14 Pending");
  assert.ok(L.pods.every((p) => p.mini && p.w === 12));
  assert.ok(L.height < 1200, `height ${L.height}`);
  // A node under the threshold keeps full boxes.
  const few = layout(model(cluster(3, 30)).view());
  assert.ok(few.nodes.every((n) => !n.mini) && few.pods.every((p) => p.w >= 84));
});

test("many endpoints link a service to nodes, not to every pod", () => {
  const objs = cluster(2, 60);
  objs.push({ kind: "Service", metadata: { name: "s", namespace: "default", uid: "svc" }, spec: { selector: { a: "b" } } },
    { kind: "Endpoints", metadata: { name: "s", namespace: "default", uid: "ep" },
      subsets: [{ addresses: objs.filter((o) => o.kind === "Pod").map((p) => ({ targetRef: { kind: "Pod", uid: p.metadata.uid } })) }] });
  const L = layout(model(objs).view());
  assert.deepEqual(L.links.map((l) => l.to).sort(), ["n-node-01", "n-node-02"]);
});

test("empty cluster, and the pending queue: a line when empty, rows when not", () => {
  const L = layout(model([]).view());
  finite(L);
  assert.ok(L.pending.h >= 20 && L.pending.h < 30 && L.cluster.h >= 60 && L.height > L.cluster.y);
  assert.ok(L.cluster.y > L.pending.y + L.pending.h, "the cluster stays below the queue");
  const v = model([node("a"), ...Array.from({ length: 12 }, (_, i) => pod("q" + i, "", i, "Pending"))]).view();
  const Lq = layout(v);
  sane(Lq, v);
  assert.equal(v.pending.length, 12);
  assert.ok(Lq.pending.h >= 20 + 2 * 50, "the queue grows rows of pods");
  for (const p of v.pending) {
    const b = Lq.at[p.uid];
    assert.ok(b.y >= Lq.pending.y && b.y + b.h <= Lq.pending.y + Lq.pending.h, "pending pods sit inside the queue");
  }
});

test("fit and summary", () => {
  assert.equal(fit("node-1", 100, 10), "node-1");
  const f = fit("web-b4dcb98d5-jpflg", 90, 10);
  assert.equal(f, "web-b4d…jpflg");
  assert.ok(fit("a-very-long-name-indeed", 30, 10).length <= 5);
  assert.equal(summary([{ status: "Running" }]), "1 pod: 1 Running");
  assert.equal(summary(["A", "B", "B", "C", "D"].map((status) => ({ status }))), "5 pods: 2 B, 1 A, 1 C, …");
});

test("the Ingress and Services columns appear with the first of either", () => {
  const bare = model(cluster(3, 3)).view();
  const L0 = layout(bare, { width: 1000 });
  assert.ok(L0.side.bare);
  assert.equal(L0.cluster.x, 8, "without Services the cluster starts at the margin");
  const withSvc = { ...bare, services: [{ uid: "s1", name: "web", namespace: "default", pods: [], notReady: 0 }] };
  const L1 = layout(withSvc, { width: 1000 });
  assert.ok(!L1.side.bare);
  assert.ok(L1.cluster.x > 200, "the columns take the left");
  assert.ok(L1.at.s1.x < L1.cluster.x);
});
