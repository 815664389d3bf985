// The ONNX translator table: op_type -> fold (every input constant) and/or translate (into NHWC IR nodes).
// Semantics per the ONNX operator docs (onnx/docs/Operators.md and Changelog.md), opsets 1-21; where an op
// changed meaning across opsets (Softmax before/after 13, legacy broadcast before 7, attrs that became
// inputs), the opset decides.

import { activationScalar, type Activation, type ActivationName } from '../../ops/activation-fns.js';
import { binaryScalar, type BinaryFn } from '../../ops/binary.js';
import { computePads, type PaddingMode } from '../../ops/padding.js';
import {
  hostBinary,
  hostCast,
  hostConcat,
  hostGather,
  hostInts,
  hostReduce,
  hostReshape,
  hostScalar,
  hostSlice,
  hostTensor,
  hostTranspose,
  hostUnary,
  hostValues,
  irReshapeTarget,
  resolveSliceAxis,
  hostSize,
  sizeOfShape,
  sliceAxisLength,
  type HostDtype,
  type HostReduce,
  type HostTensor,
} from '../graphdef/host.js';
import { channelsLast, invertPerm, isIdentityPerm, plain, samePerm, storedAxis, type OnnxNodeContext, type OnnxValue } from './context.js';
import { decodeOnnxTensor, onnxHostDtype } from './tensor.js';

export interface OnnxOp {
  readonly fold?: (cx: OnnxNodeContext) => HostTensor | readonly HostTensor[];
  readonly translate?: (cx: OnnxNodeContext) => OnnxValue | readonly OnnxValue[];
}

const host = (t: HostTensor): OnnxValue => ({ kind: 'host', t });
const withPerm = (id: number, perm: readonly number[] | null): OnnxValue => ({ kind: 'tensor', id, perm: isIdentityPerm(perm) ? null : perm });

// ---------------------------------------------------------------------------------------------------------
// element-wise

function activationOp(make: (cx: OnnxNodeContext) => Activation): OnnxOp {
  return {
    fold: (cx) => hostUnary(cx.host(0), activationScalar(make(cx)), 'float'),
    translate: (cx) => withPerm(cx.add('activation', [cx.stored(0)], { activation: make(cx) }), cx.perm(0)),
  };
}

const simple = (fn: ActivationName): OnnxOp => activationOp(() => ({ fn }));

function outDtype(a: HostTensor, b: HostTensor): HostDtype {
  return a.dtype === 'float' || b.dtype === 'float' ? 'float' : a.dtype;
}

/**
 * Shape of constant b as legacy broadcasting (opset < 7, broadcast=1) aligns it to a: starting at `axis`,
 * or at the trailing dims when axis is absent.
 */
function legacyAlign(cx: OnnxNodeContext, bShape: readonly number[], aRank: number): number[] | undefined {
  if (cx.opset >= 7 || cx.int('broadcast', 0) !== 1) return undefined;
  const axisAttr = cx.attribute('axis');
  if (!axisAttr) return undefined;
  const axis = cx.int('axis') < 0 ? cx.int('axis') + aRank : cx.int('axis');
  return [...bShape, ...new Array<number>(Math.max(0, aRank - axis - bShape.length)).fill(1)];
}

/** a (op) b for two values of any layout; constants are laid out to match the tensor operand. */
function binaryValues(cx: OnnxNodeContext, fn: BinaryFn, a: OnnxValue, b: OnnxValue, names: readonly [string, string], suffix?: string): OnnxValue {
  if (a.kind === 'tensor' && b.kind === 'host') {
    const aligned = legacyAlign(cx, b.t.shape, cx.rankOf(a));
    const t = aligned ? hostReshape(b.t, aligned) : b.t;
    const perm = cx.permOf(a);
    if (perm === null || t.shape.length <= perm.length) {
      const c = cx.constantLike(t, perm, cx.rankOf(a), names[1]);
      return withPerm(cx.add('binary', [a.id, c], { fn }, suffix), perm);
    }
  }
  if (a.kind === 'host' && b.kind === 'tensor') {
    const perm = cx.permOf(b);
    if (perm === null || a.t.shape.length <= perm.length) {
      const c = cx.constantLike(a.t, perm, cx.rankOf(b), names[0]);
      return withPerm(cx.add('binary', [c, b.id], { fn }, suffix), perm);
    }
  }
  if (a.kind === 'tensor' && b.kind === 'tensor' && samePerm(cx.permOf(a), cx.permOf(b)) && cx.rankOf(a) === cx.rankOf(b)) {
    return withPerm(cx.add('binary', [a.id, b.id], { fn }, suffix), cx.permOf(a));
  }
  const bl = cx.logicalOf(b, names[1]);
  const aligned = legacyAlign(cx, cx.logicalShapeOf(b), cx.rankOf(a));
  const bid = aligned ? cx.add('reshape', [bl], { shape: aligned }, 'align') : bl;
  return plain(cx.add('binary', [cx.logicalOf(a, names[0]), bid], { fn }, suffix));
}

