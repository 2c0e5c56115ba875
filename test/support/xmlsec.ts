import { execFileSync } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { namespaces } from '../../src/index.js';

/**
 * Finds an external binary that an interop test runs. When it is missing the
 * tests that need it are skipped with a warning naming the Debian package to
 * install, except on CI (`process.env.CI` set), where a missing tool is an
 * error: interop coverage must never vanish silently there.
 */
export function findExternalTool(binary: string, debianPackage: string): string | undefined {
  const directories = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const directory of directories) {
    if (directory === '') continue;
    const candidate = join(directory, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  const message = `${binary} not found: install the Debian package \`${debianPackage}\` (apt-get install ${debianPackage})`;
  if (process.env.CI) throw new Error(`${message}; interop tests must run on CI`);
  console.warn(`[samlkit tests] skipping interop tests: ${message}`);
  return undefined;
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'samlkit-interop-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Outcome of running a tool: exit status 0 or not, with stdout and stderr together. */
export interface ToolResult {
  ok: boolean;
  output: string;
}

/**
 * Runs `binary args` with `execFileSync`, never through a shell. stderr goes to
 * a file in `dir` so it is kept on success too (xmlsec1 and xmllint report
 * there); a non-zero exit is returned as `ok: false`, not thrown.
 */
export function runTool(binary: string, args: readonly string[], dir: string): ToolResult {
  const stderrPath = join(dir, 'stderr.log');
  const stderr = openSync(stderrPath, 'w');
  let ok = true;
  let stdout = '';
  try {
    stdout = execFileSync(binary, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', stderr],
      timeout: 30_000,
    });
  } catch (error) {
    const failure = error as { status?: number | null; stdout?: string; message: string };
    if (typeof failure.status !== 'number') throw error; // spawn failure or timeout
    ok = false;
    stdout = failure.stdout ?? '';
  } finally {
    closeSync(stderr);
  }
  return { ok, output: stdout + readFileSync(stderrPath, 'utf8') };
}

const located = new Map<string, string | undefined>();

/** {@link findExternalTool}, looked up once per process and only when a test file asks. */
export function externalTool(binary: string, debianPackage: string): string | undefined {
  if (!located.has(binary)) located.set(binary, findExternalTool(binary, debianPackage));
  return located.get(binary);
}

/**
 * True when xmlsec1 (Debian package `xmlsec1`) is installed; for `describe.skipIf(!hasXmlsec1())`.
 * Throws on CI when it is missing.
 */
export function hasXmlsec1(): boolean {
  return externalTool('xmlsec1', 'xmlsec1') !== undefined;
}

function requireXmlsec1(): string {
  const binary = externalTool('xmlsec1', 'xmlsec1');
  if (!binary) throw new Error('xmlsec1 is not installed (Debian package xmlsec1)');
  return binary;
}

/** The elements whose `ID` attribute xmlsec1 must know about to resolve `URI="#…"`. */
export type IdElement = 'LogoutRequest' | 'LogoutResponse' | 'AuthnRequest' | 'Response' | 'Assertion';

function idAttributeArgs(elements: readonly IdElement[]): string[] {
  // xmlsec1 1.2.x: `--id-attr[:<attr-name>] [<node-namespace-uri>:]<node-name>` (split on the last colon).
  return elements.flatMap((name) => [
    '--id-attr:ID',
    `${name === 'Assertion' ? namespaces.saml : namespaces.samlp}:${name}`,
  ]);
}

/**
 * The exact verify arguments (before the file names). `--enabled-key-data
 * key-name` makes xmlsec1 ignore the document's KeyInfo (X509Data, KeyValue),
 * so only the certificate we pass is used: the same trust rule as samlkit.
 * `--enabled-reference-uris same-doc` refuses external references.
 */
export function xmlsecVerifyArgs(elements: readonly IdElement[], certificateFile: string): string[] {
  return [
    '--verify',
    '--enabled-key-data',
    'key-name',
    '--enabled-reference-uris',
    'same-doc',
    ...idAttributeArgs(elements),
    '--pubkey-cert-pem',
    certificateFile,
  ];
}

export interface XmlsecVerifyResult extends ToolResult {
  /** `ok/all` of `SignedInfo References`, e.g. `1/1`, when xmlsec1 printed it. */
  references: string | undefined;
}

/**
 * Verifies the first `ds:Signature` of `xml` with xmlsec1, trusting only
 * `certificatePem`. `ok` requires exit status 0, `OK` and every reference valid.
 */
export function xmlsecVerify(
  xml: string,
  certificatePem: string,
  elements: readonly IdElement[] = ['LogoutRequest', 'LogoutResponse'],
  /** Verify the Signature this XPath selects instead of the first one (xmlsec1 `--node-xpath`). */
  nodeXpath?: string,
): XmlsecVerifyResult {
  const binary = requireXmlsec1();
  return withTempDir((dir) => {
    const certificateFile = join(dir, 'cert.pem');
    const documentFile = join(dir, 'message.xml');
    writeFileSync(certificateFile, certificatePem);
    writeFileSync(documentFile, xml);
    const select = nodeXpath === undefined ? [] : ['--node-xpath', nodeXpath];
    const result = runTool(
      binary,
      [...xmlsecVerifyArgs(elements, certificateFile), ...select, documentFile],
      dir,
    );
    const references = /SignedInfo References \(ok\/all\): (\d+\/\d+)/.exec(result.output)?.[1];
    const [good, all] = (references ?? '0/0').split('/');
    const ok = result.ok && /^OK$/m.test(result.output) && good === all && Number(all) > 0;
    return { ok, output: result.output, references };
  });
}

/**
 * The exact sign arguments (before the template file). The certificate after
 * the comma is what xmlsec1 writes into an empty `ds:X509Data` of the template.
 */
export function xmlsecSignArgs(
  elements: readonly IdElement[],
  keyFile: string,
  certificateFile: string,
  outputFile: string,
): string[] {
  return [
    '--sign',
    '--privkey-pem',
    `${keyFile},${certificateFile}`,
    ...idAttributeArgs(elements),
    '--output',
    outputFile,
  ];
}

/**
 * Signs a template (a document holding a `ds:Signature` with empty
 * DigestValue / SignatureValue) with xmlsec1 and returns the signed document.
 * Throws with xmlsec1's output when it fails.
 */
export function xmlsecSign(
  template: string,
  privateKeyPem: string,
  certificatePem: string,
  elements: readonly IdElement[] = ['LogoutRequest', 'LogoutResponse'],
): string {
  const binary = requireXmlsec1();
  return withTempDir((dir) => {
    const keyFile = join(dir, 'key.pem');
    const certificateFile = join(dir, 'cert.pem');
    const templateFile = join(dir, 'template.xml');
    const outputFile = join(dir, 'signed.xml');
    writeFileSync(keyFile, privateKeyPem);
    writeFileSync(certificateFile, certificatePem);
    writeFileSync(templateFile, template);
    const result = runTool(
      binary,
      [...xmlsecSignArgs(elements, keyFile, certificateFile, outputFile), templateFile],
      dir,
    );
    if (!result.ok) throw new Error(`xmlsec1 --sign failed:\n${result.output}`);
    return readFileSync(outputFile, 'utf8');
  });
}

/**
 * Decrypts every EncryptedData of `xml` with xmlsec1 and the given RSA private
 * key (`--decrypt`); returns the document with the plaintext in place, or
 * `ok: false` with xmlsec1's output.
 */
export function xmlsecDecrypt(xml: string, privateKeyPem: string): { ok: boolean; output: string } {
  const binary = requireXmlsec1();
  return withTempDir((dir) => {
    const keyFile = join(dir, 'key.pem');
    const inputFile = join(dir, 'in.xml');
    const outputFile = join(dir, 'out.xml');
    writeFileSync(keyFile, privateKeyPem);
    writeFileSync(inputFile, xml);
    const result = runTool(
      binary,
      ['--decrypt', '--privkey-pem', keyFile, '--output', outputFile, inputFile],
      dir,
    );
    return result.ok ? { ok: true, output: readFileSync(outputFile, 'utf8') } : result;
  });
}
