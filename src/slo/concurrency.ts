/**
 * Maps `items` through `fn` with at most `limit` calls in flight, preserving
 * order. After a call rejects no further item is started and the first
 * rejection is returned. `limit` must be at least 1 (fractions round down).
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (typeof limit !== 'number' || !(limit >= 1)) {
    throw new RangeError('mapWithConcurrency: limit must be a number of at least 1');
  }
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const width = Math.min(Math.floor(limit), items.length);
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}
