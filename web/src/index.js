// Entry point of dist/widget.js. The business embeds it with one tag:
//   <script src="https://…/widget.js" data-socket-url="https://bot.example.com" defer></script>
// Options (all optional) are data- attributes on that tag.

import { ChatWidget } from "./widget.js";

function config(script) {
  const data = (script && script.dataset) || {};
  return {
    socketUrl: data.socketUrl || `${location.protocol}//${location.hostname}:5005`,
    socketPath: data.socketPath || "/socket.io/",
    title: data.title || "Massage assistant",
    subtitle: data.subtitle || "Usually replies instantly",
    greetingPayload: data.greetingPayload || "/greet",
    // Idle conversations are forgotten after this long (they may hold contact details).
    historyHours: Number(data.historyHours) > 0 ? Number(data.historyHours) : 24,
    userEvent: data.userEvent || "user_uttered",
    botEvent: data.botEvent || "bot_uttered",
  };
}

function storageOrNull(name) {
  try {
    return window[name];
  } catch {
    return null; // blocked by the browser's privacy settings
  }
}

// currentScript is null when a tag manager runs the code: fall back to the tag itself.
const script = document.currentScript || document.querySelector("script[data-socket-url]");

function start() {
  if (document.getElementById("weho-chat")) return; // embedded twice
  window.wehoChat = new ChatWidget(
    config(script),
    storageOrNull("localStorage"),
    storageOrNull("sessionStorage"),
  ).mount(document.body);
}

if (document.body) start();
else document.addEventListener("DOMContentLoaded", start);
