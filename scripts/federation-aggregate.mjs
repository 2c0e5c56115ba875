// A realistic signed federation aggregate, for test/federation and bench/federation.mjs.
//
// The document is written directly in its exclusive-C14N form (namespace declarations where
// exclusive C14N renders them, attributes in canonical order, no empty-element tags), so its
// digest is the SHA-256 of the text itself and a 58 MB aggregate is signed in well under a second.
// The signature uses node:crypto only, none of samlkit's code: the verifier under test and
// xmlsec1 both check it independently.
import { createHash, createPrivateKey, sign } from 'node:crypto';

const ns = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  mdui: 'urn:oasis:names:tc:SAML:metadata:ui',
  mdattr: 'urn:oasis:names:tc:SAML:metadata:attribute',
  mdrpi: 'urn:oasis:names:tc:SAML:metadata:rpi',
  shibmd: 'urn:mace:shibboleth:metadata:1.0',
  remd: 'http://refeds.org/metadata',
  alg: 'urn:oasis:names:tc:SAML:metadata:algsupport',
};
const binding = {
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  artifact: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact',
  soap: 'urn:oasis:names:tc:SAML:2.0:bindings:SOAP',
  paos: 'urn:oasis:names:tc:SAML:2.0:bindings:PAOS',
};
const protocol = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const categories = {
  researchAndScholarship: 'http://refeds.org/category/research-and-scholarship',
  codeOfConduct: 'http://www.geant.net/uri/dataprotection-code-of-conduct/v1',
  personalized: 'https://refeds.org/category/personalized',
};
export const entityCategoryName = 'http://macedir.org/entity-category';

/** PEM or base64 → base64 DER on one line. */
const base64Of = (certificate) => certificate.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
/** Wrapped at 64 columns, as most metadata tools write it. */
const wrap = (base64) => `\n${base64.replace(/.{64}/g, '$&\n')}\n`;

const pad = (i) => String(i).padStart(5, '0');

function entityCategory(values, indent) {
  if (values.length === 0) return '';
  const list = values.map((v) => `\n${indent}      <saml:AttributeValue>${v}</saml:AttributeValue>`).join('');
  return `
${indent}  <mdattr:EntityAttributes xmlns:mdattr="${ns.mdattr}">
${indent}    <saml:Attribute xmlns:saml="${ns.saml}" Name="${entityCategoryName}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${list}
${indent}    </saml:Attribute>
${indent}  </mdattr:EntityAttributes>`;
}

function registrationInfo(authority) {
  return `
    <mdrpi:RegistrationInfo xmlns:mdrpi="${ns.mdrpi}" registrationAuthority="${authority}" registrationInstant="2019-03-14T09:26:53Z">
      <mdrpi:RegistrationPolicy xml:lang="en">${authority}/policy</mdrpi:RegistrationPolicy>
    </mdrpi:RegistrationInfo>`;
}

function uiInfo(name, host) {
  return `
      <mdui:UIInfo xmlns:mdui="${ns.mdui}">
        <mdui:DisplayName xml:lang="en">${name}</mdui:DisplayName>
        <mdui:Description xml:lang="en">${name} gives members of participating institutions research data &amp; tools.</mdui:Description>
        <mdui:InformationURL xml:lang="en">https://${host}/about</mdui:InformationURL>
        <mdui:PrivacyStatementURL xml:lang="en">https://${host}/privacy</mdui:PrivacyStatementURL>
        <mdui:Logo height="60" width="80" xml:lang="en">https://${host}/logo-80x60.png</mdui:Logo>
      </mdui:UIInfo>`;
}

function keyDescriptor(use, certificate, indent = '    ') {
  const useAttribute = use === undefined ? '' : ` use="${use}"`;
  const methods =
    use === 'signing'
      ? ''
      : `
${indent}  <md:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"></md:EncryptionMethod>
${indent}  <md:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#rsa-oaep"></md:EncryptionMethod>`;
  return `
${indent}<md:KeyDescriptor${useAttribute}>
${indent}  <ds:KeyInfo xmlns:ds="${ns.ds}">
${indent}    <ds:X509Data>
${indent}      <ds:X509Certificate>${wrap(certificate)}</ds:X509Certificate>
${indent}    </ds:X509Data>
${indent}  </ds:KeyInfo>${methods}
${indent}</md:KeyDescriptor>`;
}

