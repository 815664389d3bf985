// pad: constant padding per axis (Keras ZeroPadding1D/2D, GraphDef Pad, ONNX Pad).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface PadAttrs {
  /** One [before, after] pair per axis of the input, non-negative. */
  readonly pads: readonly (readonly [number, number])[];
  readonly value: number;
}

export const pad = defineOp<PadAttrs>({
  name: 'pad',
  arity: [1, 1],
  inferShape() {
    throw new UnsupportedFeatureError('pad: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('pad: not implemented yet');
  },
});
