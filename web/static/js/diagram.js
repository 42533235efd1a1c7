// The live cluster diagram: SVG elements keyed by uid, updated in place
// once per animation frame, moved with CSS transform transitions.
import { ClusterModel, narrate } from "./model.js";
import { layout, fit, HEAD } from "./layout.js";

const NS = "http://www.w3.org/2000/svg";
const PALETTE = 8, DOT_SPEED = 0.7, MAX_DOTS = 60, EXIT_MS = 450, NEW_PER_FRAME = 10;
// set and text write an attribute or a text only when it changes.
const set = (e, k, v) => { v = String(v); if (e.getAttribute(k) !== v) e.setAttribute(k, v); };
const text = (e, v) => { if (e.textContent !== v) e.textContent = v; };
const reduced = () => !!globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const hue = (s) => { let h = 0; for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0; return h % PALETTE; };
const cores = (m) => (m / 1000).toFixed(1);
const gib = (b) => (b / 2 ** 30).toFixed(1);
const txt = (x, y, cls, s, end) => `<text x="${x}" y="${y}" class="${cls}"${end ? ' text-anchor="end"' : ""}>${esc(s)}</text>`;
const frac = (a, b) => (b > 0 ? Math.min(1, a / b) : 0);

function el(tag, attrs, parent) {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  parent?.appendChild(e);
  return e;
}

export class Diagram {
  constructor(svg, opts = {}) {
    this.svg = svg; this.opts = opts; this.model = new ClusterModel();
    this.items = new Map(); this.sel = null; this.dots = []; this.raf = 0; this.dotRaf = 0; this.width = 1000;
    svg.classList.add("d-root");
    svg.setAttribute("viewBox", "0 0 1000 200");
    svg.setAttribute("preserveAspectRatio", "xMidYMin meet"); // top-aligned when the box is taller
    svg.innerHTML = '<defs><pattern id="d-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      '<path d="M0 0V6" class="d-hp"/></pattern></defs>';
    const layer = (c) => el("g", { class: c }, svg);
    this.lFrame = layer("d-frame"); this.lNodes = layer("d-nodes"); this.lLinks = layer("d-links");
    this.lPods = layer("d-pods"); this.lSide = layer("d-side"); this.lDots = layer("d-dots");
    this.cluster = el("rect", { class: "d-cluster", rx: 12 }, this.lFrame);
    this.clusterLabel = el("text", { class: "d-title" }, this.lFrame);
    this.pending = el("g", { class: "d-pending", "data-testid": "pending" }, this.lFrame);
    this.pendRect = el("rect", { class: "d-queue", rx: 8 }, this.pending);
    this.pendLabel = el("text", { class: "d-title", x: 10, y: 14 }, this.pending);
    this.heads = el("g", { class: "d-heads" }, this.lFrame);
    const pick = (e) => {
      const g = e.target.closest?.("[data-uid]");
      if (!g) return;
      e.preventDefault();
      this.select(g.dataset.uid);
      this.opts.onSelect?.(g.dataset.uid);
    };
    // Hovering or focusing a pending pod shows the scheduler's reason on the queue.
    const why = (e) => {
      const g = !e.type.endsWith("out") && e.target.closest?.("[data-uid]"), p = g && this.model.view().pods.get(g.dataset.uid);
      if (this.L) this.pendLabel.textContent = fit(p?.reason ? `${p.name}: ${p.reason}` : this.pendText, this.L.pending.w - 20, 10.5, 1);
    };
    for (const t of ["pointerover", "pointerout", "focusin", "focusout"]) svg.addEventListener(t, why);
    svg.addEventListener("click", pick);
    svg.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") pick(e); });
    globalThis.ResizeObserver && new ResizeObserver(() => {
      const u = this.units();
      if (u !== this.width) { this.width = u; this.schedule(); }
    }).observe(svg);
  }

  // units is the viewBox width for the SVG's size: one unit a pixel from
  // 480 to 1000, so that text stays readable.
  units() {
    const w = this.svg.getBoundingClientRect().width;
    return w ? Math.max(480, Math.min(1000, Math.round(w / 20) * 20)) : 1000;
  }

  reset(objects) {
    this.model.reset(objects);
    this.width = this.units();
    cancelAnimationFrame(this.raf); this.raf = 0;
    this.svg.classList.remove("d-anim");
    this.render(false);
    this.svg.getBoundingClientRect(); // flush styles so that nothing transitions
    requestAnimationFrame(() => this.svg.classList.add("d-anim"));
  }

