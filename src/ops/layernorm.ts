// layernorm: normalise over `axes` with the biased variance, then * gamma + beta (Keras LayerNormalization).
// Inputs: x, gamma, beta; gamma/beta have the shape of x restricted to `axes` (1-D when one axis).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface LayernormAttrs {
  readonly axes: readonly number[];
  readonly epsilon: number;
}

export const layernorm = defineOp<LayernormAttrs>({
  name: 'layernorm',
  arity: [3, 3],
  inferShape() {
    throw new UnsupportedFeatureError('layernorm: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('layernorm: not implemented yet');
  },
});
