// lstm: Keras LSTM over x [N, T, F]. Inputs: x, kernel [F, 4U], recurrent_kernel [U, 4U], bias [4U]?
// Gate order i, f, c, o (Keras): i = ra(.), f = ra(.), c = f*c + i*act(.), o = ra(.), h = o*act(c).
// h_0 = c_0 = 0; time order and go_backwards as in simple-rnn.ts.

import { activationScalar, type Activation } from './activation-fns.js';
import { checkRnnInputs, rnnCost, rnnOutputShape, rowTimesMatrix } from './simple-rnn.js';
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
  inferShape(inputs, { returnSequences }) {
    const units = checkRnnInputs('lstm', inputs, 4, (u) => [4 * u]);
    return [rnnOutputShape(inputs[0], units, returnSequences)];
  },
  reference(inputs, { activation, recurrentActivation, returnSequences, goBackwards }) {
    const [x, w, u, b] = inputs;
    const U = checkRnnInputs('lstm', inputs.map((t) => t.shape), 4, (n) => [4 * n]);
    const [N, T, F] = x.shape;
    const act = activationScalar(activation);
    const ra = activationScalar(recurrentActivation);
    const out = new Float32Array(N * (returnSequences ? T : 1) * U);
    for (let n = 0; n < N; n++) {
      const h = new Float32Array(U);
      const c = new Float32Array(U);
      for (let s = 0; s < T; s++) {
        const t = goBackwards ? T - 1 - s : s;
        const z = rowTimesMatrix(x.data, (n * T + t) * F, F, w.data, 4 * U);
        const hu = rowTimesMatrix(h, 0, U, u.data, 4 * U);
        for (let k = 0; k < 4 * U; k++) z[k] += hu[k] + (b ? b.data[k] : 0);
        for (let j = 0; j < U; j++) {
          const ig = ra(z[j]);
          const fg = ra(z[U + j]);
          c[j] = fg * c[j] + ig * act(z[2 * U + j]);
          const og = ra(z[3 * U + j]);
          h[j] = og * act(c[j]);
        }
        if (returnSequences) out.set(h, (n * T + s) * U);
      }
      if (!returnSequences) out.set(h, n * U);
    }
    return [{ shape: rnnOutputShape(x.shape, U, returnSequences), data: out }];
  },
  cost(inputs) {
    return rnnCost(inputs[0], inputs[2][0], 4);
  },
});