function organization(name, host) {
  return `
  <md:Organization>
    <md:OrganizationName xml:lang="en">${name} Consortium</md:OrganizationName>
    <md:OrganizationDisplayName xml:lang="en">${name}</md:OrganizationDisplayName>
    <md:OrganizationURL xml:lang="en">https://${host}/</md:OrganizationURL>
  </md:Organization>
  <md:ContactPerson contactType="technical">
    <md:GivenName>Alex</md:GivenName>
    <md:SurName>Operator</md:SurName>
    <md:EmailAddress>mailto:operations@${host}</md:EmailAddress>
  </md:ContactPerson>
  <md:ContactPerson xmlns:remd="${ns.remd}" contactType="other" remd:contactType="http://refeds.org/metadata/contactType/security">
    <md:GivenName>Security</md:GivenName>
    <md:EmailAddress>mailto:security@${host}</md:EmailAddress>
  </md:ContactPerson>`;
}

function serviceProvider(i, options) {
  const host = `sp${pad(i)}.${options.domain(i)}`;
  const entityId = `https://${host}/shibboleth`;
  const name = `Research Service ${pad(i)}`;
  const cats = options.categories(i);
  const bad = options.bad.has(i);
  // A bad entity: its only POST endpoint has a relative Location, which SAMLMeta §2.2.2 forbids.
  const acsBase = bad ? '/Shibboleth.sso' : `https://${host}/Shibboleth.sso`;
  const [signingCert, encryptionCert] = options.spCertificates(i);
  return {
    entityId,
    xml: `
<md:EntityDescriptor entityID="${entityId}">
  <md:Extensions>${entityCategory(cats, '  ')}${registrationInfo(options.authority(i))}
  </md:Extensions>
  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="${protocol}">
    <md:Extensions>${uiInfo(name, host)}
    </md:Extensions>${
      // Half the SPs use one key for both (a KeyDescriptor without use), half a key for each use.
      i % 2 === 0
        ? keyDescriptor(undefined, signingCert)
        : `${keyDescriptor('signing', signingCert)}${keyDescriptor('encryption', encryptionCert)}`
    }
    <md:SingleLogoutService Binding="${binding.soap}" Location="https://${host}/Shibboleth.sso/SLO/SOAP"></md:SingleLogoutService>
    <md:SingleLogoutService Binding="${binding.redirect}" Location="https://${host}/Shibboleth.sso/SLO/Redirect"></md:SingleLogoutService>
    <md:SingleLogoutService Binding="${binding.post}" Location="https://${host}/Shibboleth.sso/SLO/POST"></md:SingleLogoutService>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:AssertionConsumerService Binding="${binding.post}" Location="${acsBase}/SAML2/POST" index="1" isDefault="true"></md:AssertionConsumerService>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST-SimpleSign" Location="${acsBase}/SAML2/POST-SimpleSign" index="2"></md:AssertionConsumerService>
    <md:AssertionConsumerService Binding="${binding.artifact}" Location="${acsBase}/SAML2/Artifact" index="3"></md:AssertionConsumerService>
    <md:AssertionConsumerService Binding="${binding.paos}" Location="${acsBase}/SAML2/ECP" index="4"></md:AssertionConsumerService>
    <md:AttributeConsumingService index="1">
      <md:ServiceName xml:lang="en">${name}</md:ServiceName>
      <md:RequestedAttribute FriendlyName="eduPersonPrincipalName" Name="urn:oid:1.3.6.1.4.1.5923.1.1.1.6" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" isRequired="true"></md:RequestedAttribute>
      <md:RequestedAttribute FriendlyName="mail" Name="urn:oid:0.9.2342.19200300.100.1.3" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"></md:RequestedAttribute>
    </md:AttributeConsumingService>
  </md:SPSSODescriptor>${organization(name, host)}
</md:EntityDescriptor>`,
  };
}

function identityProvider(i, options) {
  const host = `idp${pad(i)}.${options.domain(i)}`;
  const entityId = `https://${host}/idp/shibboleth`;
  const name = `University ${pad(i)}`;
  const [signingCert] = options.spCertificates(i);
  return {
    entityId,
    xml: `
<md:EntityDescriptor entityID="${entityId}">
  <md:Extensions>${entityCategory([], '  ')}${registrationInfo(options.authority(i))}
  </md:Extensions>
  <md:IDPSSODescriptor protocolSupportEnumeration="${protocol}">
    <md:Extensions>
      <shibmd:Scope xmlns:shibmd="${ns.shibmd}" regexp="false">${options.domain(i)}</shibmd:Scope>${uiInfo(name, host)}
    </md:Extensions>${keyDescriptor(undefined, signingCert)}
    <md:SingleLogoutService Binding="${binding.redirect}" Location="https://${host}/idp/profile/SAML2/Redirect/SLO"></md:SingleLogoutService>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:SingleSignOnService Binding="${binding.redirect}" Location="https://${host}/idp/profile/SAML2/Redirect/SSO"></md:SingleSignOnService>
    <md:SingleSignOnService Binding="${binding.post}" Location="https://${host}/idp/profile/SAML2/POST/SSO"></md:SingleSignOnService>
  </md:IDPSSODescriptor>${organization(name, host)}
</md:EntityDescriptor>`,
  };
}

