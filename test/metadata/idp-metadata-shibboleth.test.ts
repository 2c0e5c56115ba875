/**
 * Shibboleth SP reads samlkit's IdP metadata. `mdquery` (Debian package
 * shibboleth-sp-utils, Shibboleth SP 3.4) loads the document through the SP's
 * own MetadataProvider, configured as a federation member would: `validate="true"`
 * (its Xerces schema check, extension schemas included) and a Signature filter
 * trusting only the IdP certificate. It then prints the entity or its
 * IDPSSODescriptor as OpenSAML holds it.
 *
 * What Shibboleth SP needs, from its 3.4.1 sources:
 * - shibmd:Scope: the attribute filter's ScopeMatchesShibMDScope looks in the
 *   issuer role's Extensions, then the entity's (AttributeMatchesShibMDScopeFunctor.cpp);
 *   samlkit writes them in IDPSSODescriptor/Extensions, the first place it looks.
 * - alg:SigningMethod / alg:DigestMethod: unless `signingAlg` is configured, the SP
 *   asks the IdP role for them when it signs a front-channel or SOAP message
 *   (AbstractHandler.cpp, SOAPClient.cpp). RoleDescriptor::getSigningMethod takes
 *   role-level hints if the role has any, else entity-level ones, and picks the
 *   first it supports and has a key for (OpenSAML-C MetadataImpl.cpp); samlkit
 *   writes them at entity level only.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIdpMetadata, namespaces, signatureAlgorithms } from '../../src/index.js';
import { childElements, type Element, parseXml } from '../../src/xml/index.js';
import {
  idpMetadataInput,
  mdqueryInstalled,
  mdqueryPath,
  metadataEntityId,
  metadataFile,
  runOnMetadata,
} from '../peers/support/metadata-readers.js';
import { certificatePem, privateKeyPem } from '../support/keys.js';

const input = idpMetadataInput({
  uiInfo: {
    displayName: { en: 'Example University' },
    logos: [{ url: 'https://idp.example.org/logo.png', width: 80, height: 60 }],
  },
  entityAttributes: [
    {
      name: 'http://macedir.org/entity-category-support',
      values: ['http://refeds.org/category/research-and-scholarship'],
    },
  ],
  contacts: [
    { contactType: 'technical', emailAddresses: ['idp-ops@example.org'] },
    {
      contactType: 'other',
      remdContactType: 'http://refeds.org/metadata/contactType/security',
      emailAddresses: ['abuse@example.org'],
    },
  ],
});

/** A Shibboleth SP 3 configuration loading one metadata file, schema-checked and signature-checked. */
function spConfig(dir: string, trusted: string): string {
  const path = (name: string) => join(dir, name);
  return `<SPConfig xmlns="urn:mace:shibboleth:3.0:native:sp:config" clockSkew="180">
  <ApplicationDefaults entityID="https://sp.example.org/shibboleth" REMOTE_USER="eppn">
    <Sessions lifetime="28800" timeout="3600" relayState="ss:mem" checkAddress="false" handlerSSL="true" cookieProps="https" redirectLimit="exact">
      <SSO entityID="${metadataEntityId}">SAML2</SSO>
      <Logout>SAML2 Local</Logout>
    </Sessions>
    <Errors supportContact="root@localhost"/>
    <MetadataProvider type="XML" validate="true" path="${path(metadataFile)}">
      <MetadataFilter type="Signature" certificate="${path(trusted)}" verifyBackup="false"/>
    </MetadataProvider>
    <AttributeExtractor type="XML" validate="true" reloadChanges="false" path="/etc/shibboleth/attribute-map.xml"/>
    <AttributeFilter type="XML" validate="true" path="/etc/shibboleth/attribute-policy.xml"/>
    <CredentialResolver type="File" use="signing" key="${path('sp-key.pem')}" certificate="${path('sp-cert.pem')}"/>
  </ApplicationDefaults>
  <SecurityPolicyProvider type="XML" validate="true" path="/etc/shibboleth/security-policy.xml"/>
  <ProtocolProvider type="XML" validate="true" reloadChanges="false" path="/etc/shibboleth/protocols.xml"/>
</SPConfig>
`;
}

interface Query {
  /** What mdquery printed of the metadata, parsed; undefined when the SP did not load the entity. */
  document: Element | undefined;
  log: string;
}

