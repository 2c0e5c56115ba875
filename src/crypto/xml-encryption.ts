import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { type DigestAlgorithm, digestAlgorithmInfo, digestAlgorithms } from '../constants/algorithms.js';
import {
  type DataEncryptionAlgorithm,
  dataEncryptionAlgorithms,
  dataEncryptionInfo,
  defaultAcceptedDataEncryptionAlgorithms,
  defaultAcceptedKeyTransportAlgorithms,
  encryptedElementType,
  encryptedKeyRetrievalType,
  isDataEncryptionAlgorithm,
  isKeyTransportAlgorithm,
  isMaskGenerationFunction,
  type KeyTransportAlgorithm,
  keyTransportAlgorithms,
  type MaskGenerationFunction,
  maskGenerationFunctions,
  maskGenerationHash,
} from '../constants/encryption.js';
import { SamlError } from '../errors/index.js';
import {
  attribute,
  childElements,
  type Element,
  element,
  isElement,
  parseXml,
  readText,
  type XmlElement,
} from '../xml/index.js';
import { isKeyPair, type KeyPair, keyObjectsOf, toKeyPair } from './keys.js';

type Hash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

const hashBytes: Record<Hash, number> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/**
 * How an Assertion is encrypted (XML Encryption 1.1). Default AES-256-GCM
 * with RSA-OAEP (`xmlenc#rsa-oaep-mgf1p`). AES-CBC and RSA 1.5 only with
 * their `unsafe…` opt-ins, for an SP known to need them.
 */
export interface AssertionEncryptionOptions {
  /** Block encryption. Default AES-256-GCM (`xmlenc11#aes256-gcm`). CBC needs `unsafeAllowCbc`. */
  dataAlgorithm?: DataEncryptionAlgorithm;
  /**
   * Key transport. Default `xmlenc#rsa-oaep-mgf1p`, the RSA-OAEP every SAML stack
   * reads; `xmlenc11#rsa-oaep` lets the OAEP digest and the MGF be chosen.
   * RSA PKCS#1 v1.5 needs `unsafeAllowRsa15`.
   */
  keyTransport?: KeyTransportAlgorithm;
  /**
   * The OAEP DigestMethod. Default SHA-1 for `rsa-oaep-mgf1p` (OAEP's security
   * does not rest on collision resistance, so SHA-1 is sound here) and SHA-256
   * for `xmlenc11#rsa-oaep`.
   */
  oaepDigest?: DigestAlgorithm;
  /** MGF of `xmlenc11#rsa-oaep`. Default MGF1-SHA1, the value an absent `xenc11:MGF` means. */
  mgf?: MaskGenerationFunction;
  /** Writes the recipient certificate into `EncryptedKey/ds:KeyInfo`, a hint for recipients with several keys. */
  includeCertificate?: boolean;
  /**
   * `Recipient` attribute of the EncryptedKey, e.g. the SP entity ID (SAMLCore §2.2.4).
   * `buildResponse` sets the SP entity ID when it is not given.
   */
  recipient?: string;
  /**
   * Allows AES-CBC. A receiver that accepts unauthenticated CBC can be made to
   * decrypt any ciphertext for its key through error or timing differences
   * (Jager & Somorovsky 2011), including GCM ciphertexts once it accepts CBC at
   * all (backwards-compatibility attacks, 2012). Use only for a recipient that
   * cannot decrypt AES-GCM.
   */
  unsafeAllowCbc?: boolean;
  /**
   * Allows RSA PKCS#1 v1.5 key transport: any receiver that unwraps it is a
   * Bleichenbacher oracle for its RSA key (xmlenc-core1 §5.4.1).
   */
  unsafeAllowRsa15?: boolean;
}

/** Options of {@link encryptElement}: the algorithm choice and the recipient's certificate. */
export interface EncryptOptions extends AssertionEncryptionOptions {
  /** The recipient's RSA certificate (PEM or base64 DER), or a loaded KeyPair. */
  certificate: string | KeyPair;
}

