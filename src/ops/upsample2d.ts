// upsample2d: NHWC spatial upsampling by integer factors (Keras UpSampling2D; UpSampling1D via reshape).
// 'bilinear' follows tf.image.resize as Keras 3 and tf.keras 2.x UpSampling2D call it
// (half_pixel_centers=True, align_corners=False).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface Upsample2dAttrs {
  readonly scale: readonly [number, number];
  readonly mode: 'nearest' | 'bilinear';
}

export const upsample2d = defineOp<Upsample2dAttrs>({
  name: 'upsample2d',
  arity: [1, 1],
  inferShape() {
    throw new UnsupportedFeatureError('upsample2d: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('upsample2d: not implemented yet');
  },
});
