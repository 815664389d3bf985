// embedding: rows of a table picked by indices (Keras Embedding). Inputs: indices (float holding integers),
// table [vocab, dim]. Output: indices.shape + [dim]. An index outside [0, vocab) yields a row of zeros
// (documented; TF raises on CPU, TF.js returns zeros).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export type EmbeddingAttrs = Record<string, never>;

export const embedding = defineOp<EmbeddingAttrs>({
  name: 'embedding',
  arity: [2, 2],
  inferShape() {
    throw new UnsupportedFeatureError('embedding: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('embedding: not implemented yet');
  },
});
