// The console's only script: new lines of a conversation appear without a reload, and a staff
// message is sent without leaving the page. Text goes in with textContent, never as HTML.
"use strict";

const POLL_MS = 250;

function addLine(list, line) {
  const item = document.createElement("li");
  item.className = `line ${line.speaker}`;
  item.dataset.id = line.id;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = line.speaker;
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = line.text;
  item.append(who, " ", text);
  list.append(item);
  item.scrollIntoView({ block: "nearest" });
}

function followTranscript(list) {
  let busy = false;
  const status = document.getElementById("status");
  async function poll() {
    if (busy) return;
    busy = true;
    try {
      const reply = await fetch(`${list.dataset.lines}?after=${list.dataset.after}`, { credentials: "same-origin" });
      if (reply.redirected || !reply.ok) return;
      const news = await reply.json();
      for (const line of news.lines) {
        if (list.querySelector(`[data-id="${line.id}"]`)) continue;
        addLine(list, line);
        list.dataset.after = line.id;
      }
      if (status && news.status === "closed") status.textContent = "Closed: handed back to the assistant.";
    } catch (error) {
      // The console server restarting: the next poll tries again.
    } finally {
      busy = false;
    }
  }
  setInterval(poll, POLL_MS);
}

function sendWithoutReload(form) {
  const box = form.querySelector("textarea");
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!box.value.trim()) return;
    const reply = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
    if (reply.ok && !reply.url.includes("notice=")) {
      box.value = "";
    } else {
      window.location.assign(reply.url);  // the page says why (someone else has it, the assistant is unreachable)
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("transcript");
  if (list) followTranscript(list);
  const say = document.getElementById("say");
  if (say) sendWithoutReload(say);
  const inbox = document.querySelector("[data-refresh]");
  if (inbox) setTimeout(() => window.location.reload(), Number(inbox.dataset.refresh) * 1000);
});
