import { encodePost, type PostForm } from '../bindings/index.js';
import type { Provider } from '../config/index.js';
import { createSelfSignedCertificate, type KeyPair, loadKeyPair } from '../crypto/index.js';
import type { Store } from '../store/store.js';

/**
 * Test mode's deliberate faults, for negative tests of an SP. Each is built
 * honestly, the way a broken or hostile IdP would send it:
 *
 * - `expired-assertion`: the assertion's Conditions and SubjectConfirmationData
 *   NotOnOrAfter lie ten minutes in the past.
 * - `wrong-audience`: the Audience names another entity.
 * - `wrong-signing-key`: signed with a freshly generated key the SP never saw.
 * - `unsigned`: neither the Response nor the assertion carries a signature.
 * - `replayed-response`: the last Response sent to that SP is posted again.
 */
export type Misbehaviour =
  | 'expired-assertion'
  | 'wrong-audience'
  | 'wrong-signing-key'
  | 'unsigned'
  | 'replayed-response';

/** Every {@link Misbehaviour}, for checks and help texts. */
export const misbehaviours: readonly Misbehaviour[] = [
  'expired-assertion',
  'wrong-audience',
  'wrong-signing-key',
  'unsigned',
  'replayed-response',
];

/** The audience `wrong-audience` names: an entity no SP is (`.invalid` never resolves, RFC 2606). */
export const wrongAudience = 'https://wrong-audience.samlkit.invalid/sp';

const minuteMs = 60_000;

/** A key pair no SP trusts, for `wrong-signing-key`. */
export function createForeignKey(): KeyPair {
  const made = createSelfSignedCertificate({ commonName: 'samlkit serve (foreign key)', validDays: 30 });
  return loadKeyPair({ certificate: made.certificatePem, privateKey: made.privateKeyPem });
}

/** The SP registration as the fault makes the IdP see it while building the Response. */
export function alterProvider(provider: Provider, fault: Misbehaviour, foreignKey: () => KeyPair): Provider {
  switch (fault) {
    case 'expired-assertion':
      return {
        ...provider,
        durations: {
          ...provider.durations,
          assertionValidNotBefore: -20 * minuteMs,
          assertionValidNotOnOrAfter: -10 * minuteMs,
        },
      };
    case 'wrong-audience':
      return { ...provider, audience: wrongAudience };
    case 'wrong-signing-key':
      return { ...provider, signingKeyPair: foreignKey() };
    case 'unsigned':
      // Only the Response is signed here; that one signature is then taken off (see `stripSignature`).
      return { ...provider, signAssertion: false, signResponse: true };
    default:
      return provider;
  }
}

/**
 * The store as one fault sees it: providers come back altered; everything else
 * (replay cache, session participants) is the real store, so the faulty
 * Response still answers the request once and is recorded for logout.
 */
export function createFaultyStore(store: Store, alter: (provider: Provider) => Provider): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'getProvider') {
        return async (id: string) => {
          const provider = await target.getProvider(id);
          return provider === undefined ? undefined : alter(provider);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * The same Response without its enveloped signature. Built with the assertion
 * unsigned and only the Response signed, the document holds exactly one
 * `ds:Signature`; anything else is a bug, not something to guess around.
 */
export function stripSignature(form: PostForm, maxRelayStateBytes: number): PostForm {
  const xml = Buffer.from(form.fields.SAMLResponse ?? '', 'base64').toString('utf8');
  const signatures = xml.match(/<ds:Signature[\s>][\s\S]*?<\/ds:Signature>/g) ?? [];
  if (signatures.length !== 1)
    throw new Error(`expected one signature to remove, found ${signatures.length}`);
  const relayState = form.fields.RelayState;
  return encodePost({
    type: 'SAMLResponse',
    xml: xml.replace(signatures[0]!, ''),
    destination: form.url,
    ...(relayState === undefined ? {} : { relayState }),
    maxRelayStateBytes,
  });
}