function binaryOp(fn: BinaryFn, intFn?: (a: number, b: number) => number): OnnxOp {
  return {
    fold(cx) {
      const [a, b] = [cx.host(0), cx.host(1)];
      const aligned = legacyAlign(cx, b.shape, a.shape.length);
      const dt = outDtype(a, b);
      return hostBinary(a, aligned ? hostReshape(b, aligned) : b, dt === 'float' || !intFn ? binaryScalar(fn) : intFn, dt);
    },
    translate: (cx) => binaryValues(cx, fn, cx.value(0), cx.value(1), [cx.inputNames[0], cx.inputNames[1]]),
  };
}

/** Variadic Sum/Max/Min/Mean, as a chain of binary ops. */
function variadicOp(fn: BinaryFn, mean = false): OnnxOp {
  return {
    translate(cx) {
      let acc = cx.value(0);
      for (let i = 1; i < cx.inputs.length; i++) acc = binaryValues(cx, fn, acc, cx.value(i), [cx.inputNames[0], cx.inputNames[i]], `${fn}_${i}`);
      if (mean && cx.inputs.length > 1) {
        const c = cx.constant(hostScalar('float', 1 / cx.inputs.length), `${cx.label}/inv_n`);
        acc = withPerm(cx.add('binary', [cx.storedOf(acc, cx.inputNames[0]), c], { fn: 'mul' }, 'mean'), cx.permOf(acc));
      }
      return acc;
    },
  };
}

