// transpose: permute axes (Keras Permute with the batch axis fixed, channels_first <-> channels_last).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface TransposeAttrs {
  readonly perm: readonly number[];
}

export const transpose = defineOp<TransposeAttrs>({
  name: 'transpose',
  arity: [1, 1],
  inferShape() {
    throw new UnsupportedFeatureError('transpose: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('transpose: not implemented yet');
  },
});