/** How to decrypt: our private key(s) and the accepted algorithms (`parseLogoutRequest` uses it for an EncryptedID). */
export interface DecryptOptions {
  /**
   * Our RSA private key: a KeyPair with its private key, or a PEM private key.
   * Several keys (rollover) are tried in turn.
   */
  key: KeyPair | string | readonly (KeyPair | string)[];
  /** Passphrase for encrypted PEM private keys given as strings. */
  passphrase?: string;
  /** Accepted data algorithms. Default AES-128-GCM and AES-256-GCM. */
  dataAlgorithms?: readonly DataEncryptionAlgorithm[];
  /** Accepted key transports. Default both RSA-OAEP forms. */
  keyTransports?: readonly KeyTransportAlgorithm[];
  /** Only EncryptedKeys without a `Recipient`, or with this one, are tried. */
  recipient?: string;
  /** Accepts AES-CBC; see {@link AssertionEncryptionOptions.unsafeAllowCbc} for why that makes us an oracle. */
  unsafeAllowCbc?: boolean;
  /** Accepts RSA PKCS#1 v1.5 key transport; see {@link AssertionEncryptionOptions.unsafeAllowRsa15}. */
  unsafeAllowRsa15?: boolean;
}

// --- OAEP and PKCS#1 v1.5 on raw RSA, for what node:crypto cannot express ----------------------

/** MGF1 (RFC 8017 §B.2.1). */
function mgf1(hash: Hash, seed: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(length);
  const counter = Buffer.alloc(4);
  for (let offset = 0, i = 0; offset < length; i++) {
    counter.writeUInt32BE(i);
    offset += createHash(hash).update(seed).update(counter).digest().copy(out, offset);
  }
  return out;
}

function xorInto(target: Buffer, mask: Buffer): void {
  for (let i = 0; i < target.length; i++) target[i]! ^= mask[i]!;
}

interface OaepParameters {
  digest: Hash;
  mgf: Hash;
  label: Buffer;
}

/** EME-OAEP encoding (RFC 8017 §7.1.1 step 2) for a modulus of `k` bytes. */
function encodeOaep(message: Buffer, k: number, params: OaepParameters): Buffer {
  const hLen = hashBytes[params.digest];
  const lHash = createHash(params.digest).update(params.label).digest();
  const db = Buffer.alloc(k - hLen - 1);
  lHash.copy(db, 0);
  db[db.length - message.length - 1] = 0x01;
  message.copy(db, db.length - message.length);
  const seed = randomBytes(hLen);
  xorInto(db, mgf1(params.mgf, seed, db.length));
  xorInto(seed, mgf1(params.mgf, db, hLen));
  return Buffer.concat([Buffer.from([0]), seed, db]);
}

/**
 * EME-OAEP decoding (RFC 8017 §7.1.2 step 3) without early exits: every check
 * is folded into one flag so the work done does not depend on which one fails
 * (Manger's attack needs to tell them apart). `undefined` on any failure.
 */
function decodeOaep(em: Buffer, params: OaepParameters): Buffer | undefined {
  const hLen = hashBytes[params.digest];
  if (em.length < 2 * hLen + 2) return undefined;
  const seed = Buffer.from(em.subarray(1, 1 + hLen));
  const db = Buffer.from(em.subarray(1 + hLen));
  xorInto(seed, mgf1(params.mgf, db, hLen));
  xorInto(db, mgf1(params.mgf, seed, db.length));
  const lHash = createHash(params.digest).update(params.label).digest();
  let bad = em[0]! | (timingSafeEqual(db.subarray(0, hLen), lHash) ? 0 : 1);
  let found = 0;
  let index = 0;
  for (let i = hLen; i < db.length; i++) {
    const byte = db[i]!;
    const isOne = byte === 1 ? 1 : 0;
    const isZero = byte === 0 ? 1 : 0;
    const first = isOne & (found ^ 1);
    index = first ? i : index;
    found |= isOne;
    // A byte before the 0x01 separator that is not zero breaks the padding.
    bad |= (found ^ 1) & (isZero ^ 1);
  }
  bad |= found ^ 1;
  return bad === 0 ? db.subarray(index + 1) : undefined;
}