  apply(events) {
    const said = [];
    for (const ev of events || []) {
      const s = narrate(ev, this.model.get(ev?.object?.metadata?.uid));
      if (s) said.push(s);
      this.model.apply([ev]);
    }
    if (said.length) this.opts.announce?.(said.slice(0, 3).join(". ") + (said.length > 3 ? `. …and ${said.length - 3} more changes.` : "."));
    this.schedule();
  }

  schedule() {
    if (!this.raf) this.raf = requestAnimationFrame(() => { this.raf = 0; this.render(true); });
  }

  select(uid) {
    this.sel = uid || null;
    for (const it of this.items.values()) this.classes(it);
  }

  // classes sets an item's class (state classes plus selection).
  classes(it) {
    const u = it.uid || "";
    const hl = it.link && this.sel && (it.link.from === this.sel || it.link.to === this.sel);
    const c = it.cls + (u && u === this.sel ? " d-sel" : "") + (hl ? " d-hl" : "") + (it.out ? " d-out" : "");
    if (it.c !== c) it.g.setAttribute("class", (it.c = c));
  }

  // up creates or updates the keyed group: position, class, attributes and,
  // when its markup changed, its inner content. A frame makes or changes
  // at most NEW_PER_FRAME groups; the rest wait for the next frames (up
  // returns null), so that 200 pods changing at once never make one long
  // task of style and layout.
  up(key, layer, box, cls, attrs, inner) {
    let it = this.items.get(key);
    const t = `translate(${box.x}px,${box.y}px)`;
    if (it) {
      this.seen.add(key);
      const changed = it.out || it.t !== t || it.cls !== cls || it.html !== inner || Object.keys(attrs).some((k) => it.a[k] !== attrs[k]);
      if (!changed) return it;
      if (this.anim && !it.out && this.budget-- <= 0) { this.more = true; return null; }
    } else {
      if (this.anim && this.budget-- <= 0) { this.more = true; return null; }
      it = { g: el("g", {}, layer), a: {}, uid: attrs["data-uid"] };
      it.b = el("g", { class: "d-b" }, it.g);
      if (this.anim) { it.g.classList.add("d-in"); this.fresh.push(it); }
      this.items.set(key, it);
      this.seen.add(key);
    }
    if (it.out) { clearTimeout(it.out); it.out = 0; }
    if (it.t !== t) it.g.style.transform = it.t = t;
    for (const k in attrs) if (it.a[k] !== attrs[k]) it.g.setAttribute(k, (it.a[k] = attrs[k]));
    it.cls = cls; this.classes(it);
    if (it.html !== inner) it.b.innerHTML = it.html = inner;
    return it;
  }

  drop(key, it) {
    const gone = () => { clearTimeout(it.out); it.g.remove(); if (this.items.get(key) === it) this.items.delete(key); };
    if (!this.anim || reduced() || it.link) return gone();
    if (it.out) return;
    for (const k of ["data-testid", "tabindex", "role"]) { it.g.removeAttribute(k); delete it.a[k]; }
    it.out = setTimeout(gone, EXIT_MS);
    this.classes(it);
  }

