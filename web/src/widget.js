// The chat widget: a launcher bubble and a chat panel in a shadow root (the
// host page's CSS cannot break it), talking to Rasa's socket.io channel.
// Every text goes into the page as a text node; no HTML is ever parsed.

import { io } from "socket.io-client";
import css from "./widget.css";
import { History } from "./history.js";
import { safeUrl, segments } from "./text.js";

const MAX_INPUT = 1000;
const TYPING_TIMEOUT_MS = 20000;

const ICON_CHAT =
  "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z";
const ICON_CLOSE = "M6 6l12 12M18 6L6 18";
const ICON_COLLAPSE = "M6 9l6 6 6-6";
const ICON_RESTART = "M4 12a8 8 0 1 0 2.3-5.6M4 4v4h4";
const ICON_SEND = "M3 20l18-8L3 4v6l12 2-12 2z";

/** Makes an element; `props` are properties (className, textContent, onclick…) or attributes. */
function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key in node && !key.includes("-")) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function icon(path, filled, className = "") {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const shape = document.createElementNS(ns, "path");
  shape.setAttribute("d", path);
  svg.append(shape);
  svg.setAttribute("class", `${filled ? "filled" : "stroked"} ${className}`.trim());
  return svg;
}

function messageId() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Turns one socket.io `bot_uttered` payload into a stored message, or null. */
export function botMessage(data) {
  if (!data || typeof data !== "object") return null;
  const text = typeof data.text === "string" ? data.text : "";
  const choices = data.quick_replies || data.buttons || [];
  const buttons = (Array.isArray(choices) ? choices : [])
    .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
    .map((b) => ({ title: b.title, payload: b.payload }));
  const attachment = data.attachment;
  const image =
    attachment && attachment.type === "image" && attachment.payload
      ? safeUrl(String(attachment.payload.src))
      : null;
  if (!text && !buttons.length && !image) return null;
  return { id: messageId(), from: "bot", text, buttons, image };
}

export class ChatWidget {
  constructor(config, storage, tabStorage) {
    this.config = config;
    this.history = new History(storage, { maxAgeMs: config.historyHours * 3600 * 1000 });
    this.tabStorage = tabStorage;
    this.tabId = messageId();
    this.socket = null;
    this.ready = false; // session confirmed: messages can go out
    this.joinedSession = null;
    this.outbox = [];
    this.lastRenderedId = null;
    this.typingTimer = null;
    this.greeted = false;
  }

