// Cluster state kept from the server's snapshot and watch events, and the
// derived view the diagram draws. Pure: no DOM.

const KINDS = new Set(["Node", "Pod", "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob",
  "Service", "Endpoints", "Ingress", "IngressClass", "PersistentVolume", "PersistentVolumeClaim", "StorageClass",
  "Namespace", "Event", "ConfigMap", "Secret", "ServiceAccount"]);
const MAX_EVENTS = 1000;
const SUFFIX = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

// parseQuantity turns a Kubernetes quantity ("3920m", "8Gi", "1e3") into a number; 0 when malformed.
export function parseQuantity(q) {
  if (typeof q === "number") return q;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+)|([a-zA-Z]*))$/.exec(String(q ?? "").trim());
  if (!m || (m[3] !== undefined && !(m[3] in SUFFIX))) return 0;
  return parseFloat(m[1]) * (m[2] !== undefined ? 10 ** +m[2] : SUFFIX[m[3] || ""]);
}
export const parseCPU = (q) => Math.round(parseQuantity(q) * 1000); // millicores
export const parseMemory = (q) => Math.round(parseQuantity(q)); // bytes

const req = (c) => ({ cpu: parseCPU(c?.resources?.requests?.cpu), memory: parseMemory(c?.resources?.requests?.memory) });
const isSidecar = (c) => c.restartPolicy === "Always";

// podRequests is the pod's effective request (Kubernetes' rule): the larger of
// the app containers plus all sidecars, and each init container plus the
// sidecars started before it; pod overhead on top.
export function podRequests(pod) {
  const out = { cpu: 0, memory: 0 }, side = { cpu: 0, memory: 0 }, init = { cpu: 0, memory: 0 };
  for (const c of pod?.spec?.initContainers || []) {
    const r = req(c);
    for (const k in out) {
      if (isSidecar(c)) side[k] += r[k];
      init[k] = Math.max(init[k], isSidecar(c) ? side[k] : side[k] + r[k]);
    }
  }
  for (const c of pod?.spec?.containers || []) { const r = req(c); out.cpu += r.cpu; out.memory += r.memory; }
  const oh = pod?.spec?.overhead || {};
  for (const k in out) out[k] = Math.max(out[k] + side[k], init[k]);
  out.cpu += parseCPU(oh.cpu); out.memory += parseMemory(oh.memory);
  return out;
}

