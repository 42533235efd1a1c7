// Positions for everything the diagram draws, from the model's view. Pure:
// no DOM. Stable: nodes keep slots sorted by name, pods keep slots in
// creation order, and a node's content never moves another node's.

export const POD = { w: 84, h: 50 }; // full pod box (minimum width)
export const MINI = 12; // summarised pod square
export const MAX_FULL = 24; // more pods than this on a node: summarise
export const HEAD = 64;
const M = 8, G = 8, PAD = 10, CARD_MIN = 176, ING_W = 100, SVC_W = 100, SIDE = ING_W + SVC_W + 34;
const DRIVE = { w: 140, h: 44 };

const r1 = (n) => Math.round(n * 10) / 10;
const rect = (x, y, w, h) => ({ x: r1(x), y: r1(y), w: r1(w), h: r1(h) });
const cols = (space, item, gap) => Math.max(1, Math.floor((space + gap) / (item + gap)));

// fit shortens text to about width user units at fontSize, keeping the
// distinctive tail of generated names (web-7d9f…abc12), or cutting the end.
export function fit(text, width, fontSize = 10, end = false) {
  const n = Math.max(4, Math.floor(width / (fontSize * 0.66)));
  if (text.length <= n) return text;
  if (end) return text.slice(0, n - 1) + "…";
  const tail = Math.min(5, Math.floor((n - 1) / 2));
  return text.slice(0, n - 1 - tail) + "…" + text.slice(-tail);
}

// summary sums up a node's pods by STATUS word: "48 pods: 40 Running, 8 Pending".
export function summary(pods) {
  const c = new Map();
  for (const p of pods) c.set(p.status, (c.get(p.status) || 0) + 1);
  const parts = [...c].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([s, n]) => `${n} ${s}`);
  return `${pods.length} pod${pods.length === 1 ? "" : "s"}: ${parts.join(", ")}${c.size > 3 ? ", …" : ""}`;
}

const curveH = (a, b) => { const d = Math.max(20, (b.x - a.x) / 2); return `M${r1(a.x)} ${r1(a.y)}C${r1(a.x + d)} ${r1(a.y)} ${r1(b.x - d)} ${r1(b.y)} ${r1(b.x)} ${r1(b.y)}`; };
const curveV = (a, b) => { const d = Math.max(20, (a.y - b.y) / 2); return `M${r1(a.x)} ${r1(a.y)}C${r1(a.x)} ${r1(a.y - d)} ${r1(b.x)} ${r1(b.y + d)} ${r1(b.x)} ${r1(b.y)}`; };

