/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Escapes text as {@link escapeHtml} does and turns its line breaks into `<br>`. */
export function escapeHtmlLines(text: string): string {
  return text.split('\n').map(escapeHtml).join('<br>');
}

/**
 * Serialises a value as JSON for a `<script type="application/json">` element. Every `<` is
 * written as `\u003c`, so a string in the results (an error message, say) cannot close the
 * element, and U+2028 and U+2029 are escaped as well, since older script parsers read them as line ends.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
