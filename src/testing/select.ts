import { namespaces } from '../constants/namespaces.js';
import { evaluateXPath, parseXml, type SelectedNode, type XmlLimits } from '../xml/index.js';

export type { SelectedNode } from '../xml/index.js';

/**
 * The prefixes every XPath expression of `samlkit/testing` may use, bound to
 * their usual namespaces. `soap`, `soapenv` and `SOAP-ENV` all name SOAP 1.1.
 */
export const xpathPrefixes: Readonly<Record<string, string>> = Object.freeze({
  saml: namespaces.saml,
  samlp: namespaces.samlp,
  md: namespaces.md,
  ds: namespaces.ds,
  xenc: namespaces.xenc,
  xenc11: namespaces.xenc11,
  soap: namespaces.soapenv,
  soapenv: namespaces.soapenv,
  'SOAP-ENV': namespaces.soapenv,
  alg: namespaces.alg,
  mdui: namespaces.mdui,
  mdattr: namespaces.mdattr,
  mdrpi: 'urn:oasis:names:tc:SAML:metadata:rpi',
  shibmd: namespaces.shibmd,
  remd: namespaces.remd,
  xs: 'http://www.w3.org/2001/XMLSchema',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
});

/** Options of {@link select} and {@link evaluate}. */
export interface SelectOptions {
  /** Extra prefixes, or other namespaces for the usual ones. */
  prefixes?: Record<string, string>;
  /** Parser limits (samlkit's strict parser runs first); defaults as everywhere in samlkit. */
  limits?: XmlLimits;
}

function run(xml: string, expression: string, options: SelectOptions) {
  if (typeof xml !== 'string') throw new TypeError('expected the XML document as a string');
  if (typeof expression !== 'string') throw new TypeError('expected an XPath expression string');
  const parsed = parseXml(xml, options.limits);
  return evaluateXPath(parsed, expression, { ...xpathPrefixes, ...options.prefixes });
}

/**
 * Selects nodes with an XPath 1.0 expression over the SAML namespaces
 * ({@link xpathPrefixes}), after samlkit's strict parse. Returns plain data
 * in document order; an expression that yields no node-set is a `TypeError`
 * (use {@link evaluate} for `count(…)`, `string(…)` and friends).
 *
 * @example
 * select(xml, '/samlp:Response/saml:Assertion/saml:Subject/saml:NameID')[0]?.text
 */
export function select(xml: string, expression: string, options: SelectOptions = {}): SelectedNode[] {
  const result = run(xml, expression, options);
  if (!Array.isArray(result)) throw new TypeError(`XPath ${expression} does not select nodes`);
  return result;
}

/**
 * The XPath string value of the single node `expression` selects; throws an
 * `Error` naming the expression when it selects none or several.
 */
export function selectText(xml: string, expression: string, options: SelectOptions = {}): string {
  const found = select(xml, expression, options);
  if (found.length !== 1) {
    throw new Error(`expected exactly one node at ${expression}, found ${found.length}`);
  }
  return found[0]!.text;
}

/**
 * Evaluates an XPath 1.0 expression to a string, number or boolean
 * (`count(//ds:Signature)`, `string(/samlp:Response/@ID)`). A node-set is
 * turned into its XPath string value (that of the first node, `''` for none).
 */
export function evaluate(
  xml: string,
  expression: string,
  options: SelectOptions = {},
): string | number | boolean {
  const result = run(xml, expression, options);
  if (Array.isArray(result)) return result[0]?.text ?? '';
  return result;
}
