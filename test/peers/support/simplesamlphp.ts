/**
 * SimpleSAMLphp 1.19 (Debian package `simplesamlphp`) as an SP under `php -S`,
 * with its own config dir (SIMPLESAMLPHP_CONFIG_DIR): the shipped config.php
 * and authsources.php copied, changing only what must change. Each change,
 * and why it is not samlkit's to fix:
 *
 * config.php
 * - `loggingdir`, `tempdir`, `datadir`, `metadatadir`: a private directory per
 *   run instead of the system ones (the package's are owned by www-data).
 * - `logging.handler` `syslog` -> `file`, level DEBUG: the tests read the SP's
 *   log lines to report why a message was refused. No behaviour changes.
 * - `session.cookie.secure`, `language.cookie.secure` true -> false: `php -S`
 *   has no TLS, and SimpleSAMLphp refuses to set a secure cookie on plain HTTP.
 *   Deployed, TLS sits in front and the shipped value stays.
 * - with `{ browser: true }` only, `session.cookie.samesite` and
 *   `language.cookie.samesite` `None` -> unset: a real browser drops a
 *   `SameSite=None` cookie that is not also `Secure`, which it cannot be over
 *   `php -S`. Unset, the browser applies its default (Lax); the IdP and the SP
 *   share the site http://127.0.0.1, so the session cookie still goes along.
 *   The scripted browser of the peer suites ignores the attribute either way.
 * authsources.php, `default-sp`
 * - `idp`: the samlkit IdP's entity ID (shipped `null` shows a discovery page).
 * - `privatekey`, `certificate`: shipped without a key, the SP cannot sign
 *   anything or decrypt an assertion, and publishes no KeyDescriptor.
 * - `sign.logout` true: shipped, LogoutRequest/LogoutResponse go unsigned, and
 *   SAMLProf §4.4.3.1/§4.4.3.4 require the sender to authenticate them on the
 *   front channel (signature); samlkit refuses unsigned logout messages.
 * metadata/saml20-idp-remote.php: written from samlkit's IdP metadata by
 * SimpleSAMLphp's own parser (fixtures/peers/simplesamlphp/idp-remote.php).
 * php -S
 * - `opcache.revalidate_freq=0` (Debian ships 2 s, and OPcache runs under the
 *   built-in server): the tests rewrite saml20-idp-remote.php between cells,
 *   and a copy cached up to 2 s old made SimpleSAMLphp use the previous IdP
 *   metadata (a Redirect AuthnRequest where the new metadata lists only POST).
 *   A PHP runtime setting for a test that swaps metadata every second; a
 *   deployment changes metadata far less often.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certificatePem, privateKeyPem } from '../../support/keys.js';
import {
  findPeer,
  freePort,
  type PeerProcess,
  readText,
  removeDir,
  startProcess,
  tempDir,
  waitUntil,
} from './processes.js';

const shipped = '/etc/simplesamlphp';
const www = '/usr/share/simplesamlphp/www';
/** SimpleSAMLphp's class loader: its metadata parser (SAMLParser) can be used from `php -r`. */
export const simpleSamlPhpAutoload = '/usr/share/simplesamlphp/vendor/autoload.php';
const fixtures = fileURLToPath(new URL('../../../fixtures/peers/simplesamlphp/', import.meta.url));

/** The binaries, or undefined (with a loud warning; an error under CI) when not installed. */
export const simpleSamlPhpInstalled = () =>
  findPeer('SimpleSAMLphp', ['/usr/bin/php', `${www}/index.php`], 'simplesamlphp php-cli') !== undefined;

export interface SimpleSamlPhp {
  origin: string;
  /** The SP's entity ID (its metadata URL, SimpleSAMLphp's default). */
  entityId: string;
  /** The protected application page (requireAuth). */
  appUrl: string;
  /** The SP's own metadata, as it publishes it. */
  metadata(): Promise<string>;
  /**
   * Installs IdP metadata the way an admin does (converted by SimpleSAMLphp's
   * parser); with `signer`, its signature must verify with that certificate.
   * Throws with the converter's message when SimpleSAMLphp refuses it.
   */
  trustIdp(metadataXml: string, signer?: string): void;
  /** The SP's log so far. */
  log(): string;
  stop(): Promise<void>;
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`shipped SimpleSAMLphp config changed: ${pattern} not found`);
  return text.replace(pattern, replacement);
}

const php = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export interface SimpleSamlPhpOptions {
  /** Driven by a real browser: leave out the SameSite=None a browser refuses without Secure. */
  browser?: boolean;
}

