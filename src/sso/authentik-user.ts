import type { AttributeInput } from './attributes.js';
import type { NameIdSubject } from './name-id.js';

/**
 * A user shaped like authentik's `User` model, as an IdP moving from authentik
 * has them: `pk` (or `id`, the same number), `username`, `email`, `name`, the
 * names of its groups, and the free-form `attributes` (the LDAP source sets
 * `upn` and `distinguishedName` there).
 */
export interface AuthentikUser {
  pk?: number | string;
  id?: number | string;
  username: string;
  email: string;
  /** The display name. */
  name: string;
  /** Group names (authentik's `ak_groups`), or group objects with a `name`. */
  groups?: readonly (string | { readonly name: string })[];
  attributes?: Readonly<Record<string, unknown>>;
}

/**
 * The attribute names of authentik's managed default SAML property mappings
 * (blueprint `system/providers-saml.yaml`, reference §2.2). None of them sets a
 * FriendlyName, so none is released with one.
 */
export const authentikAttributeNames = {
  upn: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  username: 'http://schemas.goauthentik.io/2021/02/saml/username',
  uid: 'http://schemas.goauthentik.io/2021/02/saml/uid',
  groups: 'http://schemas.xmlsoap.org/claims/Group',
  windowsAccountName: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/windowsaccountname',
} as const;

/** The user's primary key as authentik renders it (`str(user.pk)`); `pk` and `id` must agree. */
function primaryKeyOf(user: AuthentikUser): string {
  if (typeof user !== 'object' || user === null) throw new TypeError('an authentik user must be an object');
  const keys = [user.pk, user.id].filter((key) => key !== undefined).map((key) => String(key));
  if (keys.length === 0 || keys[0] === '') throw new TypeError('an authentik user needs its pk (or id)');
  if (keys.length === 2 && keys[0] !== keys[1])
    throw new TypeError('an authentik user’s pk and id are the same value');
  for (const field of ['username', 'email', 'name'] as const) {
    if (typeof user[field] !== 'string') throw new TypeError(`an authentik user’s ${field} must be a string`);
  }
  return keys[0]!;
}

/** An attribute of `user.attributes` as a string, `null` when authentik would skip it (None or absent). */
function userAttribute(user: AuthentikUser, name: string): string | null | undefined {
  const attributes = user.attributes;
  if (attributes === undefined || !Object.hasOwn(attributes, name)) return undefined;
  const value = attributes[name];
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError(`the authentik user attribute ${name} must be a string`);
}

/**
 * The attributes authentik's managed default SAML property mappings release
 * for `user`, as authentik emits them: ordered by attribute name, without
 * FriendlyName or NameFormat, one value per group (an attribute with no value
 * when the user is in no group), and `upn` falling back to the email.
 */
export function authentikDefaultAttributes(user: AuthentikUser): AttributeInput[] {
  const pk = primaryKeyOf(user);
  const upn = userAttribute(user, 'upn');
  const groups = (user.groups ?? []).map((group) => {
    const name = typeof group === 'string' ? group : group?.name;
    if (typeof name !== 'string') throw new TypeError('an authentik group is a name or { name }');
    return name;
  });
  const released: AttributeInput[] = [
    // `user.attributes.get('upn', user.email)`: a upn set to None releases nothing.
    ...(upn === null ? [] : [{ name: authentikAttributeNames.upn, values: [upn ?? user.email] }]),
    { name: authentikAttributeNames.name, values: [user.name] },
    { name: authentikAttributeNames.email, values: [user.email] },
    { name: authentikAttributeNames.username, values: [user.username] },
    { name: authentikAttributeNames.uid, values: [pk] },
    { name: authentikAttributeNames.groups, values: groups },
    { name: authentikAttributeNames.windowsAccountName, values: [user.username] },
  ];
  // authentik evaluates its mappings ordered by saml_name.
  return released.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * What samlkit needs to name an authentik-shaped user and release its
 * attributes as authentik did: the ID authentik's `uid` is derived from, the
 * email, the `distinguishedName` and `upn` attributes for the X509SubjectName
 * and WindowsDomainQualifiedName formats, and the default attributes. Spread
 * it into the SSO user with the session and authentication details.
 */
export function authentikSubject(user: AuthentikUser): NameIdSubject & { attributes: AttributeInput[] } {
  const attributes = authentikDefaultAttributes(user);
  const distinguishedName = userAttribute(user, 'distinguishedName');
  const upn = userAttribute(user, 'upn');
  return {
    id: primaryKeyOf(user),
    ...(user.email === '' ? {} : { email: user.email }),
    ...(distinguishedName ? { x509SubjectName: distinguishedName } : {}),
    ...(upn ? { windowsDomainQualifiedName: upn } : {}),
    attributes,
  };
}
