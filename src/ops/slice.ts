// slice: a contiguous box of the input (Keras Cropping1D/2D, GraphDef Slice/StridedSlice with step 1).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface SliceAttrs {
  /** Start per axis (non-negative). */
  readonly begin: readonly number[];
  /** Extent per axis; -1 means to the end. On axis 0 with a -1 batch, use begin 0 and size -1. */
  readonly size: readonly number[];
}

export const slice = defineOp<SliceAttrs>({
  name: 'slice',
  arity: [1, 1],
  inferShape() {
    throw new UnsupportedFeatureError('slice: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('slice: not implemented yet');
  },
});
