// Fast JS convolutions (NHWC). conv2d: Winograd for 3x3 / 5x5 stride-1 convs with 8+ channels
// (conv2d-winograd.ts); otherwise im2col of a chunk of output pixels into preallocated scratch (4-row
// interleaved), then the 4x4 register-blocked GEMM of gemm.ts against HWIO weights packed once per group.
// Measured (bench/js-kernels.ts, CPU time) on the expert CNN's second conv (14x14x32 -> 32, 3x3 same): the
// previous direct loop 5.3 ms, im2col + GEMM 0.92 ms, Winograd 0.56 ms. im2col writes zeros for padding cells,
// which equals skipping them only while every weight is finite (0 * Inf = NaN): weights with NaN/Inf take the
// direct loop, which skips padding like the reference. depthwise_conv2d: a direct loop over the valid taps,
// 4 channels per register block, two neighbouring pixels at a time where both windows lie inside the row.

import type { Conv2dAttrs } from '../../ops/conv2d.js';
import type { DepthwiseConv2dAttrs } from '../../ops/depthwise-conv2d.js';
import type { JsKernel } from '../abi.js';
import { activator } from './activate.js';
import { bindWinograd, winogradJsApplies } from './conv2d-winograd.js';
import { allFinite, cachedPack, gemm4x4, GEMM_NR, packedSize, packPanels, panelCount } from './gemm.js';
import { viewOf } from './views.js';

/** im2col chunk budget in floats (~64 KB of scratch: stays in L2 while the GEMM reads it). */
const CHUNK_FLOATS = 16384;

/** Pixels per im2col chunk: a multiple of 4, at least 4, at most what M needs. */
export function chunkRows(m: number, k: number): number {
  const fit = Math.max(4, (Math.floor(CHUNK_FLOATS / Math.max(k, 1)) >> 2) << 2);
  return Math.min(fit, 512, Math.max(4, (m + 3) & ~3));
}

