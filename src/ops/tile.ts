// tile: repeat the input reps[i] times along axis i (Keras RepeatVector via reshape + tile).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface TileAttrs {
  /** One repeat count per axis; reps[0] must be 1 when dim 0 is the symbolic batch. */
  readonly reps: readonly number[];
}

export const tile = defineOp<TileAttrs>({
  name: 'tile',
  arity: [1, 1],
  inferShape() {
    throw new UnsupportedFeatureError('tile: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('tile: not implemented yet');
  },
});
