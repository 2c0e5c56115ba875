// Adversarial shapes for the complexity tests (test/security/complexity.test.ts) and
// bench/pre-auth.mjs, one list for both.
/**
 * Adversarial shapes: each turns a byte budget into
 * XML content of about that size that stresses one part of the work done
 * before a signature is verified. Content goes inside `samlp:Extensions` (or
 * `md:Extensions`), where the schema allows any foreign element.
 */

/** `unit` repeated to fill about `bytes`. */
const fill = (unit, bytes) => unit.repeat(Math.max(1, Math.floor(bytes / unit.length)));

const declarations = (count) =>
  Array.from({ length: count }, (_, i) => ` xmlns:p${i}="urn:example:ns:${i}"`).join('');
const attributes = (count) => Array.from({ length: count }, (_, i) => ` a${i}="value-${i}"`).join('');
const deepChain = (depth) =>
  `${'<x:deep-element xmlns:x="urn:example:deep">'.repeat(1)}${'<x:deep-element>'.repeat(depth - 1)}t${'</x:deep-element>'.repeat(depth)}`;

/** @type {readonly { name: string, content(bytes: number): string }[]} */
export const shapes = [
  { name: 'unterminated comments after a reference', content: (b) => `<e>&amp;${fill('<!--', b)}</e>` },
  {
    name: 'unterminated CDATA sections after a reference',
    content: (b) => `<e>&amp;${fill('<![CDATA[', b)}</e>`,
  },
  { name: 'many comments', content: (b) => `<e>${fill('<!--c-->', b)}</e>` },
  { name: 'text split by empty CDATA sections', content: (b) => `<e>${fill('a<![CDATA[]]>', b)}</e>` },
  {
    name: 'many namespace declarations (60 per element)',
    content: (b) => fill(`<p0:e${declarations(60)}/>`, b),
  },
  {
    name: 'a namespace declared on every leaf',
    content: (b) => fill('<x:e xmlns:x="urn:example:leaf"/>', b),
  },
  {
    name: 'leaves under 20 nested scopes of 20 declarations each',
    content: (b) => {
      const open = Array.from(
        { length: 20 },
        (_, level) =>
          `<q${level}:s${declarations(20).replaceAll(' xmlns:p', ` xmlns:q${level}p`)} xmlns:q${level}="urn:example:q${level}">`,
      );
      const close = Array.from({ length: 20 }, (_, level) => `</q${19 - level}:s>`).join('');
      // The frame is the same at every size; only the leaves grow with the budget.
      return open.join('') + fill('<y:e xmlns:y="urn:example:y" q0:a="v"/>', b) + close;
    },
  },
  { name: 'deep nesting (chains of 60)', content: (b) => fill(deepChain(60), b) },
  { name: 'long attribute lists (60 per element)', content: (b) => fill(`<e${attributes(60)}/>`, b) },
  { name: 'long attribute value of entity references', content: (b) => `<e a="${fill('&amp;', b)}"/>` },
  { name: 'text of character references', content: (b) => `<e>${fill('&#x41;&lt;', b)}</e>` },
  { name: 'many text-only elements', content: (b) => fill('<saml:Issuer>x</saml:Issuer>', b) },
  { name: 'many ID attributes', content: (b) => fill('<e ID="_same"/>', b) },
  {
    name: 'many ds:Reference elements in a ds:Signature',
    content: (b) =>
      `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>${fill('<ds:Reference URI="#x"/>', b)}</ds:SignedInfo></ds:Signature>`,
  },
  {
    name: 'a giant base64 line',
    content: (b) =>
      `<ds:X509Certificate xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${fill('QUJD', b)}</ds:X509Certificate>`,
  },
];
