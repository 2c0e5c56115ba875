export interface AttackCorpusEntry {
  /** `<message-type>/<binding>/<name>`, also the file path without extension. */
  id: string;
  file: string;
  messageType: 'LogoutRequest' | 'LogoutResponse' | 'AuthnRequest' | 'Response';
  binding: 'post' | 'redirect' | 'soap';
  format: 'xml' | 'form' | 'query' | 'soap';
  /** Which public paths the case goes through: `receive*` (+ `parse*`) and/or the facade. */
  via: ('receive' | 'idp')[];
  attack?: string;
  provenance?: string;
  relayState?: string;
  /** The file is a prefix; the test appends `unit` `times` times (inputs too big to commit). */
  repeat?: { unit: string; times: number };
  inflatedBytes?: number;
  expect: { code?: string; idpCode?: string; ignored?: string };
  xmlCrypto?: {
    verdict: 'rejects' | 'accepts' | 'accepts-other-element' | 'accepts-with-decoy';
    note?: string;
    decoy?: string;
  };
  idp?: { precededBy?: string };
}

export interface AttackCorpus {
  cases: { entry: AttackCorpusEntry; content: Buffer }[];
  controls: { entry: AttackCorpusEntry; content: Buffer }[];
}

export interface AttackWorld {
  now: string;
  idpEntityId: string;
  endpoints: { redirect: string; post: string; soap: string };
  providers: Record<'sp-a' | 'sp-b', { entityId: string; slsUrl: string; key: string }>;
  sessions: { providerId: string; userId: string; nameId: string; sessionIndex: string }[];
  generatedIds: string[];
  pending: { relayState: string; requestId: string };
}

export interface AttackManifest {
  description: string;
  world: AttackWorld;
  formats: Record<string, string>;
  controls: AttackCorpusEntry[];
  cases: AttackCorpusEntry[];
}

export declare const world: AttackWorld;
export declare function generateAttackCorpus(): AttackCorpus;
export declare function attackManifest(corpus?: AttackCorpus): AttackManifest;
