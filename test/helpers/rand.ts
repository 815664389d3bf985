// Seeded pseudo-random numbers for tests: reproducible inputs without a dependency (mulberry32).

import type { Shape } from '../../src/core/tensor.js';

/** A uniform [0, 1) generator from a 32-bit seed (mulberry32: tiny, fast, good enough for test data). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n floats drawn uniformly in [lo, hi) from the generator seeded with `seed`. */
export function randData(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * r();
  return data;
}

/** A tensor of the given concrete shape filled uniformly in [lo, hi). */
export function randTensor(shape: Shape, seed: number, lo = -1, hi = 1): { shape: number[]; data: Float32Array } {
  let n = 1;
  for (const d of shape) n *= d;
  return { shape: [...shape], data: randData(n, seed, lo, hi) };
}
