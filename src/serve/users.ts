import { readFile } from 'node:fs/promises';
import { createConfigError, toIssuePath } from '../config/issues.js';
import { type ServeUser, usersSchema } from '../config/serve-options.js';
import { authnContextClasses } from '../constants/saml.js';
import { hashPassword, type PasswordHash, verifyPassword } from '../crypto/index.js';
import type { SsoUser } from '../idp/index.js';

/** A user as the IdP keeps it: the password only as a hash. */
export interface UserRecord {
  username: string;
  password?: PasswordHash;
  attributes: Record<string, string[]>;
}

/** The users by username (a Map: names come from files and forms). */
export type UserDirectory = Map<string, UserRecord>;

/** The built-in user when none are given. */
export const demoUser: ServeUser = {
  username: 'demo',
  password: 'demo',
  attributes: { email: 'demo@example.org', displayName: 'Demo User', groups: ['staff'] },
};

/**
 * The users of a JSON file or a list, each password hashed once now.
 *
 * @throws SamlError `SAML_CONFIG_INVALID` for a malformed list or a duplicate username.
 */
export async function loadUsers(input: string | readonly ServeUser[] | undefined): Promise<UserDirectory> {
  let list: unknown = input ?? [demoUser];
  const source = typeof input === 'string' ? input : 'users';
  if (typeof input === 'string') {
    const raw = await readFile(input, 'utf8');
    try {
      list = JSON.parse(raw);
    } catch (error) {
      throw createConfigError(`${input} is not JSON`, [{ path: [], message: (error as Error).message }]);
    }
  }
  const parsed = usersSchema.safeParse(list);
  if (!parsed.success) {
    throw createConfigError(
      `invalid users in ${source}`,
      parsed.error.issues.map((issue) => ({ path: toIssuePath(issue.path), message: issue.message })),
    );
  }
  const users: UserDirectory = new Map();
  for (const [index, user] of parsed.data.entries()) {
    if (users.has(user.username))
      throw createConfigError(`invalid users in ${source}`, [
        { path: [index, 'username'], message: `repeats "${user.username}"` },
      ]);
    const attributes: Record<string, string[]> = Object.create(null);
    for (const [name, value] of Object.entries(user.attributes ?? {}))
      attributes[name] = Array.isArray(value) ? value : [value];
    users.set(user.username, {
      username: user.username,
      ...(user.password === undefined ? {} : { password: await hashPassword(user.password) }),
      attributes,
    });
  }
  if (users.size === 0)
    throw createConfigError(`invalid users in ${source}`, [{ path: [], message: 'is empty' }]);
  return users;
}

/**
 * The user named `username` when `password` is theirs. Unknown users and
 * users without a password cost the same hash as known ones.
 */
export async function checkCredentials(
  users: UserDirectory,
  username: string,
  password: string,
): Promise<UserRecord | undefined> {
  const user = users.get(username);
  const ok = await verifyPassword(password, user?.password);
  return ok && user?.password !== undefined ? user : undefined;
}

/**
 * The SSO subject for a user: their username as ID, their attributes, `email`
 * for the emailAddress format, authenticated by password unless `classRef` says otherwise.
 */
export function toSsoUser(
  user: UserRecord,
  session: { id: string; authnInstant: number },
  classRef?: string,
): SsoUser {
  const email = user.attributes.email?.[0];
  return {
    id: user.username,
    ...(email === undefined ? {} : { email }),
    sessionId: session.id,
    authnInstant: new Date(session.authnInstant),
    // Test mode's automatic sign-in stands for a password sign-in, or for what the request asked.
    authnContextClassRef: classRef ?? authnContextClasses.passwordProtectedTransport,
    attributes: Object.entries(user.attributes).map(([name, values]) => ({ name, values })),
  };
}
