import { canonicalizeElement, findEnvelopedSignature, verifyEnvelopedSignature } from '../crypto/index.js';
import { SamlError } from '../errors/index.js';
import { messageTypeOf } from '../message/header.js';
import { checkTextOnlyElements } from '../message/text-only.js';
import { carryParse, type ParsedXml, parseXml } from '../xml/index.js';
import { expectedTypes, finishReceive, type Received, type ReceiveOptions, trustedKeys } from './receive.js';

/**
 * The tree fields are read from once `parsed` verified: its root without the
 * Signature, the very element whose exclusive C14N was digested (ADR 0017).
 * A comment or CDATA section, which C14N drops or turns into text, is the one
 * thing that could make that tree read unlike its canonical bytes; `<!` is the
 * only way to write either (DOCTYPE is refused), so then the canonical bytes
 * are parsed afresh instead.
 */
function verifiedTree(parsed: ParsedXml, received: string, canonicalXml: string): ParsedXml {
  if (received.includes('<!')) return parseXml(canonicalXml);
  const { root } = parsed;
  // SOAP: the message leaves its Body, so no walk upwards reaches the unsigned envelope.
  const parent = root.parentNode;
  if (parent !== null && parent.nodeType === 1) parent.removeChild(root);
  // The one Signature the document held was removed by the enveloped-signature transform.
  return { document: parsed.document, root, ids: parsed.ids, signatureCount: 0 };
}

/**
 * Shared tail of HTTP-POST and SOAP receiving: type check and signature
 * structure before crypto, verification with trusted keys only, then every
 * field is read from the verified element itself (ADR 0017).
 */
export function receiveEnveloped(
  parsed: ParsedXml,
  xml: string,
  base: { type: 'SAMLRequest' | 'SAMLResponse'; binding: 'post' | 'soap'; relayState?: string | undefined },
  options: ReceiveOptions,
): Received {
  const trusted = trustedKeys(options);
  messageTypeOf(parsed.root, expectedTypes(base.type, options));
  checkTextOnlyElements(parsed.root);
  const signature = findEnvelopedSignature(parsed);
  if (!signature) {
    if (options.requireSignature !== false)
      throw new SamlError('SAML_SIGNATURE_MISSING', 'message is not signed');
    // Unsigned (explicit opt-out): the message itself is what was received.
    const own = parsed.root === parsed.document.documentElement ? xml : canonicalizeElement(parsed.root);
    const ownParsed = own === xml ? parsed : parseXml(own);
    const unsigned = { type: base.type, binding: base.binding, relayState: base.relayState, signed: false };
    return carryParse(finishReceive(ownParsed, own, unsigned, options), ownParsed);
  }
  const verified = verifyEnvelopedSignature(parsed, signature, trusted, options);
  const signedParse = verifiedTree(parsed, xml, verified.canonicalXml);
  const received = finishReceive(
    signedParse,
    verified.canonicalXml,
    {
      type: base.type,
      binding: base.binding,
      relayState: base.relayState,
      signed: true,
      algorithm: verified.algorithm,
      certificate: verified.certificate,
    },
    options,
  );
  return carryParse(received, signedParse);
}
