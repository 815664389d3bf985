// dense: y = act(x · W + b) over the last axis. Keras Dense, GraphDef MatMul+BiasAdd, ONNX Gemm land here.
// Inputs: x [..., K], kernel [K, N] (constant in imported models), bias [N] (optional).

import { ShapeError } from '../core/errors.js';
import { sizeOf, tensor, type Shape } from '../core/tensor.js';
import { activationScalar, type Activation } from './activation-fns.js';
import { defineOp } from './types.js';

export interface DenseAttrs {
  readonly activation: Activation;
}

export const dense = defineOp<DenseAttrs>({
  name: 'dense',
  arity: [2, 3],
  inferShape([x, w, b]) {
    if (x.length < 1 || w.length !== 2) throw new ShapeError(`dense: need x [..., K] and kernel [K, N], got x ${fmt(x)} kernel ${fmt(w)}`, { op: 'dense' });
    if (x[x.length - 1] !== w[0]) throw new ShapeError(`dense: x has ${x[x.length - 1]} features, kernel expects ${w[0]}`, { op: 'dense' });
    if (b !== undefined && (b.length !== 1 || b[0] !== w[1])) throw new ShapeError(`dense: bias ${fmt(b)} does not match ${w[1]} units`, { op: 'dense' });
    return [[...x.slice(0, -1), w[1]]];
  },
  reference([x, w, b], { activation }) {
    const K = w.shape[0];
    const N = w.shape[1];
    const rows = sizeOf(x.shape.slice(0, -1));
    const out = tensor([...x.shape.slice(0, -1), N]);
    const act = activationScalar(activation);
    for (let r = 0; r < rows; r++) {
      for (let n = 0; n < N; n++) {
        let acc = b ? b.data[n] : 0;
        for (let k = 0; k < K; k++) acc += x.data[r * K + k] * w.data[k * N + n];
        out.data[r * N + n] = act(acc);
      }
    }
    return [out];
  },
  cost([x, w]) {
    return sizeOf(x.slice(0, -1)) * w[0] * w[1];
  },
});

function fmt(s: Shape | undefined): string {
  return s ? `[${s.join(', ')}]` : 'none';
}

