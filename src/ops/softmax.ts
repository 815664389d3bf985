// softmax: exp-normalise along one axis (Keras Softmax layer / activation 'softmax', any axis).
// y = exp(x - max) / sum(exp(x - max)) as Keras/TF compute it: subtracting the max keeps logits of +-1e4
// finite; a NaN anywhere along the axis makes that whole slice NaN (so does +Inf: Inf - Inf), as in TF.

import { ShapeError } from '../core/errors.js';
import { sizeOf, tensor } from '../core/tensor.js';
import { defineOp } from './types.js';

export interface SoftmaxAttrs {
  /** Axis, may be negative. */
  readonly axis: number;
}

function softmaxAxis(rank: number, axis: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (rank < 1 || a < 0 || a >= rank) throw new ShapeError(`softmax: axis ${axis} out of range for rank ${rank}`, { op: 'softmax' });
  return a;
}

export const softmax = defineOp<SoftmaxAttrs>({
  name: 'softmax',
  arity: [1, 1],
  inferShape([x], { axis }) {
    softmaxAxis(x.length, axis);
    return [[...x]];
  },
  reference([x], { axis }) {
    const a = softmaxAxis(x.shape.length, axis);
    const outer = sizeOf(x.shape.slice(0, a));
    const n = x.shape[a];
    const inner = sizeOf(x.shape.slice(a + 1));
    const out = tensor(x.shape);
    const e = new Float64Array(n);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        // Max that propagates NaN (Math.max does), like tf.reduce_max.
        let max = -Infinity;
        for (let k = 0; k < n; k++) max = Math.max(max, x.data[base + k * inner]);
        let sum = 0;
        for (let k = 0; k < n; k++) {
          e[k] = Math.exp(x.data[base + k * inner] - max);
          sum += e[k];
        }
        for (let k = 0; k < n; k++) out.data[base + k * inner] = e[k] / sum;
      }
    }
    return [out];
  },
  cost([x]) {
    // max, subtract+exp, sum, divide: about four element operations per element.
    return 4 * sizeOf(x);
  },
});
