/**
 * Something a result carries along with its `xml` (ADR 0009): the value lives on the
 * result object itself, exactly as long as the caller keeps it, and no other request can
 * reach it. Non-enumerable under a private symbol, so spreads, JSON, logs and
 * `structuredClone` leave it behind; and read back only while the result's `xml` is still
 * the exact text it was attached with.
 */
export interface Carrier<V> {
  /** Attaches `value` to `result`, bound to its current `xml`. */
  carry<T extends { readonly xml: string }>(result: T, value: V): T;
  /**
   * The value `result` carries with the text it was attached with, if `result.xml` is still
   * that text (read once: use the `xml` returned, not `result.xml` again).
   */
  carried(result: object): { readonly xml: string; readonly value: V } | undefined;
}

/** A {@link Carrier} under its own private symbol, named by `description` for debugging only. */
export function createCarrier<V>(description: string): Carrier<V> {
  const slot = Symbol(description);
  type Slot = { readonly xml: string; readonly value: V };
  return {
    carry(result, value) {
      Object.defineProperty(result, slot, { value: { xml: result.xml, value } satisfies Slot });
      return result;
    },
    carried(result) {
      const found = (result as { [slot]?: Slot })[slot];
      return found !== undefined && found.xml === (result as { xml?: unknown }).xml ? found : undefined;
    },
  };
}
