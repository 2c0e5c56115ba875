import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderErrorsDoc } from '../scripts/errors-doc.mjs';
import { errorCodes, isSamlError, SamlError } from '../src/index.js';

describe('SamlError', () => {
  it('carries code, details, cause and the suggested SAML status', () => {
    const cause = new Error('inner');
    const error = new SamlError('SAML_CONFIG_INVALID', 'invalid provider', {
      details: { issues: [{ path: ['acsUrl'], message: 'is required' }] },
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SamlError');
    expect(error.code).toBe('SAML_CONFIG_INVALID');
    expect(error.details?.issues[0]?.path).toEqual(['acsUrl']);
    expect(error.cause).toBe(cause);
    expect(error.status).toBe('Responder');
    expect(new SamlError('SAML_VERSION_MISMATCH', 'x').status).toBe('VersionMismatch');
  });

  it('is recognised across package copies by its brand, not instanceof', () => {
    const error = new SamlError('SAML_SIGNATURE_INVALID', 'bad');
    expect(isSamlError(error)).toBe(true);
    expect(isSamlError(error, 'SAML_SIGNATURE_INVALID')).toBe(true);
    expect(isSamlError(error, 'SAML_SIGNATURE_MISSING')).toBe(false);
    // A structurally identical object from "another copy" carries the same global symbol brand.
    const foreign = Object.assign(new Error('bad'), { code: 'SAML_SIGNATURE_INVALID' });
    Object.defineProperty(foreign, Symbol.for('samlkit.SamlError'), { value: true });
    expect(isSamlError(foreign, 'SAML_SIGNATURE_INVALID')).toBe(true);
    expect(isSamlError(new Error('plain'))).toBe(false);
    expect(isSamlError(Object.assign(new Error('x'), { code: 'SAML_SIGNATURE_INVALID' }))).toBe(false);
    expect(isSamlError(null)).toBe(false);
    expect(isSamlError('SAML_SIGNATURE_INVALID')).toBe(false);
  });

  it('uses SAML_ codes with a description and a SAML status each', () => {
    for (const [code, entry] of Object.entries(errorCodes)) {
      expect(code).toMatch(/^SAML_[A-Z0-9_]+$/);
      expect(entry.description.length).toBeGreaterThan(10);
      expect(['Requester', 'Responder', 'VersionMismatch']).toContain(entry.status);
    }
  });

  it('docs/errors.md is generated from the code table and has not drifted', () => {
    const documented = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    expect(documented).toBe(renderErrorsDoc(errorCodes));
  });
});