  mount(parent) {
    const host = el("div", { id: "weho-chat" });
    const root = host.attachShadow({ mode: "open" });
    root.append(el("style", { textContent: css }), this._build());
    parent.append(host);

    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.close(true);
    });
    window.addEventListener("storage", (event) => {
      if (!this.history.concerns(event.key)) return;
      this._renderMessages(this.history.messages());
      this._joinSession(); // another tab may have started a new conversation
    });
    this.history.expireStale();
    this._renderMessages(this.history.messages());
    if (this._tabState("open") === "1") this.open(false);
    return this;
  }

  _build() {
    const { title, subtitle } = this.config;
    this.launcher = el(
      "button",
      {
        className: "launcher",
        type: "button",
        "aria-label": `Open chat: ${title}`,
        "aria-expanded": "false",
        "aria-controls": "weho-chat-panel",
        onclick: () => (this.isOpen ? this.close(true) : this.open(true)),
      },
      [icon(ICON_CHAT, true, "when-closed"), icon(ICON_COLLAPSE, false, "when-open")],
    );
    this.status = el("p", { className: "status", role: "status", textContent: subtitle });
    this.log = el("div", {
      className: "log",
      role: "log",
      "aria-live": "polite",
      "aria-label": "Conversation",
      tabIndex: 0,
    });
    this.typing = el("div", { className: "typing", hidden: true }, [
      el("span", { className: "dot" }),
      el("span", { className: "dot" }),
      el("span", { className: "dot" }),
      el("span", { className: "sr-only", textContent: `${title} is typing` }),
    ]);
    this.input = el("textarea", {
      id: "weho-chat-input",
      rows: 1,
      maxLength: MAX_INPUT,
      placeholder: "Type your message…",
      autocomplete: "off",
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this._submit();
      }
    });
    const form = el("form", { className: "composer" }, [
      el("label", { className: "sr-only", htmlFor: "weho-chat-input", textContent: "Your message" }),
      this.input,
      el("button", { className: "send", type: "submit", "aria-label": "Send message" }, [
        icon(ICON_SEND, true),
      ]),
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this._submit();
    });
    this.panel = el(
      "section",
      {
        id: "weho-chat-panel",
        className: "panel",
        role: "dialog",
        "aria-labelledby": "weho-chat-title",
        hidden: true,
      },
      [
        el("header", {}, [
          el("div", {}, [el("h2", { id: "weho-chat-title", textContent: title }), this.status]),
          el("div", { className: "actions" }, [
            el(
              "button",
              {
                className: "icon-button",
                type: "button",
                "aria-label": "Start a new conversation",
                title: "Start a new conversation",
                onclick: () => this.restart(),
              },
              [icon(ICON_RESTART, false)],
            ),
            el(
              "button",
              {
                className: "icon-button",
                type: "button",
                "aria-label": "Close chat",
                title: "Close chat",
                onclick: () => this.close(true),
              },
              [icon(ICON_CLOSE, false)],
            ),
          ]),
        ]),
        this.log,
        el("div", { className: "typing-row", role: "status" }, [this.typing]),
        form,
      ],
    );
    return el("div", { className: "widget" }, [this.panel, this.launcher]);
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  /** Opens the panel; `byUser` moves focus into it (never on page load). */
  open(byUser) {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.setAttribute("aria-label", "Minimize chat");
    this._tabState("open", "1");
    this._connect();
    if (!this.history.messages().length && !this.greeted) {
      this.greeted = true; // the greeting lands in history, so it is asked for once
      this._send(this.config.greetingPayload);
    }
    this._scrollToEnd();
    if (byUser) this.input.focus();
  }

  close(byUser) {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-label", `Open chat: ${this.config.title}`);
    this._tabState("open", "0");
    if (byUser) this.launcher.focus();
  }

  /** Forgets this conversation (here and in the other tabs) and starts a new one. */
  restart() {
    this.history.clear();
    this._renderMessages([]);
    this.ready = false;
    this.outbox = [];
    this.joinedSession = null;
    if (this.socket && this.socket.connected) this.socket.emit("session_request", { session_id: null });
    this._send(this.config.greetingPayload);
    this.input.focus();
  }

  _joinSession() {
    const sessionId = this.history.sessionId;
    if (this.socket && this.socket.connected && sessionId && sessionId !== this.joinedSession) {
      this.socket.emit("session_request", { session_id: sessionId });
    }
  }

  _connect() {
    if (this.socket) return;
    this._setStatus("Connecting…");
    this.socket = io(this.config.socketUrl, {
      path: this.config.socketPath,
      // WebSocket first: no CORS set-up needed on the Rasa server; polling if a proxy blocks it.
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelayMax: 5000,
    });
    // Runs on every (re)connection: rejoin the same session, e.g. after a server restart.
    this.socket.on("connect", () => {
      this.socket.emit("session_request", { session_id: this.history.sessionId });
    });
    this.socket.on("session_confirm", (sessionId) => {
      this.history.sessionId = this.joinedSession = String(sessionId);
      this.ready = true;
      this._setStatus(this.config.subtitle);
      const queued = this.outbox.splice(0);
      if (queued.length) this._showTyping(true);
      for (const payload of queued) this._emit(payload);
    });
    this.socket.on("disconnect", () => {
      this.ready = false;
      this.joinedSession = null;
      this._setStatus("Reconnecting…");
    });
    this.socket.on("connect_error", () => this._setStatus("Can't reach the assistant. Retrying…"));
    this.socket.on(this.config.botEvent, (data) => this._receive(data));
  }

  _submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this._say(text, text);
  }

  /** Shows what the user said and sends `payload` (a button's payload or the text itself). */
  _say(text, payload) {
    this._append(this.history.add({ id: messageId(), from: "user", text }));
    this._send(payload);
  }

  _send(payload) {
    this.history.claimReplies(this.tabId);
    this._showTyping(true);
    if (this.ready) this._emit(payload);
    else this.outbox.push(payload); // sent once the session is (re)confirmed
  }

  _emit(payload) {
    this.socket.emit(this.config.userEvent, { message: payload, session_id: this.history.sessionId });
  }

  _receive(data) {
    if (!this.history.recordsReplies(this.tabId)) return; // the asking tab stores it; `storage` brings it here
    const message = botMessage(data);
    if (!message) return;
    this._showTyping(false);
    if (this.ready) this._setStatus(this.config.subtitle);
    this._append(this.history.add(message));
  }

  /** Renders messages after the last one shown; re-renders all when the list changed otherwise. */
  _append(messages) {
    const seen = messages.findIndex((m) => m.id === this.lastRenderedId);
    if (this.lastRenderedId && seen < 0) {
      this.log.replaceChildren();
    }
    const fresh = messages.slice(seen + 1);
    if (!fresh.length) return;
    this.log.querySelector(".replies")?.remove();
    for (const message of fresh) this.log.append(this._messageNode(message));
    const last = messages[messages.length - 1];
    this.lastRenderedId = last.id;
    if (last.from === "bot" && last.buttons?.length) this.log.append(this._repliesNode(last.buttons));
    this._scrollToEnd();
  }

  _renderMessages(messages) {
    if (!messages.length) {
      this.log.replaceChildren();
      this.lastRenderedId = null;
      return;
    }
    if (messages[messages.length - 1].from === "bot") this._showTyping(false);
    this._append(messages);
  }

  _messageNode(message) {
    const who = message.from === "user" ? "You" : this.config.title;
    const bubble = el("div", { className: `msg ${message.from}` }, [
      el("span", { className: "sr-only", textContent: `${who}: ` }),
    ]);
    if (message.from === "bot") {
      for (const part of segments(message.text)) {
        bubble.append(
          part.href
            ? el("a", { href: part.href, target: "_blank", rel: "noopener noreferrer", textContent: part.text })
            : document.createTextNode(part.text),
        );
      }
      if (message.image) bubble.append(el("img", { src: message.image, alt: "", loading: "lazy" }));
    } else {
      bubble.append(document.createTextNode(message.text));
    }
    return bubble;
  }

  _repliesNode(buttons) {
    return el(
      "div",
      { className: "replies", role: "group", "aria-label": "Suggested replies" },
      buttons.map((button) =>
        el("button", {
          type: "button",
          textContent: button.title,
          onclick: () => {
            this._say(button.title, button.payload);
            this.input.focus();
          },
        }),
      ),
    );
  }

  _showTyping(visible) {
    clearTimeout(this.typingTimer);
    this.typing.hidden = !visible;
    if (visible) {
      this.typingTimer = setTimeout(() => {
        this.typing.hidden = true;
        this._setStatus("No answer came back. Please try again.");
      }, TYPING_TIMEOUT_MS);
      this._scrollToEnd();
    }
  }

  _setStatus(text) {
    if (this.status.textContent !== text) this.status.textContent = text;
  }

  _scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  _tabState(key, value) {
    try {
      if (value === undefined) return this.tabStorage.getItem(`weho-chat:${key}`);
      this.tabStorage.setItem(`weho-chat:${key}`, value);
    } catch {
      return null; // no session storage: the panel just starts closed on reload
    }
    return null;
  }
}
