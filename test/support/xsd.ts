import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from './keys.js';
import { externalTool, runTool, withTempDir } from './xmlsec.js';

/** The OASIS / W3C schemas copied into the repository. */
export const schemas = {
  /** SAML 2.0 protocol; imports the assertion and XML-DSig schemas from the same folder. */
  protocol: join(fixturesDir, 'schemas/saml-schema-protocol-2.0.xsd'),
  /** SAML 2.0 assertion (a decrypted Assertion on its own). */
  assertion: join(fixturesDir, 'schemas/saml-schema-assertion-2.0.xsd'),
  /** SOAP 1.1 envelope (Body content is `processContents="lax"`). */
  soapEnvelope: join(fixturesDir, 'schemas/envelope.xsd'),
  /**
   * SAML 2.0 metadata with the extension schemas (algsupport, mdui, mdattr, mdrpi, shibmd):
   * `md:Extensions` is `processContents="lax"`, so only this entry point checks what is inside.
   */
  metadataWithExtensions: join(fixturesDir, 'schemas/metadata-with-extensions.xsd'),
} as const;

/**
 * True when xmllint (Debian package `libxml2-utils`) is installed; for
 * `describe.skipIf(!hasXmllint())`. Throws on CI when it is missing.
 */
export function hasXmllint(): boolean {
  return externalTool('xmllint', 'libxml2-utils') !== undefined;
}

/** The exact xmllint arguments before the document files. `--nonet`: the schemas are all local. */
export function xmllintArgs(schema: string): string[] {
  return ['--noout', '--nonet', '--schema', schema];
}

/**
 * Validates several documents against one XSD in a single xmllint run and
 * returns, per document name, the list of xmllint's messages about it: an
 * empty list means "validates". Names become file names, so keep them simple.
 */
export function schemaErrors(schema: string, documents: Record<string, string>): Record<string, string[]> {
  const binary = externalTool('xmllint', 'libxml2-utils');
  if (!binary) throw new Error('xmllint is not installed (Debian package libxml2-utils)');
  const names = Object.keys(documents);
  if (names.length === 0) return {};
  for (const name of names) {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`document name must be a plain file name: ${name}`);
  }
  return withTempDir((dir) => {
    const files = names.map((name) => join(dir, `${name}.xml`));
    names.forEach((name, i) => {
      writeFileSync(files[i]!, documents[name]!);
    });
    const result = runTool(binary, [...xmllintArgs(schema), ...files], dir);
    const lines = result.output.split('\n').filter((line) => line.length > 0);
    const about = (line: string, file: string) => line.startsWith(`${file}:`) || line.startsWith(`${file} `);
    const report: Record<string, string[]> = {};
    names.forEach((name, i) => {
      const file = files[i]!;
      const own = lines.filter((line) => about(line, file));
      const verdict = own.filter((line) => line === `${file} validates`);
      // Anything else xmllint said about this file (errors, "fails to validate") is reported.
      const problems = own
        .filter((line) => line !== `${file} validates`)
        .map((line) => line.slice(dir.length + 1));
      report[name] =
        verdict.length === 1 ? problems : [...problems, 'xmllint printed no "validates" verdict'];
    });
    const unattributed = lines.filter((line) => !files.some((file) => about(line, file)));
    if (unattributed.length > 0 || (!result.ok && Object.values(report).every((p) => p.length === 0))) {
      throw new Error(`xmllint failed:\n${result.output}`);
    }
    return report;
  });
}

/** The report {@link schemaErrors} gives when every named document validates. */
export function allValid(documents: Record<string, string>): Record<string, string[]> {
  return Object.fromEntries(Object.keys(documents).map((name) => [name, []]));
}
