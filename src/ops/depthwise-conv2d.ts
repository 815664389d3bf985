// depthwise_conv2d: NHWC input, kernel [kh, kw, cin, multiplier], optional bias [cin * multiplier];
// output channel c * multiplier + m reads input channel c (Keras DepthwiseConv2D / TF DepthwiseConv2dNative).
// Padding, NaN/Inf and accumulation rules are conv2d's (see conv2d.ts): padded cells are skipped, float64 sums.

import { ShapeError } from '../core/errors.js';
import { sizeOf, tensor, type Shape } from '../core/tensor.js';
import { activationScalar, type Activation } from './activation-fns.js';
import { checkBias, checkDims, checkInts, fmtShape, windowOutSize } from './conv2d.js';
import { defineOp } from './types.js';

export interface DepthwiseConv2dAttrs {
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** [top, bottom, left, right], zeros. */
  readonly pads: readonly [number, number, number, number];
  readonly activation: Activation;
}

/** Output shape of depthwise_conv2d, with every check; used by inferShape and by the reference itself. */
export function depthwiseConv2dOutShape(x: Shape, w: Shape, b: Shape | undefined, a: DepthwiseConv2dAttrs): number[] {
  const op = 'depthwise_conv2d';
  checkDims(op, 'input (NHWC)', x, 4, true);
  checkDims(op, 'kernel [kh, kw, cin, multiplier]', w, 4, false);
  checkInts(op, 'strides', a.strides, 1);
  checkInts(op, 'dilations', a.dilations, 1);
  checkInts(op, 'pads', a.pads, 0);
  const [, H, W, C] = x;
  const [KH, KW, CK, M] = w;
  if (KH < 1 || KW < 1) throw new ShapeError(`${op}: kernel ${fmtShape(w)} has an empty window`, { op });
  if (CK !== C) throw new ShapeError(`${op}: kernel ${fmtShape(w)} expects ${CK} input channels, input has ${C}`, { op });
  checkBias(op, b, C * M);
  const [pt, pb, pl, pr] = a.pads;
  const OH = windowOutSize(op, 'height', H, KH, a.strides[0], a.dilations[0], pt, pb);
  const OW = windowOutSize(op, 'width', W, KW, a.strides[1], a.dilations[1], pl, pr);
  return [x[0], OH, OW, C * M];
}

export const depthwiseConv2d = defineOp<DepthwiseConv2dAttrs>({
  name: 'depthwise_conv2d',
  arity: [2, 3],
  inferShape([x, w, b], attrs) {
    return [depthwiseConv2dOutShape(x, w, b, attrs)];
  },
  reference([x, w, b], attrs) {
    const outShape = depthwiseConv2dOutShape(x.shape, w.shape, b?.shape, attrs);
    const [N, H, W, C] = x.shape;
    const [KH, KW, , M] = w.shape;
    const [, OH, OW, CO] = outShape;
    const [sh, sw] = attrs.strides;
    const [dh, dw] = attrs.dilations;
    const [pt, , pl] = attrs.pads;
    const act = activationScalar(attrs.activation);
    const out = tensor(outShape);
    for (let n = 0; n < N; n++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          for (let c = 0; c < C; c++) {
            for (let m = 0; m < M; m++) {
              const co = c * M + m;
              let acc = b ? b.data[co] : 0;
              for (let ky = 0; ky < KH; ky++) {
                const iy = oy * sh - pt + ky * dh;
                if (iy < 0 || iy >= H) continue;
                for (let kx = 0; kx < KW; kx++) {
                  const ix = ox * sw - pl + kx * dw;
                  if (ix < 0 || ix >= W) continue;
                  acc += x.data[((n * H + iy) * W + ix) * C + c] * w.data[((ky * KW + kx) * C + c) * M + m];
                }
              }
              out.data[((n * OH + oy) * OW + ox) * CO + co] = act(acc);
            }
          }
        }
      }
    }
    return [out];
  },
  cost([x, w, b], attrs) {
    // One multiply-add per (output element, kernel tap), padding included.
    return sizeOf(depthwiseConv2dOutShape(x, w, b, attrs)) * w[0] * w[1];
  },
});
