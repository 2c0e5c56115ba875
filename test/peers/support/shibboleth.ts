/**
 * Shibboleth SP 3 (Debian package `libapache2-mod-shib`: shibd and mod_shib)
 * behind Apache over TLS, started for one test file. shibd runs with
 * `-F -f -c CONF`; Apache with `-f CONF -DFOREGROUND` in its own process group.
 *
 * shibboleth2.xml is the shipped /etc/shibboleth/shibboleth2.xml with only
 * these changes (none of them is about samlkit; each names a placeholder or a
 * system path a second instance cannot share):
 * - `ApplicationDefaults/@entityID`: this SP's entity ID (shipped: the
 *   sp.example.org placeholder).
 * - `SSO/@entityID`: the samlkit IdP (shipped: the idp.example.org placeholder).
 * - one `MetadataProvider type="XML" validate="true" path=…` for the IdP's
 *   metadata, with a `MetadataFilter type="Signature"` when it is signed: how
 *   the shipped file's own commented examples load partner metadata.
 * - `CredentialResolver` key/certificate paths: keys made for this run with
 *   shib-keygen (the package's postinst makes them the same way into /etc).
 * - `UnixListener` in a private run directory, and `OutOfProcess/@logger`
 *   pointing at a copy of shibd.logger that writes to a private log directory.
 * Everything else is the shipped file: handlerSSL, cookieProps="https",
 * redirectLimit="exact", signing and encryption defaults, attribute-map.xml,
 * attribute-policy.xml, security-policy.xml and protocols.xml from /etc/shibboleth.
 *
 * Apache gets a minimal config: TLS with a per-run certificate,
 * `/Shibboleth.sso` handled by mod_shib, and `/secure` protected with
 * `ShibRequestSetting requireSession 1`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
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

const shippedConfig = '/etc/shibboleth/shibboleth2.xml';
const shippedLogger = '/etc/shibboleth/shibd.logger';
const modules = '/usr/lib/apache2/modules';

/** True when shibd, mod_shib and apache2 are installed (loud skip, or an error under CI, when not). */
export const shibbolethInstalled = () =>
  findPeer(
    'Shibboleth SP',
    ['/usr/sbin/shibd', '/usr/sbin/apache2', `${modules}/mod_shib.so`, shippedConfig, '/usr/bin/openssl'],
    'libapache2-mod-shib apache2',
  ) !== undefined;

export interface ShibbolethSp {
  /** `https://127.0.0.1:<port>` */
  origin: string;
  entityId: string;
  /** The per-run TLS certificate (trust it in the browser and the IdP's back channel). */
  tlsCertificate: string;
  /** The protected location: `requireSession 1`. */
  secureUrl: string;
  /** What Shibboleth generates at /Shibboleth.sso/Metadata. */
  metadata(): Promise<string>;
  /** Replaces the IdP metadata file and waits until shibd has reloaded it (it watches local files). */
  replaceIdpMetadata(xml: string): Promise<void>;
  /** shibd's own log (shibd.log) so far. */
  log(): string;
  /**
   * Loads a configuration with other IdP metadata through `shibd -t` and
   * returns what shibd logged about it (used to check metadata refusals).
   */
  checkIdpMetadata(xml: string, signer?: string): { ok: boolean; log: string };
  stop(): Promise<void>;
}

export interface ShibbolethOptions {
  idpEntityId: string;
  idpMetadata: string;
  /** PEM certificate the IdP metadata's signature must verify with (adds the Signature filter). */
  idpMetadataSigner?: string;
}

function replaceOnce(text: string, search: string | RegExp, replacement: string): string {
  const next = text.replace(search, replacement);
  if (next === text) throw new Error(`shipped shibboleth2.xml changed: ${String(search)} not found`);
  return next;
}