/** EME-PKCS1-v1_5 decoding (RFC 8017 §7.2.2 step 3), again without early exits. */
function decodePkcs1(em: Buffer): Buffer | undefined {
  let bad = em[0]! | (em[1]! ^ 2);
  let found = 0;
  let index = 0;
  for (let i = 2; i < em.length; i++) {
    const isZero = em[i] === 0 ? 1 : 0;
    const first = isZero & (found ^ 1);
    index = first ? i : index;
    found |= isZero;
  }
  bad |= found ^ 1;
  bad |= index < 10 ? 1 : 0; // at least eight padding bytes
  return bad === 0 ? em.subarray(index + 1) : undefined;
}

function modulusBytes(key: KeyObject): number {
  return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

// --- algorithm choices --------------------------------------------------------------------------

function forbidden(message: string): never {
  throw new SamlError('SAML_ALGORITHM_FORBIDDEN', message);
}

function hashOfDigest(uri: string): Hash {
  if (!Object.hasOwn(digestAlgorithmInfo, uri)) forbidden('OAEP digest algorithm is not recognised');
  return digestAlgorithmInfo[uri as DigestAlgorithm].hash;
}

interface KeyTransport {
  algorithm: KeyTransportAlgorithm;
  /** Undefined for RSA PKCS#1 v1.5. */
  oaep: OaepParameters | undefined;
}

function chooseTransport(options: EncryptOptions): KeyTransport & { digestUri: DigestAlgorithm | undefined } {
  const algorithm = options.keyTransport ?? keyTransportAlgorithms.rsaOaepMgf1p;
  if (!isKeyTransportAlgorithm(algorithm)) forbidden('key transport algorithm is not recognised');
  if (algorithm === keyTransportAlgorithms.rsa15) {
    if (!options.unsafeAllowRsa15) forbidden('RSA PKCS#1 v1.5 key transport is refused');
    if (options.oaepDigest !== undefined || options.mgf !== undefined) {
      forbidden('RSA PKCS#1 v1.5 has no OAEP digest or MGF');
    }
    return { algorithm, oaep: undefined, digestUri: undefined };
  }
  const digestUri =
    options.oaepDigest ??
    (algorithm === keyTransportAlgorithms.rsaOaep ? digestAlgorithms.sha256 : digestAlgorithms.sha1);
  const digest = hashOfDigest(digestUri);
  let mgf: Hash = 'sha1';
  if (options.mgf !== undefined) {
    if (!isMaskGenerationFunction(options.mgf)) forbidden('mask generation function is not recognised');
    // rsa-oaep-mgf1p fixes MGF1 with SHA-1 in its name (xmlenc-core1 §5.4.2).
    if (
      algorithm === keyTransportAlgorithms.rsaOaepMgf1p &&
      options.mgf !== maskGenerationFunctions.mgf1Sha1
    ) {
      forbidden('rsa-oaep-mgf1p always uses MGF1 with SHA-1');
    }
    mgf = maskGenerationHash[options.mgf];
  }
  return { algorithm, oaep: { digest, mgf, label: Buffer.alloc(0) }, digestUri };
}

function chooseData(options: EncryptOptions): DataEncryptionAlgorithm {
  const algorithm = options.dataAlgorithm ?? dataEncryptionAlgorithms.aes256Gcm;
  if (!isDataEncryptionAlgorithm(algorithm)) forbidden('data encryption algorithm is not recognised');
  if (!dataEncryptionInfo[algorithm].authenticated && !options.unsafeAllowCbc) {
    forbidden('AES-CBC is refused; use AES-GCM or opt in with unsafeAllowCbc');
  }
  return algorithm;
}

function recipientKey(certificate: string | KeyPair): KeyObject {
  let pair: KeyPair;
  try {
    pair = toKeyPair(certificate);
  } catch (cause) {
    if (cause instanceof SamlError) throw cause;
    throw new SamlError('SAML_KEY_INVALID', 'encryption certificate is not a KeyPair or a certificate', {
      cause,
    });
  }
  if (pair.keyType !== 'rsa') {
    throw new SamlError(
      'SAML_KEY_INVALID',
      'encryption certificate must hold an RSA key (RSA-OAEP key transport)',
    );
  }
  return keyObjectsOf(pair).publicKey;
}

// --- encryption ---------------------------------------------------------------------------------

function keyTooSmall(): never {
  throw new SamlError(
    'SAML_KEY_INVALID',
    "the encryption certificate's RSA key is too small for this key transport and content key",
  );
}

function wrapKey(key: Buffer, recipient: KeyObject, transport: KeyTransport): Buffer {
  const k = modulusBytes(recipient);
  const { oaep } = transport;
  // RFC 8017 §7.1.1 step 1b / §7.2.1 step 1: the content key must fit the padded block, or the
  // result is an error (or, with a hand-rolled encoding, a value nobody can decrypt).
  if (oaep === undefined ? key.length > k - 11 : key.length > k - 2 * hashBytes[oaep.digest] - 2)
    keyTooSmall();
  try {
    return wrapKeyChecked(key, k, recipient, transport);
  } catch (cause) {
    if (cause instanceof SamlError) throw cause;
    throw new SamlError('SAML_KEY_INVALID', 'the content key could not be encrypted for this certificate', {
      cause,
    });
  }
}

function wrapKeyChecked(key: Buffer, k: number, recipient: KeyObject, transport: KeyTransport): Buffer {
  const { oaep } = transport;
  if (oaep === undefined) {
    return publicEncrypt({ key: recipient, padding: constants.RSA_PKCS1_PADDING }, key);
  }
  if (oaep.digest === oaep.mgf) {
    // node:crypto uses one hash for both the OAEP digest and MGF1.
    return publicEncrypt(
      { key: recipient, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaep.digest },
      key,
    );
  }
  const em = encodeOaep(key, k, oaep);
  return publicEncrypt({ key: recipient, padding: constants.RSA_NO_PADDING }, em);
}

function encryptData(algorithm: DataEncryptionAlgorithm, key: Buffer, plaintext: Buffer): Buffer {
  const info = dataEncryptionInfo[algorithm];
  const iv = randomBytes(info.ivBytes);
  if (info.authenticated) {
    const cipher = createCipheriv(info.cipher as 'aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    // xmlenc-core1 §5.2.4: IV || ciphertext || 128-bit tag.
    return Buffer.concat([iv, body, cipher.getAuthTag()]);
  }
  // PKCS#7 padding is one of the paddings xmlenc-core1 §5.2 allows (arbitrary bytes, last = count).
  const cipher = createCipheriv(info.cipher, key, iv);
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
}

/**
 * Encrypts a serialized element for one recipient (XML Encryption 1.1): a
 * fresh content key encrypts `plaintext` with AES-GCM (default AES-256-GCM),
 * and RSA-OAEP wraps that key to the recipient certificate. Returns the
 * `xenc:EncryptedData` tree (Type `#Element`) with the `xenc:EncryptedKey`
 * inside its `ds:KeyInfo`, ready to be placed in `saml:EncryptedAssertion`,
 * `saml:EncryptedID` or `saml:EncryptedAttribute` (SAMLCore §6).
 *
 * `plaintext` is the element exactly as it should come out after decryption,
 * declaring every namespace prefix it uses (for an assertion that is signed
 * first: sign → encrypt → sign the response).
 */
export function encryptElement(plaintext: string, options: EncryptOptions): XmlElement {
  if (typeof plaintext !== 'string' || !plaintext.startsWith('<')) {
    throw new SamlError('SAML_INPUT_INVALID', 'plaintext must be a serialized element', {
      details: { issues: [{ path: ['plaintext'], message: 'must be a serialized XML element' }] },
    });
  }
  if (typeof options !== 'object' || options === null) {
    throw new SamlError('SAML_INPUT_INVALID', 'encryption options are required', {
      details: { issues: [{ path: ['certificate'], message: 'is required' }] },
    });
  }
  const dataAlgorithm = chooseData(options);
  const transport = chooseTransport(options);
  const recipient = recipientKey(options.certificate);
  const contentKey = randomBytes(dataEncryptionInfo[dataAlgorithm].keyBytes);
  const cipherValue = encryptData(dataAlgorithm, contentKey, Buffer.from(plaintext, 'utf8'));
  const wrapped = wrapKey(contentKey, recipient, transport);
  contentKey.fill(0);

  const mgf =
    transport.algorithm === keyTransportAlgorithms.rsaOaep &&
    options.mgf !== undefined &&
    options.mgf !== maskGenerationFunctions.mgf1Sha1
      ? element('xenc11:MGF', { Algorithm: options.mgf })
      : undefined;
  const certificateInfo = options.includeCertificate
    ? element('ds:KeyInfo', {}, [
        element('ds:X509Data', {}, [
          element('ds:X509Certificate', {}, [toKeyPair(options.certificate).certificateBase64]),
        ]),
      ])
    : undefined;
  const encryptedKey = element('xenc:EncryptedKey', { Recipient: options.recipient }, [
    element('xenc:EncryptionMethod', { Algorithm: transport.algorithm }, [
      transport.digestUri === undefined
        ? undefined
        : element('ds:DigestMethod', { Algorithm: transport.digestUri }),
      mgf,
    ]),
    certificateInfo,
    element('xenc:CipherData', {}, [element('xenc:CipherValue', {}, [wrapped.toString('base64')])]),
  ]);
  return element(
    'xenc:EncryptedData',
    { Type: encryptedElementType },
    [
      element('xenc:EncryptionMethod', { Algorithm: dataAlgorithm }),
      element('ds:KeyInfo', {}, [encryptedKey]),
      element('xenc:CipherData', {}, [element('xenc:CipherValue', {}, [cipherValue.toString('base64')])]),
    ],
    // Declared once on the root: the tree is moved into other documents whole.
    mgf === undefined ? ['xenc', 'ds'] : ['xenc', 'ds', 'xenc11'],
  );
}

// --- decryption ---------------------------------------------------------------------------------

function invalid(message: string): never {
  throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', message);
}

/** The single answer to every cryptographic failure: same code, same message, no cause. */
function decryptionFailed(): SamlError {
  return new SamlError('SAML_DECRYPTION_FAILED', 'encrypted data could not be decrypted');
}

const strictBase64 = /^[A-Za-z0-9+/]+={0,2}$/;

function readBase64(node: Element, what: string): Buffer {
  let text: string;
  try {
    text = readText(node);
  } catch {
    invalid(`${what} must contain base64 text only`);
  }
  const compact = text.replace(/[\t\n\r ]+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !strictBase64.test(compact)) {
    invalid(`${what} is not base64`);
  }
  return Buffer.from(compact, 'base64');
}

/**
 * Children of an EncryptedType in schema order (xmlenc-core1 §3.1):
 * EncryptionMethod?, ds:KeyInfo?, CipherData, EncryptionProperties?, plus
 * ReferenceList? and CarriedKeyName? for an EncryptedKey. Anything else, or
 * anything out of order, is refused.
 */
function encryptedTypeParts(node: Element, isKey: boolean) {
  const order: [string, 'xenc' | 'ds', string][] = [
    ['method', 'xenc', 'EncryptionMethod'],
    ['keyInfo', 'ds', 'KeyInfo'],
    ['cipherData', 'xenc', 'CipherData'],
    ['properties', 'xenc', 'EncryptionProperties'],
    ...(isKey
      ? ([
          ['referenceList', 'xenc', 'ReferenceList'],
          ['carriedKeyName', 'xenc', 'CarriedKeyName'],
        ] as [string, 'xenc', string][])
      : []),
  ];
  const parts: Record<string, Element | undefined> = {};
  let position = 0;
  for (const child of childElements(node)) {
    while (position < order.length && !isElement(child, order[position]![1], order[position]![2])) position++;
    if (position === order.length) invalid(`${node.localName} has an unexpected or misplaced child`);
    parts[order[position]![0]] = child;
    position++;
  }
  if (!parts.method) invalid(`${node.localName} has no EncryptionMethod`);
  if (!parts.cipherData) invalid(`${node.localName} has no CipherData`);
  const cipherChildren = childElements(parts.cipherData);
  if (cipherChildren.length !== 1 || !isElement(cipherChildren[0]!, 'xenc', 'CipherValue')) {
    // CipherReference would make us fetch a URI chosen by the sender.
    invalid(`${node.localName} must carry exactly one CipherValue`);
  }
  return {
    method: parts.method,
    keyInfo: parts.keyInfo,
    cipherValue: readBase64(cipherChildren[0]!, 'CipherValue'),
  };
}

function acceptDataAlgorithm(method: Element, options: DecryptOptions): DataEncryptionAlgorithm {
  const uri = attribute(method, 'Algorithm') ?? invalid('EncryptionMethod has no Algorithm');
  if (!isDataEncryptionAlgorithm(uri)) forbidden('data encryption algorithm is not recognised');
  const info = dataEncryptionInfo[uri];
  if (!info.authenticated && !options.unsafeAllowCbc) forbidden('AES-CBC is refused');
  const allowed = options.dataAlgorithms ?? defaultAcceptedDataEncryptionAlgorithms;
  if (!allowed.includes(uri) && !(!info.authenticated && options.unsafeAllowCbc)) {
    forbidden('data encryption algorithm is not on the allowlist');
  }
  for (const child of childElements(method)) {
    if (!isElement(child, 'xenc', 'KeySize')) invalid('data EncryptionMethod has unexpected children');
    if (readKeySize(child) !== String(info.keyBytes * 8)) invalid('KeySize does not match the algorithm');
  }
  return uri;
}

function readKeySize(node: Element): string {
  try {
    return readText(node).trim();
  } catch {
    invalid(`${node.localName} must contain text only`);
  }
}

interface EncryptedKeyCandidate {
  transport: KeyTransport;
  cipherValue: Buffer;
}

function acceptTransport(method: Element, options: DecryptOptions): KeyTransport {
  const uri = attribute(method, 'Algorithm') ?? invalid('EncryptionMethod has no Algorithm');
  if (!isKeyTransportAlgorithm(uri)) forbidden('key transport algorithm is not recognised');
  if (uri === keyTransportAlgorithms.rsa15) {
    if (!options.unsafeAllowRsa15) forbidden('RSA PKCS#1 v1.5 key transport is refused');
    if (childElements(method).length > 0) invalid('rsa-1_5 EncryptionMethod has unexpected children');
    return { algorithm: uri, oaep: undefined };
  }
  const allowed = options.keyTransports ?? defaultAcceptedKeyTransportAlgorithms;
  if (!allowed.includes(uri)) forbidden('key transport algorithm is not on the allowlist');
  let digest: Hash = 'sha1';
  let mgf: Hash = 'sha1';
  let label: Buffer = Buffer.alloc(0);
  const seen = new Set<string>();
  for (const child of childElements(method)) {
    const name = `${child.namespaceURI} ${child.localName}`;
    if (seen.has(name)) invalid('key EncryptionMethod repeats a child');
    seen.add(name);
    if (isElement(child, 'ds', 'DigestMethod')) {
      digest = hashOfDigest(attribute(child, 'Algorithm') ?? invalid('DigestMethod has no Algorithm'));
    } else if (isElement(child, 'xenc', 'OAEPparams')) {
      label = readBase64(child, 'OAEPparams');
    } else if (isElement(child, 'xenc11', 'MGF') && uri === keyTransportAlgorithms.rsaOaep) {
      const mgfUri = attribute(child, 'Algorithm') ?? invalid('MGF has no Algorithm');
      if (!isMaskGenerationFunction(mgfUri)) forbidden('mask generation function is not recognised');
      mgf = maskGenerationHash[mgfUri];
    } else {
      invalid('key EncryptionMethod has unexpected children');
    }
  }
  return { algorithm: uri, oaep: { digest, mgf, label } };
}

const maxEncryptedKeys = 4;

/**
 * The EncryptedKeys that may hold the content key: those inside the
 * EncryptedData's KeyInfo, and siblings in the SAML EncryptedElementType
 * (SAMLCore §2.2.4) named by a RetrievalMethod, or all siblings when KeyInfo
 * names none. Never a document-wide search.
 */
function encryptedKeysOf(encryptedData: Element, keyInfo: Element | undefined): Element[] {
  const inside: Element[] = [];
  const references: string[] = [];
  for (const child of keyInfo ? childElements(keyInfo) : []) {
    if (isElement(child, 'xenc', 'EncryptedKey')) inside.push(child);
    else if (isElement(child, 'ds', 'RetrievalMethod')) {
      if (attribute(child, 'Type') !== encryptedKeyRetrievalType) continue;
      const uri = attribute(child, 'URI') ?? '';
      if (!uri.startsWith('#') || uri.length < 2) invalid('RetrievalMethod must point into the document');
      references.push(uri.slice(1));
    }
  }
  const parent = encryptedData.parentNode;
  const siblings =
    parent !== null && parent.nodeType === 1
      ? childElements(parent as Element).filter((c) => isElement(c, 'xenc', 'EncryptedKey'))
      : [];
  let found = inside;
  if (references.length > 0) {
    for (const id of references) {
      const matches = siblings.filter((s) => attribute(s, 'Id') === id);
      if (matches.length !== 1) invalid('RetrievalMethod does not name exactly one sibling EncryptedKey');
      found.push(matches[0]!);
    }
  } else if (inside.length === 0) {
    found = siblings;
  }
  if (found.length === 0) invalid('EncryptedData has no EncryptedKey');
  if (found.length > maxEncryptedKeys) invalid('EncryptedData has too many EncryptedKeys');
  return found;
}

interface PrivateKey {
  key: KeyObject;
  bytes: number;
}

function privateKeysOf(options: DecryptOptions): PrivateKey[] {
  const list = Array.isArray(options.key) ? options.key : [options.key as KeyPair | string];
  if (list.length === 0) throw new SamlError('SAML_KEY_INVALID', 'no decryption key given');
  return list.map((entry: KeyPair | string) => {
    let key: KeyObject;
    if (isKeyPair(entry)) {
      const objects = keyObjectsOf(entry);
      if (!objects.privateKey)
        throw new SamlError('SAML_KEY_INVALID', 'decryption key pair has no private key');
      key = objects.privateKey;
    } else if (typeof entry === 'string' && entry.includes('-----BEGIN')) {
      try {
        key = createPrivateKey({
          key: entry,
          format: 'pem',
          ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
        });
      } catch (cause) {
        throw new SamlError('SAML_KEY_INVALID', 'decryption key could not be parsed', { cause });
      }
    } else {
      throw new SamlError('SAML_KEY_INVALID', 'decryption key must be a KeyPair or a PEM private key');
    }
    if (key.asymmetricKeyType !== 'rsa')
      throw new SamlError('SAML_KEY_INVALID', 'decryption key must be RSA');
    return { key, bytes: modulusBytes(key) };
  });
}

/**
 * Unwraps the content key with implicit rejection: when unwrapping fails or
 * yields a key of the wrong size, a random key of the right size is used
 * instead, so the failure only shows as the data decryption failing, exactly
 * like a wrong or tampered key (the Bleichenbacher countermeasure of RFC 5246 §7.4.7.1; it also
 * keeps OAEP from becoming a Manger oracle).
 */
function unwrapKey(candidate: EncryptedKeyCandidate, privateKey: PrivateKey, keyBytes: number): Buffer {
  const { oaep } = candidate.transport;
  let key: Buffer | undefined;
  try {
    if (oaep !== undefined && oaep.digest === oaep.mgf) {
      key = privateDecrypt(
        {
          key: privateKey.key,
          padding: constants.RSA_PKCS1_OAEP_PADDING,
          oaepHash: oaep.digest,
          ...(oaep.label.length > 0 ? { oaepLabel: oaep.label } : {}),
        },
        candidate.cipherValue,
      );
    } else if (candidate.cipherValue.length === privateKey.bytes) {
      const em = privateDecrypt(
        { key: privateKey.key, padding: constants.RSA_NO_PADDING },
        candidate.cipherValue,
      );
      key = oaep === undefined ? decodePkcs1(em) : decodeOaep(em, oaep);
    }
  } catch {
    key = undefined;
  }
  const random = randomBytes(keyBytes);
  return key !== undefined && key.length === keyBytes ? Buffer.from(key) : random;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decryptData(algorithm: DataEncryptionAlgorithm, key: Buffer, data: Buffer): string | undefined {
  const info = dataEncryptionInfo[algorithm];
  try {
    let plaintext: Buffer;
    if (info.authenticated) {
      if (data.length < info.ivBytes + 16) return undefined;
      const decipher = createDecipheriv(info.cipher as 'aes-256-gcm', key, data.subarray(0, info.ivBytes), {
        authTagLength: 16,
      });
      decipher.setAuthTag(data.subarray(data.length - 16));
      plaintext = Buffer.concat([
        decipher.update(data.subarray(info.ivBytes, data.length - 16)),
        decipher.final(),
      ]);
    } else {
      if (data.length < 2 * info.ivBytes || data.length % info.ivBytes !== 0) return undefined;
      const decipher = createDecipheriv(info.cipher, key, data.subarray(0, info.ivBytes));
      // xmlenc-core1 §5.2: padding bytes are arbitrary, only the last one (the count) is defined.
      decipher.setAutoPadding(false);
      const padded = Buffer.concat([decipher.update(data.subarray(info.ivBytes)), decipher.final()]);
      const count = padded[padded.length - 1]!;
      if (count < 1 || count > info.ivBytes) return undefined;
      plaintext = padded.subarray(0, padded.length - count);
    }
    const text = utf8.decode(plaintext);
    // Type #Element: the plaintext must be one well-formed element (SAMLCore §6.1).
    parseXml(text);
    return text;
  } catch {
    return undefined;
  }
}

/**
 * Decrypts an `xenc:EncryptedData` (an EncryptedAssertion's, EncryptedID's or
 * EncryptedAttribute's) and returns the plaintext element as a string, checked
 * to be one well-formed element; parse it, and verify its signature, as any
 * other received XML.
 *
 * Algorithms are checked against the allowlists before any key is touched
 * (`SAML_ALGORITHM_FORBIDDEN`) and the structure is checked strictly
 * (`SAML_ENCRYPTED_DATA_INVALID`). After that every failure, whatever step it
 * happens in, is the same `SAML_DECRYPTION_FAILED` with the same message and
 * no cause, so the result cannot serve as a padding or OAEP oracle.
 */
export function decryptElement(encryptedData: Element, options: DecryptOptions): string {
  if (!isElement(encryptedData, 'xenc', 'EncryptedData')) invalid('element is not an xenc:EncryptedData');
  const type = attribute(encryptedData, 'Type');
  if (type !== undefined && type !== encryptedElementType) invalid('EncryptedData Type must be #Element');
  const data = encryptedTypeParts(encryptedData, false);
  const dataAlgorithm = acceptDataAlgorithm(data.method, options);
  const candidates: EncryptedKeyCandidate[] = [];
  for (const encryptedKey of encryptedKeysOf(encryptedData, data.keyInfo)) {
    const recipient = attribute(encryptedKey, 'Recipient');
    if (options.recipient !== undefined && recipient !== undefined && recipient !== options.recipient)
      continue;
    const parts = encryptedTypeParts(encryptedKey, true);
    candidates.push({ transport: acceptTransport(parts.method, options), cipherValue: parts.cipherValue });
  }
  if (candidates.length === 0) invalid('no EncryptedKey is addressed to this recipient');
  const privateKeys = privateKeysOf(options);
  const keyBytes = dataEncryptionInfo[dataAlgorithm].keyBytes;
  for (const candidate of candidates) {
    for (const privateKey of privateKeys) {
      const contentKey = unwrapKey(candidate, privateKey, keyBytes);
      const plaintext = decryptData(dataAlgorithm, contentKey, data.cipherValue);
      contentKey.fill(0);
      if (plaintext !== undefined) return plaintext;
    }
  }
  throw decryptionFailed();
}
