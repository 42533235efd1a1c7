// The playground page: one websocket to the session (docs/protocol.md),
// feeding the diagram, the terminal, the events list, the clock and the
// lesson's goals. Every button runs a terminal command, so the learner
// sees the kubectl behind each click.
import { Diagram } from "./diagram.js";
import { Terminal } from "./terminal.js";

const main = document.querySelector("main.pg");
const id = main.dataset.session;
const words = JSON.parse(document.getElementById("i18n").textContent);
const t = (k) => words[k] || k;
const $ = (sel, root = main) => root.querySelector(sel);
const reduced = matchMedia("(prefers-reduced-motion: reduce)").matches;

let ws = null;
let clock = { playing: false, speed: 1, time: "" };
let clockAt = performance.now();
let applying = false;
let retry = 0;
let selected = null;

// Narration: one sentence at a time is plenty for a screen reader.
const live = $("[data-testid=narration]");
let said = [];
let sayTimer = 0;
function announce(text) {
  said.push(text);
  clearTimeout(sayTimer);
  sayTimer = setTimeout(() => {
    live.textContent = said.slice(-3).join(". ");
    said = [];
  }, 250);
}

const diagram = new Diagram($("svg.diagram"), { onSelect: select, announce });
const term = new Terminal($("#term"), {
  id,
  submit: (cmd) => send({ type: "exec", command: cmd }, cmd),
  complete: async (line) => {
    const r = await fetch(`/api/sessions/${id}/complete?line=${encodeURIComponent(line)}`);
    return r.ok ? (await r.json()).candidates : [];
  },
});

// send sends a message, or says why it cannot.
function send(msg, echo) {
  if (!ws || ws.readyState !== WebSocket.OPEN) {
    term.print((echo ? "$ " + echo + "\n" : "") + t("pg.reconnecting"), "err");
    return false;
  }
  ws.send(JSON.stringify(msg));
  return true;
}
const run = (cmd) => send({ type: "exec", command: cmd }, cmd);

// ---- websocket

function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(`${proto}//${location.host}/api/sessions/${id}/ws`);
  status(retry ? "pg.reconnecting" : "pg.connecting");
  ws.onmessage = (e) => receive(JSON.parse(e.data));
  ws.onclose = (e) => {
    status("pg.reconnecting", true);
    if (e.code === 1009) term.print("The message was too big (3 MiB at most).", "err");
    const wait = Math.min(10000, 250 * 2 ** retry++);
    setTimeout(connect, e.code === 4000 ? 0 : wait);
  };
}

function status(key, bad) {
  const s = $("[data-testid=conn-status]");
  s.textContent = t(key);
  s.dataset.state = bad ? "down" : key === "pg.connected" ? "up" : "wait";
}

function receive(m) {
  switch (m.type) {
    case "hello":
      retry = 0;
      status("pg.connected");
      if (!term.out.textContent) term.print(t("pg.welcome"), "note");
      break;
    case "snapshot":
      diagram.reset(m.objects || []);
      setClock(m.clock);
      refresh();
      break;
    case "events":
      diagram.apply(m.events);
      refresh();
      break;
    case "output":
      output(m);
      break;
    case "clock":
      setClock(m.clock);
      break;
    case "goals":
      goals(m.goals);
      break;
    case "error":
      term.print(m.message, "err");
      break;
  }
}

function output(m) {
  const isApply = /^kubectl apply -f - <</.test(m.command);
  term.print("$ " + m.command, "cmd");
  if (m.output) term.print(m.output, m.exitCode ? "err" : "");
  if (m.traffic && m.traffic.length) diagram.traffic(m.traffic);
  if (isApply && applying) {
    applying = false;
    editorResult(m.output || "(no output)", m.exitCode !== 0);
  }
}

// ---- clock

function setClock(c) {
  if (!c) return;
  clock = c;
  clockAt = performance.now();
  const play = $("[data-clock=play]");
  play.setAttribute("aria-pressed", String(c.playing));
  play.firstChild.textContent = c.playing ? "❚❚ " : "▶ ";
  play.lastChild.textContent = t(c.playing ? "pg.pause" : "pg.play");
  $("[data-testid=clock-speed]").value = String(c.speed);
  tickClock();
}

// virtualNow is the cluster's time as of this moment, moving on between
// messages while the clock plays.
function virtualNow() {
  const base = Date.parse(clock.time);
  if (isNaN(base)) return NaN;
  return base + (clock.playing ? (performance.now() - clockAt) * clock.speed : 0);
}

function tickClock() {
  const now = virtualNow();
  const el = $("[data-testid=clock-time]");
  if (!isNaN(now)) {
    const d = new Date(now);
    el.textContent = d.toISOString().slice(11, 19);
    el.dateTime = d.toISOString();
  }
}
setInterval(tickClock, 500);