const escapeXml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The shipped shibboleth2.xml with the listed changes. */
function shibbolethConfig(input: {
  dir: string;
  entityId: string;
  idpEntityId: string;
  metadataFile: string;
  signerFile?: string;
  logger: string;
}): string {
  const { dir } = input;
  let xml = readFileSync(shippedConfig, 'utf8');
  xml = replaceOnce(xml, /(<OutOfProcess )/, `$1logger="${escapeXml(input.logger)}" `);
  xml = replaceOnce(
    xml,
    /(<OutOfProcess [^>]*\/>)/,
    `$1\n    <UnixListener address="${escapeXml(dir)}/run/shibd.sock"/>`,
  );
  xml = replaceOnce(
    xml,
    'entityID="https://sp.example.org/shibboleth"',
    `entityID="${escapeXml(input.entityId)}"`,
  );
  xml = replaceOnce(
    xml,
    '<SSO entityID="https://idp.example.org/idp/shibboleth"',
    `<SSO entityID="${escapeXml(input.idpEntityId)}"`,
  );
  const filter = input.signerFile
    ? `\n            <MetadataFilter type="Signature" certificate="${escapeXml(input.signerFile)}" verifyBackup="false"/>\n        `
    : '';
  xml = replaceOnce(
    xml,
    '<!-- Map to extract attributes',
    `<MetadataProvider type="XML" validate="true" path="${escapeXml(input.metadataFile)}">${filter}</MetadataProvider>\n        <!-- Map to extract attributes`,
  );
  for (const name of ['sp-signing-key', 'sp-signing-cert', 'sp-encrypt-key', 'sp-encrypt-cert'])
    xml = replaceOnce(xml, `"${name}.pem"`, `"${escapeXml(dir)}/keys/${name}.pem"`);
  return xml;
}

function apacheConfig(dir: string, port: number): string {
  return `# A private Apache for the peer tests: TLS, mod_shib, one protected location.
ServerRoot /etc/apache2
ServerName 127.0.0.1
PidFile ${dir}/run/apache.pid
Mutex file:${dir}/run default
ErrorLog ${dir}/log/apache-error.log
LogLevel warn
LoadModule mpm_event_module ${modules}/mod_mpm_event.so
LoadModule authn_core_module ${modules}/mod_authn_core.so
LoadModule authz_core_module ${modules}/mod_authz_core.so
LoadModule socache_shmcb_module ${modules}/mod_socache_shmcb.so
LoadModule ssl_module ${modules}/mod_ssl.so
LoadModule mod_shib ${modules}/mod_shib.so
ShibConfig ${dir}/shibboleth2.xml
Listen 127.0.0.1:${port}
User nobody
Group nogroup
DocumentRoot ${dir}/htdocs
SSLEngine on
SSLSessionCache shmcb:${dir}/run/ssl_scache(512000)
SSLCertificateFile ${dir}/tls.crt
SSLCertificateKeyFile ${dir}/tls.key
<Location /Shibboleth.sso>
  SetHandler shib
  Require all granted
</Location>
<Location /secure>
  AuthType shibboleth
  ShibRequestSetting requireSession 1
  Require shib-session
</Location>
`;
}