export async function startSimpleSamlPhp(
  idpEntityId: string,
  options: SimpleSamlPhpOptions = {},
): Promise<SimpleSamlPhp> {
  const dir = tempDir('simplesamlphp');
  const config = join(dir, 'config');
  const docroot = join(dir, 'docroot');
  for (const sub of ['config', 'metadata', 'log', 'tmp', 'data', 'docroot', 'keys'])
    mkdirSync(join(dir, sub), { recursive: true });
  // Served where the package's Apache alias puts it, so `baseurlpath` stays as shipped.
  symlinkSync(www, join(docroot, 'simplesamlphp'));
  copyFileSync(join(fixtures, 'app.php'), join(docroot, 'app.php'));
  writeFileSync(join(dir, 'keys', 'sp.crt'), certificatePem('sp-a'));
  writeFileSync(join(dir, 'keys', 'sp.key'), privateKeyPem('sp-a'));

  let configPhp = readFileSync(join(shipped, 'config.php'), 'utf8');
  for (const [name, value] of [
    ['loggingdir', `${dir}/log/`],
    ['tempdir', `${dir}/tmp`],
    ['datadir', `${dir}/data/`],
    ['metadatadir', `${dir}/metadata/`],
    ['logging.handler', 'file'],
  ] as const)
    configPhp = replaceOnce(
      configPhp,
      new RegExp(`'${name.replace('.', '\\.')}' => [^,]+,`),
      `'${name}' => ${php(value)},`,
    );
  configPhp = replaceOnce(
    configPhp,
    /'logging\.level' => [^,]+,/,
    "'logging.level' => SimpleSAML\\Logger::DEBUG,",
  );
  configPhp = replaceOnce(
    configPhp,
    /'session\.cookie\.secure' => true,/,
    "'session.cookie.secure' => false,",
  );
  configPhp = replaceOnce(
    configPhp,
    /'language\.cookie\.secure' => true,/,
    "'language.cookie.secure' => false,",
  );
  if (options.browser)
    for (const name of ['session', 'language'])
      configPhp = replaceOnce(
        configPhp,
        new RegExp(
          `'${name}\\.cookie\\.samesite' => \\\\SimpleSAML\\\\Utils\\\\HTTP::canSetSameSiteNone\\(\\) \\? 'None' : null,`,
        ),
        `'${name}.cookie.samesite' => null,`,
      );
  writeFileSync(join(config, 'config.php'), configPhp);
  copyFileSync(join(shipped, 'acl.php'), join(config, 'acl.php'));

  let authsources = readFileSync(join(shipped, 'authsources.php'), 'utf8');
  authsources = replaceOnce(
    authsources,
    /('default-sp' => \[\s*'saml:SP',[\s\S]*?)'idp' => null,/,
    `$1'idp' => ${php(idpEntityId)},\n        'privatekey' => ${php(`${dir}/keys/sp.key`)},\n        'certificate' => ${php(`${dir}/keys/sp.crt`)},\n        'sign.logout' => true,`,
  );
  writeFileSync(join(config, 'authsources.php'), authsources);
  writeFileSync(join(dir, 'metadata', 'saml20-idp-remote.php'), '<?php\n');

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const env = { SIMPLESAMLPHP_CONFIG_DIR: config };
  const server: PeerProcess = startProcess(
    '/usr/bin/php',
    ['-d', 'opcache.revalidate_freq=0', '-S', `127.0.0.1:${port}`, '-t', docroot],
    {
      env,
    },
  );
  const metadataUrl = `${origin}/simplesamlphp/module.php/saml/sp/metadata.php/default-sp`;
  const log = () => readText(join(dir, 'log', 'simplesamlphp.log'));
  await waitUntil('SimpleSAMLphp', async () => (await fetch(metadataUrl)).ok, { process: server, log });

  return {
    origin,
    entityId: metadataUrl,
    appUrl: `${origin}/app.php`,
    metadata: async () => {
      const response = await fetch(metadataUrl);
      if (!response.ok) throw new Error(`SimpleSAMLphp metadata: HTTP ${response.status}`);
      return response.text();
    },
    trustIdp(metadataXml, signer) {
      const xmlFile = join(dir, 'idp-metadata.xml');
      writeFileSync(xmlFile, metadataXml);
      const args = [
        join(fixtures, 'idp-remote.php'),
        xmlFile,
        join(dir, 'metadata', 'saml20-idp-remote.php'),
      ];
      if (signer !== undefined) {
        writeFileSync(join(dir, 'keys', 'signer.crt'), signer);
        args.push(join(dir, 'keys', 'signer.crt'));
      }
      try {
        execFileSync('/usr/bin/php', args, {
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (error) {
        const failure = error as { stderr?: Buffer; stdout?: Buffer };
        throw new Error(`SimpleSAMLphp refused the IdP metadata: ${failure.stderr}${failure.stdout}`);
      }
    },
    log,
    async stop() {
      await server.stop();
      removeDir(dir);
    },
  };
}
