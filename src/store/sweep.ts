/** What a database store's `sweep(now)` removed. */
export interface StoreSweep {
  /** Session participants expired at `now`. */
  participants: number;
  /** Replay-cache entries whose acceptance window ended by `now`. */
  replayKeys: number;
  /** Front-channel logout transactions expired at `now`. */
  transactions: number;
}
