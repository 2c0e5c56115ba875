/**
 * SimpleSAMLphp 1.19 (Debian simplesamlphp) reads samlkit's IdP metadata with
 * every extension through its own metadata parser (SAMLParser, what its metadata
 * converter and MetaRefresh use), as `saml20-idp-remote` metadata: endpoints,
 * keys, the UI display name, scopes, entity attributes, organization and contacts.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BuildIdpMetadataInput, bindingUris, buildIdpMetadata } from '../../src/index.js';
import { keyPair } from '../support/keys.js';
import { findExternalTool, withTempDir } from '../support/xmlsec.js';

const autoload = '/usr/share/simplesamlphp/vendor/autoload.php';

function hasSimpleSamlPhp(): boolean {
  const php = findExternalTool('php', 'simplesamlphp');
  if (php === undefined) return false;
  try {
    execFileSync(
      php,
      ['-r', `require '${autoload}'; exit(class_exists('SimpleSAML\\\\Metadata\\\\SAMLParser') ? 0 : 1);`],
      {
        stdio: 'ignore',
        timeout: 30_000,
      },
    );
    return true;
  } catch {
    const message = 'SimpleSAMLphp not found: install the Debian package `simplesamlphp`';
    if (process.env.CI) throw new Error(`${message}; interop tests must run on CI`);
    console.warn(`[samlkit tests] skipping SimpleSAMLphp metadata tests: ${message}`);
    return false;
  }
}

const readMetadata = `
require '${autoload}';
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

const entityId = 'https://idp.example.org/metadata';
const input: BuildIdpMetadataInput = {
  entityId,
  endpoints: { ssoPost: 'https://idp.example.org/sso', sloRedirect: 'https://idp.example.org/slo' },
  signingCertificates: [keyPair('idp')],
  encryptionCertificates: [keyPair('idp-rollover')],
  scopes: ['example.org'],
  uiInfo: { displayName: { en: 'Example University', de: 'Beispiel-Universität' } },
  entityAttributes: [
    {
      name: 'http://macedir.org/entity-category',
      values: ['http://refeds.org/category/research-and-scholarship'],
    },
  ],
  organization: {
    name: { en: 'Example University' },
    displayName: { en: 'Example University' },
    url: { en: 'https://www.example.org/' },
  },
  contacts: [{ contactType: 'support', surName: 'Helpdesk', emailAddresses: ['help@example.org'] }],
  sign: { key: keyPair('idp') },
};

function readWithSimpleSamlPhp(xml: string): Record<string, unknown> {
  return withTempDir((dir) => {
    writeFileSync(join(dir, 'idp.xml'), xml);
    const php = findExternalTool('php', 'simplesamlphp')!;
    return JSON.parse(
      execFileSync(php, ['-r', readMetadata, '--', join(dir, 'idp.xml'), entityId], {
        encoding: 'utf8',
        timeout: 60_000,
      }),
    ) as Record<string, unknown>;
  });
}

describe.skipIf(!hasSimpleSamlPhp())('SimpleSAMLphp 1.19 reads the IdP metadata', () => {
  it('as saml20-idp-remote metadata, with every extension', () => {
    const read = readWithSimpleSamlPhp(buildIdpMetadata(input).xml);
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
    expect(readWithSimpleSamlPhp(buildIdpMetadata(plain).xml)).toMatchObject({
      name: null,
      scope: null,
      entityAttributes: null,
      organization: [null, null],
      contacts: [],
    });
  });
});