function scalarOp(fn: BinaryFn, value: number, scalarFirst: boolean, fold: (x: number) => number): OnnxOp {
  return {
    fold: (cx) => hostUnary(cx.host(0), fold),
    translate(cx) {
      const c = cx.constant(hostScalar('float', value), `${cx.label}/scalar`);
      const x = cx.stored(0);
      return withPerm(cx.add('binary', scalarFirst ? [c, x] : [x, c], { fn }), cx.perm(0));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// conv / pool

function spatialOnly(cx: OnnxNodeContext): void {
  if (cx.rank(0) !== 4) cx.fail(`only 2-D (rank-4 NCHW) inputs are supported, got rank ${cx.rank(0)}`);
}

/** [top, bottom, left, right] from auto_pad / pads for an NHWC input. */
function onnxPads(cx: OnnxNodeContext, nhwc: readonly number[], k: readonly number[], s: readonly number[], d: readonly number[]): [number, number, number, number] {
  const auto = cx.str('auto_pad', 'NOTSET');
  if (auto === 'NOTSET') {
    const p = cx.ints('pads', [0, 0, 0, 0])!;
    if (p.length !== 4) cx.fail(`pads [${p.join(', ')}] must have 4 values`);
    return [p[0], p[2], p[1], p[3]];
  }
  if (auto === 'VALID') return [0, 0, 0, 0];
  const mode: PaddingMode | undefined = auto === 'SAME_UPPER' ? 'same' : auto === 'SAME_LOWER' ? 'same_lower' : undefined;
  if (!mode) return cx.fail(`auto_pad "${auto}" is not supported`);
  const [t, b] = computePads(mode, nhwc[1], k[0], s[0], d[0]);
  const [l, r] = computePads(mode, nhwc[2], k[1], s[1], d[1]);
  return [t, b, l, r];
}

function pair(cx: OnnxNodeContext, name: string, dflt: number): [number, number] {
  const v = cx.ints(name, [dflt, dflt])!;
  if (v.length !== 2) cx.fail(`${name} [${v.join(', ')}] must have 2 values (2-D only)`);
  return [v[0], v[1]];
}

const CL4 = channelsLast(4);

const conv: OnnxOp = {
  translate(cx) {
    spatialOnly(cx);
    const x = cx.channelsLast(0);
    const xs = cx.b.shape(x);
    const w = cx.host(1);
    if (w.shape.length !== 4) cx.fail(`weights must be [M, C/group, kH, kW], are [${w.shape.join(', ')}]`);
    const [M, CG, KH, KW] = w.shape;
    const group = cx.int('group', 1);
    const strides = pair(cx, 'strides', 1);
    const dilations = pair(cx, 'dilations', 1);
    const pads = onnxPads(cx, xs, [KH, KW], strides, dilations);
    const C = xs[3];
    if (CG * group !== C) cx.fail(`weights expect ${CG} x ${group} input channels, the input has ${C}`);
    const ins = [x];
    const activation = { fn: 'linear' as const };
    let y: number;
    if (group > 1 && CG === 1 && M % C === 0) {
      // Depthwise: output channel c * mult + m reads input channel c, in ONNX and in the IR alike.
      const mult = M / C;
      ins.push(cx.constant(hostTranspose(hostReshape(w, [C, mult, KH, KW]), [2, 3, 0, 1]), `${cx.inputNames[1]}/hwcm`));
      if (cx.has(2)) ins.push(cx.stored(2));
      y = cx.add('depthwise_conv2d', ins, { strides, dilations, pads, activation });
    } else {
      ins.push(cx.constant(hostTranspose(w, [2, 3, 1, 0]), `${cx.inputNames[1]}/hwio`));
      if (cx.has(2)) ins.push(cx.stored(2));
      y = cx.add('conv2d', ins, { strides, dilations, pads, groups: group, activation });
    }
    return withPerm(y, CL4);
  },
};

function poolOp(type: 'max' | 'avg'): OnnxOp {
  return {
    translate(cx) {
      spatialOnly(cx);
      let x = cx.channelsLast(0);
      const kernel = pair(cx, 'kernel_shape', 0);
      if (!(kernel[0] >= 1 && kernel[1] >= 1)) cx.fail('kernel_shape is missing');
      const strides = pair(cx, 'strides', 1);
      const dil = pair(cx, 'dilations', 1);
      if (dil[0] !== 1 || dil[1] !== 1) cx.fail('dilated pooling is not supported');
      let pads = onnxPads(cx, cx.b.shape(x), kernel, strides, [1, 1]);
      if (type === 'avg' && cx.int('count_include_pad', 0) === 1 && pads.some((p) => p > 0)) {
        // Padded zeros count in the average: pad explicitly, then pool without pads.
        x = cx.add('pad', [x], { pads: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]], value: 0 }, 'pad');
        pads = [0, 0, 0, 0];
      }
      if (cx.int('ceil_mode', 0) === 1) {
        const xs = cx.b.shape(x);
        const extra = (size: number, k: number, s: number, before: number, after: number): number => {
          const floorOut = Math.floor((size + before + after - k) / s) + 1;
          let ceilOut = Math.ceil((size + before + after - k) / s) + 1;
          // The last window must start inside the input or its leading padding (PyTorch / ONNX Runtime rule).
          if ((ceilOut - 1) * s >= size + before) ceilOut--;
          return ceilOut > floorOut ? (ceilOut - 1) * s + k - (size + before + after) : 0;
        };
        pads = [pads[0], pads[1] + extra(xs[1], kernel[0], strides[0], pads[0], pads[1]), pads[2], pads[3] + extra(xs[2], kernel[1], strides[1], pads[2], pads[3])];
        if (type === 'avg' && cx.int('count_include_pad', 0) === 1 && (pads[1] > 0 || pads[3] > 0)) cx.fail('ceil_mode with count_include_pad is not supported');
      }
      return withPerm(cx.add('pool2d', [x], { type, kernel, strides, pads }), CL4);
    },
  };
}

function globalPoolOp(type: 'mean' | 'max'): OnnxOp {
  return {
    translate(cx) {
      const rank = cx.rank(0);
      if (rank < 3) cx.fail(`input must have spatial dims, has rank ${rank}`);
      const x = cx.channelsLast(0);
      const axes = Array.from({ length: rank - 2 }, (_, i) => i + 1);
      return withPerm(cx.add('reduce', [x], { type, axes, keepDims: true }), channelsLast(rank));
    },
  };
}

const batchNormalization: OnnxOp = {
  translate(cx) {
    if (cx.int('training_mode', 0) === 1) cx.fail('training_mode=1 is not supported');
    if (cx.opset < 9 && cx.int('spatial', 1) !== 1) cx.fail('spatial=0 is not supported');
    if ((cx.node.output ?? []).filter((o) => o !== '').length > 1) cx.fail('the training outputs (running mean/var) are not supported');
    const rank = cx.rank(0);
    const axis = rank < 2 ? 0 : storedAxis(cx.perm(0), 1, rank);
    const ins = [cx.stored(0), ...[1, 2, 3, 4].map((i) => cx.stored(i))];
    return withPerm(cx.add('batchnorm', ins, { axis, epsilon: cx.float('epsilon', 1e-5) }), cx.perm(0));
  },
};

// ---------------------------------------------------------------------------------------------------------
// dense

const gemm: OnnxOp = {
  translate(cx) {
    if (cx.rank(0) !== 2) cx.fail(`A must be rank 2, is rank ${cx.rank(0)}`);
    if (cx.int('transA', 0) !== 0) cx.fail('transA=1 is not supported');
    const alpha = cx.float('alpha', 1);
    const beta = cx.float('beta', 1);
    let w = cx.host(1);
    if (cx.int('transB', 0) !== 0) w = hostTranspose(w, [1, 0]);
    if (alpha !== 1) w = hostUnary(w, (v) => v * alpha, 'float');
    const ins = [cx.logical(0), cx.constant(w, `${cx.inputNames[1]}${cx.int('transB', 0) ? '/T' : ''}`)];
    let addFull: number | undefined;
    if (cx.has(2) && beta !== 0) {
      let c = cx.isHost(2) ? cx.host(2) : undefined;
      if (c && beta !== 1) c = hostUnary(c, (v) => v * beta, 'float');
      const N = w.shape[1];
      if (c && sizeOfShape(c.shape) === N && c.shape.filter((d) => d !== 1).length <= 1 && (c.shape.length === 0 || c.shape[c.shape.length - 1] === N || N === 1)) {
        ins.push(cx.constant(hostReshape(c, [N]), `${cx.inputNames[2]}/bias`));
      } else if (c && c.data.length === 1 && N !== 1) {
        ins.push(cx.constant(hostTensor('float', [N], new Array<number>(N).fill(c.data[0])), `${cx.inputNames[2]}/bias`));
      } else {
        addFull = c ? cx.constant(c, cx.inputNames[2]) : cx.logical(2);
        if (!c && beta !== 1) cx.fail('beta != 1 with a computed C is not supported');
      }
    }
    const y = cx.add('dense', ins, { activation: { fn: 'linear' } });
    return plain(addFull === undefined ? y : cx.add('binary', [y, addFull], { fn: 'add' }, 'add_c'));
  },
};

const matMul: OnnxOp = {
  translate(cx) {
    if (!cx.isHost(1)) cx.fail('the second operand must be a constant weight matrix');
    const w = cx.host(1);
    if (w.shape.length !== 2) cx.fail(`weights must be rank 2, are [${w.shape.join(', ')}]`);
    if (cx.rank(0) < 2) cx.fail('a rank-1 first operand is not supported');
    return plain(cx.add('dense', [cx.logical(0), cx.constant(w, cx.inputNames[1])], { activation: { fn: 'linear' } }));
  },
};

// ---------------------------------------------------------------------------------------------------------
// shapes

function reshapeLogical(cx: OnnxNodeContext, target: readonly number[]): OnnxValue {
  const xs = cx.logicalShape(0);
  const t = irReshapeTarget(xs, target);
  if (!t) cx.fail(`cannot reshape [${xs.join(', ')}] to [${target.map((d) => (Number.isNaN(d) ? 'batch' : d)).join(', ')}] keeping dim 0 as the batch`);
  return plain(cx.add('reshape', [cx.logical(0)], { shape: t }));
}

/** The Reshape target with 0 = "copy this dim" (unless allowzero) and the batch as NaN. */
function reshapeTarget(cx: OnnxNodeContext): number[] {
  const shape = cx.opset < 5 ? (cx.ints('shape') ?? cx.fail('attribute "shape" is missing')) : hostValues(cx.host(1));
  const xs = cx.logicalShape(0);
  const allowZero = cx.int('allowzero', 0) === 1;
  return shape.map((d, i) => (d === 0 && !allowZero ? (xs[i] === undefined ? cx.fail(`shape[${i}] = 0 copies a dim the input lacks`) : xs[i] < 0 ? NaN : xs[i]) : d));
}

function axesOf(cx: OnnxNodeContext, inputIndex: number, fromOpset: number): number[] | undefined {
  if (cx.opset >= fromOpset) return cx.has(inputIndex) ? hostValues(cx.host(inputIndex)) : undefined;
  return cx.ints('axes');
}

function squeezeShape(cx: OnnxNodeContext, shape: readonly number[]): number[] {
  const axes = axesOf(cx, 1, 13);
  const rank = shape.length;
  if (!axes || axes.length === 0) return shape.filter((d) => d !== 1);
  const set = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  for (const a of set) if (shape[a] !== 1) cx.fail(`cannot squeeze axis ${a} of size ${shape[a] < 0 ? 'batch' : shape[a]}`);
  return shape.filter((_, i) => !set.has(i));
}

function unsqueezeShape(cx: OnnxNodeContext, shape: readonly number[]): number[] {
  const axes = axesOf(cx, 1, 13) ?? cx.fail('axes are missing');
  const rank = shape.length + axes.length;
  const set = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(set.has(i) ? 1 : shape[k++]);
  return out;
}

function irShapeOf(cx: OnnxNodeContext, logical: readonly number[]): number[] {
  // A logical shape whose batch (-1) moved off dim 0 cannot be expressed in the IR.
  if (logical.slice(1).some((d) => d < 0)) cx.fail('the batch would move away from dim 0');
  return [...logical];
}

/** Slice parameters per input axis for a Slice node. */
function sliceAxes(cx: OnnxNodeContext, shape: readonly number[]) {
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (cx.opset < 10) {
    starts = cx.ints('starts') ?? cx.fail('starts are missing');
    ends = cx.ints('ends') ?? cx.fail('ends are missing');
    axes = cx.ints('axes');
  } else {
    starts = hostValues(cx.host(1));
    ends = hostValues(cx.host(2));
    axes = cx.has(3) ? hostValues(cx.host(3)) : undefined;
    steps = cx.has(4) ? hostValues(cx.host(4)) : undefined;
  }
  const rank = shape.length;
  const per = shape.map((d) => ({ start: 0, end: d, step: 1, touched: false }));
  (axes ?? starts.map((_, i) => i)).forEach((a0, k) => {
    const a = a0 < 0 ? a0 + rank : a0;
    const step = steps ? steps[k] : 1;
    if (shape[a] < 0) {
      const whole = step === 1 && (starts[k] === 0 || starts[k] <= -(2 ** 62)) && ends[k] >= 2 ** 31 - 1;
      if (!whole) cx.fail('slicing the batch axis is not supported');
      return;
    }
    const r = resolveSliceAxis(shape[a], starts[k], ends[k], step);
    per[a] = { ...r, touched: true };
  });
  return per;
}

function castTo(cx: OnnxNodeContext): HostDtype {
  const to = cx.int('to');
  const dt = onnxHostDtype(to);
  if (!dt) cx.fail(`cast to ONNX type ${to} is not supported`);
  return dt;
}

/** Integer-scale nearest/linear Resize and Upsample. */
function resizeOp(isUpsample: boolean): OnnxOp {
  return {
    translate(cx) {
      spatialOnly(cx);
      const xs = cx.logicalShape(0);
      const mode = cx.str('mode', 'nearest');
      let scales: number[] | undefined;
      if (isUpsample && cx.opset < 9) scales = cx.floats('scales');
      else if (cx.opset <= 10 || isUpsample) scales = hostValues(cx.host(1));
      else {
        if (cx.has(2) && cx.host(2).data.length > 0) scales = hostValues(cx.host(2));
        else if (cx.has(3)) scales = hostValues(cx.host(3)).map((s, i) => s / xs[i]);
      }
      if (!scales || scales.length !== 4) return cx.fail('scales (or sizes) for 4 dims are required');
      if (scales[0] !== 1 || scales[1] !== 1) cx.fail(`scaling the batch or channels (${scales.join(', ')}) is not supported`);
      const scale: [number, number] = [scales[2], scales[3]];
      if (!scale.every((s) => Number.isInteger(s) && s >= 1)) cx.fail(`only whole-number upscaling is supported, scales are ${scales.join(', ')}`);
      const ctm = isUpsample || cx.opset < 11 ? 'asymmetric' : cx.str('coordinate_transformation_mode', 'half_pixel');
      let irMode: 'nearest' | 'bilinear';
      if (mode === 'nearest') {
        const nm = isUpsample || cx.opset < 11 ? 'floor' : cx.str('nearest_mode', 'round_prefer_floor');
        if (!nearestIsFloor(ctm, nm, scale[0]) || !nearestIsFloor(ctm, nm, scale[1])) {
          cx.fail(`nearest with coordinate_transformation_mode=${ctm}, nearest_mode=${nm} does not repeat pixels; not supported`);
        }
        irMode = 'nearest';
      } else if (mode === 'linear' || mode === 'bilinear') {
        if (ctm !== 'half_pixel' && ctm !== 'pytorch_half_pixel') cx.fail(`linear resize with coordinate_transformation_mode=${ctm} is not supported`);
        irMode = 'bilinear';
      } else return cx.fail(`mode "${mode}" is not supported`);
      return withPerm(cx.add('upsample2d', [cx.channelsLast(0)], { scale, mode: irMode }), CL4);
    },
  };
}

/** Does ONNX nearest resize with this mapping pick floor(o / s), i.e. plain pixel repetition? */
function nearestIsFloor(ctm: string, nm: string, s: number): boolean {
  const round = (x: number): number => {
    switch (nm) {
      case 'floor':
        return Math.floor(x);
      case 'ceil':
        return Math.ceil(x);
      case 'round_prefer_ceil':
        return Math.round(x);
      default:
        return x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x);
    }
  };
  const inSize = 5;
  for (let o = 0; o < inSize * s; o++) {
    let x: number;
    if (ctm === 'asymmetric') x = o / s;
    else if (ctm === 'half_pixel' || ctm === 'pytorch_half_pixel') x = (o + 0.5) / s - 0.5;
    else if (ctm === 'tf_half_pixel_for_nn') x = (o + 0.5) / s;
    else return false;
    const i = Math.min(Math.max(round(x), 0), inSize - 1);
    if (i !== Math.floor(o / s)) return false;
  }
  return true;
}

