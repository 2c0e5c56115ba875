const htmlSpecial = /[&<>"']/;

/** Escapes text for an HTML attribute value or text node. */
export function escapeHtml(value: string): string {
  // A base64 field value (most of the page) has none of these: one scan instead of five.
  if (!htmlSpecial.test(value)) return value;
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A hidden form field; `name` and `value` are escaped. */
export function renderHiddenInput(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}"/>`;
}

/**
 * A hidden form field for a value known to be base64 (the message samlkit itself
 * encoded): its alphabet, letters, digits, `+`, `/` and `=`, has no character HTML
 * escapes, so the value (most of the page) goes in without a scan. `name` is escaped.
 */
export function renderBase64Input(name: string, base64: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${base64}"/>`;
}

/**
 * An HTML page with a POST form carrying `inputs` (rendered by {@link renderHiddenInput}
 * or {@link renderBase64Input}) to `action` (SAMLBind §3.5.4). With a CSP nonce it
 * auto-submits through one nonce'd script and keeps a `<noscript>` button; without one it
 * contains no script at all and shows the button, so it works under a strict
 * Content-Security-Policy.
 */
export function renderPostForm(action: string, inputs: string, options: { nonce?: string } = {}): string {
  const button = '<button type="submit">Continue</button>';
  const script =
    options.nonce === undefined
      ? ''
      : `<script nonce="${escapeHtml(options.nonce)}">document.getElementById("saml-post").submit();</script>`;
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">' +
    '<title>Continue</title></head><body>' +
    `<form id="saml-post" method="post" action="${escapeHtml(action)}">${inputs}` +
    (options.nonce === undefined ? button : `<noscript>${button}</noscript>`) +
    `</form>${script}</body></html>`
  );
}
