// lstm: Keras LSTM over x [N, T, F]. Inputs: x, kernel [F, 4U], recurrent_kernel [U, 4U], bias [4U]?
// Gate order i, f, c, o (Keras): i = ra(.), f = ra(.), c = f*c + i*act(.), o = ra(.), h = o*act(c).
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import type { Activation } from './activation-fns.js';
import { defineOp } from './types.js';

export interface LstmAttrs {
  readonly activation: Activation;
  readonly recurrentActivation: Activation;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
}

export const lstm = defineOp<LstmAttrs>({
  name: 'lstm',
  arity: [3, 4],
  inferShape() {
    throw new UnsupportedFeatureError('lstm: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('lstm: not implemented yet');
  },
});
