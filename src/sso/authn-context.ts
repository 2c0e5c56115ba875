import type { RequestedAuthnContext } from './authn-request.js';

/**
 * Whether the context class the user was authenticated with satisfies a
 * RequestedAuthnContext (SAMLCore §3.3.2.2.1). `exact` needs one of the
 * listed classes. `minimum`, `maximum` and `better` compare strength, which
 * only the deployment knows: pass `rank`, the classes from weakest to
 * strongest. Without it only an equal class satisfies `minimum` and `maximum`
 * and nothing satisfies `better`, so unknown strength fails closed. Requests by
 * declaration reference are never satisfied: samlkit asserts classes only.
 */
export function satisfiesAuthnContext(
  requested: RequestedAuthnContext,
  classRef: string,
  rank: readonly string[] = [],
): boolean {
  if (requested.classRefs.length === 0) return false;
  if (requested.comparison === 'exact') return requested.classRefs.includes(classRef);
  const strength = (uri: string) => rank.indexOf(uri);
  const used = strength(classRef);
  return requested.classRefs.some((wanted) => {
    if (wanted === classRef && requested.comparison !== 'better') return true;
    const target = strength(wanted);
    if (used < 0 || target < 0) return false;
    if (requested.comparison === 'minimum') return used >= target;
    if (requested.comparison === 'maximum') return used <= target;
    return used > target;
  });
}
