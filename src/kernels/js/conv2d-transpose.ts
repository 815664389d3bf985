// Fast JS conv2d_transpose (NHWC, Keras kernel [kh, kw, cout, cin]). Scatter form, as the reference: each input
// pixel adds x[p, :] · w[ky, kx, co, :] to one output cell per valid tap. The dot over cin is contiguous in both
// x and the Keras kernel layout, so it runs four output channels at a time in registers; sums go to a float64
// accumulator the size of the output (preallocated), then bias + activation are applied and rounded once.

import type { Conv2dTransposeAttrs } from '../../ops/conv2d-transpose.js';
import type { JsKernel } from '../abi.js';
import { activatorF64 } from './activate.js';
import { viewOf } from './views.js';

export const conv2dTransposeJs: JsKernel = {
  name: 'js.conv2d_transpose',
  supports: (step) => step.node.op === 'conv2d_transpose',
  bind(step, arena) {
    const a = step.node.attrs as Conv2dTransposeAttrs;
    const x = viewOf(step.inputs[0], arena);
    const w = viewOf(step.inputs[1], arena);
    const b = step.inputs[2] ? viewOf(step.inputs[2], arena) : undefined;
    const y = viewOf(step.outputs[0], arena);
    const [N, H, W, CI] = step.inputs[0].shape;
    const [KH, KW, CO] = step.inputs[1].shape;
    const [, OH, OW] = step.outputs[0].shape;
    const [sh, sw] = a.strides;
    const [dh, dw] = a.dilations;
    const [pt, , pl] = a.pads;
    const acc = new Float64Array(y.length);
    const CO4 = CO & ~3;
    const act = activatorF64(a.activation);
    return () => {
      acc.fill(0);
      for (let n = 0; n < N; n++) {
        for (let iy = 0; iy < H; iy++) {
          for (let ix = 0; ix < W; ix++) {
            const xo = ((n * H + iy) * W + ix) * CI;
            for (let ky = 0; ky < KH; ky++) {
              const oy = iy * sh + ky * dh - pt;
              if (oy < 0 || oy >= OH) continue;
              for (let kx = 0; kx < KW; kx++) {
                const ox = ix * sw + kx * dw - pl;
                if (ox < 0 || ox >= OW) continue;
                const ao = ((n * OH + oy) * OW + ox) * CO;
                const wt = (ky * KW + kx) * CO;
                let co = 0;
                for (; co < CO4; co += 4) {
                  const w0 = (wt + co) * CI;
                  const w1 = w0 + CI;
                  const w2 = w1 + CI;
                  const w3 = w2 + CI;
                  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                  for (let ci = 0; ci < CI; ci++) {
                    const xv = x[xo + ci];
                    s0 += xv * w[w0 + ci];
                    s1 += xv * w[w1 + ci];
                    s2 += xv * w[w2 + ci];
                    s3 += xv * w[w3 + ci];
                  }
                  acc[ao + co] += s0;
                  acc[ao + co + 1] += s1;
                  acc[ao + co + 2] += s2;
                  acc[ao + co + 3] += s3;
                }
                for (; co < CO; co++) {
                  const w0 = (wt + co) * CI;
                  let s = 0;
                  for (let ci = 0; ci < CI; ci++) s += x[xo + ci] * w[w0 + ci];
                  acc[ao + co] += s;
                }
              }
            }
          }
        }
      }
      const n = y.length;
      if (b) {
        for (let i = 0, c = 0; i < n; i++) {
          acc[i] += b[c];
          if (++c === CO) c = 0;
        }
      }
      if (act) act(acc, 0, n);
      for (let i = 0; i < n; i++) y[i] = acc[i];
    };
  },
};
