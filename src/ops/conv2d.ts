// conv2d: 2-D cross-correlation, NHWC input, HWIO kernel [kh, kw, cin / groups, cout], optional bias [cout],
// explicit pads, strides, dilations, groups, fused activation. Conv1D is imported as conv2d with H = 1.
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import type { Activation } from './activation-fns.js';
import { defineOp } from './types.js';

export interface Conv2dAttrs {
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** [top, bottom, left, right], zeros. */
  readonly pads: readonly [number, number, number, number];
  readonly groups: number;
  readonly activation: Activation;
}

export const conv2d = defineOp<Conv2dAttrs>({
  name: 'conv2d',
  arity: [2, 3],
  inferShape() {
    throw new UnsupportedFeatureError('conv2d: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('conv2d: not implemented yet');
  },
});
