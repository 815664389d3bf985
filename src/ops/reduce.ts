// reduce: mean/sum/max/min/prod over axes (Keras GlobalAverage/MaxPooling1D/2D, GraphDef Mean, ONNX Reduce*).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface ReduceAttrs {
  readonly type: 'mean' | 'sum' | 'max' | 'min' | 'prod';
  /** Axes, may be negative; never 0 (the batch) in imported Keras models, but allowed. */
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

export const reduce = defineOp<ReduceAttrs>({
  name: 'reduce',
  arity: [1, 1],
  inferShape() {
    throw new UnsupportedFeatureError('reduce: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('reduce: not implemented yet');
  },
});
