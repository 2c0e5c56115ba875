/**
 * pysaml2 7.0 (Debian python3-pysaml2) reads samlkit's IdP metadata with every
 * extension through its own MetadataStore: endpoints and keys, the algorithm
 * hints (its supported_algorithms reads them from the EntityDescriptor's
 * Extensions only), the scopes, UI info, entity attributes and contacts.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BuildIdpMetadataInput,
  bindingUris,
  buildIdpMetadata,
  defaultAlgorithmSupport,
  idpEndpoints,
} from '../../src/index.js';
import { keyPair } from '../support/keys.js';
import { withTempDir } from '../support/xmlsec.js';

/** Debian's interpreter: pysaml2 is installed for it, not necessarily for a python3 earlier on PATH. */
const python = '/usr/bin/python3';

function hasPysaml2(): boolean {
  try {
    execFileSync(python, ['-c', 'import saml2'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    const message = 'pysaml2 not found: install the Debian package `python3-pysaml2`';
    if (process.env.CI) throw new Error(`${message}; interop tests must run on CI`);
    console.warn(`[samlkit tests] skipping pysaml2 metadata tests: ${message}`);
    return false;
  }
}

const readMetadata = `
import json, sys
from saml2 import config
from saml2.attribute_converter import ac_factory
from saml2.mdstore import MetadataStore

path, entity_id = sys.argv[1], sys.argv[2]
mds = MetadataStore(ac_factory(), config.Config())
mds.load("local", path)
scopes = mds.sbibmd_scopes(entity_id, "idpsso_descriptor")
print(json.dumps({
    "sso": [s["location"] for s in mds.single_sign_on_service(entity_id, sys.argv[3])],
    "signingCerts": len(mds.certs(entity_id, "idpsso", "signing")),
    "encryptionCerts": len(mds.certs(entity_id, "idpsso", "encryption")),
    "algorithms": mds.supported_algorithms(entity_id),
    "scopes": [[s["regexp"], s["text"].pattern if s["regexp"] else s["text"]] for s in scopes],
    "entityAttributes": mds.entity_attributes(entity_id),
    "displayNames": {lang: list(mds.mdui_uiinfo_display_name(entity_id, lang)) for lang in ("en", "de")},
    "contacts": list(mds.contact_person_data(entity_id)),
}))
`;

const entityId = 'https://idp.example.org/metadata';
const input: BuildIdpMetadataInput = {
  entityId,
  endpoints: idpEndpoints('https://idp.example.org', 'wiki'),
  signingCertificates: [keyPair('idp'), keyPair('idp-rollover')],
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
};

function readWithPysaml2(xml: string): Record<string, unknown> {
  return withTempDir((dir) => {
    writeFileSync(join(dir, 'idp.xml'), xml);
    const output = execFileSync(
      python,
      ['-c', readMetadata, join(dir, 'idp.xml'), entityId, bindingUris.post],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    return JSON.parse(output) as Record<string, unknown>;
  });
}

describe.skipIf(!hasPysaml2())('pysaml2 7.0 reads the IdP metadata', () => {
  it('endpoints, keys, algorithm hints, scopes, UI info, entity attributes and contacts', () => {
    const read = readWithPysaml2(buildIdpMetadata(input).xml);
    expect(read).toEqual({
      sso: [input.endpoints.ssoPost],
      signingCerts: 2,
      encryptionCerts: 1,
      algorithms: {
        digest_methods: [...defaultAlgorithmSupport.digestMethods],
        signing_methods: defaultAlgorithmSupport.signingMethods.map((m) => m.algorithm),
      },
      scopes: [
        [false, 'example.org'],
        [true, '^.+\\.example\\.org$'],
      ],
      entityAttributes: {
        'http://macedir.org/entity-category': ['http://refeds.org/category/research-and-scholarship'],
      },
      displayNames: { en: ['Example University'], de: ['Beispiel-Universität'] },
      contacts: [
        { contact_type: 'technical', given_name: 'Alice', email_address: ['mailto:idp-ops@example.org'] },
      ],
    });
  });

  it('without hints it finds none (the check can fail)', () => {
    const read = readWithPysaml2(buildIdpMetadata({ ...input, algorithmSupport: false }).xml);
    expect(read.algorithms).toEqual({ digest_methods: [], signing_methods: [] });
  });
});
