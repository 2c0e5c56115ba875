import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { namespaces } from '../constants/namespaces.js';
import { parseXml, type XmlLimits } from '../xml/index.js';
import { soapMessageXml } from './decode.js';

/** Options of {@link validateSchema}. */
export interface ValidateSchemaOptions {
  /**
   * A folder holding the OASIS / W3C schemas under their usual file names. Defaults to the copy
   * this package ships (`fixtures/schemas/` inside it).
   */
  schemaDirectory?: string;
  /** The xmllint executable. Default `xmllint` on the PATH (Debian/Ubuntu: `libxml2-utils`). */
  xmllint?: string;
  limits?: XmlLimits;
}

/** What xmllint said about one document. */
export interface SchemaReport {
  valid: boolean;
  /** The schema file it was checked against. */
  schema: string;
  /** xmllint's messages, one per line, with the temporary file name replaced by `document`. */
  errors: string[];
}

const schemaFiles = new Map<string, string>([
  [namespaces.samlp, 'saml-schema-protocol-2.0.xsd'],
  [namespaces.saml, 'saml-schema-assertion-2.0.xsd'],
  // md:Extensions is processContents="lax": only this entry point checks what is inside it.
  [namespaces.md, 'metadata-with-extensions.xsd'],
  [namespaces.soapenv, 'envelope.xsd'],
]);

let shipped: string | undefined;

/** The schemas shipped with the package: found from this module, in `src/testing/` or in `dist/`. */
function shippedSchemas(): string {
  if (shipped !== undefined) return shipped;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 4; level++) {
    const candidate = join(dir, 'fixtures', 'schemas');
    if (existsSync(join(candidate, 'saml-schema-protocol-2.0.xsd'))) {
      shipped = candidate;
      return candidate;
    }
    dir = dirname(dir);
  }
  throw new Error('the schemas shipped with samlkit were not found; pass schemaDirectory');
}

/** True when `xmllint` (or the given executable) runs; for skipping schema checks where it is missing. */
export function hasXmllint(executable = 'xmllint'): boolean {
  const run = spawnSync(executable, ['--version'], { encoding: 'utf8' });
  return run.error === undefined && run.status === 0;
}

/**
 * Validates a document with xmllint against the schema its root element
 * belongs to: the SAML protocol schema for `samlp:` messages, the assertion
 * schema for a bare `saml:Assertion`, metadata with the algsupport, mdui,
 * mdattr, mdrpi and shibmd extensions for `md:`, SOAP 1.1 for an envelope
 * (whose Body content is then validated as a protocol message too). Runs
 * offline (`--nonet`). Throws an `Error` when xmllint cannot run.
 */
export function validateSchema(xml: string, options: ValidateSchemaOptions = {}): SchemaReport {
  if (typeof xml !== 'string') throw new TypeError('validateSchema expects the XML document as a string');
  const root = parseXml(xml, options.limits).root;
  const file = root.namespaceURI === null ? undefined : schemaFiles.get(root.namespaceURI);
  if (file === undefined) throw new Error(`no schema for a root element in namespace ${root.namespaceURI}`);
  const schema = join(options.schemaDirectory ?? shippedSchemas(), file);
  if (!existsSync(schema)) throw new Error(`schema file not found: ${schema}`);
  const executable = options.xmllint ?? 'xmllint';
  const run = spawnSync(executable, ['--noout', '--nonet', '--schema', schema, '-'], {
    input: xml,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.error !== undefined) {
    throw new Error(`xmllint could not run (${run.error.message}); install libxml2-utils`);
  }
  const lines = `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.length > 0);
  const valid = run.status === 0 && lines.includes('- validates');
  if (!valid && run.status !== 3 && run.status !== 0 && !lines.some((l) => l.startsWith('-:'))) {
    throw new Error(`xmllint failed: ${lines.join('\n')}`);
  }
  const errors = lines
    .filter((line) => line !== '- validates')
    .map((line) => line.replace(/^-:/, 'document:'));
  let report: SchemaReport = { valid, schema, errors: valid ? [] : errors };
  if (valid && file === 'envelope.xsd') {
    // The envelope schema takes any Body content (lax): check the message itself.
    const inner = validateSchema(soapMessageXml(xml, options.limits?.maxBytes), options);
    report = { ...inner, schema };
  }
  return report;
}

/** Throws an `Error` listing xmllint's messages unless the document is schema-valid. */
export function assertSchemaValid(xml: string, options: ValidateSchemaOptions = {}): void {
  const report = validateSchema(xml, options);
  if (!report.valid)
    throw new Error(`document is not valid against ${report.schema}:\n${report.errors.join('\n')}`);
}
