// simple_rnn: Keras SimpleRNN over x [N, T, F]. Inputs: x, kernel [F, U], recurrent_kernel [U, U], bias [U]?
// h_t = act(x_t W + h_{t-1} U + b), h_0 = 0.
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import type { Activation } from './activation-fns.js';
import { defineOp } from './types.js';

export interface SimpleRnnAttrs {
  readonly activation: Activation;
  /** Output every step [N, T, U] instead of the last [N, U]. */
  readonly returnSequences: boolean;
  /** Process the sequence in reverse (and emit sequences in that reversed order, as Keras does). */
  readonly goBackwards: boolean;
}

export const simpleRnn = defineOp<SimpleRnnAttrs>({
  name: 'simple_rnn',
  arity: [3, 4],
  inferShape() {
    throw new UnsupportedFeatureError('simple_rnn: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('simple_rnn: not implemented yet');
  },
});
