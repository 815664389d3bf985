// batchnorm: inference-mode batch normalisation along one axis:
// y = (x - mean) / sqrt(variance + epsilon) * gamma + beta. Inputs: x, gamma, beta, mean, variance (each [C]).
// The importer supplies ones/zeros where Keras had scale=False / center=False.
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface BatchnormAttrs {
  /** The channel axis, may be negative. */
  readonly axis: number;
  readonly epsilon: number;
}

export const batchnorm = defineOp<BatchnormAttrs>({
  name: 'batchnorm',
  arity: [5, 5],
  inferShape() {
    throw new UnsupportedFeatureError('batchnorm: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('batchnorm: not implemented yet');
  },
});
