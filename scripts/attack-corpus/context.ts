// What every attack family builds on: the lists it adds to, the baseline messages, and the
// shorthands for the common shapes of a case.
import { logoutRequest, logoutResponse, type RedirectQueryOptions, redirectQuery, sign } from './shared.js';
import type { AttackCorpusEntry, AttackCorpusFile } from './types.js';

/** A manifest record before its file name is derived from `id` and `format`. */
export type EntryInput = Omit<AttackCorpusEntry, 'file' | 'expect'> &
  Partial<Pick<AttackCorpusEntry, 'expect'>>;
/** Fields a shorthand's caller adds to (or overrides in) the shorthand's entry. */
export type EntryExtra = Partial<EntryInput>;
/** A file's content: text (UTF-8) or exact bytes. */
export type Content = string | Buffer | Uint8Array;

export interface PostCaseDefaults {
  messageType: 'LogoutRequest' | 'LogoutResponse';
  attack?: string;
  relayState?: string;
}

export interface CorpusContext {
  cases: AttackCorpusFile[];
  controls: AttackCorpusFile[];
  /** Adds a hostile case. */
  attack(entry: EntryInput, content: Content): void;
  /** Adds a control: a valid message that must be accepted. */
  control(entry: EntryInput, content: Content): void;
  LR: 'logout-request';
  LRS: 'logout-response';
  both: ('receive' | 'idp')[];
  /** SP-A's signed LogoutRequest for HTTP-POST, the baseline most cases bend. */
  postRequest: string;
  /** SP-A's signed LogoutRequest for SOAP. */
  soapRequest: string;
  /** SP-A's unsigned LogoutRequest for HTTP-Redirect (the query carries the signature). */
  redirectRequestXml: string;
  /** SP-A's signed LogoutResponse for HTTP-POST. */
  postResponse: string;
  /** Adds an HTTP-Redirect LogoutRequest case named `id`. */
  redirect(id: string, entry: EntryExtra, query: string): void;
  /**
   * A shorthand that adds HTTP-POST cases of one message type: each named `id` under that type,
   * of the `attack` family given here unless its entry names another, with `relayState` when given.
   */
  postCases(defaults: PostCaseDefaults): (id: string, entry: EntryExtra, content: Content) => void;
  /** The baseline Redirect query (RelayState `rs1`), with `o` bending it. */
  rq(o?: Partial<RedirectQueryOptions>): string;
}

export function createContext(): CorpusContext {
  const cases: AttackCorpusFile[] = [];
  const controls: AttackCorpusFile[] = [];
  const add = (list: AttackCorpusFile[], entry: EntryInput, content: Content) => {
    const file = `${entry.id}.${entry.format === 'query' || entry.format === 'form' ? 'txt' : 'xml'}`;
    list.push({
      // Controls carry no `expect`: they are the messages that must be accepted.
      entry: { ...entry, file } as AttackCorpusEntry,
      content: Buffer.isBuffer(content) ? content : Buffer.from(content as string, 'utf8'),
    });
  };
  const attack = (entry: EntryInput, content: Content) => add(cases, entry, content);
  const control = (entry: EntryInput, content: Content) => add(controls, entry, content);
  const postRequest = sign(logoutRequest());
  const soapRequest = sign(logoutRequest({ binding: 'soap' }));
  const redirectRequestXml = logoutRequest({ binding: 'redirect' });
  const postResponse = sign(logoutResponse());
  const LR = 'logout-request';
  const both: ('receive' | 'idp')[] = ['receive', 'idp'];
  const redirect = (id: string, entry: EntryExtra, query: string) =>
    attack(
      {
        id: `${LR}/redirect/${id}`,
        messageType: 'LogoutRequest',
        binding: 'redirect',
        format: 'query',
        via: both,
        ...entry,
      } as EntryInput,
      query,
    );
  const postCases =
    ({ messageType, attack: family, relayState }: PostCaseDefaults) =>
    (id: string, entry: EntryExtra, content: Content) =>
      attack(
        {
          id: `${messageType === 'LogoutRequest' ? LR : 'logout-response'}/post/${id}`,
          messageType,
          binding: 'post',
          format: 'xml',
          ...(family === undefined ? {} : { attack: family }),
          ...(relayState === undefined ? {} : { relayState }),
          via: both,
          ...entry,
        } as EntryInput,
        content,
      );
  const rq = (o: Partial<RedirectQueryOptions> = {}) =>
    redirectQuery({ xml: redirectRequestXml, relayState: 'rs1', ...o });
  return {
    cases,
    controls,
    attack,
    control,
    LR,
    LRS: 'logout-response',
    both,
    postRequest,
    soapRequest,
    redirectRequestXml,
    postResponse,
    redirect,
    postCases,
    rq,
  };
}