function reduceOp(type: HostReduce): OnnxOp {
  const axesFor = (cx: OnnxNodeContext): number[] | undefined =>
    (type === 'sum' ? cx.opset >= 13 : cx.opset >= 18) ? (cx.has(1) ? hostValues(cx.host(1)) : undefined) : cx.ints('axes');
  return {
    fold(cx) {
      const t = cx.host(0);
      const axes = axesFor(cx) ?? t.shape.map((_, i) => i);
      return hostReduce(t, axes, cx.int('keepdims', 1) === 1, type);
    },
    translate(cx) {
      const rank = cx.rank(0);
      let axes = axesFor(cx);
      if (!axes || axes.length === 0) {
        if (cx.int('noop_with_empty_axes', 0) === 1) return cx.value(0);
        axes = Array.from({ length: rank }, (_, i) => i);
      }
      const keepDims = cx.int('keepdims', 1) === 1;
      const perm = keepDims ? cx.perm(0) : null;
      const x = keepDims ? cx.stored(0) : cx.logical(0);
      const stored = axes.map((a) => storedAxis(perm, a, rank));
      return withPerm(cx.add('reduce', [x], { type, axes: stored, keepDims }), perm);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// the table

export const ONNX_OPS: Readonly<Record<string, OnnxOp>> = {
  Identity: { fold: (cx) => cx.host(0), translate: (cx) => cx.value(0) },
  Dropout: { fold: (cx) => cx.host(0), translate: (cx) => cx.value(0) },

  Add: binaryOp('add'),
  Sub: binaryOp('sub'),
  Mul: binaryOp('mul'),
  Div: binaryOp('div', (a, b) => Math.trunc(a / b)),
  Pow: binaryOp('pow'),
  Max: variadicOp('max'),
  Min: variadicOp('min'),
  Sum: variadicOp('add'),
  Mean: variadicOp('add', true),

  Relu: simple('relu'),
  Sigmoid: simple('sigmoid'),
  Tanh: simple('tanh'),
  Exp: simple('exponential'),
  Softplus: simple('softplus'),
  Softsign: simple('softsign'),
  HardSwish: simple('hard_swish'),
  LeakyRelu: activationOp((cx) => ({ fn: 'leaky_relu', alpha: cx.float('alpha', 0.01) })),
  Elu: activationOp((cx) => ({ fn: 'elu', alpha: cx.float('alpha', 1) })),
  ThresholdedRelu: activationOp((cx) => ({ fn: 'thresholded_relu', alpha: cx.float('alpha', 1) })),
  HardSigmoid: activationOp((cx) => ({ fn: 'hard_sigmoid', alpha: cx.float('alpha', 0.2), beta: cx.float('beta', 0.5) })),
  Selu: activationOp((cx) => {
    // The IR's selu uses the Keras constants, which are ONNX's defaults to float precision.
    if (Math.abs(cx.float('alpha', 1.6732632) - 1.6732632) > 1e-6 || Math.abs(cx.float('gamma', 1.050701) - 1.050701) > 1e-6) cx.fail('non-default alpha/gamma');
    return { fn: 'selu' };
  }),
  Clip: activationOp((cx) => {
    let lo = -Infinity;
    let hi = Infinity;
    if (cx.opset < 11) {
      lo = cx.float('min', -3.4028234663852886e38);
      hi = cx.float('max', 3.4028234663852886e38);
    } else {
      if (cx.has(1)) lo = hostValues(cx.host(1))[0];
      if (cx.has(2)) hi = hostValues(cx.host(2))[0];
    }
    return lo === 0 && hi === 6 ? { fn: 'relu6' } : { fn: 'clip', alpha: lo, beta: hi };
  }),
  Neg: scalarOp('mul', -1, false, (x) => -x),
  Sqrt: scalarOp('pow', 0.5, false, Math.sqrt),
  Reciprocal: scalarOp('div', 1, true, (x) => 1 / x),
  Floor: { fold: (cx) => hostUnary(cx.host(0), Math.floor) },
  Ceil: { fold: (cx) => hostUnary(cx.host(0), Math.ceil) },
  Softmax: {
    translate(cx) {
      const rank = cx.rank(0);
      const axis0 = cx.int('axis', cx.opset >= 13 ? -1 : 1);
      const axis = axis0 < 0 ? axis0 + rank : axis0;
      if (cx.opset >= 13 || axis === rank - 1) {
        return withPerm(cx.add('softmax', [cx.stored(0)], { axis: storedAxis(cx.perm(0), axis, rank) }), cx.perm(0));
      }
      // Before opset 13: softmax over the flattened dims [axis, rank), as a 2-D matrix.
      const xs = cx.logicalShape(0);
      const lead = xs.slice(0, axis).map((d) => (d < 0 ? NaN : d)).reduce((a, b) => a * b, 1);
      const flat = irReshapeTarget(xs, [lead, sizeOfShape(xs.slice(axis))]);
      if (!flat || axis === 0) return cx.fail(`softmax over axes ${axis}.. of [${xs.join(', ')}] mixes in the batch`);
      const m = cx.add('reshape', [cx.logical(0)], { shape: flat }, 'flatten');
      const s = cx.add('softmax', [m], { axis: -1 }, 'softmax');
      return plain(cx.add('reshape', [s], { shape: irShapeOf(cx, xs) }, 'unflatten'));
    },
  },

  Conv: conv,
  MaxPool: poolOp('max'),
  AveragePool: poolOp('avg'),
  GlobalAveragePool: globalPoolOp('mean'),
  GlobalMaxPool: globalPoolOp('max'),
  BatchNormalization: batchNormalization,
  Gemm: gemm,
  MatMul: matMul,
  Resize: resizeOp(false),
  Upsample: resizeOp(true),

  ReduceMean: reduceOp('mean'),
  ReduceSum: reduceOp('sum'),
  ReduceMax: reduceOp('max'),
  ReduceMin: reduceOp('min'),
  ReduceProd: reduceOp('prod'),

  Constant: {
    fold(cx) {
      const t = cx.tensorAttr('value');
      if (t) return decodeOnnxTensor(t, cx.label, cx.state.file, cx.state.limits);
      const f = cx.attribute('value_float');
      if (f) return hostScalar('float', cx.float('value_float'));
      const fs = cx.floats('value_floats');
      if (fs) return hostTensor('float', [fs.length], fs);
      const i = cx.attribute('value_int');
      if (i) return hostScalar('int', cx.int('value_int'));
      const is = cx.ints('value_ints');
      if (is) return hostInts(is);
      return cx.fail('only dense numeric values are supported (value, value_float(s), value_int(s))');
    },
  },
  ConstantOfShape: {
    fold(cx) {
      const dims = hostValues(cx.host(0));
      if (dims.some((d) => !Number.isInteger(d) || d < 0)) cx.fail('a batch-dependent shape is not supported');
      const t = cx.tensorAttr('value');
      const v = t ? decodeOnnxTensor(t, cx.label, cx.state.file, cx.state.limits) : hostScalar('float', 0);
      return hostTensor(v.dtype, dims, new Array<number>(hostSize(dims)).fill(v.data[0] ?? 0));
    },
  },
  Shape: {
    fold: (cx) => hostInts([...cx.host(0).shape]),
    translate(cx) {
      let s = cx.logicalShape(0).map((d) => (d < 0 ? NaN : d));
      if (cx.opset >= 15) {
        const r = s.length;
        const norm = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
        s = s.slice(norm(cx.int('start', 0)), cx.attribute('end') ? norm(cx.int('end')) : r);
      }
      return host(hostInts(s));
    },
  },
  Size: {
    fold: (cx) => hostScalar('int', cx.host(0).data.length),
    translate: (cx) => host(hostScalar('int', sizeOfShape(cx.logicalShape(0).map((d) => (d < 0 ? NaN : d))))),
  },
  Reshape: {
    fold(cx) {
      const t = reshapeTarget(cx);
      if (t.some(Number.isNaN)) cx.fail('constant reshaped by a batch-dependent shape');
      return hostReshape(cx.host(0), t);
    },
    translate: (cx) => reshapeLogical(cx, reshapeTarget(cx)),
  },
  Flatten: {
    fold(cx) {
      const t = cx.host(0);
      const axis = cx.int('axis', 1) < 0 ? cx.int('axis', 1) + t.shape.length : cx.int('axis', 1);
      return hostReshape(t, [sizeOfShape(t.shape.slice(0, axis)), sizeOfShape(t.shape.slice(axis))]);
    },
    translate(cx) {
      const xs = cx.logicalShape(0);
      const axis = cx.int('axis', 1) < 0 ? cx.int('axis', 1) + xs.length : cx.int('axis', 1);
      const lead = xs.slice(0, axis).map((d) => (d < 0 ? NaN : d)).reduce((a, b) => a * b, 1);
      if (xs[0] < 0 && axis > 1 && sizeOfShape(xs.slice(1, axis)) !== 1) cx.fail(`flattening at axis ${axis} mixes in the batch`);
      return reshapeLogical(cx, [Number.isNaN(lead) ? NaN : lead, sizeOfShape(xs.slice(axis))]);
    },
  },
  Transpose: {
    fold(cx) {
      const t = cx.host(0);
      return hostTranspose(t, cx.ints('perm') ?? t.shape.map((_, i) => t.shape.length - 1 - i));
    },
    translate(cx) {
      const rank = cx.rank(0);
      const q = cx.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
      // No data moves: the new logical tensor is the old one permuted, so only the bookkeeping changes.
      const p = cx.perm(0) ?? Array.from({ length: rank }, (_, i) => i);
      const qinv = invertPerm(q);
      return withPerm(cx.stored(0), p.map((a) => qinv[a]));
    },
  },
  Concat: {
    fold(cx) {
      return hostConcat(
        cx.inputs.map((_, i) => cx.host(i)),
        cx.int('axis'),
      );
    },
    translate(cx) {
      const rank = cx.rank(0);
      const axis = cx.int('axis');
      const tensors = cx.inputs.map((_, i) => i).filter((i) => !cx.isHost(i));
      const perm = cx.perm(tensors[0]);
      const shared = tensors.every((i) => samePerm(cx.perm(i), perm) && cx.rank(i) === rank);
      const p = shared ? perm : null;
      const ins = cx.inputs.map((_, i) => (cx.isHost(i) ? cx.constantLike(cx.host(i), p, rank, cx.inputNames[i]) : p ? cx.stored(i) : cx.logical(i)));
      if (ins.length === 1) return withPerm(ins[0], p);
      return withPerm(cx.add('concat', ins, { axis: storedAxis(p, axis, rank) }), p);
    },
  },
  Squeeze: {
    fold: (cx) => hostReshape(cx.host(0), squeezeShape(cx, cx.host(0).shape)),
    translate: (cx) => plain(cx.add('reshape', [cx.logical(0)], { shape: irShapeOf(cx, squeezeShape(cx, cx.logicalShape(0))) })),
  },
  Unsqueeze: {
    fold: (cx) => hostReshape(cx.host(0), unsqueezeShape(cx, cx.host(0).shape)),
    translate: (cx) => plain(cx.add('reshape', [cx.logical(0)], { shape: irShapeOf(cx, unsqueezeShape(cx, cx.logicalShape(0))) })),
  },
  Gather: {
    fold: (cx) => hostGather(cx.host(0), cx.host(1), cx.int('axis', 0)),
    translate(cx) {
      const xs = cx.logicalShape(0);
      const rank = xs.length;
      const axis = cx.int('axis', 0) < 0 ? cx.int('axis', 0) + rank : cx.int('axis', 0);
      const idx = cx.host(1);
      const dim = xs[axis];
      const vals = hostValues(idx).map((i) => (i < 0 ? i + dim : i));
      if (dim < 0) cx.fail('gathering along the batch axis is not supported');
      if (vals.some((v, k) => v !== vals[0] + k) || idx.shape.length > 1) cx.fail('only a scalar or a contiguous run of indices is supported');
      const begin = xs.map((_, i) => (i === axis ? vals[0] : 0));
      const size = xs.map((_, i) => (i === axis ? vals.length : -1));
      const s = cx.add('slice', [cx.logical(0)], { begin, size }, 'slice');
      if (idx.shape.length === 1) return plain(s);
      const out = xs.filter((_, i) => i !== axis);
      return plain(cx.add('reshape', [s], { shape: irShapeOf(cx, out) }, 'squeeze'));
    },
  },
  Slice: {
    fold(cx) {
      const t = cx.host(0);
      return hostSlice(t, sliceAxes(cx, t.shape));
    },
    translate(cx) {
      const xs = cx.logicalShape(0);
      const per = sliceAxes(cx, xs);
      if (per.some((a) => a.step !== 1)) cx.fail('steps other than 1 are not supported');
      const perm = cx.perm(0);
      const order = perm ?? xs.map((_, i) => i);
      // Slicing is layout-agnostic: slice the stored tensor along the stored positions of the logical axes.
      const begin = order.map((a) => (xs[a] < 0 ? 0 : per[a].start));
      const size = order.map((a) => (xs[a] < 0 ? -1 : sliceAxisLength(per[a])));
      return withPerm(cx.add('slice', [cx.stored(0)], { begin, size }), perm);
    },
  },
  Pad: {
    translate(cx) {
      const rank = cx.rank(0);
      const mode = cx.str('mode', 'constant');
      if (mode !== 'constant') cx.fail(`mode "${mode}" is not supported`);
      let pads: number[];
      let value = 0;
      if (cx.opset < 11) {
        pads = cx.ints('pads') ?? cx.ints('paddings') ?? cx.fail('pads are missing');
        value = cx.float('value', 0);
      } else {
        pads = hostValues(cx.host(1));
        if (cx.has(2)) value = hostValues(cx.host(2))[0] ?? 0;
        if (cx.has(3)) {
          const axes = hostValues(cx.host(3)).map((a) => (a < 0 ? a + rank : a));
          const full = new Array<number>(2 * rank).fill(0);
          axes.forEach((a, k) => {
            full[a] = pads[k];
            full[a + rank] = pads[k + axes.length];
          });
          pads = full;
        }
      }
      if (pads.length !== 2 * rank) cx.fail(`pads has ${pads.length} values, expected ${2 * rank}`);
      if (pads.some((p) => p < 0)) cx.fail('negative pads (cropping) are not supported');
      const perm = cx.perm(0);
      const order = perm ?? Array.from({ length: rank }, (_, i) => i);
      const irPads = order.map((a) => [pads[a], pads[a + rank]] as const);
      return withPerm(cx.add('pad', [cx.stored(0)], { pads: irPads, value }), perm);
    },
  },
  Cast: {
    fold: (cx) => hostCast(cx.host(0), castTo(cx)),
    translate(cx) {
      if (castTo(cx) !== 'float') cx.fail('casting a float tensor to an integer type is not supported (the IR is float32)');
      return cx.value(0);
    },
  },
  Range: {
    fold(cx) {
      const [start, limit, delta] = [0, 1, 2].map((i) => hostValues(cx.host(i))[0]);
      const n = Math.max(0, Math.ceil((limit - start) / delta));
      if (!Number.isFinite(n)) cx.fail('a batch-dependent bound is not supported');
      return hostTensor(cx.host(0).dtype, [n], Array.from({ length: hostSize([n]) }, (_, i) => start + i * delta));
    },
  },
};
