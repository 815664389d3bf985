// gru: Keras GRU over x [N, T, F]. Inputs: x, kernel [F, 3U], recurrent_kernel [U, 3U], bias: [3U] when
// resetAfter is false, [2, 3U] (input bias, recurrent bias) when true. Gate order z, r, h (Keras).
// resetAfter=false (Keras 1/2.0 default): hh = act(x Wh + (r*h) Uh + bh);
// resetAfter=true (tf.keras 2 / Keras 3 default, CuDNN-compatible): hh = act(x Wh + bxh + r*(h Uh + brh)).
// h_t = z*h_{t-1} + (1-z)*hh.
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import type { Activation } from './activation-fns.js';
import { defineOp } from './types.js';

export interface GruAttrs {
  readonly activation: Activation;
  readonly recurrentActivation: Activation;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly resetAfter: boolean;
}

export const gru = defineOp<GruAttrs>({
  name: 'gru',
  arity: [3, 4],
  inferShape() {
    throw new UnsupportedFeatureError('gru: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('gru: not implemented yet');
  },
});
