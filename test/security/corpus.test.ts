/**
 * The attack corpus (fixtures/attacks/index.json; docs/security.md): every
 * case must be rejected with its specific SAML_* code through the public
 * receive path (`receive*` then `parse*`) and through the identity provider
 * facade, and, for XML signatures, gets a second opinion from a strictly
 * configured xml-crypto SignedXml. The controls, untouched messages of the
 * same world, must be accepted, so a rejection is never a broken setup.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { attackManifest, generateAttackCorpus } from '../../scripts/attack-corpus/index.js';
import { errorCodes } from '../../src/errors/codes.js';
import { receiveRedirect, type SamlErrorCode } from '../../src/index.js';
import { certificate, certificatePem } from '../support/keys.js';
import {
  type AttackCorpusEntry,
  asyncOutcomeOf,
  attacksDir,
  clock,
  contentOf,
  createWorld,
  firstNameIdByDescendantSearch,
  manifest,
  now,
  outcomeOf,
  readElementId,
  receiveThroughBindings,
  sendToIdp,
  verifyWithXmlCrypto,
  world,
  XmlCryptoDomParser,
  xmlCryptoXpath,
} from './corpus.js';

const byId = new Map([...manifest.controls, ...manifest.cases].map((entry) => [entry.id, entry]));

async function worldFor(entry: AttackCorpusEntry) {
  const created = await createWorld({ pending: entry.messageType === 'LogoutResponse' });
  if (created.pending) {
    // The fixtures answer this exact step: the generated IDs must not have drifted.
    expect(created.pending.logoutId).toBe(world.pending.relayState);
    const reply = created.pending.reply as { kind: string; url: string };
    expect(reply.kind).toBe('redirect');
    const request = receiveRedirect(reply.url, { trust: [certificate('idp')], clock });
    expect(request.header.id).toBe(world.pending.requestId);
    expect(request.relayState).toBe(world.pending.relayState);
  }
  if (entry.idp?.precededBy) {
    const first = byId.get(entry.idp.precededBy)!;
    expect(await asyncOutcomeOf(() => sendToIdp(created.idp, first))).toBe('accepted');
  }
  return created;
}

describe('attack corpus manifest', () => {
  it('lists every file under fixtures/attacks exactly once', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? files(path) : [relative(attacksDir, path)];
      });
    const listed = [...manifest.controls, ...manifest.cases].map((entry) => entry.file);
    expect(new Set(listed).size).toBe(listed.length);
    expect(files(attacksDir).sort()).toEqual([...listed, 'index.json'].sort());
  });

  it('is exactly what scripts/attack-corpus/ generates (regenerate: node scripts/generate-attack-corpus.mjs)', () => {
    const corpus = generateAttackCorpus();
    for (const { entry, content } of [...corpus.controls, ...corpus.cases]) {
      expect(readFileSync(attacksDir + entry.file).equals(content), entry.file).toBe(true);
    }
    expect(JSON.parse(JSON.stringify(attackManifest(corpus)))).toEqual(manifest);
  });

  it('gives every case a provenance, a known message type and binding, and a known SAML_* code', () => {
    for (const entry of manifest.cases) {
      expect(entry.id.startsWith(`${kebab(entry.messageType)}/${entry.binding}/`), entry.id).toBe(true);
      expect(entry.provenance?.length ?? 0, entry.id).toBeGreaterThan(20);
      expect(entry.via.length, entry.id).toBeGreaterThan(0);
      for (const code of [entry.expect.code, entry.expect.idpCode]) {
        if (code !== undefined) expect(Object.keys(errorCodes), entry.id).toContain(code);
      }
      expect(entry.expect.code !== undefined || entry.expect.ignored !== undefined, entry.id).toBe(true);
    }
  });

  it('covers every attack class of the security suite', () => {
    const ids = manifest.cases.map((entry) => entry.id);
    const required = [
      ...['xsw1', 'xsw2', 'xsw3', 'xsw4', 'xsw5', 'xsw8', 'w7-', 'w8-decoy', 'w9-second-root', 'w10', 'w11'],
      ...['w12', 'w13', 'w14', 'w15', 'w16', 'w17', 'w18', 'w19', 'in-ds-object', 'duplicate-id'],
      ...['comment-in-nameid', 'cdata-in-issuer', 'pi-in-sessionindex', 'keyinfo-attacker', 'other-sp-key'],
      ...['idp-own-key', 'rsa-sha1', 'hmac', 'sigalg-swapped', 'unknown-uri', 'with-comments'],
      ...['doctype-internal', 'billion-laughs', 'doctype-without', 'deflate-bomb', 'base64-oversized'],
      ...['base64-junk', 'utf16', 'latin1', 'truncated-deflate', 'trailing-bytes', 'duplicate-samlrequest'],
      ...['percent-encoded-parameter-name', 'relaystate-appended-unsigned', 'signature-not-last', 'replay'],
      ...[
        'issueinstant-far-future',
        'issueinstant-one-hour-old',
        'notonorafter-passed',
        'destination-other-idp',
      ],
      ...['issuer-unknown', 'inresponseto-not-ours', 'relaystate-81-bytes', 'sls-url-and-redirect-target'],
    ];
    for (const fragment of required)
      expect(
        ids.some((id) => id.includes(fragment)),
        fragment,
      ).toBe(true);
    for (const messageType of ['LogoutRequest', 'LogoutResponse']) {
      expect(manifest.cases.filter((entry) => entry.messageType === messageType).length).toBeGreaterThan(10);
    }
  });

  it('carries a DEFLATE bomb of at least 1000:1', () => {
    const bomb = manifest.cases.find((entry) => entry.id.endsWith('/deflate-bomb'))!;
    const query = readFileSync(attacksDir + bomb.file, 'utf8');
    const value = decodeURIComponent(/SAMLRequest=([^&]*)/.exec(query)![1]!);
    const compressed = Buffer.from(value, 'base64');
    const inflated = inflateRawSync(compressed, { maxOutputLength: 64 * 1024 * 1024 });
    expect(inflated.length).toBe(bomb.inflatedBytes);
    expect(inflated.length / compressed.length).toBeGreaterThanOrEqual(1000);
  });
});

function kebab(type: string): string {
  return type.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

describe('controls: untouched messages of the same world are accepted', () => {
  describe.each(manifest.controls)('$id', (entry) => {
    it('through receive* and parse*', () => {
      expect(outcomeOf(() => receiveThroughBindings(entry))).toBe('accepted');
    });
    it('through the identity provider facade', async () => {
      const { idp } = await worldFor(entry);
      expect(await asyncOutcomeOf(() => sendToIdp(idp, entry))).toBe('accepted');
    });
    if (entry.format === 'xml' || entry.format === 'soap') {
      it('by xml-crypto, strictly configured', () => {
        const verdict = verifyWithXmlCrypto(contentOf(entry).toString('utf8'), certificatePem('sp-a'));
        expect(verdict.error).toBeUndefined();
        expect(verdict.valid).toBe(true);
      });
    }
  });
});

const rejected = manifest.cases.filter((entry) => entry.expect.code !== undefined);

describe('corpus: every attack is rejected with its specific code', () => {
  describe.each(rejected)('$id', (entry) => {
    const code = entry.expect.code as SamlErrorCode;
    const idpCode = (entry.expect.idpCode ?? code) as SamlErrorCode;
    if (entry.via.includes('receive')) {
      it(`receive* + parse* → ${code}`, () => {
        expect(outcomeOf(() => receiveThroughBindings(entry))).toBe(code);
      });
    }
    if (entry.via.includes('idp')) {
      it(`identity provider facade → ${idpCode}`, async () => {
        const { idp } = await worldFor(entry);
        expect(await asyncOutcomeOf(() => sendToIdp(idp, entry))).toBe(idpCode);
      });
    }
  });
});

describe('xml-crypto SignedXml, strictly configured, on the same documents', () => {
  describe.each(manifest.cases.filter((entry) => entry.xmlCrypto))('$id', (entry) => {
    const xmlCrypto = entry.xmlCrypto!;
    it(`${xmlCrypto.verdict}`, () => {
      const xml = contentOf(entry).toString('utf8');
      const verdict = verifyWithXmlCrypto(xml, certificatePem('sp-a'));
      if (xmlCrypto.verdict === 'rejects') {
        expect(verdict.valid, verdict.error).toBe(false);
        return;
      }
      // xml-crypto says valid: show what it validated next to what samlkit would read.
      expect(verdict.valid, verdict.error).toBe(true);
      expect(verdict.signedReferences).toHaveLength(1);
      const validated = verdict.signedReferences[0]!;
      const validatedId = readElementId(validated, 'post');
      const readId = readElementId(xml, entry.binding);
      if (xmlCrypto.verdict === 'accepts-other-element') {
        expect(validatedId).not.toBe(readId);
      } else if (xmlCrypto.verdict === 'accepts-with-decoy') {
        expect(validatedId).toBe(readId);
        expect(validated).not.toContain(xmlCrypto.decoy);
        expect(firstNameIdByDescendantSearch(xml)).toBe(xmlCrypto.decoy);
      } else {
        expect(validatedId).toBe(readId);
        expect(xmlCrypto.note?.length ?? 0).toBeGreaterThan(20);
      }
    });
  });
});

describe('corpus: attacker data that must be ignored, not honoured', () => {
  const sls = world.providers['sp-a'].slsUrl;

  it.each(manifest.cases.filter((entry) => entry.expect.ignored === 'reply-to-configured-sls'))(
    '$id: the reply goes to the configured SLS URL, RelayState is only echoed',
    async (entry) => {
      const { idp } = await worldFor(entry);
      const result = await sendToIdp(idp, entry);
      expect(result.reply.kind).toBe('redirect');
      const url = new URL((result.reply as { url: string }).url);
      expect(`${url.origin}${url.pathname}`).toBe(sls);
      expect(url.searchParams.get('RelayState')).toBe('https://evil.example/');
      expect([...url.searchParams.keys()].sort()).toEqual([
        'RelayState',
        'SAMLResponse',
        'SigAlg',
        'Signature',
      ]);
    },
  );

  it.each(manifest.cases.filter((entry) => entry.expect.ignored === 'unknown-principal-no-session-ended'))(
    '$id: UnknownPrincipal, and no session is ended',
    async (entry) => {
      const { idp, store } = await worldFor(entry);
      const result = await sendToIdp(idp, entry);
      expect(result.status).toBe('UnknownPrincipal');
      expect(result.userId).toBeUndefined();
      expect(await store.listParticipantsByUser('alice', now.getTime())).toHaveLength(world.sessions.length);
    },
  );

  it.each(manifest.cases.filter((entry) => entry.expect.ignored === 'participant-not-logged-out'))(
    '$id: the participant is reported failed, the logout partial',
    async (entry) => {
      const { idp } = await worldFor(entry);
      const result = await sendToIdp(idp, entry);
      expect(result.status).toBe('PartialLogout');
      const spA = result.participants.find((p) => p.providerId === 'sp-a');
      expect(spA?.outcome).toBe('failed');
    },
  );
});

describe('why the strict configuration matters: xml-crypto defaults on the same corpus', () => {
  const entry = (id: string) => manifest.cases.find((e) => e.id === id)!;

  it('with getCertFromKeyInfo enabled, the attacker certificate in KeyInfo beats the pinned one', () => {
    const xml = contentOf(entry('logout-request/post/keyinfo-attacker-certificate')).toString('utf8');
    const doc = new XmlCryptoDomParser().parseFromString(xml, 'text/xml');
    const signature = xmlCryptoXpath.select1(
      "//*[local-name(.)='Signature' and namespace-uri(.)='http://www.w3.org/2000/09/xmldsig#']",
      doc as never,
    );
    const loose = new SignedXml({
      publicCert: certificatePem('sp-a'),
      getCertFromKeyInfo: SignedXml.getCertFromKeyInfo,
    });
    loose.loadSignature(signature as never);
    expect(loose.checkSignature(xml)).toBe(true);
    expect(verifyWithXmlCrypto(xml, certificatePem('sp-a')).valid).toBe(false);
  });

  it('with its default algorithm maps, an rsa-sha1 / sha1 signature verifies', () => {
    const xml = contentOf(entry('logout-request/post/rsa-sha1')).toString('utf8');
    const doc = new XmlCryptoDomParser().parseFromString(xml, 'text/xml');
    const signature = xmlCryptoXpath.select1(
      "//*[local-name(.)='Signature' and namespace-uri(.)='http://www.w3.org/2000/09/xmldsig#']",
      doc as never,
    );
    const defaults = new SignedXml({ publicCert: certificatePem('sp-a') });
    defaults.loadSignature(signature as never);
    expect(defaults.checkSignature(xml)).toBe(true);
    expect(verifyWithXmlCrypto(xml, certificatePem('sp-a')).valid).toBe(false);
  });
});
