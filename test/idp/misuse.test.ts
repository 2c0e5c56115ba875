/**
 * The facade's two kinds of failure, for what the caller passes: a mistake in
 * the calling code (the wrong kind of argument) is a TypeError; a value of the
 * right kind that cannot be used (data, often the user's own) is a SamlError.
 */
import { describe, expect, it } from 'vitest';
import { isSamlError } from '../../src/index.js';
import { postInput, ssoIdp } from '../sso/support.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isSamlError(error) ? error.code : (error as Error).name;
  }
  return 'resolved';
}

async function pending() {
  const { idp } = await ssoIdp();
  const received = await idp.receiveAuthnRequest(postInput());
  if (!received.ok) throw received.error;
  return { idp, pending: received.pending };
}

describe('TypeError for the calling code’s mistakes, SamlError for data', () => {
  it('completeAuthnRequest: the decision and the user’s shape are code; an empty id or invalid date is data', async () => {
    const { idp, pending: p } = await pending();
    expect(await codeOf(idp.completeAuthnRequest(p, { approve: true } as never))).toBe('TypeError');
    expect(await codeOf(idp.completeAuthnRequest(p, { user: null } as never))).toBe('TypeError');
    expect(await codeOf(idp.completeAuthnRequest(p, { user: { id: 7 } } as never))).toBe('TypeError');
    expect(
      await codeOf(idp.completeAuthnRequest(p, { user: { id: 'u', authnInstant: '2026-01-01' } } as never)),
    ).toBe('TypeError');
    expect(await codeOf(idp.completeAuthnRequest(p, { user: { id: '' } }))).toBe('SAML_INPUT_INVALID');
    expect(
      await codeOf(idp.completeAuthnRequest(p, { user: { id: 'u', authnInstant: new Date(Number.NaN) } })),
    ).toBe('SAML_INPUT_INVALID');
    // None of these answered the request: it can still be completed once.
    expect((await idp.completeAuthnRequest(p, { user: { id: 'u' } })).status.success).toBe(true);
  });

  it('respondToAuthnRequest needs a decide function', async () => {
    const { idp } = await ssoIdp();
    expect(await codeOf(idp.respondToAuthnRequest(postInput(), 'yes' as never))).toBe('TypeError');
  });

  it('initiateSso: a user without a string id is code', async () => {
    const { idp } = await ssoIdp();
    expect(await codeOf(idp.initiateSso('sp-a', undefined as never))).toBe('TypeError');
    expect(await codeOf(idp.initiateSso('sp-a', { id: '' }))).toBe('SAML_INPUT_INVALID');
  });

  it('logout and recordSession: the wrong kind of argument is code, an empty or unsendable value is data', async () => {
    const { idp } = await ssoIdp();
    expect(await codeOf(idp.logout(42 as never))).toBe('TypeError');
    expect(await codeOf(idp.logout('u', 'everyone' as never))).toBe('TypeError');
    expect(await codeOf(idp.logout(''))).toBe('SAML_INPUT_INVALID');
    expect(await codeOf(idp.recordSession(undefined as never))).toBe('TypeError');
    expect(
      await codeOf(
        idp.recordSession({
          providerId: 'sp-a',
          userId: 'u',
          nameId: { value: 'a\u0001' },
          sessionIndex: 's',
        }),
      ),
    ).toBe('SAML_INPUT_INVALID');
  });
});
