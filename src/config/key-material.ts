import { z } from 'zod';
import { isKeyPair, type KeyPair, type KeyPairInput, loadKeyPair } from '../crypto/keys.js';
import { isSamlError } from '../errors/index.js';
import { isRecord } from './issues.js';

const keyPairInputSchema = z.strictObject({
  certificate: z.string({ error: 'must be a PEM or base64 DER certificate string' }),
  privateKey: z.string({ error: 'must be a PEM string' }).optional(),
  passphrase: z.string({ error: 'must be a string' }).optional(),
});

type Ctx = z.core.$RefinementCtx<unknown>;

/** Loads PEM through loadKeyPair and turns its SAML_KEY_INVALID into an issue on this field. */
function loadOrReport(input: KeyPairInput, ctx: Ctx): KeyPair {
  try {
    return loadKeyPair(input);
  } catch (error) {
    // loadKeyPair's messages are fixed-form (no key bytes), so they are safe to pass on.
    const reason = isSamlError(error) ? error.message : 'unreadable key material';
    ctx.addIssue({ code: 'custom', message: `could not be loaded: ${reason}` });
    return z.NEVER;
  }
}

function loadFromObject(value: Record<string, unknown>, ctx: Ctx): KeyPair {
  const parsed = keyPairInputSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
    return z.NEVER;
  }
  const { certificate, privateKey, passphrase } = parsed.data;
  return loadOrReport(
    {
      certificate,
      ...(privateKey === undefined ? {} : { privateKey }),
      ...(passphrase === undefined ? {} : { passphrase }),
    },
    ctx,
  );
}

/**
 * @internal A signing slot: a KeyPair, or `{ certificate, privateKey?, passphrase? }`.
 * A bare string is refused because it can only ever be a certificate.
 */
export const signingKeyPairSchema = z.unknown().transform((value, ctx): KeyPair => {
  if (isKeyPair(value)) return value;
  if (isRecord(value)) return loadFromObject(value, ctx);
  ctx.addIssue({ code: 'custom', message: 'must be a KeyPair or { certificate, privateKey, passphrase? }' });
  return z.NEVER;
});

/** @internal A certificate slot: a KeyPair, a PEM / base64 DER certificate string, or loader input. */
export const certificateSchema = z.unknown().transform((value, ctx): KeyPair => {
  if (isKeyPair(value)) return value;
  if (typeof value === 'string') return loadOrReport({ certificate: value }, ctx);
  if (isRecord(value)) return loadFromObject(value, ctx);
  ctx.addIssue({ code: 'custom', message: 'must be a KeyPair, a PEM certificate or { certificate }' });
  return z.NEVER;
});
