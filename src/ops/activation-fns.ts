// Every element-wise Keras activation, in one table. Used by the `activation` op and by every op that
// carries a fused activation (dense, conv2d, ...), so the semantics live in exactly one place.
// Formulas follow keras/src/activations/activations.py (Keras 3) and tf.keras 2.x.

export type ActivationName =
  | 'linear'
  | 'relu'
  | 'relu6'
  | 'sigmoid'
  | 'hard_sigmoid'
  | 'tanh'
  | 'softplus'
  | 'softsign'
  | 'elu'
  | 'selu'
  | 'gelu'
  | 'gelu_tanh'
  | 'swish'
  | 'exponential'
  | 'leaky_relu'
  | 'mish'
  | 'thresholded_relu'
  | 'hard_swish'
  | 'clip';

/**
 * An element-wise activation and its parameters:
 * alpha: slope for leaky_relu / elu; theta for thresholded_relu; min for clip.
 * beta: max for clip. Unused parameters are ignored.
 */
export interface Activation {
  readonly fn: ActivationName;
  readonly alpha?: number;
  readonly beta?: number;
}

export const LINEAR: Activation = { fn: 'linear' };

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

function softplus(x: number): number {
  // log(1 + exp(x)) without overflow for large x and without losing precision for very negative x.
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is only ~1e-7 accurate; use a series/continued-fraction free approach:
  // W. J. Cody's rational approximation is overkill here; float32 output needs ~1e-7 relative.
  // We use the high-precision approximation from Numerical Recipes (erfc via Chebyshev), |err| < 1.2e-7.
  const z = Math.abs(x);
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
  return x >= 0 ? 1 - r : r - 1;
}

/** The scalar function of an activation, in float64; callers round to float32 when storing. */
export function activationScalar(a: Activation): (x: number) => number {
  const alpha = a.alpha;
  switch (a.fn) {
    case 'linear':
      return (x) => x;
    case 'relu':
      // NaN propagates (TensorFlow's Relu keeps NaN): Math.max(0, NaN) is NaN.
      return (x) => (x < 0 ? 0 : x);
    case 'relu6':
      return (x) => (x < 0 ? 0 : x > 6 ? 6 : x);
    case 'sigmoid':
      return (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    case 'hard_sigmoid':
      // Keras 3 and tf.keras >= 2.12: relu6(x + 3) / 6. Older Keras used 0.2x + 0.5 clipped; the importer
      // maps old versions to clip with explicit slope via `alpha` = slope, `beta` = offset.
      if (alpha !== undefined) {
        const slope = alpha;
        const offset = a.beta ?? 0.5;
        return (x) => Math.min(1, Math.max(0, slope * x + offset));
      }
      return (x) => Math.min(6, Math.max(0, x + 3)) / 6;
    case 'tanh':
      return Math.tanh;
    case 'softplus':
      return softplus;
    case 'softsign':
      return (x) => x / (1 + Math.abs(x));
    case 'elu': {
      const al = alpha ?? 1;
      return (x) => (x > 0 ? x : al * Math.expm1(x));
    }
    case 'selu':
      return (x) => (x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x));
    case 'gelu':
      // Keras default approximate=False: x * 0.5 * (1 + erf(x / sqrt(2))).
      return (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'gelu_tanh':
      return (x) => 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
    case 'swish':
      return (x) => x * (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    case 'exponential':
      return Math.exp;
    case 'leaky_relu': {
      const al = alpha ?? 0.2;
      return (x) => (x < 0 ? al * x : x);
    }
    case 'mish':
      return (x) => x * Math.tanh(softplus(x));
    case 'thresholded_relu': {
      const theta = alpha ?? 1;
      return (x) => (x > theta ? x : Number.isNaN(x) ? x : 0);
    }
    case 'hard_swish':
      return (x) => (x * Math.min(6, Math.max(0, x + 3))) / 6;
    case 'clip': {
      const lo = alpha ?? 0;
      const hi = a.beta ?? 6;
      return (x) => (x < lo ? lo : x > hi ? hi : x);
    }
  }
}

/** Applies an activation in place over data[offset, offset + length). */
export function applyActivation(a: Activation, data: Float32Array, offset = 0, length = data.length - offset): void {
  if (a.fn === 'linear') return;
  const f = activationScalar(a);
  const end = offset + length;
  for (let i = offset; i < end; i++) data[i] = f(data[i]);
}

export function activationToString(a: Activation): string {
  const params = [a.alpha, a.beta].filter((p) => p !== undefined);
  return params.length ? `${a.fn}(${params.join(', ')})` : a.fn;
}
