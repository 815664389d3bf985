// Gradient of `pool2d`. Max: the gradient goes to the window's first maximum (TF's MaxPoolGrad picks the
// first in row-major window order too), nowhere for a window with no cell above -Inf (as TF.js); the forward
// kernel records that position (-1 for none). Average: spread evenly
// over the window's real (unpadded) cells, matching the forward's divisor.

import { tensor } from '../../core/tensor.js';
import { pool2dOutShape, type Pool2dAttrs } from '../../ops/pool2d.js';
import type { PoolGeometry } from '../kernels/types.js';
import { defineGrad } from './types.js';

function geometry(x: readonly number[], out: readonly number[], a: Pool2dAttrs): PoolGeometry {
  const [n, h, w, c] = x;
  return { n, h, w, c, kh: a.kernel[0], kw: a.kernel[1], oh: out[1], ow: out[2], strides: a.strides, pads: a.pads };
}

/** Calls f(o, p, inv) for every (output cell o, input cell p) pair of an average pool; inv = 1 / real cells. */
function forEachAvg(g: PoolGeometry, f: (o: number, p: number, inv: number) => void): void {
  const { n: N, h: H, w: W, c: C, kh: KH, kw: KW, oh: OH, ow: OW } = g;
  const [sh, sw] = g.strides;
  const [pt, , pl] = g.pads;
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = Math.max(0, oy * sh - pt);
      const y1 = Math.min(H, oy * sh - pt + KH);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = Math.max(0, ox * sw - pl);
        const x1 = Math.min(W, ox * sw - pl + KW);
        const o = ((n * OH + oy) * OW + ox) * C;
        const inv = 1 / ((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const p = ((n * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) f(o + c, p + c, inv);
          }
        }
      }
    }
  }
}

export const pool2dGrad = defineGrad<Pool2dAttrs>({
  forward([x], attrs, ctx) {
    const outShape = pool2dOutShape(x.shape, attrs);
    const g = geometry(x.shape, outShape, attrs);
    const size = g.n * g.oh * g.ow * g.c;
    const y = ctx.ws.get(`${ctx.key}:y`, size);
    if (attrs.type === 'max') {
      // Int32 indices in a float-sized workspace slot (same byte size), reinterpreted.
      const argmax = new Int32Array(ctx.ws.get(`${ctx.key}:argmax`, size).buffer, 0, size);
      ctx.kernels.maxPool2dForward(g, x.data, y, argmax);
      return { outputs: [tensor(outShape, y)], saved: argmax };
    }
    y.fill(0);
    const xd = x.data;
    forEachAvg(g, (o, p, inv) => {
      y[o] += xd[p] * inv;
    });
    return { outputs: [tensor(outShape, y)] };
  },
  backward([dy], [x], fwd, attrs, needs, ctx) {
    if (!needs[0]) return [undefined];
    const dx = ctx.ws.get(`${ctx.key}:dx`, x.data.length);
    if (attrs.type === 'max') {
      ctx.kernels.maxPool2dBackward(dy, fwd.saved as Int32Array, dx);
      return [dx];
    }
    dx.fill(0);
    forEachAvg(geometry(x.shape, fwd.outputs[0].shape, attrs), (o, p, inv) => {
      dx[p] += dy[o] * inv;
    });
    return [dx];
  },
});
