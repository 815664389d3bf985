// transpose: permute axes (Keras Permute with the batch axis fixed, channels_first <-> channels_last).
// out.shape[i] = x.shape[perm[i]]; perm must be a permutation of 0..rank-1 (no negative entries).

import { ShapeError } from '../core/errors.js';
import { shapeToString, sizeOf, stridesOf, tensor, type Shape } from '../core/tensor.js';
import { defineOp } from './types.js';

export interface TransposeAttrs {
  readonly perm: readonly number[];
}

function checkPerm(x: Shape, perm: readonly number[]): void {
  const ok = perm.length === x.length && perm.every((p) => Number.isInteger(p) && p >= 0 && p < x.length) && new Set(perm).size === perm.length;
  if (!ok) throw new ShapeError(`transpose: perm [${perm.join(', ')}] is not a permutation of the axes of ${shapeToString(x)}`, { op: 'transpose' });
}

export const transpose = defineOp<TransposeAttrs>({
  name: 'transpose',
  arity: [1, 1],
  inferShape([x], { perm }) {
    checkPerm(x, perm);
    return [perm.map((p) => x[p])];
  },
  reference([x], { perm }) {
    checkPerm(x.shape, perm);
    const outShape = perm.map((p) => x.shape[p]);
    const out = tensor(outShape);
    const inStrides = stridesOf(x.shape);
    const rank = outShape.length;
    const idx = new Array<number>(rank).fill(0);
    for (let i = 0; i < out.data.length; i++) {
      let src = 0;
      for (let d = 0; d < rank; d++) src += idx[d] * inStrides[perm[d]];
      out.data[i] = x.data[src];
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < outShape[d]) break;
        idx[d] = 0;
      }
    }
    return [out];
  },
  cost([x]) {
    return sizeOf(x);
  },
});
