// gru: Keras GRU over x [N, T, F]. Inputs: x, kernel [F, 3U], recurrent_kernel [U, 3U], bias: [3U] when
// resetAfter is false, [2, 3U] (input bias, recurrent bias) when true. Gate order z, r, h (Keras).
// resetAfter=false (Keras 1/2.0 default): hh = act(x Wh + (r*h) Uh + bh);
// resetAfter=true (tf.keras 2 / Keras 3 default, CuDNN-compatible): hh = act(x Wh + bxh + r*(h Uh + brh)).
// h_t = z*h_{t-1} + (1-z)*hh.
// h_0 = 0; time order and go_backwards as in simple-rnn.ts.

import { activationScalar, type Activation } from './activation-fns.js';
import { checkRnnInputs, rnnCost, rnnOutputShape, rowTimesMatrix } from './simple-rnn.js';
import { defineOp } from './types.js';

export interface GruAttrs {
  readonly activation: Activation;
  readonly recurrentActivation: Activation;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly resetAfter: boolean;
}

function biasShape(resetAfter: boolean): (units: number) => number[] {
  return (u) => (resetAfter ? [2, 3 * u] : [3 * u]);
}

export const gru = defineOp<GruAttrs>({
  name: 'gru',
  arity: [3, 4],
  inferShape(inputs, { returnSequences, resetAfter }) {
    const units = checkRnnInputs('gru', inputs, 3, biasShape(resetAfter));
    return [rnnOutputShape(inputs[0], units, returnSequences)];
  },
  reference(inputs, { activation, recurrentActivation, returnSequences, goBackwards, resetAfter }) {
    const [x, w, u, b] = inputs;
    const U = checkRnnInputs('gru', inputs.map((t) => t.shape), 3, biasShape(resetAfter));
    const [N, T, F] = x.shape;
    const act = activationScalar(activation);
    const ra = activationScalar(recurrentActivation);
    // Input bias bx [3U] and, with resetAfter, the recurrent bias bh [3U] (row 1 of the [2, 3U] bias).
    const bx = (k: number): number => (b ? b.data[k] : 0);
    const bh = (k: number): number => (b && resetAfter ? b.data[3 * U + k] : 0);
    const out = new Float32Array(N * (returnSequences ? T : 1) * U);
    for (let n = 0; n < N; n++) {
      const h = new Float32Array(U);
      for (let s = 0; s < T; s++) {
        const t = goBackwards ? T - 1 - s : s;
        const xw = rowTimesMatrix(x.data, (n * T + t) * F, F, w.data, 3 * U);
        const hu = rowTimesMatrix(h, 0, U, u.data, 3 * U); // h · U for all three gates
        const z = new Float64Array(U);
        const r = new Float64Array(U);
        for (let j = 0; j < U; j++) {
          z[j] = ra(xw[j] + bx(j) + hu[j] + bh(j));
          r[j] = ra(xw[U + j] + bx(U + j) + hu[U + j] + bh(U + j));
        }
        let recurrentH: Float64Array;
        if (resetAfter) {
          recurrentH = new Float64Array(U);
          for (let j = 0; j < U; j++) recurrentH[j] = r[j] * (hu[2 * U + j] + bh(2 * U + j));
        } else {
          // (r * h) · Uh, with Uh the last U columns of the recurrent kernel.
          recurrentH = new Float64Array(U);
          for (let i = 0; i < U; i++) {
            const rh = r[i] * h[i];
            for (let j = 0; j < U; j++) recurrentH[j] += rh * u.data[i * 3 * U + 2 * U + j];
          }
        }
        for (let j = 0; j < U; j++) {
          const hh = act(xw[2 * U + j] + bx(2 * U + j) + recurrentH[j]);
          h[j] = z[j] * h[j] + (1 - z[j]) * hh;
        }
        if (returnSequences) out.set(h, (n * T + s) * U);
      }
      if (!returnSequences) out.set(h, n * U);
    }
    return [{ shape: rnnOutputShape(x.shape, U, returnSequences), data: out }];
  },
  cost(inputs) {
    return rnnCost(inputs[0], inputs[2][0], 3);
  },
});
