// prelu: y = x >= 0 ? x : alpha * x, alpha broadcast against x (Keras PReLU, alpha shape = x.shape[1:] with
// 1 on shared axes; the importer reshapes alpha to that).
// Computed as Keras writes it, relu(x) - alpha * relu(-x), which equals the line above for finite alpha and
// also matches Keras on the odd cases (alpha = +-Inf or NaN with x >= 0 gives NaN there).

import { ShapeError } from '../core/errors.js';
import { broadcastShapes, shapeEquals, shapeToString, sizeOf, tensor } from '../core/tensor.js';
import { broadcastStrides } from './binary.js';
import { defineOp } from './types.js';

// Inputs: x, alpha.
export type PreluAttrs = Record<string, never>;

function relu(v: number): number {
  return v < 0 ? 0 : v; // keeps NaN, like TF's Relu
}

export const prelu = defineOp<PreluAttrs>({
  name: 'prelu',
  arity: [2, 2],
  inferShape([x, alpha]) {
    const out = broadcastShapes(x, alpha, 'prelu');
    if (!shapeEquals(out, x)) {
      throw new ShapeError(`prelu: alpha ${shapeToString(alpha)} must broadcast to x ${shapeToString(x)} without growing it`, { op: 'prelu' });
    }
    return [[...x]];
  },
  reference([x, alpha]) {
    const out = tensor(x.shape);
    const sa = broadcastStrides(alpha.shape, x.shape);
    const rank = x.shape.length;
    const idx = new Array<number>(rank).fill(0);
    for (let i = 0; i < out.data.length; i++) {
      let oa = 0;
      for (let d = 0; d < rank; d++) oa += idx[d] * sa[d];
      const v = x.data[i];
      out.data[i] = relu(v) - alpha.data[oa] * relu(-v);
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < x.shape[d]) break;
        idx[d] = 0;
      }
    }
    return [out];
  },
  cost([x]) {
    return sizeOf(x);
  },
});
