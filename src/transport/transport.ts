/** One back-channel HTTP request. */
export interface TransportRequest {
  url: string;
  /** `POST` for messages; `GET` fetches metadata (its `body` is ignored: pass `''`). */
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string;
  /** Per-attempt deadline. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The peer's answer: 2xx, 304 (Not Modified, the answer to a conditional GET) and 4xx are
 * returned; other 3xx (unless redirects are followed), a final 5xx
 * after the retries, and failures to get an answer throw `SAML_TRANSPORT_FAILED`.
 */
export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * How samlkit talks to SPs server-to-server (SOAP or POST back-channel logout).
 * Implement it to route through your own HTTP client, proxy or queue.
 */
export interface Transport {
  /** Sends one back-channel request, with the implementation's retries; see {@link TransportResponse} for what it throws. */
  send(request: TransportRequest): Promise<TransportResponse>;
}
