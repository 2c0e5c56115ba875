import type { PostForm } from '../bindings/index.js';
import type { SamlError } from '../errors/index.js';
import type { ParticipantOutcome } from './outcome.js';

/** What to send back to the browser or SP. */
export type LogoutReply =
  | { kind: 'redirect'; url: string }
  | { kind: 'post'; form: PostForm }
  | { kind: 'soap'; body: string; contentType: 'text/xml; charset=utf-8' }
  /**
   * Nothing to send to an SP: an IdP-initiated logout finished, or the SP
   * that asked has no SLS URL to answer to. Send the browser where you want.
   */
  | { kind: 'done'; returnTo?: string };

/** A front-channel message for the caller to render (iframe) or to send the browser to. */
export interface FrontChannelStep {
  participantId: string;
  providerId: string;
  entityId: string;
  binding: 'redirect' | 'post';
  /** For redirect: the URL; for post: the form. */
  url?: string;
  form?: PostForm;
}

/** Result of handling a LogoutRequest or advancing a chain. */
export interface LogoutResult {
  logoutId: string;
  userId: string | undefined;
  /**
   * Final status once complete. While a chain is running: the status of the
   * participants that have answered so far (pending hops are listed, not counted).
   */
  status: 'Success' | 'PartialLogout' | 'UnknownPrincipal';
  /** One entry per participant told (or not) about the logout; running chains list their hops as `pending`. */
  participants: ParticipantOutcome[];
  /** False while a front-channel chain still has hops; `reply` is then the next hop. */
  complete: boolean;
  reply: LogoutReply;
  /**
   * Front-channel iframe logouts for the caller to render (outcomes
   * unobservable). Only in the result of the call that started the logout;
   * later hops of a chain return an empty list.
   */
  iframes: FrontChannelStep[];
}

/**
 * A logout message that was not accepted: `error` says why (its `status` says
 * whose fault: `Requester` for the message, `Responder` for this IdP, e.g. its
 * store). `providerId` is set once the Issuer named a registered provider
 * (unverified when the signature is what failed). Nothing is sent to the SP:
 * answer with a 400, or a SOAP Fault on SOAP, without echoing the message.
 */
export interface LogoutRefusal {
  ok: false;
  error: SamlError;
  providerId?: string;
}

/**
 * Result of `receiveLogoutRequest` and `receiveLogoutResponse`: the logout
 * (`ok: true`, with the reply to send), or the refusal.
 */
export type LogoutMessageResult = (LogoutResult & { ok: true }) | LogoutRefusal;
