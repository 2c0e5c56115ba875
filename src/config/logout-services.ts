import type { SingleLogoutService, SlsBinding } from './provider-types.js';

interface LogoutFields {
  slsUrl?: string | undefined;
  slsBinding?: SlsBinding | undefined;
  singleLogoutServices?: readonly SingleLogoutService[] | undefined;
}

const isBrowser = (service: SingleLogoutService) => service.binding !== 'soap';

/**
 * @internal A provider's SingleLogoutService endpoints and its authentik-shaped
 * `slsUrl` + `slsBinding`, each derived from the other when only one is given:
 * the list defaults to the one `slsUrl` endpoint, and `slsUrl` to the list's
 * first browser endpoint (else its first).
 */
export function resolveLogoutServices(fields: LogoutFields): {
  services: SingleLogoutService[];
  slsUrl: string;
  slsBinding: SlsBinding;
} {
  const slsUrl = fields.slsUrl ?? '';
  const slsBinding = fields.slsBinding ?? 'redirect';
  const listed = fields.singleLogoutServices ?? [];
  if (listed.length === 0) {
    return { services: slsUrl === '' ? [] : [{ binding: slsBinding, url: slsUrl }], slsUrl, slsBinding };
  }
  const services = listed.map((service) => ({ ...service }));
  if (slsUrl !== '') return { services, slsUrl, slsBinding };
  const preferred = services.find(isBrowser) ?? services[0]!;
  return { services, slsUrl: preferred.url, slsBinding: preferred.binding };
}
