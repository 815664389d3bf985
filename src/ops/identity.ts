// identity: output = input (Keras InputLayer copies, Activation('linear'), GraphDef Identity). Removed by a pass.
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export type IdentityAttrs = Record<string, never>;

export const identity = defineOp<IdentityAttrs>({
  name: 'identity',
  arity: [1, 1],
  inferShape() {
    throw new UnsupportedFeatureError('identity: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('identity: not implemented yet');
  },
});
