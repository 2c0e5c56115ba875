import { SamlError } from '../errors/index.js';
import { childElements, type Element, element, isElement, readText, serialize } from '../xml/index.js';
import { receiveEnveloped } from './enveloped.js';
import {
  defaultReceiveLimits,
  type EarlierParse,
  parseOrReuse,
  type Received,
  type ReceiveOptions,
} from './receive.js';
import { type EnvelopedSignOptions, signedTree } from './sign-xml.js';

/**
 * Wraps a message in a SOAP 1.1 envelope for the back channel (SAMLBind §3.2),
 * enveloped-signing it first when `sign` is given. Built as a tree, not by
 * concatenating strings. `xml` is the message's text, or a builder's result
 * as it was returned (its tree is then used instead of parsing the text again).
 */
export function encodeSoap(
  xml: string | { readonly xml: string },
  options: { sign?: EnvelopedSignOptions } = {},
): string {
  const message = signedTree(xml, options.sign);
  return serialize(element('soapenv:Envelope', {}, [element('soapenv:Body', {}, [message])], ['soapenv']));
}

/** Builds a SOAP 1.1 Fault envelope, for a back-channel peer whose request could not be processed. */
export function encodeSoapFault(faultCode: 'Client' | 'Server', faultString: string): string {
  return serialize(
    element(
      'soapenv:Envelope',
      {},
      [
        element('soapenv:Body', {}, [
          element('soapenv:Fault', {}, [
            element('faultcode', {}, [`soapenv:${faultCode}`]),
            element('faultstring', {}, [faultString]),
          ]),
        ]),
      ],
      ['soapenv'],
    ),
  );
}

function textOfChild(parent: Element, name: string): string | undefined {
  for (const child of childElements(parent)) {
    if (child.localName === name && !child.namespaceURI) return readText(child);
  }
  return undefined;
}

/** Returns the single SAML element of a SOAP 1.1 envelope's Body; Faults become `SAML_SOAP_FAULT`. */
export function bodyMessage(root: Element): Element {
  if (!isElement(root, 'soapenv', 'Envelope')) {
    throw new SamlError('SAML_SOAP_FAULT', 'document is not a SOAP 1.1 envelope');
  }
  // SOAP 1.1 §4: Envelope = Header? Body, in that order, nothing else.
  const children = childElements(root);
  const header =
    children.length === 2 && isElement(children[0]!, 'soapenv', 'Header') ? children[0] : undefined;
  const body = children[children.length - 1];
  if (!body || !isElement(body, 'soapenv', 'Body') || children.length !== (header ? 2 : 1)) {
    throw new SamlError('SAML_SOAP_FAULT', 'SOAP envelope must hold an optional Header and one Body');
  }
  for (const entry of header ? childElements(header) : []) {
    // SOAP 1.1 §4.2.3: a header we must understand but do not is a fault.
    const mustUnderstand = entry.getAttributeNS(
      'http://schemas.xmlsoap.org/soap/envelope/',
      'mustUnderstand',
    );
    if (mustUnderstand === '1' || mustUnderstand === 'true') {
      throw new SamlError('SAML_SOAP_FAULT', 'SOAP header requires processing samlkit does not do');
    }
  }
  const content = childElements(body);
  if (content.length !== 1) throw new SamlError('SAML_SOAP_FAULT', 'SOAP Body must hold exactly one element');
  const message = content[0]!;
  if (isElement(message, 'soapenv', 'Fault')) {
    const faultCode = textOfChild(message, 'faultcode');
    const faultString = textOfChild(message, 'faultstring');
    throw new SamlError('SAML_SOAP_FAULT', 'SOAP peer answered with a Fault', {
      details: {
        ...(faultCode ? { faultCode } : {}),
        ...(faultString ? { faultString: faultString.slice(0, 200) } : {}),
      },
    });
  }
  return message;
}

/**
 * Receives a SAML message from a SOAP 1.1 envelope (a back-channel request or
 * the SP's answer). Same signature and message checks as HTTP-POST; the
 * signature must be enveloped in the SAML message itself.
 */
export function receiveSoap(body: string, options: ReceiveOptions): Received {
  return receiveSoapReusing(body, options, undefined);
}

/** {@link receiveSoap}, taking the parse an inspection of the same request made when the text is the same. */
export function receiveSoapReusing(
  body: string,
  options: ReceiveOptions,
  earlier: EarlierParse | undefined,
): Received {
  if (typeof body !== 'string') throw new TypeError('receiveSoap expects the response body as a string');
  const maxBytes = options.maxBytes ?? defaultReceiveLimits.maxBytes;
  const parsed = parseOrReuse(body, maxBytes, earlier);
  const message = bodyMessage(parsed.root);
  const type =
    message.localName === 'LogoutResponse' || message.localName === 'Response'
      ? 'SAMLResponse'
      : 'SAMLRequest';
  return receiveEnveloped({ ...parsed, root: message }, body, { type, binding: 'soap' }, options);
}