/** GET over TLS trusting `ca`; resolves with the status (0 when the connection fails). */
function probe(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    // Its own connection (agent: false): a pooled one would outlive the probe, idle, until
    // Apache's KeepAliveTimeout closes it under whichever request reuses it next.
    const req = httpsRequest(url, { ca, timeout: 2_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function startShibboleth(options: ShibbolethOptions): Promise<ShibbolethSp> {
  const dir = tempDir('shibboleth');
  // Apache's children run as nobody and read the config through mod_shib; keys stay root's.
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'log', 'keys', 'htdocs/secure']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(
    join(dir, 'htdocs', 'secure', 'index.html'),
    '<!DOCTYPE html><title>secure</title><p>protected page</p>\n',
  );
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-keyout',
      join(dir, 'tls.key'),
      '-out',
      join(dir, 'tls.crt'),
    ],
    { stdio: 'ignore' },
  );
  for (const name of ['sp-signing', 'sp-encrypt'])
    execFileSync(
      'shib-keygen',
      ['-o', join(dir, 'keys'), '-n', name, '-h', '127.0.0.1', '-y', '1', '-u', 'root', '-g', 'root'],
      {
        stdio: 'ignore',
      },
    );
  writeFileSync(
    join(dir, 'shibd.logger'),
    readFileSync(shippedLogger, 'utf8').replaceAll('/var/log/shibboleth/', `${dir}/log/`),
  );

  const port = await freePort();
  const origin = `https://127.0.0.1:${port}`;
  const entityId = `${origin}/shibboleth`;
  const metadataFile = join(dir, 'idp-metadata.xml');
  writeFileSync(metadataFile, options.idpMetadata);
  let signerFile: string | undefined;
  if (options.idpMetadataSigner !== undefined) {
    signerFile = join(dir, 'keys', 'idp-metadata-signer.pem');
    writeFileSync(signerFile, options.idpMetadataSigner);
  }
  const config = (metadata: string, signer?: string) =>
    shibbolethConfig({
      dir,
      entityId,
      idpEntityId: options.idpEntityId,
      metadataFile: metadata,
      ...(signer === undefined ? {} : { signerFile: signer }),
      logger: join(dir, 'shibd.logger'),
    });
  writeFileSync(join(dir, 'shibboleth2.xml'), config(metadataFile, signerFile));
  writeFileSync(join(dir, 'apache.conf'), apacheConfig(dir, port));
  const tlsCertificate = readFileSync(join(dir, 'tls.crt'), 'utf8');
  const log = () => readText(join(dir, 'log', 'shibd.log'));

  const shibd = startProcess('/usr/sbin/shibd', [
    '-F',
    '-f',
    '-c',
    join(dir, 'shibboleth2.xml'),
    '-p',
    join(dir, 'run', 'shibd.pid'),
  ]);
  let apache: PeerProcess | undefined;
  const stop = async () => {
    await apache?.stop();
    await shibd.stop();
    removeDir(dir);
  };
  try {
    await waitUntil('shibd', () => /Shibboleth.Listener.*listener service starting/i.test(log()), {
      process: shibd,
      log,
    });
    apache = startProcess('/usr/sbin/apache2', ['-f', join(dir, 'apache.conf'), '-DFOREGROUND']);
    await waitUntil(
      'Apache with mod_shib',
      async () => (await probe(`${origin}/Shibboleth.sso/Metadata`, tlsCertificate)).status === 200,
      { process: apache, log: () => readText(join(dir, 'log', 'apache-error.log')) },
    );
  } catch (error) {
    await stop();
    throw error;
  }

  let checks = 0;
  return {
    origin,
    entityId,
    tlsCertificate,
    secureUrl: `${origin}/secure/index.html`,
    async metadata() {
      const { status, body } = await probe(`${origin}/Shibboleth.sso/Metadata`, tlsCertificate);
      if (status !== 200) throw new Error(`Shibboleth metadata: HTTP ${status}`);
      return body;
    },
    async replaceIdpMetadata(xml) {
      const mark = log().length;
      writeFileSync(metadataFile, xml);
      // A changed timestamp is what shibd watches; make sure it moves even within a second.
      checks += 1;
      const later = new Date(Date.now() + 2_000 * checks);
      utimesSync(metadataFile, later, later);
      // shibd checks a local metadata file when it next needs it: the discovery feed reads it.
      await waitUntil(
        'shibd reloading the IdP metadata',
        async () => {
          await probe(`${origin}/Shibboleth.sso/DiscoFeed`, tlsCertificate);
          return /MetadataProvider.XML : loaded XML resource/.test(log().slice(mark));
        },
        { process: shibd, log, timeoutMs: 15_000 },
      );
      // The log line comes as the new document is loaded; one more read waits for the swap.
      await probe(`${origin}/Shibboleth.sso/DiscoFeed`, tlsCertificate);
    },
    log,
    checkIdpMetadata(xml, signer) {
      checks += 1;
      const file = join(dir, `check-${checks}.xml`);
      writeFileSync(file, xml);
      let signerPath: string | undefined;
      if (signer !== undefined) {
        signerPath = join(dir, 'keys', `check-${checks}.pem`);
        writeFileSync(signerPath, signer);
      }
      const conf = join(dir, `check-${checks}-shibboleth2.xml`);
      writeFileSync(
        conf,
        config(file, signerPath).replace(`${dir}/run/shibd.sock`, `${dir}/run/check-${checks}.sock`),
      );
      // `shibd -t` logs to the console.
      const run = spawnSync('/usr/sbin/shibd', ['-t', '-c', conf], { encoding: 'utf8' });
      return { ok: run.status === 0, log: `${run.stdout}${run.stderr}` };
    },
    stop,
  };
}
