// The terminal: a prompt with history, Tab completion and heredocs, over
// a plain-text output that copies as it reads. Pure helpers are exported
// for tests; Terminal is the DOM part.

// heredocMarker returns the end marker a command's first line opens
// ("<<EOF", "<<'EOF'", "<<-EOF"), or "".
export function heredocMarker(firstLine) {
  const m = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(firstLine);
  return m ? m[2] : "";
}

// complete reports whether text is a whole command: no heredoc, or one
// whose end marker has been typed on a line of its own.
export function isComplete(text) {
  const lines = text.split("\n");
  const marker = heredocMarker(lines[0]);
  if (!marker) return true;
  return lines.slice(1).some((l) => l.trim() === marker);
}

// applyCompletion puts candidates into line: one candidate replaces the
// word being typed (and adds a space); several extend it to their common
// prefix and are listed.
export function applyCompletion(line, candidates) {
  if (!candidates.length) return { line, list: [] };
  const cut = line.lastIndexOf(" ") + 1;
  const head = line.slice(0, cut);
  if (candidates.length === 1) return { line: head + candidates[0] + " ", list: [] };
  let p = candidates[0];
  for (const c of candidates) while (!c.startsWith(p)) p = p.slice(0, -1);
  const word = line.slice(cut);
  return { line: head + (p.length > word.length ? p : word), list: candidates };
}

// History keeps commands, newest last, and walks them with ↑/↓; the
// line being typed is kept while walking.
export class History {
  constructor(items = [], max = 200) {
    this.items = items.slice(-max);
    this.max = max;
    this.pos = this.items.length;
    this.draft = "";
  }
  push(cmd) {
    if (cmd.trim() && this.items[this.items.length - 1] !== cmd) this.items.push(cmd);
    if (this.items.length > this.max) this.items.shift();
    this.pos = this.items.length;
    this.draft = "";
  }
  up(current) {
    if (this.pos === this.items.length) this.draft = current;
    if (this.pos > 0) this.pos--;
    return this.items[this.pos] ?? current;
  }
  down() {
    if (this.pos < this.items.length) this.pos++;
    return this.pos === this.items.length ? this.draft : this.items[this.pos];
  }
}

const MAX_LINES = 4000;

export class Terminal {
  // root holds .out (pre), textarea and .completions; opts.submit(cmd)
  // runs a command; opts.complete(line) resolves to candidates.
  constructor(root, opts) {
    this.out = root.querySelector(".out");
    this.input = root.querySelector("textarea");
    this.list = root.querySelector(".completions");
    this.opts = opts;
    const key = "podplay-history:" + (opts.id || "");
    let saved = [];
    try { saved = JSON.parse(localStorage.getItem(key) || "[]"); } catch { /* private mode */ }
    this.history = new History(Array.isArray(saved) ? saved : []);
    this.save = () => { try { localStorage.setItem(key, JSON.stringify(this.history.items)); } catch { /* full */ } };
    this.input.addEventListener("keydown", (e) => this.key(e));
    this.input.addEventListener("input", () => this.fit());
    // Enter on a whole command submits it; no stray line break is left
    // behind, whichever way the key arrives.
    this.input.addEventListener("beforeinput", (e) => {
      if (e.inputType === "insertLineBreak" && isComplete(this.input.value)) e.preventDefault();
    });
    root.addEventListener("click", (e) => {
      if (e.target === this.out && !getSelection().toString()) this.input.focus();
    });
  }

  fit() {
    const n = this.input.value.split("\n").length;
    this.input.rows = Math.min(n, 12);
  }

  key(e) {
    const v = this.input.value;
    const caret = this.input.selectionStart;
    if (e.key === "Enter" && !e.shiftKey) {
      if (!isComplete(v)) return; // a heredoc goes on: a newline
      e.preventDefault();
      this.hideList();
      const cmd = v.replace(/^\s*\n/, "").trimEnd();
      this.set("");
      if (!cmd.trim()) { this.print("$ "); return; }
      this.history.push(cmd);
      this.save();
      this.opts.submit(cmd);
    } else if (e.key === "ArrowUp" && !v.slice(0, caret).includes("\n")) {
      e.preventDefault();
      this.set(this.history.up(v));
    } else if (e.key === "ArrowDown" && !v.slice(caret).includes("\n")) {
      e.preventDefault();
      this.set(this.history.down());
    } else if (e.key === "Tab" && !v.includes("\n") && !e.shiftKey) {
      e.preventDefault();
      this.tab(v);
    } else if ((e.key === "c" && e.ctrlKey && this.input.selectionStart === this.input.selectionEnd) || e.key === "Escape") {
      if (e.key === "Escape" && this.list && !this.list.hidden) { this.hideList(); return; }
      e.preventDefault();
      if (v) this.print("$ " + v + "^C\n");
      this.set("");
    } else if (e.key === "l" && e.ctrlKey) {
      e.preventDefault();
      this.out.textContent = "";
    }
  }

  set(v) {
    this.input.value = v;
    this.fit();
    this.input.selectionStart = this.input.selectionEnd = v.length;
  }

  async tab(v) {
    let cands = [];
    try { cands = await this.opts.complete(v); } catch { return; }
    if (this.input.value !== v) return; // typed on meanwhile
    const r = applyCompletion(v, cands);
    this.set(r.line);
    this.showList(r.list);
  }

  showList(list) {
    if (!this.list) return;
    this.list.replaceChildren(...list.slice(0, 60).map((c) => {
      const li = document.createElement("li");
      li.textContent = c;
      li.setAttribute("role", "option");
      li.addEventListener("mousedown", (e) => {
        e.preventDefault();
        this.set(applyCompletion(this.input.value, [c]).line);
        this.hideList();
        this.input.focus();
      });
      return li;
    }));
    this.list.hidden = list.length === 0;
  }

  hideList() { if (this.list) this.list.hidden = true; }

  // print appends text; cls marks it (err, cmd, note) for styling only.
  print(text, cls) {
    const span = document.createElement("span");
    if (cls) span.className = cls;
    span.textContent = text.endsWith("\n") ? text : text + "\n";
    const stick = this.out.scrollTop + this.out.clientHeight >= this.out.scrollHeight - 4;
    this.out.append(span);
    while (this.out.childNodes.length > MAX_LINES) this.out.firstChild.remove();
    if (stick) this.out.scrollTop = this.out.scrollHeight;
  }
}