  render(anim) {
    const v = this.model.view();
    if (anim && v === this.v && this.L.width === this.width) return; // nothing drawn changed
    this.anim = anim; this.seen = new Set(); this.fresh = []; this.v = v; this.budget = NEW_PER_FRAME; this.more = false;
    const L = (this.L = layout(v, { width: this.width }));
    // Only what changed is written: any write to the SVG's geometry makes
    // the browser lay out all of it again.
    // The height grows in steps: a new viewBox lays out the whole drawing.
    set(this.svg, "viewBox", `0 0 ${L.width} ${Math.ceil(L.height / 160) * 160}`);
    const R = (e, b) => { set(e, "x", b.x); set(e, "y", b.y); set(e, "width", b.w); set(e, "height", b.h); };
    R(this.cluster, L.cluster);
    set(this.clusterLabel, "x", L.cluster.x + 10); set(this.clusterLabel, "y", L.cluster.y + 17);
    text(this.clusterLabel, `Cluster · ${v.nodes.length} node${v.nodes.length === 1 ? "" : "s"}`);
    set(this.pending, "transform", `translate(${L.pending.x},${L.pending.y})`);
    R(this.pendRect, { x: 0, y: 0, w: L.pending.w, h: L.pending.h });
    const why = [...new Set(v.pending.map((p) => p.reason))];
    this.pendText = v.pending.length ? `Pending: ${v.pending.length} waiting for the scheduler${why.length === 1 && why[0] ? " — " + why[0] : ""}` : "Scheduler queue: no pending pods";
    text(this.pendLabel, fit(this.pendText, L.pending.w - 20, 10.5, 1));
    set(this.pending, "data-count", v.pending.length);
    const S = L.side, none = (x, y, list) => (list.length ? "" : txt(x, y + 16, "d-sub", "none yet"));
    const heads = (S.bare ? "" : txt(S.ix, S.iy, "d-title", "Ingress") + txt(S.sx, S.sy, "d-title", "Services") +
      none(S.ix, S.iy, v.ingresses) + none(S.sx, S.sy, v.services)) +
      (L.pvs.length ? txt(L.pvs[0].x, L.pvs[0].y - 20, "d-title", "Persistent volumes") : "");
    if (this.headsHTML !== heads) this.heads.innerHTML = this.headsHTML = heads;

    const nodeByName = new Map(v.nodes.map((n) => [n.name, n]));
    for (const n of v.nodes) this.node(n, L.at[n.uid]);
    for (const p of v.pods.values()) if (L.at[p.uid]) this.pod(p, L.at[p.uid], nodeByName.get(p.node));
    for (const s of v.services) this.service(s, L.at[s.uid]);
    for (const i of v.ingresses) this.ingress(i, L.at[i.uid]);
    for (const d of v.pvs) this.pv(d, L.at[d.uid], v);
    for (const l of L.links) {
      const it = this.up(l.id, this.lLinks, { x: 0, y: 0 }, `d-link d-l-${l.kind}`, {},
        `<path d="${l.d}"/>` + (l.label ? txt(l.lx, l.ly, "d-lbl", l.label) : ""));
      if (!it) continue;
      it.link = l;
      this.classes(it);
    }
    for (const [k, it] of this.items) if (!this.seen.has(k)) this.drop(k, it);
    const fresh = this.fresh;
    if (fresh.length) requestAnimationFrame(() => fresh.forEach((it) => it.g.classList.remove("d-in")));
    if (this.more) { this.v = null; this.schedule(); }
  }

  node(n, b) {
    const word = n.status === "Ready" ? "Ready" : "NotReady";
    const st = word + (n.schedulable ? "" : ", SchedulingDisabled");
    const bw = b.w - 90, bar = (y, label, a, t) =>
      txt(10, y, "d-lbl", label) + `<rect class="d-bar" x="80" y="${y - 7}" width="${bw}" height="7" rx="2"/>` +
      `<rect class="d-fill${frac(a, t) > 0.85 ? " d-hot" : ""}" x="80" y="${y - 7}" width="${(bw * frac(a, t)).toFixed(1)}" height="7" rx="2"/>`;
    this.up(n.uid, this.lNodes, b, `d-node d-${n.status.toLowerCase()}${n.schedulable ? "" : " d-cordon"}`, {
      "data-uid": n.uid, "data-testid": "node-" + n.name, "data-status": n.status, "data-schedulable": String(n.schedulable),
      tabindex: "0", role: "button",
      "aria-label": `Node ${n.name}, ${st}, cpu ${cores(n.cpu.req)} of ${cores(n.cpu.alloc)} cores requested, memory ${gib(n.mem.req)} of ${gib(n.mem.alloc)} GiB requested, ${b.summary || `${n.pods.length} pod${n.pods.length === 1 ? "" : "s"}`}`,
    }, `<rect class="d-card" width="${b.w}" height="${b.h}" rx="8"/><title>${esc(`${n.name}: ${st}${b.summary ? "; " + b.summary : ""}`)}</title>` +
      txt(10, 17, "d-name", fit(n.name, b.w - 20, 13)) + txt(10, 30, "d-nst", fit(st, b.w - 20, 9)) +
      bar(44, `cpu ${cores(n.cpu.req)}/${cores(n.cpu.alloc)}`, n.cpu.req, n.cpu.alloc) +
      bar(57, `mem ${gib(n.mem.req)}/${gib(n.mem.alloc)}Gi`, n.mem.req, n.mem.alloc) +
      (b.mini ? txt(10, HEAD + 10, "d-sub", fit(b.summary, b.w - 20, 8.5, 1)) : ""));
  }

