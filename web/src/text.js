// Splits a bot message into plain-text and link segments. Nothing here makes
// HTML: the widget turns text segments into text nodes and links into <a>
// elements whose href passed `safeUrl`.

const LINK = /\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'])/g;

/** The URL as a string when it is an absolute http(s) URL, else null. */
export function safeUrl(candidate) {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * `[label](https://…)` and bare http(s) URLs become link segments
 * ({ text, href }); everything else stays text ({ text }).
 */
export function segments(message) {
  const parts = [];
  let last = 0;
  for (const match of message.matchAll(LINK)) {
    const [whole, label, markdownUrl, bareUrl] = match;
    const href = safeUrl(markdownUrl || bareUrl);
    if (!href) continue;
    if (match.index > last) parts.push({ text: message.slice(last, match.index) });
    parts.push({ text: label || bareUrl, href });
    last = match.index + whole.length;
  }
  if (last < message.length) parts.push({ text: message.slice(last) });
  return parts;
}