export const conv2dJs: JsKernel = {
  name: 'js.conv2d',
  supports: (step) => step.node.op === 'conv2d',
  bind(step, arena) {
    const a = step.node.attrs as Conv2dAttrs;
    const x = viewOf(step.inputs[0], arena);
    const w = viewOf(step.inputs[1], arena);
    const wConst = step.inputs[1].data !== undefined;
    const b = step.inputs[2] ? viewOf(step.inputs[2], arena) : undefined;
    const bConst = !step.inputs[2] || step.inputs[2].data !== undefined;
    const y = viewOf(step.outputs[0], arena);
    const [N, H, W, C] = step.inputs[0].shape;
    const [KH, KW, CG, CO] = step.inputs[1].shape;
    const [, OH, OW] = step.outputs[0].shape;
    const [sh, sw] = a.strides;
    const [dh, dw] = a.dilations;
    const [pt, , pl] = a.pads;
    const G = a.groups;
    const COG = CO / G;
    const K = KH * KW * CG;
    const M = N * OH * OW;
    const OHW = OH * OW;
    const act = activator(a.activation);
    // ReLU is fused into the GEMM's store (the common case); other activations take a pass over each chunk.
    const relu = a.activation.fn === 'relu';
    const chunkAct = relu ? undefined : act;

    // Weights packed per group: panels of 4 output channels over K = (kh, kw, ci) rows.
    const gSize = packedSize(K, COG, GEMM_NR);
    const gPanels = panelCount(COG, GEMM_NR) * GEMM_NR;
    const packAll = (dst: Float32Array) => {
      for (let g = 0; g < G; g++) packPanels(w, 0, K, CO, g * COG, COG, GEMM_NR, dst, g * gSize);
    };
    const bp = wConst ? cachedPack(w, `conv2d:${K}x${CO}/${G}`, G * gSize, packAll) : new Float32Array(G * gSize);
    let finite = wConst ? allFinite(w) : true;
    const biasP = new Float32Array(G * gPanels);
    const fillBias = () => {
      if (!b) return;
      for (let g = 0; g < G; g++) for (let j = 0; j < COG; j++) biasP[g * gPanels + j] = b[g * COG + j];
    };
    fillBias();

    const MC = chunkRows(M, K);
    const ap = new Float32Array(MC * K);

    const im2col = (p0: number, rows: number, c0: number) => {
      for (let r = 0; r < rows; r++) {
        const p = p0 + r;
        const n = (p / OHW) | 0;
        const rem = p - n * OHW;
        const oh = (rem / OW) | 0;
        const ow = rem - oh * OW;
        let d = (r >> 2) * K * 4 + (r & 3);
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) {
            for (let i = 0, e = KW * CG; i < e; i++, d += 4) ap[d] = 0;
            continue;
          }
          const rowBase = (n * H + ih) * W;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - pl + kw * dw;
            if (iw < 0 || iw >= W) {
              for (let ci = 0; ci < CG; ci++, d += 4) ap[d] = 0;
            } else {
              const s = (rowBase + iw) * C + c0;
              for (let ci = 0; ci < CG; ci++, d += 4) ap[d] = x[s + ci];
            }
          }
        }
      }
      // Zero the rows that pad the last block to 4 (stale values could be denormals, which are slow).
      for (let r = rows; r & 3; r++) {
        for (let i = 0, d = (r >> 2) * K * 4 + (r & 3); i < K; i++, d += 4) ap[d] = 0;
      }
    };

    // Exact path for non-finite weights: skips padding cells, as the reference does.
    const acc = new Float64Array(CO);
    const direct = () => {
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            for (let co = 0; co < CO; co++) acc[co] = b ? b[co] : 0;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh - pt + kh * dh;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw - pl + kw * dw;
                if (iw < 0 || iw >= W) continue;
                const xo = ((n * H + ih) * W + iw) * C;
                const wo = (kh * KW + kw) * CG * CO;
                for (let g = 0; g < G; g++) {
                  for (let ci = 0; ci < CG; ci++) {
                    const xv = x[xo + g * CG + ci];
                    const wr = wo + ci * CO + g * COG;
                    for (let j = 0; j < COG; j++) acc[g * COG + j] += xv * w[wr + j];
                  }
                }
              }
            }
            const yo = ((n * OH + oh) * OW + ow) * CO;
            for (let co = 0; co < CO; co++) y[yo + co] = acc[co];
            if (act) act(y, yo, yo + CO);
          }
        }
      }
    };

    // Winograd for 3x3 / 5x5 stride-1 convs with constant, finite weights (conv2d-winograd.ts).
    const wino =
      wConst && bConst && finite && winogradJsApplies(KH, KW, a.strides, a.dilations, G, C, CO)
        ? bindWinograd(w, b, N, H, W, C, OH, OW, CO, KH as 3 | 5, pt, pl)
        : undefined;

    return () => {
      if (wino && allFinite(x)) {
        wino.run(x, y);
        if (act) act(y, 0, y.length);
        return;
      }
      if (!wConst) {
        packAll(bp);
        finite = allFinite(w);
      }
      if (!bConst) fillBias();
      if (!finite) {
        direct();
        return;
      }
      for (let p0 = 0; p0 < M; p0 += MC) {
        const rows = Math.min(MC, M - p0);
        for (let g = 0; g < G; g++) {
          im2col(p0, rows, g * CG);
          gemm4x4(ap, rows, K, bp, g * gSize, COG, biasP, g * gPanels, y, p0 * CO + g * COG, CO, relu);
        }
        if (chunkAct) chunkAct(y, p0 * CO, (p0 + rows) * CO);
      }
    };
  },
};