  pod(p, b, node) {
    const lost = node && node.status !== "Ready";
    // Unchanged since it was last drawn: nothing to build.
    const sig = `${b.x} ${b.y} ${b.w} ${b.h} ${b.mini} ${lost} ${p.old} ${p.mixed}`, seen = this.items.get(p.uid);
    if (seen && !seen.out && seen.src === p && seen.sig === sig) return void this.seen.add(p.uid);
    if (this.anim && this.budget <= 0) { // this frame's share is spent: next frame
      if (seen) this.seen.add(p.uid);
      return void (this.more = true);
    }
    const where = p.node ? `on ${p.node}` : `waiting for the scheduler${p.reason ? ": " + p.reason : ""}`;
    const label = `Pod ${p.name}, ${p.status}, ready ${p.ready}/${p.total}, ${where}`;
    const cls = `d-pod d-o${p.owner ? hue(p.owner.kind + "/" + p.owner.name) : "x"} d-${p.tone}` +
      (p.total && p.ready === p.total ? " d-ready" : "") + (p.terminating ? " d-term" : "") + (lost ? " d-lost" : "") + (b.mini ? " d-mini" : "");
    let inner = `<rect class="d-box" width="${b.w}" height="${b.h}" rx="${b.mini ? 2 : 6}"/>` +
      (p.old ? `<rect class="d-old" width="${b.w}" height="${b.h}" rx="${b.mini ? 2 : 6}" fill="url(#d-hatch)"/>` : "") +
      `<title>${esc(label)}</title>`;
    if (!b.mini) {
      const right = `${p.mixed ? p.hash.slice(0, 5) + "  " : ""}${p.ready}/${p.total}`, room = b.w - 20;
      const est = p.status.length * 5.6, st = est > room * 1.4 ? fit(p.status, room * 1.4, 8.5, 1) : p.status;
      inner += txt(6, 13, "d-name", fit(p.name, b.w - 10, 10.3)) + `<circle class="d-dot-s" cx="9" cy="23" r="3"/>` +
        `<text x="15" y="26" class="d-st"${est > room ? ` textLength="${room}" lengthAdjust="spacingAndGlyphs"` : ""}>${esc(st)}</text>` +
        txt(b.w - 5, 42, "d-sub", right, 1);
      p.containers.slice(0, Math.max(1, Math.floor((b.w - 12 - right.length * 5) / 13))).forEach((c, i) => {
        const cs = `d-c d-c-${c.kind} d-s-${c.state}${c.ready ? " d-cr" : ""}${c.reason && /Err|BackOff|Error|OOM/.test(c.reason) || c.exitCode ? " d-cerr" : ""}`;
        inner += `<rect class="${cs}" x="${6 + i * 13}" y="34" width="10" height="9" rx="${c.kind === "sidecar" ? 4.5 : 1.5}">` +
          `<title>${esc(`${c.kind === "main" ? "container" : c.kind + " container"} ${c.name}: ${c.reason || c.state}${c.ready ? ", ready" : ""}`)}</title></rect>`;
      });
    }
    const it = this.up(p.uid, this.lPods, b, cls, {
      "data-uid": p.uid, "data-testid": "pod-" + p.name, "data-phase": p.phase, "data-status": p.status, "data-node": p.node,
      tabindex: b.mini ? "-1" : "0", role: "button", "aria-label": label,
    }, inner);
    if (it && it.html === inner) { it.src = p; it.sig = sig; }
  }

  service(s, b) {
    const ports = s.ports.join(",");
    this.up(s.uid, this.lSide, b, "d-svc", {
      "data-uid": s.uid, "data-testid": "svc-" + s.name, tabindex: "0", role: "button",
      "aria-label": `Service ${s.name}, ${s.type}${ports ? ", port " + ports : ""}, ${s.pods.length} ready endpoint${s.pods.length === 1 ? "" : "s"}`,
    }, `<rect class="d-box" width="${b.w}" height="${b.h}" rx="4"/>` + txt(7, 12, "d-kind", "SERVICE") +
      txt(7, 25, "d-name", fit(s.name, b.w - 12, 10)) + txt(7, 38, "d-sub", fit(`${ports ? ":" + ports + " · " : ""}${s.pods.length} ready`, b.w - 12, 8.5)));
  }

  ingress(i, b) {
    const rules = i.rules.map((r) => `${r.host || "*"}${r.path} → ${r.service || "?"}`);
    this.up(i.uid, this.lSide, b, "d-ing", {
      "data-uid": i.uid, "data-testid": "ing-" + i.name, tabindex: "0", role: "button",
      "aria-label": `Ingress ${i.name}${rules.length ? ", " + rules.join("; ").replace(/→/g, "to") : ", no rules"}`,
    }, `<rect class="d-box" width="${b.w}" height="${b.h}" rx="4"/>` + txt(7, 12, "d-kind", "INGRESS") + txt(7, 25, "d-name", fit(i.name, b.w - 12, 10)) +
      rules.slice(0, 4).map((r, j) => txt(7, 37 + j * 12, "d-sub", fit(r, b.w - 10, 8))).join(""));
  }

