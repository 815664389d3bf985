// Gradient of `depthwise_conv2d` (DepthwiseConv2D, the first half of SeparableConv2D): every output channel
// c * m + k reads input channel c only, so forward and both gradients are direct loops over the window (no
// GEMM: kh * kw multiply-adds per output). dx[n, iy, ix, c] += w[ky, kx, c, k] dz; dw[ky, kx, c, k] += x dz.

import { tensor } from '../../core/tensor.js';
import { depthwiseConv2dOutShape, type DepthwiseConv2dAttrs } from '../../ops/depthwise-conv2d.js';
import { activationBackward, activationForward, derivativeFromOutput } from './activation.js';
import { defineGrad } from './types.js';

interface Geometry {
  N: number;
  H: number;
  W: number;
  C: number;
  KH: number;
  KW: number;
  M: number;
  OH: number;
  OW: number;
}

/** Calls f(xIndex, wIndex, yIndex) for every (output, tap) pair inside the input. */
function forEachTap(g: Geometry, a: DepthwiseConv2dAttrs, f: (xi: number, wi: number, yi: number) => void): void {
  const { N, H, W, C, KH, KW, M, OH, OW } = g;
  const [sh, sw] = a.strides;
  const [dh, dw] = a.dilations;
  const [pt, , pl] = a.pads;
  const CO = C * M;
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const yBase = ((n * OH + oy) * OW + ox) * CO;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= W) continue;
            const xBase = ((n * H + iy) * W + ix) * C;
            const wBase = (ky * KW + kx) * C * M;
            for (let c = 0; c < C; c++) for (let k = 0; k < M; k++) f(xBase + c, wBase + c * M + k, yBase + c * M + k);
          }
        }
      }
    }
  }
}

function geometry(x: readonly number[], w: readonly number[], out: readonly number[]): Geometry {
  return { N: x[0], H: x[1], W: x[2], C: x[3], KH: w[0], KW: w[1], M: w[3], OH: out[1], OW: out[2] };
}

export const depthwiseConv2dGrad = defineGrad<DepthwiseConv2dAttrs>({
  forward([x, w, b], attrs, ctx) {
    const out = depthwiseConv2dOutShape(x.shape, w.shape, b?.shape, attrs);
    const g = geometry(x.shape, w.shape, out);
    const size = out.reduce((p, q) => p * q, 1);
    const keepZ = !derivativeFromOutput(attrs.activation);
    const z = ctx.ws.get(`${ctx.key}:${keepZ ? 'z' : 'y'}`, size);
    const co = g.C * g.M;
    if (b) for (let i = 0; i < size; i++) z[i] = b.data[i % co];
    else z.fill(0);
    const xd = x.data;
    const wd = w.data;
    forEachTap(g, attrs, (xi, wi, yi) => {
      z[yi] += xd[xi] * wd[wi];
    });
    const y = keepZ ? ctx.ws.get(`${ctx.key}:y`, size) : z;
    activationForward(attrs.activation, z, y);
    return { outputs: [tensor(out, y)], saved: keepZ ? z : undefined };
  },
  backward([dy], [x, w, b], fwd, attrs, needs, ctx) {
    const g = geometry(x.shape, w.shape, fwd.outputs[0].shape);
    activationBackward(attrs.activation, fwd.saved as Float32Array | undefined, fwd.outputs[0].data, dy, dy);
    const dx = needs[0] ? ctx.ws.zeros(`${ctx.key}:dx`, x.data.length) : undefined;
    const dw = needs[1] ? ctx.ws.zeros(`${ctx.key}:dw`, w.data.length) : undefined;
    const xd = x.data;
    const wd = w.data;
    if (dx || dw) {
      forEachTap(g, attrs, (xi, wi, yi) => {
        const d = dy[yi];
        if (dx) dx[xi] += wd[wi] * d;
        if (dw) dw[wi] += xd[xi] * d;
      });
    }
    let db: Float32Array | undefined;
    if (b && needs[2]) {
      const co = g.C * g.M;
      db = ctx.ws.zeros(`${ctx.key}:db`, co);
      for (let i = 0; i < dy.length; i++) db[i % co] += dy[i];
    }
    return [dx, dw, db];
  },
});
