// tile: repeat the input reps[i] times along axis i (Keras RepeatVector via reshape + tile).
// out.shape[i] = x.shape[i] * reps[i]; out[..., j, ...] = x[..., j mod x.shape[i], ...] (tf.tile).

import { ShapeError } from '../core/errors.js';
import { shapeToString, sizeOf, stridesOf, tensor, type Shape } from '../core/tensor.js';
import { defineOp } from './types.js';

export interface TileAttrs {
  /** One repeat count per axis; reps[0] must be 1 when dim 0 is the symbolic batch. */
  readonly reps: readonly number[];
}

function tiledShape(x: Shape, reps: readonly number[]): number[] {
  const bad = (why: string): ShapeError => new ShapeError(`tile: reps [${reps.join(', ')}] for ${shapeToString(x)}: ${why}`, { op: 'tile' });
  if (reps.length !== x.length) throw bad('need one repeat count per axis');
  if (reps.some((r) => !Number.isInteger(r) || r < 0)) throw bad('repeat counts must be non-negative integers');
  if (x.length > 0 && x[0] < 0 && reps[0] !== 1) throw bad('the symbolic batch axis can only be repeated once');
  return x.map((d, i) => (d < 0 ? d : d * reps[i]));
}

export const tile = defineOp<TileAttrs>({
  name: 'tile',
  arity: [1, 1],
  inferShape([x], { reps }) {
    return [tiledShape(x, reps)];
  },
  reference([x], { reps }) {
    const outShape = tiledShape(x.shape, reps);
    const out = tensor(outShape);
    const inStrides = stridesOf(x.shape);
    const rank = outShape.length;
    const idx = new Array<number>(rank).fill(0);
    for (let i = 0; i < out.data.length; i++) {
      let src = 0;
      for (let d = 0; d < rank; d++) src += (idx[d] % x.shape[d]) * inStrides[d];
      out.data[i] = x.data[src];
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < outShape[d]) break;
        idx[d] = 0;
      }
    }
    return [out];
  },
  cost([x], { reps }) {
    return sizeOf(tiledShape(x, reps));
  },
});
