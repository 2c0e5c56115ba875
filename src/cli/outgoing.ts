import { encodePost } from '../bindings/post.js';
import { encodeRedirect, type SignOptions } from '../bindings/redirect.js';
import { encodeSoap } from '../bindings/soap.js';
import type { SignatureAlgorithm } from '../constants/algorithms.js';
import type { Binding } from '../constants/saml.js';
import type { MessageContext } from '../message/build-input.js';
import { oneOf, UsageError } from './command-line.js';
import type { Io } from './io.js';
import { loadSigningKey } from './key-files.js';
import { parseSignatureAlgorithm } from './names.js';

/** Options every message-building command shares: binding, signing, RelayState, reproducible ID and time. */
export const outgoingSpec = {
  binding: { type: 'string' },
  key: { type: 'string' },
  cert: { type: 'string' },
  'sig-alg': { type: 'string' },
  'relay-state': { type: 'string' },
  id: { type: 'string' },
  'issue-instant': { type: 'string' },
} as const;

export const outgoingHelp = `Binding and signing:
  --binding <name>        redirect (default): prints the URL; post: prints {"url", "fields"} as JSON;
                          soap: prints the SOAP 1.1 envelope
  --key <file>            Private key PEM file (PKCS#8, PKCS#1 or SEC1, unencrypted)
  --cert <file>           Its certificate PEM file; --key and --cert sign the message: a query signature for
                          redirect, an enveloped ds:Signature for post and soap
  --sig-alg <name|URI>    rsa-sha256 (default for RSA keys), rsa-sha384, rsa-sha512, ecdsa-sha256
                          (default for P-256), ecdsa-sha384, ecdsa-sha512
  --relay-state <text>    RelayState, at most 80 bytes (redirect and post only)
  --id <ID>               Message ID (default: _ and 32 random hex digits)
  --issue-instant <time>  IssueInstant as ISO 8601 (default: now)`;

interface OutgoingValues {
  binding?: string;
  key?: string;
  cert?: string;
  'sig-alg'?: string;
  'relay-state'?: string;
  id?: string;
  'issue-instant'?: string;
}

/** Binding, signing and context from the shared options; usage errors for combinations that cannot work. */
export function readOutgoing(
  command: string,
  values: OutgoingValues,
): { binding: Binding; sign?: SignOptions; relayState?: string; context: MessageContext } {
  const binding =
    oneOf(command, 'binding', values.binding, ['redirect', 'post', 'soap'] as const) ?? 'redirect';
  if ((values.key === undefined) !== (values.cert === undefined)) {
    throw new UsageError(
      "'--key' and '--cert' go together: the key signs, the certificate names it",
      command,
    );
  }
  const algorithm = parseSignatureAlgorithm(command, values['sig-alg']);
  if (algorithm !== undefined && values.key === undefined) {
    throw new UsageError("'--sig-alg' needs '--key' and '--cert'", command);
  }
  if (binding === 'soap' && values['relay-state'] !== undefined) {
    throw new UsageError('the SOAP binding has no RelayState', command);
  }
  const context: MessageContext = {};
  if (values.id !== undefined) context.id = values.id;
  if (values['issue-instant'] !== undefined) {
    const instant = new Date(values['issue-instant']);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(values['issue-instant']) || !Number.isFinite(instant.getTime())) {
      throw new UsageError("option '--issue-instant' must be an ISO 8601 date-time", command);
    }
    context.issueInstant = instant;
  }
  const sign =
    values.key !== undefined && values.cert !== undefined
      ? {
          key: loadSigningKey(values.key, values.cert),
          ...(algorithm === undefined ? {} : { algorithm: algorithm as SignatureAlgorithm }),
        }
      : undefined;
  return {
    binding,
    ...(sign ? { sign } : {}),
    ...(values['relay-state'] === undefined ? {} : { relayState: values['relay-state'] }),
    context,
  };
}

/** Encodes an unsigned message for its binding (signing it there) and prints the result. */
export function emitMessage(
  io: Io,
  message: {
    type: 'SAMLRequest' | 'SAMLResponse';
    xml: string;
    destination: string | undefined;
    binding: Binding;
    sign?: SignOptions;
    relayState?: string;
  },
): void {
  const { type, xml, destination, binding, sign, relayState } = message;
  if (binding === 'soap') {
    io.out(`${encodeSoap(xml, sign ? { sign } : {})}\n`);
    return;
  }
  // The builders already checked Destination; the bindings need it as the target URL.
  const target = destination ?? '';
  const common = {
    type,
    xml,
    destination: target,
    ...(sign ? { sign } : {}),
    ...(relayState === undefined ? {} : { relayState }),
  };
  if (binding === 'redirect') {
    io.out(`${encodeRedirect(common)}\n`);
  } else {
    const form = encodePost(common);
    io.out(`${JSON.stringify({ url: form.url, fields: form.fields }, null, 2)}\n`);
  }
}
