import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { namespaces } from '../../src/index.js';
import { fixturesDir } from '../support/keys.js';
import { externalTool, runTool, withTempDir } from '../support/xmlsec.js';

/** SAML 2.0 metadata schema; imports XML-DSig, XML-Enc, the assertion schema and xml.xsd from the same folder. */
export const metadataSchema = join(fixturesDir, 'schemas/saml-schema-metadata-2.0.xsd');

/**
 * Entry point importing SAML metadata with the algsupport, mdui, mdattr, mdrpi and shibmd schemas:
 * `md:Extensions` is `processContents="lax"`, so only with this schema does xmllint check them.
 */
export const metadataWithExtensionsSchema = join(fixturesDir, 'schemas/metadata-with-extensions.xsd');

/**
 * Verifies the signature of a metadata document with xmlsec1, trusting only
 * `certificatePem` (`--enabled-key-data key-name` keeps xmlsec1 away from the
 * document's KeyInfo) and resolving `ID` on md:EntityDescriptor and
 * md:EntitiesDescriptor. `ok` needs exit 0, `OK` and every reference valid.
 */
export function xmlsecVerifyMetadata(xml: string, certificatePem: string): { ok: boolean; output: string } {
  const binary = externalTool('xmlsec1', 'xmlsec1');
  if (!binary) throw new Error('xmlsec1 is not installed (Debian package xmlsec1)');
  return withTempDir((dir) => {
    writeFileSync(join(dir, 'cert.pem'), certificatePem);
    writeFileSync(join(dir, 'metadata.xml'), xml);
    const result = runTool(
      binary,
      [
        '--verify',
        '--enabled-key-data',
        'key-name',
        '--enabled-reference-uris',
        'same-doc',
        '--id-attr:ID',
        `${namespaces.md}:EntityDescriptor`,
        '--id-attr:ID',
        `${namespaces.md}:EntitiesDescriptor`,
        '--pubkey-cert-pem',
        join(dir, 'cert.pem'),
        join(dir, 'metadata.xml'),
      ],
      dir,
    );
    const references = /SignedInfo References \(ok\/all\): (\d+)\/(\d+)/.exec(result.output);
    const ok =
      result.ok && /^OK$/m.test(result.output) && references !== null && references[1] === references[2];
    return { ok, output: result.output };
  });
}
