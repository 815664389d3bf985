// Fast JS pooling (NHWC). Per output pixel, the window's valid cells are walked with the channel loop innermost
// (contiguous in NHWC) instead of a strided window walk per channel. Max: `v > m` from -Inf, as the reference
// (NaN skipped, a window of NaN gives -Inf: TensorFlow's semantics, see ops/pool2d.ts) and padding never wins;
// average: float64 sums over the real cells only, divided once (TF semantics).

import type { Pool2dAttrs } from '../../ops/pool2d.js';
import type { JsKernel } from '../abi.js';
import { viewOf } from './views.js';

export const pool2dJs: JsKernel = {
  name: 'js.pool2d',
  supports: (step) => step.node.op === 'pool2d',
  bind(step, arena) {
    const a = step.node.attrs as Pool2dAttrs;
    const x = viewOf(step.inputs[0], arena);
    const y = viewOf(step.outputs[0], arena);
    const [N, H, W, C] = step.inputs[0].shape;
    const [, OH, OW] = step.outputs[0].shape;
    const [KH, KW] = a.kernel;
    const [sh, sw] = a.strides;
    const [pt, , pl] = a.pads;
    const acc = new Float64Array(C);
    const rowX = W * C;
    if (a.type === 'max') {
      return () => {
        for (let n = 0; n < N; n++) {
          for (let oh = 0; oh < OH; oh++) {
            const h0 = Math.max(oh * sh - pt, 0);
            const h1 = Math.min(oh * sh - pt + KH, H);
            for (let ow = 0; ow < OW; ow++) {
              const w0 = Math.max(ow * sw - pl, 0);
              const w1 = Math.min(ow * sw - pl + KW, W);
              const yo = ((n * OH + oh) * OW + ow) * C;
              if (h1 - h0 === 2 && w1 - w0 === 2) {
                // A full 2x2 window (the founding models' pools): four loads per channel, no read-back of y.
                const f = ((n * H + h0) * W + w0) * C;
                const g = f + rowX;
                for (let c = 0; c < C; c++) {
                  let m = -Infinity;
                  let v = x[f + c];
                  if (v > m) m = v;
                  v = x[f + C + c];
                  if (v > m) m = v;
                  v = x[g + c];
                  if (v > m) m = v;
                  v = x[g + C + c];
                  if (v > m) m = v;
                  y[yo + c] = m;
                }
                continue;
              }
              for (let c = 0; c < C; c++) y[yo + c] = -Infinity;
              for (let ih = h0; ih < h1; ih++) {
                for (let iw = w0; iw < w1; iw++) {
                  const xo = ((n * H + ih) * W + iw) * C;
                  for (let c = 0; c < C; c++) {
                    const v = x[xo + c];
                    // A NaN v fails the comparison and is skipped; y never holds NaN.
                    if (v > y[yo + c]) y[yo + c] = v;
                  }
                }
              }
            }
          }
        }
      };
    }
    return () => {
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          const h0 = Math.max(oh * sh - pt, 0);
          const h1 = Math.min(oh * sh - pt + KH, H);
          for (let ow = 0; ow < OW; ow++) {
            const w0 = Math.max(ow * sw - pl, 0);
            const w1 = Math.min(ow * sw - pl + KW, W);
            const yo = ((n * OH + oh) * OW + ow) * C;
            if (h1 - h0 === 2 && w1 - w0 === 2) {
              // A full 2x2 window: the float64 sum in the reference's order, divided once.
              const f = ((n * H + h0) * W + w0) * C;
              const g = f + rowX;
              for (let c = 0; c < C; c++) y[yo + c] = (x[f + c] + x[f + C + c] + x[g + c] + x[g + C + c]) / 4;
              continue;
            }
            acc.fill(0);
            for (let ih = h0; ih < h1; ih++) {
              for (let iw = w0; iw < w1; iw++) {
                const xo = ((n * H + ih) * W + iw) * C;
                for (let c = 0; c < C; c++) acc[c] += x[xo + c];
              }
            }
            const count = (h1 - h0) * (w1 - w0);
            for (let c = 0; c < C; c++) y[yo + c] = acc[c] / count;
          }
        }
      }
    };
  },
};
