// pool2d: max or average pooling over NHWC windows with explicit pads. Average excludes padded cells
// (TensorFlow and Keras 'same' semantics). Pool1D is imported as pool2d with H = 1.
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface Pool2dAttrs {
  readonly type: 'max' | 'avg';
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  /** [top, bottom, left, right]. Padded cells never win a max and are not counted in an average. */
  readonly pads: readonly [number, number, number, number];
}

export const pool2d = defineOp<Pool2dAttrs>({
  name: 'pool2d',
  arity: [1, 1],
  inferShape() {
    throw new UnsupportedFeatureError('pool2d: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('pool2d: not implemented yet');
  },
});