const signedInfoOf = (id, digest) =>
  `<ds:SignedInfo xmlns:ds="${ns.ds}"><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"></ds:SignatureMethod><ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></ds:Transform><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></ds:DigestMethod><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`;

/**
 * Generates a signed aggregate. Every `identityProviderEvery`-th entity is an IdP (default: 1 in 50),
 * the others SPs; the last `nested` entities sit in a nested EntitiesDescriptor.
 * @param {import('./federation-aggregate.d.mts').AggregateOptions} input
 * @returns {import('./federation-aggregate.d.mts').GeneratedAggregate}
 */
export function generateAggregate(input) {
  const {
    entities: count,
    privateKeyPem,
    certificatePem,
    spCertificates,
    id = '_aggregate',
    name = 'urn:example:federation',
    validUntil = new Date(Date.now() + 14 * 86_400_000),
    cacheDuration = 'PT6H',
    identityProviderEvery = 50,
    badEntities = [],
    nested = 0,
    nestedValidUntil,
  } = input;
  const certificates = spCertificates.map(base64Of);
  const options = {
    domain: (i) => `member${i % 997}.example.edu`,
    authority: (i) =>
      i % 3 === 0 ? 'https://federation.example.org' : 'https://other-federation.example.net',
    categories: (i) =>
      i % 4 === 0
        ? [categories.researchAndScholarship, categories.codeOfConduct]
        : i % 4 === 1
          ? [categories.personalized]
          : [],
    spCertificates: (i) => [
      certificates[i % certificates.length],
      certificates[(i + 1) % certificates.length],
    ],
    bad: new Set(badEntities),
  };
  const parts = [];
  const entityIds = [];
  const identityProviderIds = [];
  let nestedOpen = false;
  for (let i = 0; i < count; i++) {
    if (nested > 0 && i === count - nested) {
      const until = nestedValidUntil === undefined ? '' : ` validUntil="${nestedValidUntil.toISOString()}"`;
      parts.push(
        `\n<md:EntitiesDescriptor Name="urn:example:nested"${until}>\n<md:Extensions>${registrationInfo('https://nested.example.org')}\n</md:Extensions>`,
      );
      nestedOpen = true;
    }
    const isIdp = identityProviderEvery > 0 && i % identityProviderEvery === identityProviderEvery - 1;
    const entity = isIdp ? identityProvider(i, options) : serviceProvider(i, options);
    parts.push(entity.xml);
    entityIds.push(entity.entityId);
    if (isIdp) identityProviderIds.push(entity.entityId);
  }
  if (nestedOpen) parts.push('\n</md:EntitiesDescriptor>');
  const rootStart = `<md:EntitiesDescriptor xmlns:md="${ns.md}" ID="${id}" Name="${name}" cacheDuration="${cacheDuration}" validUntil="${validUntil.toISOString()}">`;
  const body = `
<md:Extensions>
  <mdrpi:PublicationInfo xmlns:mdrpi="${ns.mdrpi}" creationInstant="2026-01-01T00:00:00Z" publicationId="${id}" publisher="https://federation.example.org"></mdrpi:PublicationInfo>
</md:Extensions>${parts.join('')}
</md:EntitiesDescriptor>`;
  const digest = createHash('sha256').update(rootStart).update(body).digest('base64');
  const signedInfo = signedInfoOf(id, digest);
  const signatureValue = sign('sha256', Buffer.from(signedInfo), createPrivateKey(privateKeyPem)).toString(
    'base64',
  );
  // In the document, SignedInfo inherits ds from Signature; its canonical form declares it itself.
  const signature = `<ds:Signature xmlns:ds="${ns.ds}">${signedInfo.replace(` xmlns:ds="${ns.ds}"`, '')}<ds:SignatureValue>${signatureValue}</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Of(certificatePem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>`;
  return {
    xml: `<?xml version="1.0" encoding="UTF-8"?>\n${rootStart}${signature}${body}\n`,
    entityIds,
    identityProviderIds,
  };
}
