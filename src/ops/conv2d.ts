// conv2d: 2-D cross-correlation, NHWC input, HWIO kernel [kh, kw, cin / groups, cout], optional bias [cout],
// explicit pads, strides, dilations, groups, fused activation. Conv1D is imported as conv2d with H = 1.
// Also home of the NHWC window helpers shared by depthwise_conv2d, conv2d_transpose and pool2d.
//
// Semantics: y[n, oy, ox, o] = act(b[o] + sum over ky, kx, ci of x[n, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw,
// g*cinG + ci] * w[ky, kx, ci, o]) with g = floor(o / (cout / groups)). Padded cells are skipped, not multiplied
// by zero (so an Inf weight over padding does not make 0 * Inf = NaN). Sums accumulate in float64 and are
// rounded to float32 once, on store; NaN/Inf in x, w or b propagate through the sum as IEEE arithmetic says.

import { ShapeError } from '../core/errors.js';
import { shapeToString, sizeOf, tensor, type Shape, type Tensor } from '../core/tensor.js';
import { activationScalar, type Activation } from './activation-fns.js';
import { effectiveKernel } from './padding.js';
import { defineOp } from './types.js';

export interface Conv2dAttrs {
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** [top, bottom, left, right], zeros. */
  readonly pads: readonly [number, number, number, number];
  readonly groups: number;
  readonly activation: Activation;
}

/** A shape for an error message ('none' for an absent optional input). */
export function fmtShape(s: Shape | undefined): string {
  return s ? shapeToString(s) : 'none';
}

/**
 * Checks a shape: the given rank, every dim a whole number >= 0, except dim 0 which may be -1 (the symbolic
 * batch) when `symbolicBatch` is set. Weights pass symbolicBatch = false.
 */
export function checkDims(op: string, what: string, s: Shape, rank: number, symbolicBatch: boolean): void {
  const ok = s.length === rank && s.every((d, i) => Number.isInteger(d) && (d >= 0 || (i === 0 && symbolicBatch && d === -1)));
  if (!ok) throw new ShapeError(`${op}: ${what} must be a rank-${rank} shape of sizes >= 0, got ${fmtShape(s)}`, { op });
}

/** Checks that every value is a whole number >= min (strides, dilations: 1; pads: 0; -Infinity: any). */
export function checkInts(op: string, what: string, values: readonly number[], min: number): void {
  if (!values.every((v) => Number.isInteger(v) && v >= min)) {
    const bound = min === -Infinity ? '' : ` >= ${min}`;
    throw new ShapeError(`${op}: ${what} must be whole numbers${bound}, got [${values.join(', ')}]`, { op });
  }
}

/**
 * Output extent of a sliding window along one axis: floor((in + before + after - effK) / stride) + 1.
 * A window larger than the padded input is a ShapeError, except on an empty input (in = 0), which gives an
 * empty output: that is what TF's 'same' gives (ceil(0 / stride) = 0), and it keeps zero sizes from crashing.
 */
export function windowOutSize(op: string, axis: string, inSize: number, k: number, stride: number, dilation: number, before: number, after: number): number {
  const eff = effectiveKernel(k, dilation);
  const padded = inSize + before + after;
  if (padded < eff) {
    if (inSize === 0) return 0;
    throw new ShapeError(`${op}: ${axis} window ${eff} (kernel ${k}, dilation ${dilation}) is larger than the padded input ${padded} (${before} + ${inSize} + ${after})`, { op });
  }
  return Math.floor((padded - eff) / stride) + 1;
}

/** Checks the optional bias of a conv-like op against its output channel count. */
export function checkBias(op: string, b: Shape | undefined, channels: number): void {
  if (b !== undefined && (b.length !== 1 || b[0] !== channels)) throw new ShapeError(`${op}: bias ${fmtShape(b)} does not match ${channels} output channels`, { op });
}

/** Strides, dilations and pads of a window over NHWC (conv2d, depthwise_conv2d). */
export interface WindowAttrs {
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** [top, bottom, left, right], zeros. */
  readonly pads: readonly [number, number, number, number];
}

