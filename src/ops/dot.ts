// dot: Keras Dot layer (batch_dot): contracts axis axes[0] of a with axes[1] of b, per batch row; with
// normalize, both are L2-normalised along those axes first (cosine proximity). Axes count the batch as 0.
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface DotAttrs {
  readonly axes: readonly [number, number];
  readonly normalize: boolean;
}

export const dot = defineOp<DotAttrs>({
  name: 'dot',
  arity: [2, 2],
  inferShape() {
    throw new UnsupportedFeatureError('dot: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('dot: not implemented yet');
  },
});
