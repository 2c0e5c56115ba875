/**
 * What the peer metadata tests (test/metadata/idp-metadata-shibboleth, -simplesamlphp
 * and -pysaml2) share: the IdP metadata each SP's own parser reads, whether that
 * parser is installed (a missing one skips loudly, and fails under CI=true), and
 * running it on a document written to a fresh temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildIdpMetadataInput, idpEndpoints } from '../../../src/index.js';
import { keyPair } from '../../support/keys.js';
import { withTempDir } from '../../support/xmlsec.js';
import { findPeer } from './processes.js';
import { pysaml2Python } from './pysaml2.js';
import { simpleSamlPhpAutoload, simpleSamlPhpInstalled } from './simplesamlphp.js';

/** The entity ID of the IdP metadata the peers read. */
export const metadataEntityId = 'https://idp.example.org/metadata';

/**
 * samlkit IdP metadata with every extension a federation member reads: two
 * kinds of scope, UI info, an entity category, organization and a contact,
 * signed with the IdP key. Each peer test changes what its peer needs.
 */
export function idpMetadataInput(changes: Partial<BuildIdpMetadataInput> = {}): BuildIdpMetadataInput {
  return {
    entityId: metadataEntityId,
    endpoints: idpEndpoints('https://idp.example.org', 'wiki'),
    signingCertificates: [keyPair('idp')],
    encryptionCertificates: [keyPair('idp')],
    scopes: ['example.org', { value: '^.+\\.example\\.org$', regexp: true }],
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
    contacts: [{ contactType: 'technical', givenName: 'Alice', emailAddresses: ['idp-ops@example.org'] }],
    sign: { key: keyPair('idp') },
    ...changes,
  };
}

/** The file, in the run's directory, that holds the metadata. */
export const metadataFile = 'idp-metadata.xml';

/** One run of a peer's metadata reader; `dir` is the temporary directory holding the files. */
export interface MetadataRun {
  binary: string;
  args: (dir: string) => string[];
  /** Written beside the metadata, by name. */
  files?: (dir: string) => Record<string, string>;
  env?: (dir: string) => NodeJS.ProcessEnv;
}

/** Writes `xml` (and the run's other files) to a fresh directory, runs the reader there and returns its stdout. */
export function runOnMetadata(xml: string, run: MetadataRun): string {
  return withTempDir((dir) => {
    writeFileSync(join(dir, metadataFile), xml);
    for (const [name, content] of Object.entries(run.files?.(dir) ?? {}))
      writeFileSync(join(dir, name), content);
    return execFileSync(run.binary, run.args(dir), {
      cwd: dir,
      encoding: 'utf8',
      ...(run.env ? { env: run.env(dir) } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  });
}

/** Runs a reader that prints JSON; `args` gets the metadata file's path. */
function readJson(xml: string, binary: string, args: (path: string) => string[]): Record<string, unknown> {
  const output = runOnMetadata(xml, { binary, args: (dir) => args(join(dir, metadataFile)) });
  return JSON.parse(output) as Record<string, unknown>;
}

/** Runs a Python `script` (pysaml2's interpreter) that prints JSON, with argv: the metadata path, then `args`. */
export const readWithPysaml2 = (xml: string, script: string, args: readonly string[]) =>
  readJson(xml, pysaml2Python, (path) => ['-c', script, path, ...args]);

/** SimpleSAMLphp's library (Debian simplesamlphp), whose SAMLParser reads metadata. */
export const simpleSamlPhpParserInstalled = () =>
  simpleSamlPhpInstalled() &&
  findPeer('SimpleSAMLphp', [simpleSamlPhpAutoload], 'simplesamlphp') !== undefined;

/** Runs a PHP `script` that prints JSON, with argv: the metadata path, then `args`. */
export const readWithSimpleSamlPhp = (xml: string, script: string, args: readonly string[]) =>
  readJson(xml, '/usr/bin/php', (path) => ['-r', script, '--', path, ...args]);
/** Shibboleth SP's `mdquery` (Debian shibboleth-sp-utils), which loads metadata as the SP does. */
export const mdqueryPath = '/usr/bin/mdquery';
export const mdqueryInstalled = () =>
  findPeer('Shibboleth SP (mdquery)', [mdqueryPath], 'shibboleth-sp-utils') !== undefined;