// layout returns {width, height, cluster, pending, nodes, pods, ingresses,
// services, pvs, links, at, side}; every box is {uid?, x, y, w, h}; `at`
// maps uid → box for everything placed.
export function layout(view, { width = 1000 } = {}) {
  const at = {}, pods = [], links = [];
  const place = (list, o) => { at[o.uid] = o; list.push(o); return o; };
  const cx = M + SIDE, cw = width - cx - M, inner = cw - 2 * PAD;

  // The scheduler's queue above the cluster: always one row high at least.
  const pc = cols(inner, POD.w, G);
  const pendRows = Math.max(1, Math.ceil(view.pending.length / pc));
  const pending = rect(cx, M, cw, 20 + pendRows * (POD.h + G));
  view.pending.forEach((p, i) =>
    place(pods, { uid: p.uid, ...rect(cx + PAD + (i % pc) * (POD.w + G), M + 20 + Math.floor(i / pc) * (POD.h + G), POD.w, POD.h), mini: false }));

  // Nodes in a grid, up to 4 per row; every card in a row as tall as its fullest.
  const cy = pending.y + pending.h + 12, n = view.nodes.length;
  const nc = Math.max(1, Math.min(n, 4, cols(inner, CARD_MIN, G)));
  const cardW = (inner - G * (nc - 1)) / nc, podsW = cardW - 2 * PAD;
  const fc = cols(podsW, POD.w, G), podW = Math.min(130, (podsW - G * (fc - 1)) / fc), mc = cols(podsW, MINI, 3);
  const content = (nd) => nd.pods.length > MAX_FULL
    ? 18 + Math.ceil(nd.pods.length / mc) * (MINI + 3)
    : Math.max(1, Math.ceil(nd.pods.length / fc)) * (POD.h + G);
  const nodes = [];
  let y = cy + 26;
  for (let r = 0; r * nc < n; r++) {
    const row = view.nodes.slice(r * nc, r * nc + nc);
    const h = HEAD + Math.max(...row.map(content)) + PAD - G;
    row.forEach((nd, i) => {
      const x = cx + PAD + i * (cardW + G), mini = nd.pods.length > MAX_FULL;
      place(nodes, { uid: nd.uid, ...rect(x, y, cardW, h), mini, summary: mini ? summary(nd.pods) : "" });
      nd.pods.forEach((p, j) => place(pods, mini
        ? { uid: p.uid, ...rect(x + PAD + (j % mc) * (MINI + 3), y + HEAD + 18 + Math.floor(j / mc) * (MINI + 3), MINI, MINI), mini }
        : { uid: p.uid, ...rect(x + PAD + (j % fc) * (podW + G), y + HEAD + Math.floor(j / fc) * (POD.h + G), podW, POD.h), mini }));
    });
    y += h + G;
  }
  const cluster = rect(cx, cy, cw, Math.max(y - cy + PAD - G, 60));

  // Ingresses and Services in two columns left of the cluster.
  const side = { ix: M, sx: M + ING_W + 22, y: cy + 26 };
  const ingresses = [], services = [];
  let iy = side.y, sy = side.y;
  for (const ing of view.ingresses) {
    const h = 30 + 12 * Math.min(4, ing.rules.length);
    place(ingresses, { uid: ing.uid, ...rect(side.ix, iy, ING_W, h) });
    iy += h + G;
  }
  // Services reached from an ingress first, in rule order; then the rest.
  const order = [...new Set(view.ingresses.flatMap((i) => i.rules.map((r) => r.serviceUid)))];
  const rank = (s) => (order.includes(s.uid) ? order.indexOf(s.uid) : order.length);
  for (const s of [...view.services].sort((a, b) => rank(a) - rank(b))) {
    place(services, { uid: s.uid, ...rect(side.sx, sy, SVC_W, 44) });
    sy += 44 + G;
  }
  const mid = (b, right) => ({ x: b.x + (right ? b.w : 0), y: b.y + b.h / 2 });
  for (const ing of view.ingresses)
    for (const su of new Set(ing.rules.map((r) => r.serviceUid)))
      if (at[su]) links.push({ id: `i:${ing.uid}:${su}`, kind: "ing", from: ing.uid, to: su, d: curveH(mid(at[ing.uid], 1), mid(at[su])) });
  const nodeOf = new Map(view.nodes.flatMap((nd) => nd.pods.map((p) => [p.uid, nd.uid])));
  for (const s of view.services) {
    // Many endpoints: one line per node instead of one per pod.
    const many = s.pods.length > MAX_FULL;
    for (const t of new Set(s.pods.map((u) => (many && nodeOf.get(u)) || u)))
      if (at[t]) links.push({ id: `s:${s.uid}:${t}`, kind: "svc", from: s.uid, to: t, d: curveH(mid(at[s.uid], 1), mid(at[t])) });
  }

  // Persistent volumes: drives in a row below everything, lines up to the pods that mount their claim.
  const pvs = [];
  let vy = Math.max(cluster.y + cluster.h, iy, sy) + 28;
  const dc = cols(width - cx - M, DRIVE.w, 12);
  view.pvs.forEach((v, i) => {
    const d = place(pvs, { uid: v.uid, ...rect(cx + (i % dc) * (DRIVE.w + 12), vy + Math.floor(i / dc) * (DRIVE.h + 30), DRIVE.w, DRIVE.h) });
    v.pods.forEach((u, j) => {
      const p = at[u];
      if (!p) return;
      links.push({ id: `v:${v.uid}:${u}`, kind: "pv", from: v.uid, to: u, d: curveV({ x: d.x + d.w / 2, y: d.y }, { x: p.x + p.w / 2, y: p.y + p.h }),
        label: j ? "" : v.claim?.name || "", lx: r1(d.x + d.w / 2 + 4), ly: r1(d.y - 6) });
    });
  });
  const bottom = pvs.length ? Math.max(...pvs.map((d) => d.y + d.h)) : Math.max(cluster.y + cluster.h, iy, sy);
  return { width, height: Math.ceil(bottom + M), cluster, pending, nodes, pods, ingresses, services, pvs, links, at, side, podW: r1(podW) };
}
