import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_MAX_AGE_MS, History, MAX_MESSAGES } from "../src/history.js";

function storage() {
  const items = new Map();
  return {
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => items.set(k, String(v)),
    removeItem: (k) => items.delete(k),
  };
}

const texts = (history) => history.messages().map((m) => m.text);

test("two tabs on one storage share the session and the conversation", () => {
  const shared = storage();
  const first = new History(shared);
  first.sessionId = "abc123";
  first.add({ id: "1", from: "user", text: "hi" }, 1000);
  const second = new History(shared);
  assert.equal(second.sessionId, "abc123");
  assert.deepEqual(second.messages(), [{ id: "1", from: "user", text: "hi", at: 1000 }]);
});

test("a different session id from the server starts an empty conversation", () => {
  const history = new History(storage());
  history.add({ id: "1", from: "user", text: "asked before the session was confirmed" });
  history.sessionId = "one";
  assert.deepEqual(texts(history), ["asked before the session was confirmed"]);
  history.sessionId = "one";
  assert.equal(history.messages().length, 1);
  history.sessionId = "two";
  assert.deepEqual(history.messages(), []);
});

test("clear forgets the session and the conversation", () => {
  const history = new History(storage());
  history.sessionId = "one";
  history.add({ id: "1", from: "user", text: "hi" });
  history.clear();
  assert.equal(history.sessionId, null);
  assert.deepEqual(history.messages(), []);
});

test("a conversation idle for longer than the maximum age is forgotten", () => {
  const history = new History(storage());
  history.sessionId = "one";
  history.add({ id: "1", from: "user", text: "my phone is 555" }, 0);
  history.expireStale(DEFAULT_MAX_AGE_MS);
  assert.equal(history.messages().length, 1);
  history.expireStale(DEFAULT_MAX_AGE_MS + 1);
  assert.deepEqual(history.messages(), []);
  assert.equal(history.sessionId, null);
});

test("only the tab that asked records the replies", () => {
  const history = new History(storage());
  assert.ok(history.recordsReplies("tab-a"));
  history.claimReplies("tab-b");
  assert.ok(!history.recordsReplies("tab-a"));
  assert.ok(history.recordsReplies("tab-b"));
});

test("history is capped and ignores corrupt storage", () => {
  const shared = storage();
  const history = new History(shared);
  for (let i = 0; i < MAX_MESSAGES + 5; i++) history.add({ id: String(i), from: "bot", text: `m${i}` });
  assert.equal(history.messages().length, MAX_MESSAGES);
  assert.equal(history.messages()[0].text, "m5");
  shared.setItem("weho-chat:messages", "{not json");
  assert.deepEqual(history.messages(), []);
  shared.setItem("weho-chat:messages", JSON.stringify([{ from: "bot", text: 1 }, { from: "x", text: "a" }]));
  assert.deepEqual(history.messages(), []);
});

test("blocked storage falls back to memory", () => {
  const blocked = {
    getItem() { throw new Error("SecurityError"); },
    setItem() { throw new Error("SecurityError"); },
    removeItem() { throw new Error("SecurityError"); },
  };
  const history = new History(blocked);
  history.sessionId = "abc";
  history.add({ id: "1", from: "user", text: "hi" });
  assert.equal(history.messages().length, 1);
  assert.equal(new History(null).messages().length, 0);
});
