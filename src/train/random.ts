// Seeded randomness for training: weight initialisation, dropout masks, shuffling. One generator per purpose,
// all derived from the model's seed, so a run with the same seed and data reproduces bit for bit.

import { seededUniform } from '../models/prng.js';

export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
}

export function makeRandom(seed: number): Random {
  const next = seededUniform(seed);
  let spare: number | undefined;
  return {
    uniform: next,
    normal() {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** A derived seed for a named purpose ("init", "dropout", "shuffle"): independent streams from one seed. */
export function deriveSeed(seed: number, purpose: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** In-place Fisher-Yates shuffle. */
export function shuffleInPlace(a: Uint32Array | number[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
