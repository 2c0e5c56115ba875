/**
 * SimpleSAMLphp 1.19 (Debian simplesamlphp) reads samlkit's IdP metadata with
 * every extension through its own metadata parser (SAMLParser, what its metadata
 * converter and MetaRefresh use), as `saml20-idp-remote` metadata: endpoints,
 * keys, the UI display name, scopes, entity attributes, organization and contacts.
 */
import { describe, expect, it } from 'vitest';
import { bindingUris, buildIdpMetadata } from '../../src/index.js';
import {
  idpMetadataInput,
  metadataEntityId,
  readWithSimpleSamlPhp,
  simpleSamlPhpParserInstalled,
} from '../peers/support/metadata-readers.js';
import { simpleSamlPhpAutoload } from '../peers/support/simplesamlphp.js';
import { keyPair } from '../support/keys.js';

const readMetadata = `
require '${simpleSamlPhpAutoload}';
$entities = \\SimpleSAML\\Metadata\\SAMLParser::parseDescriptorsString(file_get_contents($argv[1]));
$md = $entities[$argv[2]]->getMetadata20IdP();
echo json_encode([
  'sso' => $md['SingleSignOnService'],
  'keys' => array_map(fn ($k) => [$k['signing'], $k['encryption']], $md['keys']),
  'name' => $md['name'] ?? null,
  'scope' => $md['scope'] ?? null,
  'entityAttributes' => $md['EntityAttributes'] ?? null,
  'organization' => [$md['OrganizationName'] ?? null, $md['OrganizationURL'] ?? null],
  'contacts' => $md['contacts'] ?? null,
], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
`;

const input = idpMetadataInput({
  endpoints: { ssoPost: 'https://idp.example.org/sso', sloRedirect: 'https://idp.example.org/slo' },
  encryptionCertificates: [keyPair('idp-rollover')],
  scopes: ['example.org'],
  contacts: [{ contactType: 'support', surName: 'Helpdesk', emailAddresses: ['help@example.org'] }],
});

const readWithSamlParser = (xml: string) => readWithSimpleSamlPhp(xml, readMetadata, [metadataEntityId]);

describe.skipIf(!simpleSamlPhpParserInstalled())('SimpleSAMLphp 1.19 reads the IdP metadata', () => {
  it('as saml20-idp-remote metadata, with every extension', () => {
    const read = readWithSamlParser(buildIdpMetadata(input).xml);
    expect(read).toEqual({
      sso: [{ Binding: bindingUris.post, Location: 'https://idp.example.org/sso' }],
      keys: [
        [true, false],
        [false, true],
      ],
      name: { en: 'Example University', de: 'Beispiel-Universität' },
      scope: ['example.org'],
      entityAttributes: {
        'http://macedir.org/entity-category': ['http://refeds.org/category/research-and-scholarship'],
      },
      organization: [{ en: 'Example University' }, { en: 'https://www.example.org/' }],
      // SimpleSAMLphp strips the mailto: scheme the metadata schema's anyURI calls for.
      contacts: [{ contactType: 'support', surName: 'Helpdesk', emailAddress: ['help@example.org'] }],
    });
  });

  it('finds none of them in metadata built without the options (the check can fail)', () => {
    const { scopes, uiInfo, entityAttributes, organization, contacts, ...plain } = input;
    expect(readWithSamlParser(buildIdpMetadata(plain).xml)).toMatchObject({
      name: null,
      scope: null,
      entityAttributes: null,
      organization: [null, null],
      contacts: [],
    });
  });
});