main.querySelector(".clock").addEventListener("click", (e) => {
  const b = e.target.closest("[data-clock]");
  if (!b) return;
  const action = b.dataset.clock === "play" && clock.playing ? "pause" : b.dataset.clock;
  send({ type: "clock", action });
});
$("[data-testid=clock-speed]").addEventListener("change", (e) => {
  send({ type: "clock", action: clock.playing ? "play" : "pause", speed: Number(e.target.value) });
});

// ---- chaos: each button is a terminal command

const nodes = () => diagram.model.view().nodes;
const podsOf = () => nodes().flatMap((n) => n.pods);

function chaos(kind) {
  const sel = selected && diagram.model.get(selected);
  const selNode = sel && sel.kind === "Node" ? sel.metadata.name : "";
  const selPod = sel && sel.kind === "Pod" ? sel : null;
  const ns = nodes();
  switch (kind) {
    case "add": {
      let i = ns.length + 1;
      while (ns.some((n) => n.name === "node-" + i)) i++;
      return run("node add node-" + i);
    }
    case "kill": {
      const n = selNode && ns.find((n) => n.name === selNode && n.status === "Ready") ? selNode : ns.find((n) => n.status === "Ready")?.name;
      return n ? run("node kill " + n) : term.print("Every node is down already.", "note");
    }
    case "restore": {
      const down = ns.filter((n) => n.status !== "Ready");
      const n = down.find((n) => n.name === selNode) || down[0];
      return n ? run("node restore " + n.name) : term.print("Every node is up.", "note");
    }
    case "crash": {
      const p = selPod || podsOf().map((p) => diagram.model.get(p.uid)).find((p) => p && p.status.phase === "Running");
      return p ? run(`crash ${p.metadata.name}` + (p.metadata.namespace !== "default" ? " -n " + p.metadata.namespace : ""))
        : term.print("No running pod to crash: create one first, e.g. kubectl create deployment web --image=nginx", "note");
    }
    case "traffic": {
      const ing = diagram.model.view().ingresses?.[0];
      const host = ing && (ing.rules?.find((r) => r.host)?.host || "localhost");
      return host ? run(`curl -n 10 http://${host}/`)
        : term.print("No Ingress yet. Expose a Deployment and route to it, e.g.\n  kubectl expose deployment web --port=80\n  kubectl create ingress web --rule=shop.example/*=web:80", "note");
    }
  }
}
main.querySelector(".chaos").addEventListener("click", (e) => {
  const b = e.target.closest("[data-chaos]");
  if (b) chaos(b.dataset.chaos);
});

// ---- the inspector (side panel)

const insp = $("[data-testid=inspector]");
let tab = "describe";
let detail = { describe: "", yaml: "" };
let inspectTimer = 0;

function select(uid) {
  selected = uid;
  diagram.select(uid);
  if (!uid) { insp.hidden = true; return; }
  insp.hidden = false;
  inspect();
}

async function inspect() {
  const o = selected && diagram.model.get(selected);
  if (!o) { select(null); return; }
  const m = o.metadata;
  $("[data-testid=inspector-title]").textContent = `${o.kind} ${m.namespace ? m.namespace + "/" : ""}${m.name}`;
  const cond = (o.status?.conditions || []).find((c) => c.type === "PodScheduled" && c.status === "False");
  const why = $("[data-testid=inspector-why]");
  why.hidden = !cond;
  why.textContent = cond ? cond.message : "";
  actions(o);
  const q = new URLSearchParams({ kind: o.kind, namespace: m.namespace || "", name: m.name });
  try {
    const r = await fetch(`/api/sessions/${id}/inspect?${q}`);
    const body = await r.json();
    detail = r.ok ? body : { describe: body.error, yaml: body.error };
  } catch (err) {
    detail = { describe: String(err), yaml: "" };
  }
  show();
}

function show() {
  insp.querySelectorAll("[data-tab]").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === tab)));
  const body = $("[data-testid=inspector-body]");
  if (tab === "events") {
    const evs = selected ? diagram.model.eventsFor(selected) : [];
    body.textContent = evs.length ? evs.map((e) => `${e.type}\t${e.reason}\t${e.message}${e.count > 1 ? ` (x${e.count})` : ""}`).join("\n") : t("pg.noevents");
  } else if (tab === "owners") {
    body.textContent = (selected ? diagram.model.ownerChain(selected) : []).map((o, i) => "  ".repeat(i) + (i ? "↑ " : "") + `${o.kind}/${o.metadata.name}`).join("\n");
  } else {
    body.textContent = detail[tab] || "";
  }
}

