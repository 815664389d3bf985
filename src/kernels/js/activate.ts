// Fused activations for JS kernels, applied in place over a range of a float32 or float64 buffer.
// Each activation is its own loop with the formula written inline (the formulas of ops/activation-fns.ts,
// operation for operation, so results match the oracle). Why not call activationScalar's function per element:
// once a process has seen several activations, that call site is megamorphic, V8 stops inlining it, and every
// call returns a boxed double, i.e. one heap allocation per element (measured: 6 GCs in 10000 predict() calls of
// a small LSTM model in test/kernels/js-conformance.test.ts). Distinct literals keep each loop monomorphic.

import type { Activation } from '../../ops/activation-fns.js';

export type RangeFn<T> = (o: T, from: number, to: number) => void;

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** The activation as an in-place loop over a float64 range; undefined for linear. */
export function activatorF64(a: Activation): RangeFn<Float64Array> | undefined {
  const alpha = a.alpha;
  switch (a.fn) {
    case 'linear':
      return undefined;
    case 'relu':
      return (o, from, to) => {
        for (let i = from; i < to; i++) if (o[i] < 0) o[i] = 0;
      };
    case 'relu6':
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          o[i] = x < 0 ? 0 : x > 6 ? 6 : x;
        }
      };
    case 'sigmoid':
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          o[i] = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
        }
      };
    case 'hard_sigmoid': {
      if (alpha !== undefined) {
        const slope = alpha;
        const offset = a.beta ?? 0.5;
        return (o, from, to) => {
          for (let i = from; i < to; i++) o[i] = Math.min(1, Math.max(0, slope * o[i] + offset));
        };
      }
      return (o, from, to) => {
        for (let i = from; i < to; i++) o[i] = Math.min(6, Math.max(0, o[i] + 3)) / 6;
      };
    }
    case 'tanh':
      return (o, from, to) => {
        for (let i = from; i < to; i++) o[i] = Math.tanh(o[i]);
      };
    case 'softplus':
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          o[i] = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
        }
      };
    case 'softsign':
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          o[i] = x / (1 + Math.abs(x));
        }
      };
    case 'elu': {
      const al = alpha ?? 1;
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          o[i] = x > 0 ? x : al * Math.expm1(x);
        }
      };
    }
    case 'selu':
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          o[i] = x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x);
        }
      };
    case 'gelu':
      // 0.5 x (1 + erf(x / sqrt 2)), erf as activation-fns.ts computes it (Numerical Recipes erfc, |err| < 1.2e-7).
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          const e = x / Math.SQRT2;
          const z = Math.abs(e);
          const t = 1 / (1 + 0.5 * z);
          const r =
            t *
            Math.exp(
              -z * z -
                1.26551223 +
                t *
                  (1.00002368 +
                    t *
                      (0.37409196 +
                        t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
            );
          const erf = e >= 0 ? 1 - r : r - 1;
          o[i] = 0.5 * x * (1 + erf);
        }
      };
    case 'gelu_tanh':
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          o[i] = 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
        }
      };
    case 'swish':
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          o[i] = x * (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
        }
      };
    case 'exponential':
      return (o, from, to) => {
        for (let i = from; i < to; i++) o[i] = Math.exp(o[i]);
      };
    case 'leaky_relu': {
      const al = alpha ?? 0.2;
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          o[i] = x < 0 ? al * x : x;
        }
      };
    }
    case 'mish':
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          const sp = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
          o[i] = x * Math.tanh(sp);
        }
      };
    case 'thresholded_relu': {
      const theta = alpha ?? 1;
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          o[i] = x > theta ? x : x !== x ? x : 0;
        }
      };
    }
    case 'hard_swish':
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          o[i] = (x * Math.min(6, Math.max(0, x + 3))) / 6;
        }
      };
    case 'clip': {
      const lo = alpha ?? 0;
      const hi = a.beta ?? 6;
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const x = o[i];
          o[i] = x < lo ? lo : x > hi ? hi : x;
        }
      };
    }
  }
}

/** Scratch for activations over float32 ranges (single-threaded, never re-entered). */
const BLOCK = 256;
const SCRATCH = new Float64Array(BLOCK);

/**
 * The activation as an in-place loop over a float32 range; undefined for linear. relu / relu6 run directly
 * (exact on float32); the others go through float64 blocks of the loops above (same formulas, one rounding).
 */
export function activator(a: Activation): RangeFn<Float32Array> | undefined {
  switch (a.fn) {
    case 'linear':
      return undefined;
    case 'relu':
      return (o, from, to) => {
        for (let i = from; i < to; i++) if (o[i] < 0) o[i] = 0;
      };
    case 'relu6':
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const v = o[i];
          if (v < 0) o[i] = 0;
          else if (v > 6) o[i] = 6;
        }
      };
    default: {
      const f = activatorF64(a)!;
      return (o, from, to) => {
        const s = SCRATCH;
        for (let b = from; b < to; b += BLOCK) {
          const n = Math.min(BLOCK, to - b);
          for (let i = 0; i < n; i++) s[i] = o[b + i];
          f(s, 0, n);
          for (let i = 0; i < n; i++) o[b + i] = s[i];
        }
      };
    }
  }
}
