// A small seeded PRNG (mulberry32) for reproducible weights: same seed, same model, on every platform.
// Not for cryptography; chosen because it is tiny, fast and has no state beyond one uint32.

/** Returns a generator of uniform floats in [0, 1), fully determined by `seed`. */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills a Float32Array with uniform values in [lo, hi) from `next`. */
export function fillUniform(out: Float32Array, lo: number, hi: number, next: () => number): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * next();
  return out;
}