function actions(o) {
  const n = o.metadata.name;
  const nsFlag = o.metadata.namespace && o.metadata.namespace !== "default" ? " -n " + o.metadata.namespace : "";
  const cmds = {
    Node: [`kubectl cordon ${n}`, `kubectl uncordon ${n}`, `kubectl drain ${n} --ignore-daemonsets --delete-emptydir-data`, `node kill ${n}`, `node restore ${n}`],
    Pod: [`kubectl logs ${n}${nsFlag}`, `crash ${n}${nsFlag}`, `kubectl delete pod ${n}${nsFlag}`],
    Service: [`kubectl get endpoints ${n}${nsFlag}`],
    Ingress: [`curl -n 5 http://${o.spec?.rules?.find((r) => r.host)?.host || "localhost"}/`],
    PersistentVolume: [`kubectl get pvc -A`],
  }[o.kind] || [];
  $("[data-testid=inspector-actions]").replaceChildren(...cmds.map((c) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = c;
    b.className = "cmd";
    b.addEventListener("click", () => run(c));
    return b;
  }));
}

insp.addEventListener("click", (e) => {
  const b = e.target.closest("[data-tab]");
  if (b) { tab = b.dataset.tab; show(); }
  if (e.target.closest("[data-inspector-close]")) select(null);
});
addEventListener("keydown", (e) => {
  if (e.key === "Escape" && selected && (insp.contains(document.activeElement) || document.activeElement?.closest("svg"))) {
    const back = document.activeElement?.closest("svg") ? null : main.querySelector(`svg [data-uid="${CSS.escape(selected)}"]`);
    select(null);
    back?.focus();
  }
  // Tabs move with the arrow keys, as WAI-ARIA's tab pattern has them.
  const tab = e.target.closest?.("[role=tab]");
  if (tab && (e.key === "ArrowRight" || e.key === "ArrowLeft")) {
    const tabs = [...tab.parentElement.querySelectorAll("[role=tab]")];
    const next = tabs[(tabs.indexOf(tab) + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    next.click();
  }
});

// ---- the events list, and everything that follows a change

let refreshQueued = false;
function refresh() {
  if (refreshQueued) return;
  refreshQueued = true;
  requestAnimationFrame(() => {
    refreshQueued = false;
    eventsTable();
    if (selected) {
      if (!diagram.model.get(selected)) select(null);
      else { clearTimeout(inspectTimer); inspectTimer = setTimeout(inspect, 300); }
    }
  });
}

function ago(ts) {
  const s = Math.max(0, Math.round((virtualNow() - Date.parse(ts)) / 1000));
  if (isNaN(s)) return "";
  if (s < 120) return s + "s";
  if (s < 7200) return Math.floor(s / 60) + "m";
  return Math.floor(s / 3600) + "h";
}

// eventsTable shows the newest 50 events, newest first. A row is made
// once an event (and count); the table changes only when the events do,
// at most twice a second; the ages move on with the clock.
let shownEvents = "";
let eventRows = new Map();
let eventsAt = 0;
let eventsTimer = 0;
function eventsTable() {
  const wait = eventsAt + 500 - performance.now();
  if (wait > 0) {
    if (!eventsTimer) eventsTimer = setTimeout(() => { eventsTimer = 0; eventsTable(); }, wait);
    return;
  }
  eventsAt = performance.now();
  const evs = diagram.model.events().slice(-50).reverse();
  const sig = evs.map((e) => e.metadata.uid + "/" + e.count).join();
  if (sig === shownEvents) return;
  shownEvents = sig;
  const rows = new Map();
  for (const e of evs) {
    const k = e.metadata.uid + "/" + e.count;
    let tr = eventRows.get(k);
    if (!tr) {
      tr = document.createElement("tr");
      if (e.type === "Warning") tr.className = "warn";
      const io = e.involvedObject || {};
      const at = e.lastTimestamp || e.metadata.creationTimestamp;
      for (const v of [ago(at), e.type, e.reason, `${(io.kind || "").toLowerCase()}/${io.name}`, e.message + (e.count > 1 ? ` (x${e.count})` : "")]) {
        const td = document.createElement("td");
        td.textContent = v;
        tr.append(td);
      }
      tr.firstChild.dataset.at = at;
    }
    rows.set(k, tr);
  }
  eventRows = rows;
  const list = [...rows.values()];
  if (!list.length) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 5;
    td.textContent = t("pg.noevents");
    tr.append(td);
    list.push(tr);
  }
  $("[data-testid=events] tbody").replaceChildren(...list);
}
setInterval(() => {
  for (const td of main.querySelectorAll("[data-testid=events] td[data-at]")) {
    const a = ago(td.dataset.at);
    if (td.textContent !== a) td.textContent = a;
  }
}, 1000);

// ---- the YAML editor

const editor = $("[data-testid=editor]");
const gutter = $(".gutter");
function numberLines(bad) {
  const n = editor.value.split("\n").length;
  gutter.replaceChildren(...Array.from({ length: n }, (_, i) => {
    const s = document.createElement("span");
    s.textContent = i + 1 + "\n";
    if (i + 1 === bad) s.className = "bad";
    return s;
  }));
}
editor.addEventListener("input", () => numberLines());
editor.addEventListener("scroll", () => { gutter.scrollTop = editor.scrollTop; });
editor.addEventListener("keydown", (e) => {
  if (e.key === "Tab" && !e.shiftKey && !e.ctrlKey) { // YAML wants spaces
    e.preventDefault();
    editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
  } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    apply();
  }
});
numberLines();

