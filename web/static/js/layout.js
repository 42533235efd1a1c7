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

// curve joins a to b, leaving and arriving horizontally (or vertically).
function curve(a, b, vertical) {
  const m = vertical ? (a.y + b.y) / 2 : (a.x + b.x) / 2, p = (x, y) => `${r1(x)} ${r1(y)}`;
  return `M${p(a.x, a.y)}C${vertical ? p(a.x, m) + " " + p(b.x, m) : p(m, a.y) + " " + p(m, b.y)} ${p(b.x, b.y)}`;
}

// layout returns {width, height, stacked, cluster, pending, nodes, pods,
// ingresses, services, pvs, links, at, side}; every box is {uid?, x, y, w, h};
// `at` maps uid → box for everything placed. Ingresses and Services stand in
// two columns left of the cluster, or, narrower than 700 (stacked), in two
// rows above it.
export function layout(view, { width = 1000 } = {}) {
  const at = {}, pods = [], links = [], ingresses = [], services = [];
  const place = (list, o) => { at[o.uid] = o; list.push(o); return o; };
  // The Ingress and Services columns appear with the first of either,
  // so that a cluster without them gets the whole width.
  const bare = !view.ingresses.length && !view.services.length;
  const stacked = width < 700, cx = stacked || bare ? M : M + SIDE, cw = width - cx - M, inner = cw - 2 * PAD;

  let top = M;
  const side = stacked ? { ix: M, iy: M + 10, sx: M, bare } : { ix: M, sx: M + ING_W + 22, bare };
  // Services reached from an ingress first, in rule order; then the rest.
  const order = [...new Set(view.ingresses.flatMap((i) => i.rules.map((r) => r.serviceUid)))];
  const rank = (s) => (order.includes(s.uid) ? order.indexOf(s.uid) : order.length);
  const svcs = [...view.services].sort((a, b) => rank(a) - rank(b));
  const ingH = (ing) => 30 + 12 * Math.min(4, ing.rules.length);
  if (stacked && !bare) {
    // Rows that wrap: [boxes], returns the y below them.
    const row = (list, items, y, w, h) => {
      let x = M, rh = 0;
      for (const it of items) {
        const bh = h(it);
        if (x + w > width - M && x > M) { x = M; y += rh + G; rh = 0; }
        place(list, { uid: it.uid, ...rect(x, y, w, bh) });
        x += w + G + 14; rh = Math.max(rh, bh);
      }
      return y + (rh || 12) + 22;
    };
    side.sy = row(ingresses, view.ingresses, side.iy + 6, ING_W, ingH);
    top = row(services, svcs, side.sy + 6, SVC_W, () => 44) - 10;
  }

  // The scheduler's queue above the cluster: a line when empty, rows of
  // pods when not.
  const pc = cols(inner, POD.w, G);
  const pendRows = Math.ceil(view.pending.length / pc);
  const pending = rect(cx, top, cw, pendRows ? 20 + pendRows * (POD.h + G) : 24);
  view.pending.forEach((p, i) =>
    place(pods, { uid: p.uid, ...rect(cx + PAD + (i % pc) * (POD.w + G), top + 20 + Math.floor(i / pc) * (POD.h + G), POD.w, POD.h), mini: false }));

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

  let iy = cy + 26, sy = iy;
  if (!stacked) {
    side.iy = side.sy = iy - 8;
    for (const ing of view.ingresses) iy += place(ingresses, { uid: ing.uid, ...rect(side.ix, iy, ING_W, ingH(ing)) }).h + G;
    for (const s of svcs) sy += place(services, { uid: s.uid, ...rect(side.sx, sy, SVC_W, 44) }).h + G;
  }
  // Link ends: right or bottom side of a, left or top side of b.
  const from = (b) => (stacked ? { x: b.x + b.w / 2, y: b.y + b.h } : { x: b.x + b.w, y: b.y + b.h / 2 });
  const to = (b) => (stacked ? { x: b.x + b.w / 2, y: b.y } : { x: b.x, y: b.y + b.h / 2 });
  for (const ing of view.ingresses)
    for (const su of new Set(ing.rules.map((r) => r.serviceUid)))
      if (at[su]) links.push({ id: `i:${ing.uid}:${su}`, kind: "ing", from: ing.uid, to: su, d: curve(from(at[ing.uid]), to(at[su]), stacked) });
  const nodeOf = new Map(view.nodes.flatMap((nd) => nd.pods.map((p) => [p.uid, nd.uid])));
  for (const s of view.services) {
    // Many endpoints: one line per node instead of one per pod.
    const many = s.pods.length > MAX_FULL;
    for (const t of new Set(s.pods.map((u) => (many && nodeOf.get(u)) || u)))
      if (at[t]) links.push({ id: `s:${s.uid}:${t}`, kind: "svc", from: s.uid, to: t, d: curve(from(at[s.uid]), to(at[t]), stacked) });
  }

  // Persistent volumes: drives in a row below everything, lines up to the pods that mount their claim.
  const pvs = [];
  const vy = Math.max(cluster.y + cluster.h, iy, sy) + 28;
  const dc = cols(width - cx - M, DRIVE.w, 12);
  view.pvs.forEach((v, i) => {
    const d = place(pvs, { uid: v.uid, ...rect(cx + (i % dc) * (DRIVE.w + 12), vy + Math.floor(i / dc) * (DRIVE.h + 30), DRIVE.w, DRIVE.h) });
    v.pods.forEach((u, j) => {
      const p = at[u];
      if (!p) return;
      links.push({ id: `v:${v.uid}:${u}`, kind: "pv", from: v.uid, to: u, d: curve({ x: d.x + d.w / 2, y: d.y }, { x: p.x + p.w / 2, y: p.y + p.h }, 1),
        label: j ? "" : v.claim?.name || "", lx: r1(d.x + d.w / 2 + 4), ly: r1(d.y - 6) });
    });
  });
  const bottom = pvs.length ? Math.max(...pvs.map((d) => d.y + d.h)) : Math.max(cluster.y + cluster.h, iy, sy);
  return { width, height: Math.ceil(bottom + M), stacked, cluster, pending, nodes, pods, ingresses, services, pvs, links, at, side, podW: r1(podW) };
}
