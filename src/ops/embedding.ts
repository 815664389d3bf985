// embedding: rows of a table picked by indices (Keras Embedding). Inputs: indices (float holding integers),
// table [vocab, dim]. Output: indices.shape + [dim]. An index outside [0, vocab) yields a row of zeros
// (documented; TF raises on CPU and gives zeros on GPU; TF.js 4.22's CPU backend throws, WebGL gives zeros).
// A fractional index is truncated toward zero, as Keras's cast to int32 does (2.7 -> 2, -0.5 -> 0);
// NaN and +-Inf are out of range (zeros).

import { ShapeError } from '../core/errors.js';
import { shapeToString, sizeOf, tensor } from '../core/tensor.js';
import { defineOp } from './types.js';

export type EmbeddingAttrs = Record<string, never>;

export const embedding = defineOp<EmbeddingAttrs>({
  name: 'embedding',
  arity: [2, 2],
  inferShape([indices, table]) {
    if (table.length !== 2 || table[0] < 0 || table[1] < 0) {
      throw new ShapeError(`embedding: table must be [vocab, dim], got ${shapeToString(table)}`, { op: 'embedding' });
    }
    return [[...indices, table[1]]];
  },
  reference([indices, table]) {
    const [vocab, dim] = table.shape;
    const out = tensor([...indices.shape, dim]);
    for (let i = 0; i < indices.data.length; i++) {
      const row = Math.trunc(indices.data[i]);
      if (!(row >= 0 && row < vocab)) continue; // NaN fails both comparisons: zeros
      out.data.set(table.data.subarray(row * dim, (row + 1) * dim), i * dim);
    }
    return [out];
  },
  cost([indices, table]) {
    return sizeOf(indices) * table[1];
  },
});
