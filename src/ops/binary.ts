// binary: element-wise a (op) b with NumPy broadcasting. Keras Add/Subtract/Multiply/Maximum/Minimum (chained for
// more than two inputs), Rescaling/Normalization arithmetic, GraphDef Add/Sub/Mul/RealDiv/Maximum/Minimum.
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export type BinaryFn = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow';

export interface BinaryAttrs {
  readonly fn: BinaryFn;
}

export const binary = defineOp<BinaryAttrs>({
  name: 'binary',
  arity: [2, 2],
  inferShape() {
    throw new UnsupportedFeatureError('binary: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('binary: not implemented yet');
  },
});
