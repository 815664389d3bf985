// Fast JS pooling (NHWC): max ignores padding; average divides by the number of real cells (TF semantics).
// A NaN in a max window makes the output NaN, as in the reference and TensorFlow.

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
    const isMax = a.type === 'max';
    return () => {
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          const h0 = Math.max(oh * sh - pt, 0);
          const h1 = Math.min(oh * sh - pt + KH, H);
          for (let ow = 0; ow < OW; ow++) {
            const w0 = Math.max(ow * sw - pl, 0);
            const w1 = Math.min(ow * sw - pl + KW, W);
            const yo = ((n * OH + oh) * OW + ow) * C;
            const count = (h1 - h0) * (w1 - w0);
            for (let c = 0; c < C; c++) {
              let acc = isMax ? Number.NEGATIVE_INFINITY : 0;
              for (let ih = h0; ih < h1; ih++) {
                for (let iw = w0; iw < w1; iw++) {
                  const v = x[((n * H + ih) * W + iw) * C + c];
                  if (isMax) acc = v > acc || v !== v ? v : acc;
                  else acc += v;
                }
              }
              y[yo + c] = isMax ? acc : acc / count;
            }
          }
        }
      }
    };
  },
};
