// reshape: same data, new shape. `shape` is the full target shape; dim 0 may be -1 meaning "the batch"
// (carried through as the input's dim 0). The planner aliases the output onto the input buffer.
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface ReshapeAttrs {
  readonly shape: readonly number[];
}

export const reshape = defineOp<ReshapeAttrs>({
  name: 'reshape',
  arity: [1, 1],
  inferShape() {
    throw new UnsupportedFeatureError('reshape: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('reshape: not implemented yet');
  },
});