/** The checks every NHWC conv starts with: input and kernel ranks and sizes, strides, dilations, pads. */
export function checkConvWindow(op: string, kernel: string, x: Shape, w: Shape, a: WindowAttrs): void {
  checkDims(op, 'input (NHWC)', x, 4, true);
  checkDims(op, kernel, w, 4, false);
  checkInts(op, 'strides', a.strides, 1);
  checkInts(op, 'dilations', a.dilations, 1);
  checkInts(op, 'pads', a.pads, 0);
}

/** Output [N, OH, OW, channels] of a conv over NHWC x with a [kh, kw, ...] kernel (shapes already checked). */
export function convOutShape(op: string, x: Shape, w: Shape, a: WindowAttrs, channels: number): number[] {
  const [pt, pb, pl, pr] = a.pads;
  const OH = windowOutSize(op, 'height', x[1], w[0], a.strides[0], a.dilations[0], pt, pb);
  const OW = windowOutSize(op, 'width', x[2], w[1], a.strides[1], a.dilations[1], pl, pr);
  return [x[0], OH, OW, channels];
}

/** Output shape of conv2d, with every check; used by inferShape and by the reference itself. */
export function conv2dOutShape(x: Shape, w: Shape, b: Shape | undefined, a: Conv2dAttrs): number[] {
  const op = 'conv2d';
  checkConvWindow(op, 'kernel (HWIO)', x, w, a);
  checkInts(op, 'groups', [a.groups], 1);
  const [, , , C] = x;
  const [KH, KW, CG, CO] = w;
  if (KH < 1 || KW < 1) throw new ShapeError(`conv2d: kernel ${fmtShape(w)} has an empty window`, { op });
  if (C % a.groups !== 0 || CO % a.groups !== 0) {
    throw new ShapeError(`conv2d: ${C} input and ${CO} output channels must both divide into ${a.groups} groups`, { op });
  }
  if (CG !== C / a.groups) {
    throw new ShapeError(`conv2d: kernel ${fmtShape(w)} expects ${CG} input channels per group, input has ${C} channels in ${a.groups} group(s)`, { op });
  }
  checkBias(op, b, CO);
  return convOutShape(op, x, w, a, CO);
}

/**
 * The float64 reference sum of a grouped conv (see the header), into a new tensor of outShape: kernel data in
 * [KH][KW][CG][CO] order, CG input channels per group. depthwise_conv2d is the case CG = 1, groups = C (its
 * [kh, kw, C, M] kernel is that layout, with output channel c * M + m in group c).
 */
export function convReference(x: Tensor, w: Float32Array, KH: number, KW: number, CG: number, groups: number, b: Tensor | undefined, outShape: Shape, a: WindowAttrs & { readonly activation: Activation }): Tensor {
  const [N, H, W, C] = x.shape;
  const [, OH, OW, CO] = outShape;
  const [sh, sw] = a.strides;
  const [dh, dw] = a.dilations;
  const [pt, , pl] = a.pads;
  const coPerGroup = CO / groups;
  const act = activationScalar(a.activation);
  const out = tensor(outShape);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let co = 0; co < CO; co++) {
          const g = Math.floor(co / coPerGroup);
          let acc = b ? b.data[co] : 0;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * sh - pt + ky * dh;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * sw - pl + kx * dw;
              if (ix < 0 || ix >= W) continue;
              for (let ci = 0; ci < CG; ci++) {
                const xv = x.data[((n * H + iy) * W + ix) * C + g * CG + ci];
                const wv = w[((ky * KW + kx) * CG + ci) * CO + co];
                acc += xv * wv;
              }
            }
          }
          out.data[((n * OH + oy) * OW + ox) * CO + co] = act(acc);
        }
      }
    }
  }
  return out;
}

export const conv2d = defineOp<Conv2dAttrs>({
  name: 'conv2d',
  arity: [2, 3],
  inferShape([x, w, b], attrs) {
    return [conv2dOutShape(x, w, b, attrs)];
  },
  reference([x, w, b], attrs) {
    const outShape = conv2dOutShape(x.shape, w.shape, b?.shape, attrs);
    const [KH, KW, CG] = w.shape;
    return [convReference(x, w.data, KH, KW, CG, attrs.groups, b, outShape, attrs)];
  },
  cost([x, w, b], attrs) {
    // One multiply-add per (output element, kernel tap, input channel of its group), padding included.
    return sizeOf(conv2dOutShape(x, w, b, attrs)) * w[0] * w[1] * w[2];
  },
});
