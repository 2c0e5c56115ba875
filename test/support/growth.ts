import { isSamlError } from '../../src/errors/index.js';

/** Runs `fn` and accepts only a result or a SamlError, the contract for untrusted input. */
export async function settle(fn: () => unknown): Promise<'result' | string> {
  try {
    await fn();
    return 'result';
  } catch (error) {
    if (isSamlError(error)) return error.code;
    throw error;
  }
}

// CPU time of this process, not wall-clock time: on a loaded machine the wall clock also counts
// the time other processes ran, which says nothing about the work done here.
function now(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function batch(fn: () => unknown, count: number): Promise<number> {
  const start = now();
  for (let i = 0; i < count; i++) await settle(fn);
  return now() - start;
}

export interface Growth {
  /** Best time of one call at `n` and at `factor × n`, in milliseconds. */
  small: number;
  large: number;
  /** large / small: about `factor` when the work is linear, `factor²` when quadratic. */
  ratio: number;
}

/**
 * Times the same adversarial shape at `n` and `factor × n` in this process and returns the
 * ratio of the best times. Ratios within one run, never absolute timings, and CPU time rather
 * than wall-clock time: the machine may be slow or loaded, but the two sizes are measured alike
 * when their repetitions are interleaved and the minimum of each is kept. Each timed batch lasts at least
 * `minBatchMs` at size n, so timer resolution and per-call overhead cannot dominate.
 */
export async function growth(
  make: (size: number) => () => unknown,
  n: number,
  { factor = 4, repetitions = 9, minBatchMs = 20 } = {},
): Promise<Growth> {
  const small = make(n);
  const large = make(n * factor);
  // Warm both up (JIT, caches), then size the batch so the small one is measurable.
  await batch(small, 2);
  await batch(large, 1);
  const once = Math.max((await batch(small, 3)) / 3, 0.001);
  const count = Math.max(1, Math.ceil(minBatchMs / once));
  let bestSmall = Number.POSITIVE_INFINITY;
  let bestLarge = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repetitions; i++) {
    bestSmall = Math.min(bestSmall, (await batch(small, count)) / count);
    bestLarge = Math.min(bestLarge, (await batch(large, count)) / count);
  }
  return { small: bestSmall, large: bestLarge, ratio: bestLarge / bestSmall };
}

/**
 * Expects `make` to grow linearly between `n` and `factor × n`: the ratio at most `maxRatio`.
 * A noisy measurement (a collection or another process landing in one batch) is taken again, up
 * to `attempts` times; quadratic work gives about `factor²` every time, so a retry cannot hide it.
 */
export async function expectLinear(
  make: (size: number) => () => unknown,
  n: number,
  {
    maxRatio = 6,
    attempts = 3,
    ...options
  }: { maxRatio?: number; attempts?: number; repetitions?: number; minBatchMs?: number } = {},
): Promise<Growth> {
  let best: Growth | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const measured = await growth(make, n, options);
    if (best === undefined || measured.ratio < best.ratio) best = measured;
    if (best.ratio <= maxRatio) break;
  }
  if (best!.ratio > maxRatio) {
    throw new Error(
      `not linear: ${n} → ${best!.small.toFixed(3)} ms, ${n * 4} → ${best!.large.toFixed(3)} ms (ratio ${best!.ratio.toFixed(1)} > ${maxRatio})`,
    );
  }
  return best!;
}