/** Runs mdquery for the IdP entity (or its IDPSSODescriptor) with `xml` as the SP's metadata. */
function mdquery(xml: string, options: { role?: boolean; trusted?: string } = {}): Query {
  // mdquery prints the document and its console log on stdout, and exits 0 even when it found nothing.
  const output = runOnMetadata(xml, {
    binary: mdqueryPath,
    args: () => ['-e', metadataEntityId, ...(options.role ? ['-saml2', '-idp'] : [])],
    files: (dir) => ({
      'idp.crt': certificatePem('idp'),
      'evil.crt': certificatePem('evil'),
      'sp-cert.pem': certificatePem('sp-a'),
      'sp-key.pem': privateKeyPem('sp-a'),
      'shibboleth2.xml': spConfig(dir, options.trusted ?? 'idp.crt'),
    }),
    env: (dir) => ({ ...process.env, SHIBSP_CONFIG: join(dir, 'shibboleth2.xml') }),
  });
  const start = output.search(/<md:(EntityDescriptor|IDPSSODescriptor)[\s>]/);
  const log = start === -1 ? output : output.slice(0, start);
  return { document: start === -1 ? undefined : parseXml(output.slice(start).trim()).root, log };
}

function children(parent: Element, localName?: string): Element[] {
  return childElements(parent).filter((c) => localName === undefined || c.localName === localName);
}

describe.skipIf(!mdqueryInstalled())('Shibboleth SP 3 (mdquery) reads the IdP metadata', () => {
  it('loads the signed document with schema validation on, every extension kept', () => {
    const { document, log } = mdquery(buildIdpMetadata(input).xml);
    expect(log).not.toMatch(/ERROR|CRIT/);
    expect(document?.localName).toBe('EntityDescriptor');
    const entityExtensions = children(children(document!, 'Extensions')[0]!);
    expect(new Set(entityExtensions.map((e) => `${e.namespaceURI} ${e.localName}`))).toEqual(
      new Set([
        `${namespaces.mdattr} EntityAttributes`,
        `${namespaces.alg} DigestMethod`,
        `${namespaces.alg} SigningMethod`,
      ]),
    );
    expect(children(document!).map((e) => e.localName)).toEqual([
      'Signature',
      'Extensions',
      'IDPSSODescriptor',
      'Organization',
      'ContactPerson',
      'ContactPerson',
    ]);
    const security = children(document!, 'ContactPerson')[1]!;
    expect(security.getAttributeNS(namespaces.remd, 'contactType')).toBe(
      'http://refeds.org/metadata/contactType/security',
    );
  });

  it('finds the scopes where its attribute filter looks first: IDPSSODescriptor/Extensions', () => {
    const { document, log } = mdquery(buildIdpMetadata(input).xml, { role: true });
    expect(log).not.toMatch(/ERROR|CRIT/);
    expect(document?.localName).toBe('IDPSSODescriptor');
    const extensions = children(document!, 'Extensions');
    expect(extensions).toHaveLength(1);
    const scopes = children(extensions[0]!, 'Scope').map((s) => [
      s.namespaceURI,
      s.getAttribute('regexp'),
      s.textContent,
    ]);
    expect(scopes).toEqual([
      [namespaces.shibmd, 'false', 'example.org'],
      [namespaces.shibmd, 'true', '^.+\\.example\\.org$'],
    ]);
    expect(children(extensions[0]!, 'UIInfo')).toHaveLength(1);
  });

  it('default metadata: the signing hints are at entity level, RSA-SHA256 first, and none in the role', () => {
    const xml = buildIdpMetadata({ ...input, scopes: undefined, uiInfo: undefined }).xml;
    const entity = mdquery(xml).document!;
    const hints = children(children(entity, 'Extensions')[0]!, 'SigningMethod');
    expect(hints[0]!.getAttribute('Algorithm')).toBe(signatureAlgorithms.rsaSha256);
    expect(hints[0]!.getAttribute('MinKeySize')).toBe('2048');
    const role = children(entity, 'IDPSSODescriptor')[0]!;
    expect(children(role, 'Extensions')).toEqual([]);
  });

  it('the checks can fail: a schema-invalid extension, a changed scope and a foreign signer are refused', () => {
    const xml = buildIdpMetadata(input).xml;
    const invalid = mdquery(xml.replace('regexp="true"', 'regexp="maybe"'));
    expect(invalid.document).toBeUndefined();
    expect(invalid.log).toContain("value 'maybe' is invalid boolean");

    const tampered = mdquery(xml.replace('>example.org</shibmd:Scope>', '>evil.example</shibmd:Scope>'));
    expect(tampered.document).toBeUndefined();
    expect(tampered.log).toMatch(/SignatureMetadataFilter unable to verify signature/);

    const foreign = mdquery(xml, { trusted: 'evil.crt' });
    expect(foreign.document).toBeUndefined();
    expect(foreign.log).toMatch(/SignatureMetadataFilter unable to verify signature/);
  });
});
