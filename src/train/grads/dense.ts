// Gradient of `dense` (y = act(x . W + b)): dz = dy * act'(z), dx = dz . W^T, dW = x^T . dz, db = sum_rows dz.

import { sizeOf, tensor } from '../../core/tensor.js';
import type { DenseAttrs } from '../../ops/dense.js';
import { activationBackward, activationForward, derivativeFromOutput } from './activation.js';
import { defineGrad } from './types.js';

export function addBiasRows(y: Float32Array, bias: Float32Array, rows: number, n: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    for (let j = 0; j < n; j++) y[o + j] += bias[j];
  }
}

export function sumRows(dz: Float32Array, rows: number, n: number, out: Float32Array): Float32Array {
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    for (let j = 0; j < n; j++) out[j] += dz[o + j];
  }
  return out;
}

export const denseGrad = defineGrad<DenseAttrs>({
  forward([x, w, b], { activation }, ctx) {
    const [K, N] = w.shape;
    const rows = sizeOf(x.shape.slice(0, -1));
    const shape = [...x.shape.slice(0, -1), N];
    const keepZ = !derivativeFromOutput(activation);
    const z = ctx.ws.get(`${ctx.key}:${keepZ ? 'z' : 'y'}`, rows * N);
    ctx.kernels.gemm(false, false, rows, N, K, x.data, w.data, z, false);
    if (b) addBiasRows(z, b.data, rows, N);
    const y = keepZ ? ctx.ws.get(`${ctx.key}:y`, rows * N) : z;
    activationForward(activation, z, y);
    return { outputs: [tensor(shape, y)], saved: keepZ ? z : undefined };
  },
  backward([dy], [x, w, b], fwd, { activation }, needs, ctx) {
    const [K, N] = w.shape;
    const rows = sizeOf(x.shape.slice(0, -1));
    const dz = dy;
    activationBackward(activation, fwd.saved as Float32Array | undefined, fwd.outputs[0].data, dy, dz);
    let dx: Float32Array | undefined;
    let dw: Float32Array | undefined;
    let db: Float32Array | undefined;
    if (needs[0]) {
      dx = ctx.ws.get(`${ctx.key}:dx`, rows * K);
      ctx.kernels.gemm(false, true, rows, K, N, dz, w.data, dx, false);
    }
    if (needs[1]) {
      dw = ctx.ws.get(`${ctx.key}:dw`, K * N);
      ctx.kernels.gemm(true, false, K, N, rows, x.data, dz, dw, false);
    }
    if (b && needs[2]) db = sumRows(dz, rows, N, ctx.ws.get(`${ctx.key}:db`, N));
    return [dx, dw, db];
  },
});
