import { canonicalizeElement, findEnvelopedSignature, verifyEnvelopedSignature } from '../crypto/index.js';
import { SamlError } from '../errors/index.js';
import { messageTypeOf } from '../message/header.js';
import { checkTextOnlyElements } from '../message/text-only.js';
import { carryParse, type ParsedXml, parseXml } from '../xml/index.js';
import { expectedTypes, finishReceive, type Received, type ReceiveOptions, trustedKeys } from './receive.js';

/**
 * Shared tail of HTTP-POST and SOAP receiving: type check and signature
 * structure before crypto, verification with trusted keys only, then every
 * field is read from a fresh parse of the canonical signed bytes.
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
  // A fresh parse of the canonical signed bytes: the document verification walked is left behind.
  const signedParse = parseXml(verified.canonicalXml);
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