const cond = (o, type) => (o?.status?.conditions || []).find((c) => c.type === type);
const terminal = (p) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
const created = (o) => o.metadata.creationTimestamp || "";
const byAge = (a, b) => (created(a) < created(b) ? -1 : created(a) > created(b) ? 1 : a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
const natural = new Intl.Collator("en", { numeric: true }).compare;
const byName = (a, b) => natural(a.metadata.name, b.metadata.name);
const evTime = (e) => e.lastTimestamp || e.eventTime || e.firstTimestamp || e.metadata?.creationTimestamp || "";
const stateOf = (s) => Object.keys(s?.state || {})[0] || "waiting";

// podSummary computes kubectl get pods' READY and STATUS columns with
// kubectl's own rules (as the engine's SummarizePod does).
export function podSummary(p) {
  const st = p.status || {}, spec = p.spec || {};
  const sidecar = new Set((spec.initContainers || []).filter(isSidecar).map((c) => c.name));
  const total = (spec.containers || []).length + sidecar.size;
  let ready = 0, restarts = 0, reason = st.reason || st.phase || "Pending", initializing = false;
  const ics = st.initContainerStatuses || [];
  for (let i = 0; i < ics.length; i++) {
    const s = ics[i], t = s.state?.terminated, w = s.state?.waiting;
    restarts += s.restartCount || 0;
    if (t && !t.exitCode) continue;
    if (sidecar.has(s.name) && s.started) { if (s.ready) ready++; continue; }
    if (t) reason = t.reason ? "Init:" + t.reason : "Init:ExitCode:" + t.exitCode;
    else if (w?.reason && w.reason !== "PodInitializing") reason = "Init:" + w.reason;
    else reason = `Init:${i}/${(spec.initContainers || []).length}`;
    initializing = true;
    break;
  }
  if (!initializing || cond(p, "Initialized")?.status === "True") {
    let running = false;
    const cs = st.containerStatuses || [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const s = cs[i], t = s.state?.terminated, w = s.state?.waiting;
      restarts += s.restartCount || 0;
      if (w?.reason) reason = w.reason;
      else if (t) reason = t.reason || "ExitCode:" + t.exitCode;
      else if (s.ready && s.state?.running) { running = true; ready++; }
    }
    if (reason === "Completed" && running) reason = cond(p, "Ready")?.status === "True" ? "Running" : "NotReady";
  }
  if (p.metadata.deletionTimestamp && st.reason === "NodeLost") reason = "Unknown";
  else if (p.metadata.deletionTimestamp && !terminal(p)) reason = "Terminating";
  return { ready, total, status: reason, restarts };
}

// tone classifies a STATUS word for colour: ok, warn, err or off.
export function tone(status, ready) {
  if (/Err|BackOff|Error|ExitCode|OOM|Failed|Unknown|Invalid|Signal/.test(status)) return "err";
  if (status === "Terminating" || status === "Completed" || status === "Succeeded") return "off";
  return status === "Running" && ready ? "ok" : "warn";
}

export function nodeStatus(n) {
  const s = cond(n, "Ready")?.status;
  return s === "True" ? "Ready" : s === "False" ? "NotReady" : "Unknown";
}

function containers(p) {
  const st = new Map([...(p.status?.initContainerStatuses || []), ...(p.status?.containerStatuses || [])].map((s) => [s.name, s]));
  const chip = (kind) => (c) => {
    const s = st.get(c.name), state = stateOf(s);
    const d = s?.state?.[state] || {};
    return { name: c.name, kind, state, reason: d.reason || "", exitCode: d.exitCode, ready: !!s?.ready, restarts: s?.restartCount || 0 };
  };
  return [...(p.spec?.initContainers || []).map((c) => chip(isSidecar(c) ? "sidecar" : "init")(c)), ...(p.spec?.containers || []).map(chip("main"))];
}

// entry is a pod as the view shows it (old and mixed are set later).
function entry(p, owner) {
  const s = podSummary(p), sc = cond(p, "PodScheduled");
  return {
    uid: p.metadata.uid, name: p.metadata.name, namespace: p.metadata.namespace || "", node: p.spec?.nodeName || "",
    phase: p.status?.phase || "Pending", status: s.status, ready: s.ready, total: s.total, restarts: s.restarts,
    tone: tone(s.status, s.total > 0 && s.ready === s.total), terminating: !!p.metadata.deletionTimestamp,
    reason: sc?.status === "False" ? sc.message || sc.reason || "" : "", owner, hash: p.metadata.labels?.["pod-template-hash"] || "",
    old: false, mixed: false, containers: containers(p), created: created(p), requests: podRequests(p), active: !terminal(p),
    claims: (p.spec?.volumes || []).map((v) => v.persistentVolumeClaim?.claimName).filter(Boolean),
  };
}

export class ClusterModel {
  constructor() { this.reset([]); }

  reset(objects) {
    this.objs = new Map(); this.keys = new Map(); this.kinds = new Map(); this._view = null;
    for (const o of objects || []) this._put(o);
  }

  // apply takes watch events [{type, object}], oldest first, and returns the uids changed.
  apply(events) {
    const out = [];
    for (const ev of events || []) {
      const o = ev?.object, uid = o?.metadata?.uid;
      if (!uid || !KINDS.has(o.kind)) continue;
      if (ev.type === "DELETED") this._del(uid);
      else if (ev.type === "ADDED" || ev.type === "MODIFIED") this._put(o);
      else continue;
      if (!out.includes(uid)) out.push(uid);
    }
    return out;
  }

  _put(o) {
    const uid = o?.metadata?.uid;
    if (!uid || !KINDS.has(o.kind)) return;
    this._del(uid);
    this.objs.set(uid, o);
    this.keys.set(key(o.kind, o.metadata.namespace, o.metadata.name), uid);
    if (!this.kinds.has(o.kind)) this.kinds.set(o.kind, new Map());
    const m = this.kinds.get(o.kind);
    m.set(uid, o);
    if (o.kind === "Event" && m.size > MAX_EVENTS) this._del(m.keys().next().value);
    if (o.kind !== "Event") this._view = null; // the view shows no Events
  }

  _del(uid) {
    const o = this.objs.get(uid);
    if (!o) return;
    this.objs.delete(uid);
    const k = key(o.kind, o.metadata.namespace, o.metadata.name);
    if (this.keys.get(k) === uid) this.keys.delete(k);
    this.kinds.get(o.kind)?.delete(uid);
    if (o.kind !== "Event") this._view = null;
  }

  get(uid) { return this.objs.get(uid); }
  byKindName(kind, namespace, name) { return this.objs.get(this.keys.get(key(kind, namespace, name))); }
  list(kind) { return [...(this.kinds.get(kind)?.values() || [])]; }
  // find is byKindName trying the namespace given, then "default", then any.
  find(kind, name, namespace) {
    return this.byKindName(kind, namespace, name) || this.byKindName(kind, "default", name) || this.byKindName(kind, "", name) ||
      this.list(kind).find((o) => o.metadata.name === name);
  }

  // ownerChain returns [obj, owner, owner's owner, …] along controller references.
  ownerChain(uid) {
    const out = [];
    for (let o = this.get(uid); o && !out.includes(o);) {
      out.push(o);
      const refs = o.metadata.ownerReferences || [];
      const ref = refs.find((r) => r.controller) || refs[0];
      o = ref && this.get(ref.uid);
    }
    return out;
  }

  eventsFor(uid) { return this.events().filter((e) => e.involvedObject?.uid === uid); }
  events() { return this.list("Event").sort((a, b) => (evTime(a) < evTime(b) ? -1 : evTime(a) > evTime(b) ? 1 : 0)); }

  // owner is the top controller of a pod (Deployment over ReplicaSet), or null.
  owner(pod) {
    const chain = this.ownerChain(pod.metadata.uid);
    const top = chain[chain.length - 1];
    if (top !== pod) return { kind: top.kind, name: top.metadata.name, uid: top.metadata.uid };
    const ref = (pod.metadata.ownerReferences || []).find((r) => r.controller);
    return ref ? { kind: ref.kind, name: ref.name, uid: ref.uid } : null;
  }

  // view derives what the diagram shows; cached until the state changes.
  view() {
    return this._view || (this._view = this._derive());
  }

  _derive() {
    const pods = this.list("Pod").sort(byAge);
    const claimPods = new Map(); // ns/claim → [pod uid]
    const hashes = new Map(); // owner uid → Set of pod-template-hash
    // A pod's entry is kept while its object and owner are the same, so
    // that the diagram can tell at a glance which pods did not change.
    const cache = (this._pe ||= new WeakMap());
    const pv = pods.map((p) => {
      const owner = this.owner(p), c = cache.get(p);
      const e = c && (c.owner === owner || (c.owner?.uid === owner?.uid && c.owner?.name === owner?.name)) ? c : entry(p, owner);
      cache.set(p, e);
      if (owner && e.hash) (hashes.get(owner.uid) || hashes.set(owner.uid, new Set()).get(owner.uid)).add(e.hash);
      if (e.active) for (const cl of e.claims) {
        const k = e.namespace + "/" + cl;
        claimPods.set(k, [...(claimPods.get(k) || []), e.uid]);
      }
      return e;
    });
    // Old ReplicaSets of a Deployment: pods whose hash is not its newest ReplicaSet's.
    const newest = new Map();
    for (const rs of this.list("ReplicaSet")) {
      const dep = this.ownerChain(rs.metadata.uid)[1], rev = +(rs.metadata.annotations?.["deployment.kubernetes.io/revision"] || 0);
      const h = rs.metadata.labels?.["pod-template-hash"];
      const n = dep && newest.get(dep.metadata.uid), c = created(rs);
      if (dep && h && (!n || rev > n.rev || (rev === n.rev && c > n.c))) newest.set(dep.metadata.uid, { rev, h, c });
    }
    for (const p of pv) {
      if (!p.owner || !p.hash) continue;
      p.mixed = hashes.get(p.owner.uid).size > 1;
      const n = newest.get(p.owner.uid);
      p.old = !!n && n.h !== p.hash;
    }
    const byUid = new Map(pv.map((p) => [p.uid, p]));
    const nodeNames = new Set();
    const nodes = this.list("Node").sort(byName).map((n) => {
      const on = pv.filter((p) => p.node === n.metadata.name);
      nodeNames.add(n.metadata.name);
      const a = n.status?.allocatable || {};
      const act = on.filter((p) => p.active);
      return {
        uid: n.metadata.uid, name: n.metadata.name, status: nodeStatus(n), schedulable: !n.spec?.unschedulable,
        cpu: { req: act.reduce((s, p) => s + p.requests.cpu, 0), alloc: parseCPU(a.cpu) },
        mem: { req: act.reduce((s, p) => s + p.requests.memory, 0), alloc: parseMemory(a.memory) },
        pods: on,
      };
    });
    // Pending: not bound, or bound to a node that no longer exists.
    const pending = pv.filter((p) => !p.node || !nodeNames.has(p.node));
    const pvcs = this.list("PersistentVolumeClaim");
    const claimView = (c) => c && { uid: c.metadata.uid, name: c.metadata.name, namespace: c.metadata.namespace || "", phase: c.status?.phase || "Pending",
      pods: claimPods.get((c.metadata.namespace || "") + "/" + c.metadata.name) || [] };
    const boundClaims = new Set();
    const pvs = this.list("PersistentVolume").sort(byName).map((v) => {
      const r = v.spec?.claimRef;
      let c = r && this.byKindName("PersistentVolumeClaim", r.namespace, r.name);
      if (c && r.uid && c.metadata.uid !== r.uid) c = null;
      if (c) boundClaims.add(c.metadata.uid);
      return { uid: v.metadata.uid, name: v.metadata.name, kind: "PersistentVolume", capacity: v.spec?.capacity?.storage || "",
        phase: v.status?.phase || "", claim: claimView(c) || null, pods: c ? claimView(c).pods : [] };
    });
    for (const c of pvcs.sort(byName)) {
      if (boundClaims.has(c.metadata.uid)) continue;
      const cv = claimView(c);
      pvs.push({ uid: cv.uid, name: cv.name, kind: "PersistentVolumeClaim", capacity: c.spec?.resources?.requests?.storage || "",
        phase: cv.phase, claim: cv, pods: cv.pods });
    }
    const ingresses = this.list("Ingress").sort(byName).map((i) => {
      const ns = i.metadata.namespace || "", rules = [];
      const add = (host, path, b) => {
        const name = b?.service?.name || "", svc = name && this.byKindName("Service", ns, name);
        rules.push({ host: host || "", path: path || "/", service: name, serviceUid: svc?.metadata.uid || "" });
      };
      for (const r of i.spec?.rules || []) for (const p of r.http?.paths || []) add(r.host, p.path, p.backend);
      if (i.spec?.defaultBackend) add("", "(default)", i.spec.defaultBackend);
      return { uid: i.metadata.uid, name: i.metadata.name, namespace: ns, rules };
    });
    const routed = new Set(ingresses.flatMap((i) => i.rules.map((r) => r.serviceUid)));
    const services = this.list("Service").filter((s) => s.spec?.selector || routed.has(s.metadata.uid)).sort(byName).map((s) => {
      const ep = this.byKindName("Endpoints", s.metadata.namespace, s.metadata.name);
      const ref = (k) => (ep?.subsets || []).flatMap((ss) => ss[k] || []).map((a) => a.targetRef?.uid).filter((u) => byUid.has(u));
      return { uid: s.metadata.uid, name: s.metadata.name, namespace: s.metadata.namespace || "", type: s.spec?.type || "ClusterIP",
        clusterIP: s.spec?.clusterIP || "", ports: (s.spec?.ports || []).map((p) => p.port), pods: ref("addresses"), notReady: ref("notReadyAddresses") };
    });
    return { nodes, pending, pods: byUid, pvs, services, ingresses };
  }
}

const key = (kind, ns, name) => `${kind}/${ns || ""}/${name}`;

const GONE = { ADDED: "created", DELETED: "deleted" };

// narrate turns one watch event into a sentence worth announcing, or null.
export function narrate(event, prev) {
  const o = event?.object, t = event?.type;
  if (!o?.metadata) return null;
  const name = o.metadata.name, kind = o.kind;
  if (kind === "Pod") {
    const node = o.spec?.nodeName;
    if (t === "ADDED") return `Pod ${name} created${node ? " on " + node : ""}`;
    if (t === "DELETED") return `Pod ${name} deleted`;
    if (t !== "MODIFIED") return null;
    const was = prev?.metadata ? podSummary(prev) : null, now = podSummary(o);
    if (o.metadata.deletionTimestamp && !prev?.metadata?.deletionTimestamp) return `Pod ${name} is terminating`;
    if (node && !prev?.spec?.nodeName) return `Pod ${name} scheduled to ${node}`;
    const msg = cond(o, "PodScheduled")?.status === "False" && cond(o, "PodScheduled").message;
    if (msg && msg !== cond(prev, "PodScheduled")?.message) return `Pod ${name} cannot be scheduled: ${msg}`;
    if (now.status !== was?.status && tone(now.status) === "err") return `Pod ${name} is in ${now.status}`;
    const ok = (s) => s && s.total > 0 && s.ready === s.total && s.status === "Running";
    if (ok(now) && !ok(was)) return `Pod ${name} is Running and Ready`;
    if (!ok(now) && ok(was) && !o.metadata.deletionTimestamp) return `Pod ${name} is no longer ready`;
    if (now.status !== was?.status && /^(Running|Completed)$/.test(now.status)) return `Pod ${name} is ${now.status}`;
    return null;
  }
  if (kind === "Node") {
    if (t !== "MODIFIED") return GONE[t] ? `Node ${name} ${t === "ADDED" ? "joined the cluster" : "removed"}` : null;
    const s = nodeStatus(o), ps = prev && nodeStatus(prev);
    if (prev && s !== ps) return s === "Ready" ? `Node ${name} is Ready` : `Node ${name} is NotReady${s === "Unknown" ? " (stopped reporting)" : ""}`;
    if (prev && !!o.spec?.unschedulable !== !!prev.spec?.unschedulable)
      return o.spec?.unschedulable ? `Node ${name} cordoned: scheduling disabled` : `Node ${name} uncordoned`;
    return null;
  }
  if (kind === "Deployment") {
    const r = o.spec?.replicas ?? 1;
    if (t === "ADDED") return `Deployment ${name} created with ${r} replica${r === 1 ? "" : "s"}`;
    if (t === "MODIFIED" && prev) {
      const pr = prev.spec?.replicas ?? 1;
      if (r !== pr) return `Deployment ${name} scaled from ${pr} to ${r} replica${r === 1 ? "" : "s"}`;
      if (JSON.stringify(o.spec?.template) !== JSON.stringify(prev.spec?.template)) return `Deployment ${name} is rolling out a new version`;
      return null;
    }
  }
  if (kind === "PersistentVolumeClaim" && t === "MODIFIED")
    return o.status?.phase === "Bound" && prev?.status?.phase !== "Bound" ? `PersistentVolumeClaim ${name} bound to ${o.spec?.volumeName}` : null;
  if (/^(Deployment|Service|Ingress|PersistentVolume|PersistentVolumeClaim)$/.test(kind) && GONE[t]) return `${kind} ${name} ${GONE[t]}`;
  return null;
}
