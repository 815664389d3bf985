// softmax: exp-normalise along one axis (Keras Softmax layer / activation 'softmax', any axis).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface SoftmaxAttrs {
  /** Axis, may be negative. */
  readonly axis: number;
}

export const softmax = defineOp<SoftmaxAttrs>({
  name: 'softmax',
  arity: [1, 1],
  inferShape() {
    throw new UnsupportedFeatureError('softmax: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('softmax: not implemented yet');
  },
});
