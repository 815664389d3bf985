// Fast JS dense. Fewer than 4 rows (batch 1): GEMV over weights packed once into 8-column panels (a 4-column
// tail panel for narrow remainders), read sequentially (the row-major walk strides by N and was 3x slower on
// the 3136x1024 deep-mnist layer).
// 4 rows and more: the 4x4 GEMM of gemm.ts, rows packed per chunk into scratch. Float64 sums from the bias,
// in k order (the reference's order); one rounding per output, before the fused activation.

import type { DenseAttrs } from '../../ops/dense.js';
import type { JsKernel } from '../abi.js';
import { activator } from './activate.js';
import { chunkRows } from './conv2d.js';
import { cachedPack, gemm4x4, gemv4, gemv8, GEMM_NR, GEMV_NR, packedSize, packPanels, packRows4, panelCount } from './gemm.js';
import { viewOf } from './views.js';

export const denseJs: JsKernel = {
  name: 'js.dense',
  supports: (step) => step.node.op === 'dense',
  bind(step, arena) {
    const x = viewOf(step.inputs[0], arena);
    const w = viewOf(step.inputs[1], arena);
    const wConst = step.inputs[1].data !== undefined;
    const b = step.inputs[2] ? viewOf(step.inputs[2], arena) : undefined;
    const bConst = !step.inputs[2] || step.inputs[2].data !== undefined;
    const y = viewOf(step.outputs[0], arena);
    const [K, N] = step.inputs[1].shape;
    const rows = N === 0 ? 0 : y.length / N;
    const act = activator((step.node.attrs as DenseAttrs).activation);
    if (rows < 4) {
      // GEMV: 8-column panels, and a last 4-column panel when at most 4 columns remain (N = 10: 12 columns
      // computed instead of 16; measured 25% faster on the 784 -> 10 beginner layer).
      const p8 = N % 8 > 0 && N % 8 <= 4 ? N >> 3 : panelCount(N, GEMV_NR);
      const tail = N - p8 * 8 > 0 ? 4 : 0;
      const size = p8 * 8 * K + tail * K;
      const pack = (dst: Float32Array) => {
        packPanels(w, 0, K, N, 0, p8 * 8, GEMV_NR, dst);
        if (tail) packPanels(w, 0, K, N, p8 * 8, N - p8 * 8, 4, dst, p8 * 8 * K);
      };
      const bp = wConst ? cachedPack(w, `dense-gemv:${K}x${N}`, size, pack) : new Float32Array(size);
      const biasP = new Float32Array(p8 * 8 + tail);
      const fillBias = () => {
        if (b) biasP.set(b);
      };
      fillBias();
      const out = new Float64Array(p8 * 8 + tail);
      return () => {
        if (!wConst) pack(bp);
        if (!bConst) fillBias();
        for (let r = 0; r < rows; r++) {
          gemv8(x, r * K, K, bp, p8, biasP, out);
          if (tail) gemv4(x, r * K, K, bp, p8 * 8 * K, biasP, p8 * 8, out, p8 * 8);
          const yo = r * N;
          for (let j = 0; j < N; j++) y[yo + j] = out[j];
          if (act) act(y, yo, yo + N);
        }
      };
    }
    const size = packedSize(K, N, GEMM_NR);
    const pack = (dst: Float32Array) => packPanels(w, 0, K, N, 0, N, GEMM_NR, dst);
    const bp = wConst ? cachedPack(w, `dense-gemm:${K}x${N}`, size, pack) : new Float32Array(size);
    const biasP = new Float32Array(panelCount(N, GEMM_NR) * GEMM_NR);
    const fillBias = () => {
      if (b) biasP.set(b);
    };
    fillBias();
    const MC = chunkRows(rows, K);
    const ap = new Float32Array(MC * K);
    const relu = (step.node.attrs as DenseAttrs).activation.fn === 'relu';
    const chunkAct = relu ? undefined : act;
    return () => {
      if (!wConst) pack(bp);
      if (!bConst) fillBias();
      for (let r0 = 0; r0 < rows; r0 += MC) {
        const m = Math.min(MC, rows - r0);
        packRows4(x, r0 * K, K, m, K, ap);
        gemm4x4(ap, m, K, bp, 0, N, biasP, 0, y, r0 * N, N, relu);
        if (chunkAct) chunkAct(y, r0 * N, (r0 + m) * N);
      }
    };
  },
};
