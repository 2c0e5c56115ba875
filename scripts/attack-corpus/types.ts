// The shapes of the attack corpus and of fixtures/attacks/index.json.
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
  /** What samlkit must do with the case (a control, which must be accepted, has none). */
  expect: { code?: string; idpCode?: string; ignored?: string };
  xmlCrypto?: {
    verdict: 'rejects' | 'accepts' | 'accepts-other-element' | 'accepts-with-decoy';
    note?: string;
    decoy?: string;
  };
  idp?: { precededBy?: string };
}

/** One generated file: its manifest record and its exact bytes. */
export interface AttackCorpusFile {
  entry: AttackCorpusEntry;
  content: Buffer;
}

export interface AttackCorpus {
  cases: AttackCorpusFile[];
  controls: AttackCorpusFile[];
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
