import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { renderErrorsDoc } from '../scripts/errors-doc.mjs';
import {
  errorCodes,
  type Issue,
  isSamlError,
  parseProvider,
  receivePost,
  SamlError,
  type SamlErrorCode,
  type SamlErrorDetailsByCode,
} from '../src/index.js';
import { readHeader } from '../src/message/header.js';
import { defaultAssertionConsumerService } from '../src/sso/assertion-consumer-service.js';
import { parseXml } from '../src/xml/parse.js';
import { expectCode, samlErrorOf } from './support/errors.js';

// Every code that always carries details, as a value the runtime checks below can walk.
const sampleDetails: { [C in keyof SamlErrorDetailsByCode]: SamlErrorDetailsByCode[C] } = {
  SAML_CONFIG_INVALID: { issues: [{ path: ['acsUrl'], message: 'is required' }] },
  SAML_INPUT_INVALID: { issues: [] },
  SAML_STATUS_NOT_SUCCESS: { status: 'urn:oasis:names:tc:SAML:2.0:status:Requester' },
  SAML_ISSUER_MISMATCH: { expected: 'https://sp.example.com' },
  SAML_DESTINATION_MISMATCH: {},
  SAML_IN_RESPONSE_TO_MISMATCH: { actual: '_1' },
  SAML_MESSAGE_TYPE_MISMATCH: { expected: 'LogoutRequest', actual: 'Response' },
  SAML_BINDING_LIMIT_EXCEEDED: { limit: 1 },
  SAML_XML_LIMIT_EXCEEDED: { limit: 1, kind: 'depth' },
  SAML_TRANSPORT_FAILED: { attempts: 1 },
};
const codesWithDetails = Object.keys(sampleDetails) as (keyof SamlErrorDetailsByCode)[];

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
    expect(error.details.issues[0]?.path).toEqual(['acsUrl']);
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

describe('SamlError details by code', () => {
  it('are typed for the code isSamlError narrows to, with no undefined where the code always has them', () => {
    const error: unknown = new SamlError('SAML_CONFIG_INVALID', 'invalid provider', {
      details: sampleDetails.SAML_CONFIG_INVALID,
    });
    if (!isSamlError(error, 'SAML_CONFIG_INVALID')) throw new Error('not narrowed');
    expectTypeOf(error.details).toEqualTypeOf<{ issues: Issue[] }>();
    expectTypeOf(error.details.issues[0]).toEqualTypeOf<Issue | undefined>();
    expect(error.details.issues.map((issue) => issue.path.join('.'))).toEqual(['acsUrl']);

    const limit: unknown = new SamlError('SAML_XML_LIMIT_EXCEEDED', 'too deep', {
      details: sampleDetails.SAML_XML_LIMIT_EXCEEDED,
    });
    if (!isSamlError(limit, 'SAML_XML_LIMIT_EXCEEDED')) throw new Error('not narrowed');
    expectTypeOf(limit.details.kind).toEqualTypeOf<
      'bytes' | 'depth' | 'elements' | 'attributes' | 'entities'
    >();
    expectTypeOf(limit.details.limit).toEqualTypeOf<number>();

    const status = new SamlError('SAML_STATUS_NOT_SUCCESS', 'refused', {
      details: sampleDetails.SAML_STATUS_NOT_SUCCESS,
    });
    expectTypeOf(status.details.subStatus).toEqualTypeOf<string | undefined>();
  });

  it('stay an optional free-form record for the other codes, and a union for an unknown code', () => {
    const invalid = new SamlError('SAML_SIGNATURE_INVALID', 'bad');
    expectTypeOf(invalid.details).toEqualTypeOf<Record<string, unknown> | undefined>();
    expect(invalid.details).toBeUndefined();
    const anyCode = samlErrorOf(() => {
      throw invalid;
    });
    expectTypeOf(anyCode.details).toExtend<{ issues: Issue[] } | Record<string, unknown> | undefined>();
    expectTypeOf<undefined>().toExtend<typeof anyCode.details>();
  });

  it('are required by the constructor for those codes, at compile time and at run time', () => {
    // @ts-expect-error SAML_CONFIG_INVALID always carries details.issues
    expect(() => new SamlError('SAML_CONFIG_INVALID', 'invalid provider')).toThrow(TypeError);
    const wrongShape = { details: { size: 1 } };
    // @ts-expect-error the details must have the code's shape
    expect(() => new SamlError('SAML_BINDING_LIMIT_EXCEEDED', 'too big', wrongShape)).not.toThrow();
    // A code held in a variable may be one that needs details, so the options are required.
    const code = 'SAML_SIGNATURE_INVALID' as SamlErrorCode;
    // @ts-expect-error options are required when the code is not known to be detail-free
    expect(() => new SamlError(code, 'bad')).not.toThrow();
    // Untyped callers get the same guarantee.
    const Untyped = SamlError as unknown as new (code: string, message: string, options?: unknown) => Error;
    for (const required of codesWithDetails) {
      expect(() => new Untyped(required, 'x'), required).toThrow(TypeError);
      expect(() => new Untyped(required, 'x', { details: null }), required).toThrow(TypeError);
      const error = new Untyped(required, 'x', { details: sampleDetails[required] });
      expect(isSamlError(error, required) && error.details).toBe(sampleDetails[required]);
    }
    expect(new Untyped('SAML_SIGNATURE_INVALID', 'x')).toBeInstanceOf(SamlError);
  });

  it('are filled in where samlkit throws those codes', () => {
    const config = expectCode(
      () => parseProvider({ entityId: 'https://sp.example.com', acsUrl: 'not a url' }),
      'SAML_CONFIG_INVALID',
    );
    expect(config.details.issues.map((issue) => issue.path.join('.'))).toContain('acsUrl');

    const bound = expectCode(
      () => receivePost('SAMLRequest='.padEnd(64, 'A'), { maxBytes: 8, trust: [] }),
      'SAML_BINDING_LIMIT_EXCEEDED',
    );
    expect(bound.details.limit).toBe(32);

    const format = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
    const { root } = parseXml(
      `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer Format="${format}">https://sp.example.com</saml:Issuer></samlp:LogoutRequest>`,
    );
    const issuer = expectCode(() => readHeader(root), 'SAML_ISSUER_MISMATCH');
    expect(issuer.details).toEqual({
      expected: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity',
      actual: format,
    });

    const provider = parseProvider({
      entityId: 'https://sp.example.com',
      acsUrl: 'https://sp.example.com/acs',
    });
    const acs = expectCode(
      () => defaultAssertionConsumerService({ ...provider, assertionConsumerServices: [] }),
      'SAML_CONFIG_INVALID',
    );
    expect(acs.details.issues).toEqual([
      { path: ['assertionConsumerServices'], message: 'has no POST endpoint at acsUrl' },
    ]);
  });
});
