import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Misbehaviour, type RunningIdp, startIdp } from '../../src/serve/index.js';
import { Browser, type NodeSamlSp, readFormOf, startNodeSamlSp } from './support.js';

describe('test mode misbehaviour switches, refused by a node-saml SP', () => {
  let idp: RunningIdp;
  let sp: NodeSamlSp;
  beforeAll(async () => {
    sp = await startNodeSamlSp('app');
    idp = await startIdp({ mode: 'test', signInAs: 'demo', serviceProviders: [sp.metadata] });
    sp.trust(idp);
  });
  afterEach(() => idp.misbehave(undefined));
  afterAll(() => idp?.close());

  /** SP-initiated SSO up to the Response the IdP posts: its XML, then what the SP says of it. */
  async function signIn(): Promise<{ xml: string; page: string; status: number }> {
    const browser = new Browser();
    const toIdp = await browser.request(`${sp.origin}/login`);
    const answer = await browser.request(toIdp.headers.get('location')!);
    const html = await answer.text();
    expect(answer.status, html).toBe(200);
    const form = readFormOf(html);
    expect(form.action).toBe(`${sp.origin}/acs`);
    const xml = Buffer.from(form.fields.SAMLResponse!, 'base64').toString('utf8');
    const landed = await browser.request(form.action, { form: form.fields });
    return { xml, page: await landed.text(), status: landed.status };
  }

  it('is honest by default', async () => {
    const { page, xml } = await signIn();
    expect(page).toBe('app: welcome demo@example.org (relay /home)');
    expect(xml.match(/<ds:Signature[\s>]/g)).toHaveLength(2);
  });

  const faults: [Misbehaviour, RegExp, (xml: string) => void][] = [
    [
      'expired-assertion',
      // node-saml checks the bearer SubjectConfirmationData's NotOnOrAfter first.
      /no valid subject confirmation/i,
      (xml) => {
        const notOnOrAfter = /<saml:Conditions NotBefore="[^"]+" NotOnOrAfter="([^"]+)"/.exec(xml)![1]!;
        expect(Date.parse(notOnOrAfter)).toBeLessThan(Date.now() - 5 * 60_000);
        const confirmation = /<saml:SubjectConfirmationData [^>]*NotOnOrAfter="([^"]+)"/.exec(xml)![1]!;
        expect(Date.parse(confirmation)).toBeLessThan(Date.now() - 5 * 60_000);
      },
    ],
    [
      'wrong-audience',
      /audience/i,
      (xml) => {
        expect(xml).toContain('<saml:Audience>https://wrong-audience.samlkit.invalid/sp</saml:Audience>');
        expect(xml).not.toContain(`<saml:Audience>${sp.entityId}</saml:Audience>`);
      },
    ],
    [
      'wrong-signing-key',
      /signature/i,
      (xml) => {
        const certificate = /<ds:X509Certificate>([^<]+)</.exec(xml)?.[1];
        const trusted = idp.certificate.replace(/-----[^-]+-----|\s/g, '');
        expect(certificate).toBeDefined();
        expect(certificate).not.toBe(trusted);
      },
    ],
    [
      'unsigned',
      /signature/i,
      (xml) => {
        expect(xml).not.toContain('Signature');
        expect(xml).toContain('<saml:Assertion');
      },
    ],
  ];

  it.each(faults)('%s: the SP refuses the Response', async (fault, error, check) => {
    idp.misbehave(fault);
    const { xml, status, page } = await signIn();
    check(xml);
    expect(status).toBe(403);
    expect(page).toMatch(error);
    idp.misbehave(undefined);
    expect((await signIn()).page).toBe('app: welcome demo@example.org (relay /home)');
  });

  it('replayed-response: the previous Response is posted again, and the SP refuses it', async () => {
    const honest = await signIn();
    expect(honest.status).toBe(200);
    idp.misbehave('replayed-response');
    const replay = await signIn();
    expect(replay.xml).toBe(honest.xml);
    expect(replay.status).toBe(403);
    expect(replay.page).toMatch(/InResponseTo/);
  });

  it('refuses an unknown fault', () => {
    expect(() => idp.misbehave('forged' as Misbehaviour)).toThrow(TypeError);
  });
});

describe('replayed-response with nothing to replay', () => {
  it('says so with 409 rather than sending an honest Response', async () => {
    const sp = await startNodeSamlSp('fresh');
    const idp = await startIdp({ mode: 'test', signInAs: 'demo', serviceProviders: [sp.metadata] });
    try {
      sp.trust(idp);
      idp.misbehave('replayed-response');
      const browser = new Browser();
      const toIdp = await browser.request(`${sp.origin}/login`);
      const answer = await browser.request(toIdp.headers.get('location')!);
      expect(answer.status).toBe(409);
      expect(await answer.text()).toContain('Nothing to replay');
      expect(sp.outcomes).toEqual([]);
    } finally {
      await idp.close();
    }
  });
});
