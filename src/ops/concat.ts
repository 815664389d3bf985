// concat: join inputs along one axis (Keras Concatenate, GraphDef ConcatV2, ONNX Concat).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface ConcatAttrs {
  /** May be negative. */
  readonly axis: number;
}

export const concat = defineOp<ConcatAttrs>({
  name: 'concat',
  arity: [1, 64],
  inferShape() {
    throw new UnsupportedFeatureError('concat: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('concat: not implemented yet');
  },
});
