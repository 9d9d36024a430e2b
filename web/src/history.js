// The visitor's session id and conversation, kept in localStorage so a reload
// or another tab of the same site resumes the same conversation.

export const MAX_MESSAGES = 200;
export const DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export class History {
  constructor(storage, { prefix = "weho-chat", maxAgeMs = DEFAULT_MAX_AGE_MS } = {}) {
    this.storage = usable(storage) ? storage : memoryStorage();
    this.maxAgeMs = maxAgeMs;
    this.sessionKey = `${prefix}:session`;
    this.messagesKey = `${prefix}:messages`;
    this.senderKey = `${prefix}:sender`;
  }

  get sessionId() {
    return this.storage.getItem(this.sessionKey);
  }

  set sessionId(id) {
    const previous = this.sessionId;
    if (id === previous) return;
    this.storage.setItem(this.sessionKey, id);
    // The server gave a different session than the one shown: start afresh.
    if (previous) this.storage.setItem(this.messagesKey, "[]");
  }

  /** Forgets the session and its conversation. */
  clear() {
    this.storage.removeItem(this.sessionKey);
    this.storage.removeItem(this.messagesKey);
  }

  /**
   * Forgets a conversation idle for longer than `maxAgeMs`, so that the next
   * person at a shared computer does not find it (it may hold contact details).
   */
  expireStale(now = Date.now()) {
    const messages = this.messages();
    const last = messages[messages.length - 1];
    if (last && (typeof last.at !== "number" || now - last.at > this.maxAgeMs)) this.clear();
  }

  messages() {
    try {
      const parsed = JSON.parse(this.storage.getItem(this.messagesKey) || "[]");
      return Array.isArray(parsed) ? parsed.filter(isMessage) : [];
    } catch {
      return [];
    }
  }

  add(message, now = Date.now()) {
    const all = [...this.messages(), { ...message, at: now }].slice(-MAX_MESSAGES);
    try {
      this.storage.setItem(this.messagesKey, JSON.stringify(all));
    } catch {
      // storage full: the message is shown, just not kept
    }
    return all;
  }

  /** Marks this tab as the one whose question the bot answers next. */
  claimReplies(tabId) {
    this.storage.setItem(this.senderKey, tabId);
  }

  /**
   * Every tab of the session receives the bot's replies; only the tab that
   * asked records them, and the others pick them up from storage.
   */
  recordsReplies(tabId) {
    const sender = this.storage.getItem(this.senderKey);
    return !sender || sender === tabId;
  }

  /** Whether a `storage` event is about this conversation (null: storage cleared). */
  concerns(key) {
    return key === null || key === this.messagesKey || key === this.sessionKey;
  }
}

function isMessage(m) {
  return Boolean(m) && (m.from === "user" || m.from === "bot") && typeof m.text === "string";
}

function usable(storage) {
  try {
    const probe = "weho-chat:probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return true;
  } catch {
    return false; // no storage or blocked (privacy settings): chat without keeping history
  }
}

function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
  };
}
