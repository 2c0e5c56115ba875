/**
 * SOAP Single Logout on `/slo` (SAMLBind §3.2): an SP's back-channel
 * LogoutRequest ends the user's session participants and is answered with a
 * signed SOAP LogoutResponse; a bad one gets a SOAP Fault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLogoutRequest, encodeSoap, nameIdFormats } from '../../src/index.js';
import { type RunningIdp, startIdp } from '../../src/serve/index.js';
import { keyPair } from '../support/keys.js';
import { Browser, type NodeSamlSp, startNodeSamlSp } from './support.js';

describe('SOAP logout at /slo', () => {
  let idp: RunningIdp;
  let sp: NodeSamlSp;
  beforeAll(async () => {
    sp = await startNodeSamlSp('soap');
    idp = await startIdp({ mode: 'test', signInAs: 'demo', serviceProviders: [sp.metadata] });
    sp.trust(idp);
  });
  afterAll(() => idp?.close());

  const post = (body: string) =>
    fetch(`${idp.url}/slo`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body });

  it('ends the session of the NameID and SessionIndex, and answers Success', async () => {
    const browser = new Browser();
    await browser.open(`${sp.origin}/login`);
    const outcome = sp.outcomes.at(-1)!;
    expect(outcome.ok).toBe(true);
    const signedIn = outcome as { nameID: string; sessionIndex?: string };
    expect((await browser.open(`${idp.url}/session`)).html).toContain(`<li>${sp.entityId}</li>`);

    const request = buildLogoutRequest({
      issuer: sp.entityId,
      destination: `${idp.url}/slo`,
      nameId: { value: signedIn.nameID, format: nameIdFormats.emailAddress },
      ...(signedIn.sessionIndex === undefined ? {} : { sessionIndex: signedIn.sessionIndex }),
    });
    const response = await post(encodeSoap(request.xml, { sign: { key: keyPair('sp-a') } }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
    const xml = await response.text();
    expect(xml).toContain(`InResponseTo="${request.id}"`);
    expect(xml).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
    expect(xml).toContain('<ds:Signature');
    expect((await browser.open(`${idp.url}/session`)).html).not.toContain(`<li>${sp.entityId}</li>`);
  });

  it('answers an unsigned or foreign-signed SOAP LogoutRequest with a SOAP Fault (HTTP 500)', async () => {
    const request = buildLogoutRequest({
      issuer: sp.entityId,
      destination: `${idp.url}/slo`,
      nameId: { value: 'demo@example.org', format: nameIdFormats.emailAddress },
    });
    for (const body of [
      encodeSoap(request.xml),
      encodeSoap(request.xml, { sign: { key: keyPair('evil') } }),
    ]) {
      const response = await post(body);
      expect(response.status).toBe(500);
      expect(await response.text()).toContain('<faultcode>soapenv:Client</faultcode>');
    }
  });
});
