// depthwise_conv2d: NHWC input, kernel [kh, kw, cin, multiplier], optional bias [cin * multiplier];
// output channel c * multiplier + m reads input channel c (Keras DepthwiseConv2D / TF DepthwiseConv2dNative).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import type { Activation } from './activation-fns.js';
import { defineOp } from './types.js';

export interface DepthwiseConv2dAttrs {
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** [top, bottom, left, right], zeros. */
  readonly pads: readonly [number, number, number, number];
  readonly activation: Activation;
}

export const depthwiseConv2d = defineOp<DepthwiseConv2dAttrs>({
  name: 'depthwise_conv2d',
  arity: [2, 3],
  inferShape() {
    throw new UnsupportedFeatureError('depthwise_conv2d: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('depthwise_conv2d: not implemented yet');
  },
});
