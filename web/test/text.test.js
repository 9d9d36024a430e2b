import assert from "node:assert/strict";
import { test } from "node:test";
import { safeUrl, segments } from "../src/text.js";

test("plain text stays one text segment, markup included", () => {
  assert.deepEqual(segments("<img src=x onerror=alert(1)>"), [{ text: "<img src=x onerror=alert(1)>" }]);
});

test("bare http(s) URLs become links without trailing punctuation", () => {
  assert.deepEqual(segments("See https://example.com/a?b=1. Thanks"), [
    { text: "See " },
    { text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
    { text: ". Thanks" },
  ]);
});

test("markdown links keep their label", () => {
  assert.deepEqual(segments("Read [our policy](https://example.com/policy) first"), [
    { text: "Read " },
    { text: "our policy", href: "https://example.com/policy" },
    { text: " first" },
  ]);
});

test("only http(s) links are made", () => {
  assert.deepEqual(segments("[click](javascript:alert(1)) data:text/html,x"), [
    { text: "[click](javascript:alert(1)) data:text/html,x" },
  ]);
  assert.equal(safeUrl("javascript:alert(1)"), null);
  assert.equal(safeUrl("/relative"), null);
  assert.equal(safeUrl("http://example.com"), "http://example.com/");
});
