// depthwise_conv2d: NHWC input, kernel [kh, kw, cin, multiplier], optional bias [cin * multiplier];
// output channel c * multiplier + m reads input channel c (Keras DepthwiseConv2D / TF DepthwiseConv2dNative).
// Padding, NaN/Inf and accumulation rules are conv2d's (see conv2d.ts): padded cells are skipped, float64 sums.

import { ShapeError } from '../core/errors.js';
import { sizeOf, type Shape } from '../core/tensor.js';
import type { Activation } from './activation-fns.js';
import { checkBias, checkConvWindow, convOutShape, convReference, fmtShape } from './conv2d.js';
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
  checkConvWindow(op, 'kernel [kh, kw, cin, multiplier]', x, w, a);
  const [, , , C] = x;
  const [KH, KW, CK, M] = w;
  if (KH < 1 || KW < 1) throw new ShapeError(`${op}: kernel ${fmtShape(w)} has an empty window`, { op });
  if (CK !== C) throw new ShapeError(`${op}: kernel ${fmtShape(w)} expects ${CK} input channels, input has ${C}`, { op });
  checkBias(op, b, C * M);
  return convOutShape(op, x, w, a, C * M);
}

export const depthwiseConv2d = defineOp<DepthwiseConv2dAttrs>({
  name: 'depthwise_conv2d',
  arity: [2, 3],
  inferShape([x, w, b], attrs) {
    return [depthwiseConv2dOutShape(x, w, b, attrs)];
  },
  reference([x, w, b], attrs) {
    const outShape = depthwiseConv2dOutShape(x.shape, w.shape, b?.shape, attrs);
    const [KH, KW, C] = w.shape;
    // Channel c is group c, with one input channel: the kernel's [kh, kw, C, M] data is conv2d's [kh, kw, 1, C * M].
    return [convReference(x, w.data, KH, KW, 1, C, b, outShape, attrs)];
  },
  cost([x, w, b], attrs) {
    // One multiply-add per (output element, kernel tap), padding included.
    return sizeOf(depthwiseConv2dOutShape(x, w, b, attrs)) * w[0] * w[1];
  },
});
