import { describe, expect, it } from 'vitest';
import { SamlError } from '../../src/errors/index.js';
import { statusForError } from '../../src/sso/error-status.js';

describe('statusForError', () => {
  it('tells the SP what was wrong with its request', () => {
    const error = new SamlError(
      'SAML_SIGNATURE_INVALID',
      'signature does not verify with a trusted certificate',
    );
    expect(statusForError(error)).toEqual({
      code: 'Requester',
      subCode: 'RequestDenied',
      message: 'signature does not verify with a trusted certificate',
    });
    const context = new SamlError(
      'SAML_AUTHN_CONTEXT_UNSATISFIED',
      'the authentication does not satisfy the requested context',
    );
    expect(statusForError(context)).toMatchObject({ code: 'Responder', subCode: 'NoAuthnContext' });
    expect(statusForError(context).message).toBe('the authentication does not satisfy the requested context');
  });

  it.each([
    new SamlError('SAML_STORE_FAILED', 'redis store: connection refused'),
    new SamlError('SAML_TRANSPORT_FAILED', 'POST to http://10.0.0.7/slo failed', {
      details: { attempts: 3 },
    }),
    new SamlError('SAML_CONFIG_INVALID', 'provider sp-internal-7 has no ACS', { details: { issues: [] } }),
    new SamlError('SAML_KEY_INVALID', 'signing key file is not readable'),
  ])('keeps IdP-side failures ($code) out of the StatusMessage', (error) => {
    const status = statusForError(error);
    expect(status).toEqual({ code: 'Responder' });
  });

  it('answers anything else as a bare Responder error', () => {
    expect(statusForError(new Error('database password is hunter2'))).toEqual({ code: 'Responder' });
  });
});
