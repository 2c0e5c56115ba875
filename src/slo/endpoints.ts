import type { Provider, SlsBinding } from '../config/index.js';

/** A browser binding: how a front-channel logout message travels. */
export type BrowserBinding = 'redirect' | 'post';

/** A SingleLogoutService endpoint chosen for one message. */
export interface ChosenEndpoint<B extends SlsBinding> {
  binding: B;
  /** Where requests go (`Location`). */
  url: string;
  /** Where responses go: `ResponseLocation` when the SP set one, else `Location` (SAMLMeta §2.2.2). */
  responseUrl: string;
}

/**
 * The endpoint for a front-channel message to this SP: among its Redirect and
 * POST SingleLogoutService endpoints, the first binding of `prefer` it has,
 * else its first. A browser cannot carry SOAP, so a SOAP endpoint is never chosen.
 * `undefined` when the SP has no browser endpoint.
 */
export function frontChannelEndpoint(
  provider: Provider,
  prefer: readonly SlsBinding[] = [],
): ChosenEndpoint<BrowserBinding> | undefined {
  const browser = provider.singleLogoutServices.filter((service) => service.binding !== 'soap');
  const found =
    prefer.flatMap((binding) => browser.filter((service) => service.binding === binding))[0] ?? browser[0];
  if (found === undefined) return undefined;
  return {
    binding: found.binding as BrowserBinding,
    url: found.url,
    responseUrl: found.responseUrl ?? found.url,
  };
}

/**
 * The endpoint for back-channel logout: the SP's SOAP endpoint (SAMLBind §3.2),
 * else its HTTP-POST one (authentik's server-side form post).
 */
export function backchannelEndpoint(provider: Provider): ChosenEndpoint<'soap' | 'post'> | undefined {
  const found =
    provider.singleLogoutServices.find((service) => service.binding === 'soap') ??
    provider.singleLogoutServices.find((service) => service.binding === 'post');
  if (found === undefined) return undefined;
  return {
    binding: found.binding as 'soap' | 'post',
    url: found.url,
    responseUrl: found.responseUrl ?? found.url,
  };
}
