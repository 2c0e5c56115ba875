/**
 * pysaml2 7.0 (Debian python3-pysaml2) reads samlkit's IdP metadata with every
 * extension through its own MetadataStore: endpoints and keys, the algorithm
 * hints (its supported_algorithms reads them from the EntityDescriptor's
 * Extensions only), the scopes, UI info, entity attributes and contacts.
 */
import { describe, expect, it } from 'vitest';
import { bindingUris, buildIdpMetadata, defaultAlgorithmSupport } from '../../src/index.js';
import { idpMetadataInput, metadataEntityId, readWithPysaml2 } from '../peers/support/metadata-readers.js';
import { pysaml2Installed } from '../peers/support/pysaml2.js';
import { keyPair } from '../support/keys.js';

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

const input = idpMetadataInput({ signingCertificates: [keyPair('idp'), keyPair('idp-rollover')] });

const readWithPysaml2MetadataStore = (xml: string) =>
  readWithPysaml2(xml, readMetadata, [metadataEntityId, bindingUris.post]);

describe.skipIf(!pysaml2Installed())('pysaml2 7.0 reads the IdP metadata', () => {
  it('endpoints, keys, algorithm hints, scopes, UI info, entity attributes and contacts', () => {
    const read = readWithPysaml2MetadataStore(buildIdpMetadata(input).xml);
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
    const read = readWithPysaml2MetadataStore(buildIdpMetadata({ ...input, algorithmSupport: false }).xml);
    expect(read.algorithms).toEqual({ digest_methods: [], signing_methods: [] });
  });
});