  pv(d, b, v) {
    const pv = d.kind === "PersistentVolume", users = d.pods.map((u) => v.pods.get(u)?.name).filter(Boolean);
    const label = `${d.kind} ${d.name}, ${d.capacity || "no size"}, ${d.phase || "Pending"}` +
      (pv && d.claim ? `, claim ${d.claim.name}` : "") + (users.length ? `, mounted by ${users.join(", ")}` : ", not mounted");
    this.up(d.uid, this.lSide, b, `d-pv${pv ? "" : " d-unbound"}`, {
      "data-uid": d.uid, "data-testid": (pv ? "pv-" : "pvc-") + d.name, "data-phase": d.phase, tabindex: "0", role: "button", "aria-label": label,
    }, `<rect class="d-box" width="${b.w}" height="${b.h}" rx="6"/><circle class="d-led" cx="${b.w - 10}" cy="${b.h - 10}" r="3"/>` +
      `<title>${esc(label)}</title>` + txt(8, 13, "d-kind", pv ? "VOLUME" : "CLAIM, NO VOLUME YET") +
      txt(8, 26, "d-name", fit(d.name, b.w - 14, 10)) + txt(8, 38, "d-sub", fit(`${d.capacity} · ${d.phase}${pv && d.claim ? " · claim " + d.claim.name : ""}`, b.w - 24, 8.5, 1)));
  }

  // traffic draws one dot per request travelling ingress → service → pod;
  // a failed one stops red where it failed.
  traffic(requests) {
    if (!this.L) return;
    const now = performance.now(), still = reduced();
    (requests || []).slice(0, Math.max(0, MAX_DOTS - this.dots.length)).forEach((r, i) => {
      const pts = this.route(r), bad = !(r.status < 400);
      const c = el("circle", { r: 5, class: "d-tdot" + (bad ? " d-bad" : ""), "data-testid": "traffic-dot", "data-status": r.status, cx: pts[0].x, cy: pts[0].y }, this.lDots);
      const segs = pts.slice(1).map((p, j) => Math.hypot(p.x - pts[j].x, p.y - pts[j].y));
      this.dots.push({ c, pts, segs, len: segs.reduce((a, s) => a + s, 0), t0: still ? now : now + i * 90, bad });
    });
    if (!this.dotRaf) this.dotRaf = requestAnimationFrame(() => this.tick());
  }

  route(r) {
    const m = this.model, at = this.L.at, c = (o) => o && at[o.metadata.uid] && { x: at[o.metadata.uid].x + at[o.metadata.uid].w / 2, y: at[o.metadata.uid].y + at[o.metadata.uid].h / 2 };
    const ing = c(r.ingress && m.find("Ingress", r.ingress, r.namespace)), S = this.L.side;
    const gate = ing || { x: S.ix + 50, y: S.iy + 20 };
    return [this.L.stacked ? { x: gate.x, y: 0 } : { x: 0, y: gate.y }, gate,
      c(r.service && m.find("Service", r.service, r.namespace)), c(r.pod && m.find("Pod", r.pod, r.namespace))].filter(Boolean);
  }

  tick() {
    const still = reduced(), t = performance.now();
    this.dots = this.dots.filter((d) => {
      let s = still ? d.len : Math.max(0, (t - d.t0) * DOT_SPEED), i = 0;
      if (s >= d.len) {
        s = d.len;
        if (!d.end) {
          d.end = t;
          d.c.classList.add("d-end");
        } else if (t - d.end > (d.bad || still ? 1200 : 300)) return d.c.remove(), false;
      }
      while (i < d.segs.length - 1 && s > d.segs[i]) s -= d.segs[i++];
      const a = d.pts[i], b = d.pts[i + 1] || a, f = d.segs[i] ? Math.min(1, s / d.segs[i]) : 1;
      d.c.setAttribute("cx", (a.x + (b.x - a.x) * f).toFixed(1));
      d.c.setAttribute("cy", (a.y + (b.y - a.y) * f).toFixed(1));
      return true;
    });
    this.dotRaf = this.dots.length ? requestAnimationFrame(() => this.tick()) : 0;
  }
}
