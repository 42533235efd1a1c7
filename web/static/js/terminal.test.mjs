import { test } from "node:test";
import assert from "node:assert/strict";
import { heredocMarker, isComplete, applyCompletion, History } from "./terminal.js";

test("heredoc markers", () => {
  assert.equal(heredocMarker("kubectl apply -f - <<EOF"), "EOF");
  assert.equal(heredocMarker("kubectl apply -f - <<'END'"), "END");
  assert.equal(heredocMarker('cat <<-"X1"'), "X1");
  assert.equal(heredocMarker("kubectl get pods"), "");
  assert.equal(heredocMarker("echo a << b"), "b");
});

test("a heredoc is complete only once its marker stands alone", () => {
  assert.ok(isComplete("kubectl get pods"));
  assert.ok(!isComplete("kubectl apply -f - <<EOF"));
  assert.ok(!isComplete("kubectl apply -f - <<EOF\nkind: Pod\nEOFX"));
  assert.ok(!isComplete("kubectl apply -f - <<EOF\nname: EOF"));
  assert.ok(isComplete("kubectl apply -f - <<EOF\nkind: Pod\nEOF"));
  assert.ok(isComplete("kubectl apply -f - <<EOF\nkind: Pod\n  EOF  "));
});

test("completion replaces the word being typed", () => {
  assert.deepEqual(applyCompletion("kubectl ge", ["get"]), { line: "kubectl get ", list: [] });
  assert.deepEqual(applyCompletion("kubectl get ", ["pods"]), { line: "kubectl get pods ", list: [] });
  assert.deepEqual(applyCompletion("kubectl get po", ["pods", "poddisruptionbudgets"]),
    { line: "kubectl get pod", list: ["pods", "poddisruptionbudgets"] });
  assert.deepEqual(applyCompletion("kubectl d", ["delete", "describe", "drain"]),
    { line: "kubectl d", list: ["delete", "describe", "drain"] });
  assert.deepEqual(applyCompletion("kubectl x", []), { line: "kubectl x", list: [] });
});

test("history walks back and forth and keeps the draft", () => {
  const h = new History(["a", "b"]);
  assert.equal(h.up("dr"), "b");
  assert.equal(h.up("b"), "a");
  assert.equal(h.up("a"), "a");
  assert.equal(h.down(), "b");
  assert.equal(h.down(), "dr");
  h.push("c");
  h.push("c");
  h.push("  ");
  assert.deepEqual(h.items, ["a", "b", "c"]);
  const small = new History([], 2);
  small.push("1"); small.push("2"); small.push("3");
  assert.deepEqual(small.items, ["2", "3"]);
});
