// conv2d_transpose: the gradient of conv2d w.r.t. its input (Keras Conv2DTranspose). NHWC input, kernel in
// Keras layout [kh, kw, cout, cin], optional bias [cout]. The full output is (in - 1) * s + (k - 1) * d + 1 per
// axis; `pads` crop it ([top, bottom, left, right]; a negative value adds zeros instead, as Keras 'valid' does
// when k < s, and as output_padding does).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import type { Activation } from './activation-fns.js';
import { defineOp } from './types.js';

export interface Conv2dTransposeAttrs {
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly activation: Activation;
}

export const conv2dTranspose = defineOp<Conv2dTransposeAttrs>({
  name: 'conv2d_transpose',
  arity: [2, 3],
  inferShape() {
    throw new UnsupportedFeatureError('conv2d_transpose: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('conv2d_transpose: not implemented yet');
  },
});
