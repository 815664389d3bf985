// conv2d_transpose: the gradient of conv2d w.r.t. its input (Keras Conv2DTranspose). NHWC input, kernel in
// Keras layout [kh, kw, cout, cin], optional bias [cout]. The full output is (in - 1) * s + (k - 1) * d + 1 per
// axis; `pads` crop it ([top, bottom, left, right]; a negative value adds zeros instead, as Keras 'valid' does
// when k < s, and as output_padding does).
//
// Semantics: every input pixel stamps the kernel, scaled by its value, into the full output:
// full[n, iy*sh + ky*dh, ix*sw + kx*dw, o] += x[n, iy, ix, i] * w[ky, kx, o, i]; then y = act(crop(full) + b),
// where crop drops pads[0] rows at the top (or adds -pads[0] zero rows), and so on per side. Zero rows added by
// a negative pad still get the bias and the activation, as in Keras. Sums are float64, rounded once on store.

import { ShapeError } from '../core/errors.js';
import { sizeOf, tensor, type Shape } from '../core/tensor.js';
import { activationScalar, type Activation } from './activation-fns.js';
import { checkBias, checkDims, checkInts, fmtShape } from './conv2d.js';
import { effectiveKernel } from './padding.js';
import { defineOp } from './types.js';

export interface Conv2dTransposeAttrs {
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly activation: Activation;
}

/**
 * [before, after] pads (crops; negative = added zeros) along one axis for a Keras Conv2DTranspose/Conv1DTranspose.
 * The output length is Keras' (keras/src/backend/common/backend_utils.py _get_output_shape_given_tf_padding, the
 * same numbers as tf.keras 2.x deconv_output_length): 'valid' (in - 1) * s + eff + op, op defaulting to
 * max(eff, s) - eff; 'same' in * s, or (in - 1) * s + eff % 2 + op; eff = (k - 1) * d + 1.
 * The placement crops floor(max(full - out, 0) / 2) at the start for 'same' and nothing for 'valid', which is
 * TF's tf.nn.conv_transpose 'SAME'/'VALID' (what Keras' TF backend calls) wherever TF accepts the shape, and
 * equals Keras 3's JAX/torch placement (crop = eff - 1 - left_pad) everywhere, including the shapes TF rejects
 * (even eff with 'same' and output_padding 0). `k` is the undilated kernel size; `outputPadding` null = None.
 */
export function kerasConvTransposePads(
  inSize: number,
  k: number,
  stride: number,
  dilation: number,
  padding: 'same' | 'valid',
  outputPadding: number | null,
): [number, number] {
  const op = 'conv2d_transpose';
  checkInts(op, 'input size', [inSize], 0);
  checkInts(op, 'kernel size, stride and dilation', [k, stride, dilation], 1);
  if (outputPadding !== null) checkInts(op, 'output_padding', [outputPadding], 0);
  const eff = effectiveKernel(k, dilation);
  const full = (inSize - 1) * stride + eff;
  let out: number;
  if (outputPadding === null) out = padding === 'valid' ? inSize * stride + Math.max(eff - stride, 0) : inSize * stride;
  else out = (inSize - 1) * stride + (padding === 'same' ? eff % 2 : eff) + outputPadding;
  if (out < 0) throw new ShapeError(`${op}: Keras output length ${out} is negative (input ${inSize}, kernel ${k}, stride ${stride})`, { op });
  const before = padding === 'same' ? Math.floor(Math.max(full - out, 0) / 2) : 0;
  return [before, full - out - before];
}

/** Output length along one axis: the full (in - 1) * s + (k - 1) * d + 1, less the two pads. */
function transposeOutSize(axis: string, inSize: number, k: number, stride: number, dilation: number, before: number, after: number): number {
  const full = (inSize - 1) * stride + effectiveKernel(k, dilation);
  const out = full - before - after;
  if (out < 0) {
    throw new ShapeError(`conv2d_transpose: ${axis} pads ${before} + ${after} crop more than the full output ${full}`, { op: 'conv2d_transpose' });
  }
  return out;
}

/** Output shape of conv2d_transpose, with every check; used by inferShape and by the reference itself. */
export function conv2dTransposeOutShape(x: Shape, w: Shape, b: Shape | undefined, a: Conv2dTransposeAttrs): number[] {
  const op = 'conv2d_transpose';
  checkDims(op, 'input (NHWC)', x, 4, true);
  checkDims(op, 'kernel [kh, kw, cout, cin]', w, 4, false);
  checkInts(op, 'strides', a.strides, 1);
  checkInts(op, 'dilations', a.dilations, 1);
  checkInts(op, 'pads', a.pads, -Infinity);
  const [, H, W, C] = x;
  const [KH, KW, CO, CI] = w;
  if (KH < 1 || KW < 1) throw new ShapeError(`${op}: kernel ${fmtShape(w)} has an empty window`, { op });
  if (CI !== C) throw new ShapeError(`${op}: kernel ${fmtShape(w)} expects ${CI} input channels (last axis), input has ${C}`, { op });
  checkBias(op, b, CO);
  const [pt, pb, pl, pr] = a.pads;
  const OH = transposeOutSize('height', H, KH, a.strides[0], a.dilations[0], pt, pb);
  const OW = transposeOutSize('width', W, KW, a.strides[1], a.dilations[1], pl, pr);
  return [x[0], OH, OW, CO];
}

export const conv2dTranspose = defineOp<Conv2dTransposeAttrs>({
  name: 'conv2d_transpose',
  arity: [2, 3],
  inferShape([x, w, b], attrs) {
    return [conv2dTransposeOutShape(x, w, b, attrs)];
  },
  reference([x, w, b], attrs) {
    const outShape = conv2dTransposeOutShape(x.shape, w.shape, b?.shape, attrs);
    const [N, H, W, CI] = x.shape;
    const [KH, KW, CO] = w.shape;
    const [, OH, OW] = outShape;
    const [sh, sw] = attrs.strides;
    const [dh, dw] = attrs.dilations;
    const [pt, , pl] = attrs.pads;
    // Scatter into a float64 accumulator; output cell (oy, ox) is full-output cell (oy + pt, ox + pl).
    const acc = new Float64Array(sizeOf(outShape));
    for (let n = 0; n < N; n++) {
      for (let iy = 0; iy < H; iy++) {
        for (let ix = 0; ix < W; ix++) {
          for (let ky = 0; ky < KH; ky++) {
            const oy = iy * sh + ky * dh - pt;
            if (oy < 0 || oy >= OH) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ox = ix * sw + kx * dw - pl;
              if (ox < 0 || ox >= OW) continue;
              for (let co = 0; co < CO; co++) {
                for (let ci = 0; ci < CI; ci++) {
                  const xv = x.data[((n * H + iy) * W + ix) * CI + ci];
                  const wv = w.data[((ky * KW + kx) * CO + co) * CI + ci];
                  acc[((n * OH + oy) * OW + ox) * CO + co] += xv * wv;
                }
              }
            }
          }
        }
      }
    }
    const act = activationScalar(attrs.activation);
    const out = tensor(outShape);
    for (let i = 0; i < acc.length; i++) out.data[i] = act(acc[i] + (b ? b.data[i % CO] : 0));
    return [out];
  },
  cost([x, w]) {
    // One multiply-add per (input element, kernel tap, output channel), cropped taps included.
    return sizeOf(x) * w[0] * w[1] * w[2];
  },
});
