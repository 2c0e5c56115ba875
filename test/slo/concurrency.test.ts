import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from '../../src/slo/concurrency.js';

/** A promise the test resolves by hand, so interleavings are chosen, not timed. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('mapWithConcurrency', () => {
  it('never has more than `limit` calls in flight, and starts the next as soon as one ends', async () => {
    const gates = Array.from({ length: 7 }, () => deferred<void>());
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const run = mapWithConcurrency(gates, 3, async (gate, index) => {
      started.push(index);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await gate.promise;
      inFlight--;
      return index;
    });
    await flush();
    expect(started).toEqual([0, 1, 2]);
    // Finish out of order: the freed slot goes to the next item in order.
    gates[1]!.resolve();
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const index of [3, 0, 6, 2, 4, 5]) {
      gates[index]!.resolve();
      await flush();
      expect(inFlight).toBeLessThanOrEqual(3);
    }
    expect(await run).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(3);
  });

  it('preserves input order whatever order the calls finish in', async () => {
    const delays = [30, 5, 20, 0, 10, 1];
    const result = await mapWithConcurrency(delays, 2, async (ms, index) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return `${index}:${ms}`;
    });
    expect(result).toEqual(['0:30', '1:5', '2:20', '3:0', '4:10', '5:1']);
  });

  it('handles an empty list and a limit larger than the list', async () => {
    expect(await mapWithConcurrency([], 4, async (x: number) => x)).toEqual([]);
    let peak = 0;
    let inFlight = 0;
    const result = await mapWithConcurrency([1, 2], Number.POSITIVE_INFINITY, async (x) => {
      peak = Math.max(peak, ++inFlight);
      await flush();
      inFlight--;
      return x * 2;
    });
    expect(result).toEqual([2, 4]);
    expect(peak).toBe(2);
  });

  it('limit 1 runs strictly one after another', async () => {
    const log: string[] = [];
    await mapWithConcurrency(['a', 'b', 'c'], 1, async (x) => {
      log.push(`start ${x}`);
      await flush();
      log.push(`end ${x}`);
    });
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('fix: a limit below 1 (0, negative, NaN) is a RangeError, not an array of holes', async () => {
    for (const limit of [0, -1, Number.NaN, 0.5]) {
      await expect(mapWithConcurrency([1, 2, 3], limit, async (x) => x)).rejects.toThrow(RangeError);
    }
    // Fractions above 1 round down.
    expect(await mapWithConcurrency([1, 2, 3], 2.7, async (x) => x)).toEqual([1, 2, 3]);
  });

  it('fix: after a call rejects, no further item is started', async () => {
    const started: number[] = [];
    const run = mapWithConcurrency([0, 1, 2, 3, 4], 2, async (x) => {
      started.push(x);
      await flush();
      if (x === 0) throw new Error('boom');
      return x;
    });
    await expect(run).rejects.toThrow('boom');
    await flush();
    await flush();
    expect(started).toEqual([0, 1]);
  });
});