export const depthwiseConv2dJs: JsKernel = {
  name: 'js.depthwise_conv2d',
  supports: (step) => step.node.op === 'depthwise_conv2d',
  bind(step, arena) {
    const a = step.node.attrs as DepthwiseConv2dAttrs;
    const x = viewOf(step.inputs[0], arena);
    const w = viewOf(step.inputs[1], arena);
    const y = viewOf(step.outputs[0], arena);
    const [N, H, W, C] = step.inputs[0].shape;
    const [KH, KW, , M] = step.inputs[1].shape;
    const [, OH, OW, CO] = step.outputs[0].shape;
    const b = step.inputs[2] ? viewOf(step.inputs[2], arena) : new Float32Array(CO);
    const [sh, sw] = a.strides;
    const [dh, dw] = a.dilations;
    const [pt, , pl] = a.pads;
    const act = activator(a.activation);
    const acc = new Float64Array(CO);
    // Multiplier 1 (MobileNet's case): blocks of 4 channels in registers; the rest, and M > 1, through acc.
    const C4 = M === 1 ? C & ~3 : 0;
    const spanW = (KW - 1) * dw;

    /**
     * One output pixel at y[yo], taps kh0..kh1 (rows in range) and only the in-range columns; from channel c0
     * (0, or C4 for the tail channels alone).
     */
    const pixel = (n: number, ih0: number, kh0: number, kh1: number, ow: number, yo: number, c0: number) => {
      const iw0 = ow * sw - pl;
      const kw0 = iw0 < 0 ? Math.ceil(-iw0 / dw) : 0;
      const kw1 = Math.min(KW, Math.ceil((W - iw0) / dw));
      for (let c = c0; c < C4; c += 4) {
        let s0 = b[c];
        let s1 = b[c + 1];
        let s2 = b[c + 2];
        let s3 = b[c + 3];
        for (let kh = kh0; kh < kh1; kh++) {
          const rowX = (n * H + ih0 + kh * dh) * W;
          for (let kw = kw0; kw < kw1; kw++) {
            const xo = (rowX + iw0 + kw * dw) * C + c;
            const wo = (kh * KW + kw) * C + c;
            s0 += x[xo] * w[wo];
            s1 += x[xo + 1] * w[wo + 1];
            s2 += x[xo + 2] * w[wo + 2];
            s3 += x[xo + 3] * w[wo + 3];
          }
        }
        y[yo + c] = s0;
        y[yo + c + 1] = s1;
        y[yo + c + 2] = s2;
        y[yo + c + 3] = s3;
      }
      if (C4 < C) {
        for (let co = C4 * M; co < CO; co++) acc[co] = b[co];
        for (let kh = kh0; kh < kh1; kh++) {
          const rowX = (n * H + ih0 + kh * dh) * W;
          for (let kw = kw0; kw < kw1; kw++) {
            const xo = (rowX + iw0 + kw * dw) * C;
            const wo = (kh * KW + kw) * CO;
            for (let c = C4; c < C; c++) {
              const xv = x[xo + c];
              for (let m = 0; m < M; m++) acc[c * M + m] += xv * w[wo + c * M + m];
            }
          }
        }
        for (let co = C4 * M; co < CO; co++) y[yo + co] = acc[co];
      }
    };

    return () => {
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          const ih0 = oh * sh - pt;
          // Valid taps: the first whose row is >= 0, up to the first past the input end.
          const kh0 = ih0 < 0 ? Math.ceil(-ih0 / dh) : 0;
          const kh1 = Math.min(KH, Math.ceil((H - ih0) / dh));
          const rowY = (n * OH + oh) * OW;
          for (let ow = 0; ow < OW; ) {
            const iw0 = ow * sw - pl;
            // Two neighbouring pixels whose windows lie inside the row: each weight load serves both.
            if (C4 > 0 && ow + 1 < OW && iw0 >= 0 && iw0 + sw + spanW < W) {
              const yo = (rowY + ow) * CO;
              const dx = sw * C;
              for (let c = 0; c < C4; c += 4) {
                let s0 = b[c];
                let s1 = b[c + 1];
                let s2 = b[c + 2];
                let s3 = b[c + 3];
                let t0 = s0;
                let t1 = s1;
                let t2 = s2;
                let t3 = s3;
                for (let kh = kh0; kh < kh1; kh++) {
                  let xo = ((n * H + ih0 + kh * dh) * W + iw0) * C + c;
                  let wo = kh * KW * C + c;
                  for (let kw = 0; kw < KW; kw++, xo += dw * C, wo += C) {
                    const w0 = w[wo];
                    const w1 = w[wo + 1];
                    const w2 = w[wo + 2];
                    const w3 = w[wo + 3];
                    s0 += x[xo] * w0;
                    s1 += x[xo + 1] * w1;
                    s2 += x[xo + 2] * w2;
                    s3 += x[xo + 3] * w3;
                    t0 += x[xo + dx] * w0;
                    t1 += x[xo + dx + 1] * w1;
                    t2 += x[xo + dx + 2] * w2;
                    t3 += x[xo + dx + 3] * w3;
                  }
                }
                y[yo + c] = s0;
                y[yo + c + 1] = s1;
                y[yo + c + 2] = s2;
                y[yo + c + 3] = s3;
                y[yo + CO + c] = t0;
                y[yo + CO + c + 1] = t1;
                y[yo + CO + c + 2] = t2;
                y[yo + CO + c + 3] = t3;
              }
              if (C4 < C) {
                // Tail channels: each pixel on its own.
                pixel(n, ih0, kh0, kh1, ow, yo, C4);
                pixel(n, ih0, kh0, kh1, ow + 1, yo + CO, C4);
              }
              if (act) act(y, yo, yo + 2 * CO);
              ow += 2;
            } else {
              pixel(n, ih0, kh0, kh1, ow, (rowY + ow) * CO, 0);
              if (act) act(y, (rowY + ow) * CO, (rowY + ow + 1) * CO);
              ow++;
            }
          }
        }
      }
    };
  },
};
