/**
 * Text read from manifests (object names, namespaces, label values, file names, parser messages)
 * shown where a control character does harm: a newline or carriage return forges a line of a
 * terminal's, a log's or a Markdown table's output, an ANSI escape (ESC, or the one-byte CSI
 * U+009B) recolours, hides or rewrites what is already printed, and a bidirectional override
 * reorders what a reviewer reads. Each such character is shown as a visible escape instead.
 *
 * Escaped: the C0 controls (tab, newline and carriage return included), DEL, the C1 controls, the
 * Unicode line and paragraph separators, the bidirectional marks, embeddings, overrides and
 * isolates, and the byte order mark. Everything else, other non-ASCII text included, is kept.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control character shown as an escape: `\n`, `\r`, `\t`, `\x1b`, `\u202e`. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => {
    const named = NAMED[c];
    if (named !== undefined) {
      return named;
    }
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

