// prelu: y = x >= 0 ? x : alpha * x, alpha broadcast against x (Keras PReLU, alpha shape = x.shape[1:] with
// 1 on shared axes; the importer reshapes alpha to that).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

// Inputs: x, alpha.
export type PreluAttrs = Record<string, never>;

export const prelu = defineOp<PreluAttrs>({
  name: 'prelu',
  arity: [2, 2],
  inferShape() {
    throw new UnsupportedFeatureError('prelu: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('prelu: not implemented yet');
  },
});
