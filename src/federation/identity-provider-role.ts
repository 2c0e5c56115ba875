import { SamlError } from '../errors/index.js';
import {
  earliestValidUntil,
  readEndpoints,
  readKeyDescriptors,
  supportsSaml2,
} from '../metadata/sp-metadata.js';
import { childrenNamed, type Element } from '../xml/index.js';
import type { IdentityProviderRole } from './imported-entity.js';

/** The first SAML 2.0 IDPSSODescriptor of an entity, or `undefined` when it has none. */
export function findIdentityProviderDescriptor(entity: Element): Element | undefined {
  return childrenNamed(entity, 'md', 'IDPSSODescriptor').find(supportsSaml2);
}

/**
 * Reads an IdP role (SAMLMeta §2.4.3): its SingleSignOnService endpoints (at
 * least one), SingleLogoutService endpoints and signing certificates.
 */
export function readIdentityProviderRole(
  descriptor: Element,
  options: Parameters<typeof readKeyDescriptors>[1],
): { role: IdentityProviderRole; validUntil: number | undefined } {
  const ssoServices = readEndpoints(descriptor, 'SingleSignOnService');
  if (ssoServices.length === 0) {
    throw new SamlError('SAML_METADATA_INVALID', 'IDPSSODescriptor has no SingleSignOnService');
  }
  const keys = readKeyDescriptors(descriptor, options);
  return {
    role: {
      ssoServices,
      sloServices: readEndpoints(descriptor, 'SingleLogoutService'),
      certificates: keys.signing,
    },
    validUntil: earliestValidUntil([descriptor]),
  };
}
