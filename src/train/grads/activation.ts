// Gradient of `activation` (every element-wise Keras activation), and the helpers the ops with a fused
// activation (dense, conv2d) share: forward over a pre-activation buffer, and dz = dy * f'(z).
// Derivatives follow TensorFlow's gradient kernels (ReluGrad: x > 0; Relu6Grad: 0 < x < 6; EluGrad from y;
// SeluGrad; SoftplusGrad = sigmoid(x); ...), so that they agree with tf.grads at the kinks too.

import { tensor } from '../../core/tensor.js';
import type { ActivationAttrs } from '../../ops/activation.js';
import { activationScalar, type Activation } from '../../ops/activation-fns.js';
import { defineGrad } from './types.js';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const SQRT_2_OVER_PI = 0.7978845608028654;
const INV_SQRT_2PI = 0.3989422804014327;

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Standard normal CDF via erfc (W. J. Cody-style rational bounds are overkill: float32 needs ~1e-7). */
function normalCdf(x: number): number {
  // Abramowitz & Stegun 7.1.26 is 1.5e-7 absolute on erf; enough for a float32 derivative.
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfAbs = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erfAbs) : 0.5 * (1 - erfAbs);
}

/** Whether f'(z) can be computed from y = f(z) alone (then the pre-activation need not be kept). */
export function derivativeFromOutput(a: Activation): boolean {
  return a.fn === 'linear' || a.fn === 'relu' || a.fn === 'sigmoid' || a.fn === 'tanh';
}

/** f'(z) as a function of (z, y); z may be NaN-free garbage when derivativeFromOutput(a). */
export function activationDerivative(a: Activation): (z: number, y: number) => number {
  const alpha = a.alpha;
  switch (a.fn) {
    case 'linear':
      return () => 1;
    case 'relu':
      return (_z, y) => (y > 0 ? 1 : 0);
    case 'relu6':
      return (z) => (z > 0 && z < 6 ? 1 : 0);
    case 'sigmoid':
      return (_z, y) => y * (1 - y);
    case 'hard_sigmoid':
      if (alpha !== undefined) {
        const offset = a.beta ?? 0.5;
        return (z) => {
          const u = alpha * z + offset;
          return u > 0 && u < 1 ? alpha : 0;
        };
      }
      return (z) => (z > -3 && z < 3 ? 1 / 6 : 0);
    case 'tanh':
      return (_z, y) => 1 - y * y;
    case 'softplus':
      return (z) => sigmoid(z);
    case 'softsign':
      return (z) => 1 / ((1 + Math.abs(z)) * (1 + Math.abs(z)));
    case 'elu': {
      const al = alpha ?? 1;
      return (z, y) => (z > 0 ? 1 : y + al);
    }
    case 'selu':
      return (z) => (z > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(z));
    case 'gelu':
      return (z) => normalCdf(z) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
    case 'gelu_tanh':
      return (z) => {
        const t = Math.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z * z * z));
        return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * z * z);
      };
    case 'swish':
      return (z) => {
        const s = sigmoid(z);
        return s + z * s * (1 - s);
      };
    case 'exponential':
      return (_z, y) => y;
    case 'leaky_relu': {
      const al = alpha ?? 0.2;
      return (z) => (z > 0 ? 1 : al);
    }
    case 'mish':
      return (z) => {
        const t = Math.tanh(softplus(z));
        return t + z * (1 - t * t) * sigmoid(z);
      };
    case 'thresholded_relu': {
      const theta = alpha ?? 1;
      return (z) => (z > theta ? 1 : 0);
    }
    case 'hard_swish':
      return (z) => (z < -3 ? 0 : z > 3 ? 1 : (2 * z + 3) / 6);
    case 'clip': {
      const lo = alpha ?? 0;
      const hi = a.beta ?? 6;
      return (z) => (z > lo && z < hi ? 1 : 0);
    }
  }
}

/** y[i] = f(z[i]) (y may be z: in place). */
export function activationForward(a: Activation, z: Float32Array, y: Float32Array): void {
  const n = z.length;
  if (a.fn === 'linear') {
    if (y !== z) y.set(z);
    return;
  }
  if (a.fn === 'relu') {
    for (let i = 0; i < n; i++) {
      const v = z[i];
      y[i] = v < 0 ? 0 : v;
    }
    return;
  }
  const f = activationScalar(a);
  for (let i = 0; i < n; i++) y[i] = f(z[i]);
}

/** dz[i] = dy[i] * f'(z[i]) (dz may be dy: in place). `z` is unused when derivativeFromOutput(a). */
export function activationBackward(a: Activation, z: Float32Array | undefined, y: Float32Array, dy: Float32Array, dz: Float32Array): void {
  const n = y.length;
  if (a.fn === 'linear') {
    if (dz !== dy) dz.set(dy);
    return;
  }
  if (a.fn === 'relu') {
    for (let i = 0; i < n; i++) dz[i] = y[i] > 0 ? dy[i] : 0;
    return;
  }
  const d = activationDerivative(a);
  const zz = z ?? y;
  for (let i = 0; i < n; i++) dz[i] = dy[i] * d(zz[i], y[i]);
}

export const activationGrad = defineGrad<ActivationAttrs>({
  forward([x], { activation }, ctx) {
    const y = ctx.ws.get(`${ctx.key}:y`, x.data.length);
    activationForward(activation, x.data, y);
    return { outputs: [tensor(x.shape, y)] };
  },
  backward([dy], [x], fwd, { activation }, needs) {
    if (!needs[0]) return [undefined];
    activationBackward(activation, x.data, fwd.outputs[0].data, dy, dy);
    return [dy];
  },
});