function apply() {
  if (!editor.value.trim()) { editorResult("The editor is empty: write a manifest first.", true); return; }
  applying = send({ type: "apply", yaml: editor.value });
}
$("[data-testid=editor-apply]").addEventListener("click", apply);

function editorResult(text, bad) {
  const r = $("[data-testid=editor-result]");
  r.hidden = false;
  r.textContent = text;
  r.classList.toggle("err", bad);
  const m = bad && /line (\d+)/.exec(text);
  numberLines(m ? Number(m[1]) : 0);
}

// ---- tabs between terminal and editor

main.querySelector(".work .tabs").addEventListener("click", (e) => {
  const b = e.target.closest("[data-work]");
  if (!b) return;
  for (const x of main.querySelectorAll("[data-work]")) {
    const on = x === b;
    x.setAttribute("aria-selected", String(on));
    document.getElementById(x.dataset.work).hidden = !on;
  }
  if (e.detail) (b.dataset.work === "term" ? term.input : editor).focus(); // a click, not the arrow keys
});

// ---- lesson goals

let lastStep = -1;
function goals(st) {
  if (!st || !st.steps) return;
  const moved = lastStep >= 0 && st.step !== lastStep;
  lastStep = st.step;
  main.querySelectorAll(".step").forEach((li, i) => {
    const s = st.steps[i];
    if (!s) return;
    li.hidden = i > st.step && !st.complete;
    li.classList.toggle("done", s.done);
    li.classList.toggle("current", i === st.step && !st.complete);
    for (const g of s.goals) {
      const el = li.querySelector(`[data-goal="${CSS.escape(g.id)}"]`);
      if (el && el.getAttribute("aria-checked") !== String(g.done)) {
        el.setAttribute("aria-checked", String(g.done));
        if (g.done) announce("✓ " + el.textContent);
      }
    }
    const ex = li.querySelector(".explain");
    if (ex) ex.hidden = !s.done;
  });
  const fin = $("[data-testid=lesson-complete]");
  if (fin) fin.hidden = !st.complete;
  // A step done: bring the next one (or the lesson's end) into view.
  const next = st.complete ? fin : main.querySelectorAll(".step")[st.step];
  if ((moved || st.complete) && next && !next.hidden) next.scrollIntoView({ behavior: reduced ? "auto" : "smooth", block: "start" });
}
main.addEventListener("click", (e) => {
  const b = e.target.closest("[data-hint]");
  if (!b) return;
  const next = b.parentElement.querySelector(".hint[hidden]");
  if (next) next.hidden = false;
  if (!b.parentElement.querySelector(".hint[hidden]")) b.disabled = true;
  if (b.dataset.step !== undefined) send({ type: "hint", step: Number(b.dataset.step) });
});

// Commands in the lesson go into the terminal with a click (not run:
// the learner reads them there and presses Enter).
const runnable = /^(kubectl|k|node|curl|sleep|crash) /;
function paste(cmd) {
  main.querySelector("[data-work=term]").click();
  term.set(cmd.trim());
  term.input.focus();
}
for (const pre of main.querySelectorAll(".prose pre")) {
  if (!runnable.test(pre.textContent)) continue;
  const b = document.createElement("button");
  b.type = "button";
  b.className = "paste";
  b.textContent = t("pg.paste");
  b.addEventListener("click", () => paste(pre.querySelector("code")?.textContent || pre.textContent));
  const wrap = document.createElement("div");
  wrap.className = "code";
  pre.before(wrap);
  wrap.append(pre, b);
}
for (const code of main.querySelectorAll(".prose :not(pre) > code")) {
  if (!runnable.test(code.textContent + " ")) continue;
  code.classList.add("run");
  code.tabIndex = 0;
  code.title = t("pg.paste");
  code.addEventListener("click", () => paste(code.textContent));
  code.addEventListener("keydown", (e) => { if (e.key === "Enter") paste(code.textContent); });
}

if (reduced) document.documentElement.classList.add("reduced");
connect();
term.input.focus();
