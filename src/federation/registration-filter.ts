import { namespaces } from '../constants/namespaces.js';
import { attribute, childElements, childrenNamed, type Element, isElement, readText } from '../xml/index.js';

/**
 * Which entities of an aggregate to keep. Each list given must match (a kind
 * left out matches everything); within a list, any one value matches.
 */
export interface RegistrationFilter {
  /** Keep only these entityIDs. */
  entityIds?: readonly string[];
  /** Keep only entities with at least one of these `http://macedir.org/entity-category` values. */
  entityCategories?: readonly string[];
  /** Keep only entities registered by one of these `mdrpi:RegistrationInfo` authorities. */
  registrationAuthorities?: readonly string[];
}

/** The entity category attribute (REFEDS Entity Category specification). */
export const entityCategoryAttribute = 'http://macedir.org/entity-category';

/** What the registration filter looks at, read from an entity's md:Extensions. */
export interface Registration {
  entityCategories: string[];
  registrationAuthority: string | undefined;
}

/** The `registrationAuthority` of an `md:Extensions` element's `mdrpi:RegistrationInfo`, if any. */
export function registrationAuthorityIn(extensions: Element): string | undefined {
  for (const info of childrenNamed(extensions, 'mdrpi', 'RegistrationInfo')) {
    const authority = attribute(info, 'registrationAuthority');
    if (authority !== undefined) return authority;
  }
  return undefined;
}

/** The `registrationAuthority` of an element's `md:Extensions/mdrpi:RegistrationInfo`, if any. */
export function readRegistrationAuthority(holder: Element): string | undefined {
  for (const extensions of childrenNamed(holder, 'md', 'Extensions')) {
    const authority = registrationAuthorityIn(extensions);
    if (authority !== undefined) return authority;
  }
  return undefined;
}

/** Entity categories and registration authority of an EntityDescriptor; `inherited` is its groups' authority. */
export function readRegistration(entity: Element, inherited: string | undefined): Registration {
  const entityCategories: string[] = [];
  for (const extensions of childrenNamed(entity, 'md', 'Extensions')) {
    for (const attributes of childrenNamed(extensions, 'mdattr', 'EntityAttributes')) {
      for (const child of childElements(attributes)) {
        if (!isElement(child, 'saml', 'Attribute')) continue;
        if (attribute(child, 'Name') !== entityCategoryAttribute) continue;
        for (const value of childElements(child)) {
          if (value.namespaceURI === namespaces.saml && value.localName === 'AttributeValue') {
            entityCategories.push(readText(value).trim());
          }
        }
      }
    }
  }
  return { entityCategories, registrationAuthority: readRegistrationAuthority(entity) ?? inherited };
}

/** The filter as Sets, built once per import. */
export interface CompiledFilter {
  entityIds: ReadonlySet<string> | undefined;
  entityCategories: ReadonlySet<string> | undefined;
  registrationAuthorities: ReadonlySet<string> | undefined;
}

export function compileFilter(filter: RegistrationFilter | undefined): CompiledFilter {
  const set = (list: readonly string[] | undefined) => (list === undefined ? undefined : new Set(list));
  return {
    entityIds: set(filter?.entityIds),
    entityCategories: set(filter?.entityCategories),
    registrationAuthorities: set(filter?.registrationAuthorities),
  };
}

/** Whether an entity's ID passes; checked before anything else is read. */
export function passesEntityId(filter: CompiledFilter, entityId: string): boolean {
  return filter.entityIds === undefined || filter.entityIds.has(entityId);
}

/** Whether an entity's registration passes the category and authority filters. */
export function passesRegistration(filter: CompiledFilter, registration: Registration): boolean {
  if (
    filter.entityCategories !== undefined &&
    !registration.entityCategories.some((category) => filter.entityCategories!.has(category))
  ) {
    return false;
  }
  return (
    filter.registrationAuthorities === undefined ||
    (registration.registrationAuthority !== undefined &&
      filter.registrationAuthorities.has(registration.registrationAuthority))
  );
}
