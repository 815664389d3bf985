// simple_rnn: Keras SimpleRNN over x [N, T, F]. Inputs: x, kernel [F, U], recurrent_kernel [U, U], bias [U]?
// h_t = act(x_t W + h_{t-1} U + b), h_0 = 0.
// Shared by lstm/gru: shape checks and the time loop order. go_backwards feeds x[:, T-1], ..., x[:, 0] and, with
// return_sequences, emits the outputs in that processed order (out[:, s] is the state after step s), exactly as
// Keras's backend.rnn does; the state is rounded to float32 after every step, as Keras keeps it.

import { ShapeError } from '../core/errors.js';
import { shapeEquals, shapeToString, type Shape } from '../core/tensor.js';
import { activationScalar, type Activation } from './activation-fns.js';
import { defineOp } from './types.js';

export interface SimpleRnnAttrs {
  readonly activation: Activation;
  /** Output every step [N, T, U] instead of the last [N, U]. */
  readonly returnSequences: boolean;
  /** Process the sequence in reverse (and emit sequences in that reversed order, as Keras does). */
  readonly goBackwards: boolean;
}

/**
 * Checks x [N, T, F], kernel [F, G*U], recurrent [U, G*U] and the optional bias against `biasShape(U)`;
 * returns U. N (and T, for variable-length sequences) may be -1.
 */
export function checkRnnInputs(op: string, inputs: readonly Shape[], gates: number, biasShape: (units: number) => number[]): number {
  const [x, w, u, b] = inputs;
  const bad = (why: string): ShapeError =>
    new ShapeError(`${op}: ${why} (x ${shapeToString(x)}, kernel ${shapeToString(w)}, recurrent ${shapeToString(u)}${b ? `, bias ${shapeToString(b)}` : ''})`, { op });
  if (x.length !== 3) throw bad('x must be [batch, time, features]');
  if (x[2] < 0) throw bad('the feature dim must be known');
  if (u.length !== 2 || u[1] !== gates * u[0]) throw bad(`recurrent kernel must be [U, ${gates}U]`);
  const units = u[0];
  if (!shapeEquals(w, [x[2], gates * units])) throw bad(`kernel must be [${x[2]}, ${gates * units}]`);
  if (b !== undefined && !shapeEquals(b, biasShape(units))) throw bad(`bias must be ${shapeToString(biasShape(units))}`);
  return units;
}

export function rnnOutputShape(x: Shape, units: number, returnSequences: boolean): number[] {
  return returnSequences ? [x[0], x[1], units] : [x[0], units];
}

/** v · M for a row vector v = data[offset, offset + rows) and a row-major M [rows, cols], in float64. */
export function rowTimesMatrix(data: Float32Array, offset: number, rows: number, m: Float32Array, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const v = data[offset + r];
    for (let c = 0; c < cols; c++) out[c] += v * m[r * cols + c];
  }
  return out;
}

/** Multiply-adds of a G-gate recurrent layer over x [N, T, F] with U units. */
export function rnnCost(x: Shape, units: number, gates: number): number {
  return x[0] * x[1] * (x[2] + units) * gates * units;
}

export const simpleRnn = defineOp<SimpleRnnAttrs>({
  name: 'simple_rnn',
  arity: [3, 4],
  inferShape(inputs, { returnSequences }) {
    const units = checkRnnInputs('simple_rnn', inputs, 1, (u) => [u]);
    return [rnnOutputShape(inputs[0], units, returnSequences)];
  },
  reference(inputs, { activation, returnSequences, goBackwards }) {
    const [x, w, u, b] = inputs;
    const U = checkRnnInputs('simple_rnn', inputs.map((t) => t.shape), 1, (n) => [n]);
    const [N, T, F] = x.shape;
    const act = activationScalar(activation);
    const out = new Float32Array(N * (returnSequences ? T : 1) * U);
    for (let n = 0; n < N; n++) {
      const h = new Float32Array(U);
      for (let s = 0; s < T; s++) {
        const t = goBackwards ? T - 1 - s : s;
        const xw = rowTimesMatrix(x.data, (n * T + t) * F, F, w.data, U);
        const hu = rowTimesMatrix(h, 0, U, u.data, U);
        for (let j = 0; j < U; j++) h[j] = act(xw[j] + (b ? b.data[j] : 0) + hu[j]);
        if (returnSequences) out.set(h, (n * T + s) * U);
      }
      if (!returnSequences) out.set(h, n * U);
    }
    return [{ shape: rnnOutputShape(x.shape, U, returnSequences), data: out }];
  },
  cost(inputs) {
    return rnnCost(inputs[0], inputs[2][0], 1);
  },
});
