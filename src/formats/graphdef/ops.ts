// The GraphDef translator table: TensorFlow op name -> how to fold it at import time (every input a
// constant: shape arithmetic, weight preprocessing) and/or how to translate it into IR nodes (NHWC).
// Semantics from the TensorFlow op docs (tensorflow/core/ops/*.cc); TF.js graph models use the same table,
// plus TF's grappler-fused ops (_FusedConv2D, _FusedMatMul, FusedDepthwiseConv2dNative) they are saved with.

import { activationScalar, type Activation, type ActivationName } from '../../ops/activation-fns.js';
import { binaryScalar, type BinaryFn } from '../../ops/binary.js';
import { computePads } from '../../ops/padding.js';
import { tensorValue, hostValue, type TfNodeContext, type TfValue } from './context.js';
import {
  hostBinary,
  hostCast,
  hostConcat,
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
  type SliceAxis,
} from './host.js';
import { hostDtypeOf } from './tensor.js';

export interface TfOp {
  /** Evaluates the node at import time; used when every input is a constant. */
  readonly fold?: (cx: TfNodeContext) => HostTensor | readonly HostTensor[];
  /** Adds IR nodes; used when some input is computed from the model input (or there is no fold). */
  readonly translate?: (cx: TfNodeContext) => TfValue | readonly TfValue[];
}

// ---------------------------------------------------------------------------------------------------------
// element-wise

function activationOp(fn: ActivationName, params?: (cx: TfNodeContext) => Partial<Activation>): TfOp {
  const make = (cx: TfNodeContext): Activation => ({ fn, ...(params ? params(cx) : {}) });
  return {
    fold: (cx) => hostUnary(cx.host(0), activationScalar(make(cx)), 'float'),
    translate: (cx) => tensorValue(cx.add('activation', [cx.tensor(0)], { activation: make(cx) })),
  };
}

function outDtype(a: HostTensor, b: HostTensor): HostDtype {
  return a.dtype === 'float' || b.dtype === 'float' ? 'float' : a.dtype;
}

function binaryOp(fn: BinaryFn, intFn?: (a: number, b: number) => number): TfOp {
  return {
    fold(cx) {
      const [a, b] = [cx.host(0), cx.host(1)];
      const dt = outDtype(a, b);
      return hostBinary(a, b, dt === 'float' || !intFn ? binaryScalar(fn) : intFn, dt);
    },
    translate: (cx) => tensorValue(cx.add('binary', [cx.tensor(0), cx.tensor(1)], { fn })),
  };
}

/** x (op) constant scalar, e.g. Neg = x * -1, Sqrt = x ^ 0.5. */
function withScalar(cx: TfNodeContext, fn: BinaryFn, value: number, scalarFirst = false): TfValue {
  const c = cx.constant(hostScalar('float', value), `${cx.name}/scalar`);
  const x = cx.tensor(0);
  return tensorValue(cx.add('binary', scalarFirst ? [c, x] : [x, c], { fn }));
}

function unaryFold(f: (x: number) => number): TfOp['fold'] {
  return (cx) => hostUnary(cx.host(0), f);
}

// ---------------------------------------------------------------------------------------------------------
// conv / pool

const ACTIVATIONS: Readonly<Record<string, ActivationName>> = {
  Relu: 'relu',
  Relu6: 'relu6',
  Elu: 'elu',
  Selu: 'selu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  LeakyRelu: 'leaky_relu',
};

interface Fused {
  bias?: number;
  activation: Activation;
  /** FusedBatchNorm inside a fused conv: scale, offset, mean, variance input indices + epsilon. */
  batchnorm?: { args: number[]; epsilon: number };
  prelu?: number;
}

/** Reads `fused_ops` of a TF/TF.js fused op whose extra args start at input `first`. */
function readFused(cx: TfNodeContext, first: number): Fused {
  const ops = cx.strs('fused_ops');
  const out: Fused = { activation: { fn: 'linear' } };
  let arg = first;
  for (const op of ops) {
    if (op === 'BiasAdd' || op === 'Add') out.bias = arg++;
    else if (op === 'FusedBatchNorm') {
      out.batchnorm = { args: [arg, arg + 1, arg + 2, arg + 3], epsilon: cx.float('epsilon', 1e-3) };
      arg += 4;
    } else if (op === 'Prelu') out.prelu = arg++;
    else if (ACTIVATIONS[op]) {
      out.activation = op === 'LeakyRelu' ? { fn: 'leaky_relu', alpha: cx.float('leakyrelu_alpha', 0.2) } : { fn: ACTIVATIONS[op] };
    } else cx.fail(`fused op "${op}" is not supported (fused_ops: ${ops.join(', ')})`);
  }
  return out;
}

/** The fused tail after a conv/matmul with no bias in its own attrs: batchnorm, then prelu. */
function applyFusedTail(cx: TfNodeContext, y: number, f: Fused, channelAxis: number): number {
  let out = y;
  if (f.batchnorm) {
    const [s, o, m, v] = f.batchnorm.args.map((i) => cx.tensor(i));
    out = cx.add('batchnorm', [out, s, o, m, v], { axis: channelAxis, epsilon: f.batchnorm.epsilon }, 'batchnorm');
    if (f.activation.fn !== 'linear') out = cx.add('activation', [out], { activation: f.activation }, 'activation');
  }
  if (f.prelu !== undefined) out = cx.add('prelu', [out, cx.tensor(f.prelu)], {}, 'prelu');
  return out;
}

function spatialPads(cx: TfNodeContext, nhwc: readonly number[], k: readonly [number, number], s: readonly [number, number], d: readonly [number, number], nchw: boolean): [number, number, number, number] {
  const padding = cx.str('padding', 'VALID');
  if (padding === 'VALID') return [0, 0, 0, 0];
  if (padding === 'SAME') {
    const [t, bm] = computePads('same', nhwc[1], k[0], s[0], d[0]);
    const [l, r] = computePads('same', nhwc[2], k[1], s[1], d[1]);
    return [t, bm, l, r];
  }
  if (padding === 'EXPLICIT') {
    const e = cx.ints('explicit_paddings');
    if (e.length !== 8) cx.fail(`explicit_paddings has ${e.length} values, expected 8`);
    const [h, w] = nchw ? [4, 6] : [2, 4];
    return [e[h], e[h + 1], e[w], e[w + 1]];
  }
  return cx.fail(`padding "${padding}" is not supported`);
}

function hw(cx: TfNodeContext, attr: string, nchw: boolean, dflt: number[]): [number, number] {
  const v = cx.ints(attr, dflt);
  if (v.length !== 4) cx.fail(`${attr} must have 4 values, has [${v.join(', ')}]`);
  if (v[0] !== 1 || (nchw ? v[1] : v[3]) !== 1) cx.fail(`${attr} [${v.join(', ')}] over the batch or channels is not supported`);
  return nchw ? [v[2], v[3]] : [v[1], v[2]];
}

/** Input 0 as NHWC (transposing an NCHW input) plus whether to transpose the result back. */
function nhwcInput(cx: TfNodeContext): { x: number; nchw: boolean } {
  const fmt = cx.str('data_format', 'NHWC');
  if (fmt !== 'NHWC' && fmt !== 'NCHW') cx.fail(`data_format "${fmt}" is not supported`);
  if (cx.shape(0).length !== 4) cx.fail(`input must be rank 4, is [${cx.shape(0).join(', ')}]`);
  const x = cx.tensor(0);
  const nchw = fmt === 'NCHW';
  return { x: nchw ? cx.add('transpose', [x], { perm: [0, 2, 3, 1] }, 'to_nhwc') : x, nchw };
}

function backToNchw(cx: TfNodeContext, y: number, nchw: boolean): TfValue {
  return tensorValue(nchw ? cx.add('transpose', [y], { perm: [0, 3, 1, 2] }, 'to_nchw') : y);
}

function convOp(depthwise: boolean, fused: boolean): TfOp {
  return {
    translate(cx) {
      const { x, nchw } = nhwcInput(cx);
      const xs = cx.b.shape(x);
      const w = cx.host(1);
      if (w.shape.length !== 4) cx.fail(`filter must be rank 4, is [${w.shape.join(', ')}]`);
      const strides = hw(cx, 'strides', nchw, [1, 1, 1, 1]);
      const dilations = hw(cx, 'dilations', nchw, [1, 1, 1, 1]);
      const k: [number, number] = [w.shape[0], w.shape[1]];
      const pads = spatialPads(cx, xs, k, strides, dilations, nchw);
      const f = fused ? readFused(cx, 2) : { activation: { fn: 'linear' } as Activation };
      const inline = !f.batchnorm;
      const ins = [x, cx.tensor(1)];
      if (f.bias !== undefined) ins.push(cx.tensor(f.bias));
      const activation = inline ? f.activation : { fn: 'linear' as const };
      let y: number;
      if (depthwise) y = cx.add('depthwise_conv2d', ins, { strides, dilations, pads, activation });
      else {
        const c = xs[3];
        if (c % w.shape[2] !== 0) cx.fail(`input has ${c} channels, filter expects ${w.shape[2]} per group`);
        y = cx.add('conv2d', ins, { strides, dilations, pads, groups: c / w.shape[2], activation });
      }
      return backToNchw(cx, applyFusedTail(cx, y, f, -1), nchw);
    },
  };
}

function poolOp(type: 'max' | 'avg', v2: boolean): TfOp {
  return {
    translate(cx) {
      const { x, nchw } = nhwcInput(cx);
      const read = (i: number, attr: string): [number, number] => {
        if (!v2) return hw(cx, attr, nchw, attr === 'strides' ? [1, 1, 1, 1] : []);
        const v = hostValues(cx.host(i));
        return nchw ? [v[2], v[3]] : [v[1], v[2]];
      };
      const kernel = read(1, 'ksize');
      const strides = read(2, 'strides');
      const pads = spatialPads(cx, cx.b.shape(x), kernel, strides, [1, 1], nchw);
      return backToNchw(cx, cx.add('pool2d', [x], { type, kernel, strides, pads }), nchw);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// dense

function transposeHost2d(cx: TfNodeContext, i: number): HostTensor {
  const w = cx.host(i);
  if (w.shape.length !== 2) cx.fail(`weights must be rank 2, are [${w.shape.join(', ')}]`);
  return hostTranspose(w, [1, 0]);
}

function matMulOp(fused: boolean): TfOp {
  return {
    translate(cx) {
      const ta = cx.bool('transpose_a') || cx.bool('adj_x');
      const tb = cx.bool('transpose_b') || cx.bool('adj_y');
      const fixed = (i: number) => cx.shape(i).length === 2 && cx.shape(i).every((d) => d >= 0);
      if (!cx.isHost(1)) {
        // y = A' B' with a constant A and a computed B: y = (B'^T A'^T)^T, which moves B's dims around, so
        // only for fully static shapes (no symbolic batch).
        if (fused || !cx.isHost(0) || !fixed(1)) cx.fail('the right-hand operand must be a constant (a weight matrix)');
        const bt = tb ? cx.tensor(1) : cx.add('transpose', [cx.tensor(1)], { perm: [1, 0] }, 'transpose_b');
        const kernel = cx.constant(ta ? cx.host(0) : transposeHost2d(cx, 0), `${cx.name}/kernel`);
        const yt = cx.add('dense', [bt, kernel], { activation: { fn: 'linear' } }, 'dense');
        return tensorValue(cx.add('transpose', [yt], { perm: [1, 0] }));
      }
      if (ta && (fused || !fixed(0))) cx.fail('transpose_a needs a fully static left operand (it moves the batch)');
      const w = tb ? cx.constant(transposeHost2d(cx, 1), `${cx.name}/kernel`) : cx.tensor(1);
      if (cx.shape(1).length !== 2) cx.fail(`weights must be rank 2, are [${cx.shape(1).join(', ')}]`);
      const f = fused ? readFused(cx, 2) : { activation: { fn: 'linear' } as Activation };
      if (f.batchnorm) cx.fail('FusedBatchNorm fused into MatMul is not supported');
      const ins = [ta ? cx.add('transpose', [cx.tensor(0)], { perm: [1, 0] }, 'transpose_a') : cx.tensor(0), w];
      if (f.bias !== undefined) ins.push(cx.tensor(f.bias));
      const y = cx.add('dense', ins, { activation: f.activation });
      return tensorValue(applyFusedTail(cx, y, f, -1));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// shapes

/** IR reshape of input 0 to a TF/ONNX target (NaN = batch, one -1 inferred). */
export function reshapeTo(cx: TfNodeContext, target: readonly number[]): TfValue {
  const xs = cx.shape(0);
  const t = irReshapeTarget(xs, target);
  if (!t) cx.fail(`cannot reshape [${xs.join(', ')}] to [${target.map((d) => (Number.isNaN(d) ? 'batch' : d)).join(', ')}] keeping dim 0 as the batch`);
  return tensorValue(cx.add('reshape', [cx.tensor(0)], { shape: t }));
}

/** Reshape to a fully known IR shape (dim 0 -1 = the batch). */
function reshapeIr(cx: TfNodeContext, shape: readonly number[]): TfValue {
  return tensorValue(cx.add('reshape', [cx.tensor(0)], { shape }));
}

function normAxis(cx: TfNodeContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) cx.fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

function squeezeShape(cx: TfNodeContext, shape: readonly number[]): number[] {
  const dims = cx.attr('squeeze_dims') ? cx.ints('squeeze_dims') : cx.ints('axis', []);
  const axes = new Set(dims.map((d) => normAxis(cx, d, shape.length)));
  if (axes.size === 0) return shape.filter((d, i) => d !== 1 || (i === 0 && shape[0] === -1));
  for (const a of axes) if (shape[a] !== 1) cx.fail(`cannot squeeze axis ${a} of size ${shape[a] === -1 ? 'batch' : shape[a]}`);
  return shape.filter((_, i) => !axes.has(i));
}

function expandShape(cx: TfNodeContext, shape: readonly number[], axis: number): number[] {
  const a = normAxis(cx, axis, shape.length + 1);
  return [...shape.slice(0, a), 1, ...shape.slice(a)];
}

/** StridedSlice's sparse spec resolved against an input shape. */
interface StridedPlan {
  /** One per input axis. */
  readonly axes: SliceAxis[];
  /** Output shape after shrink / new axes; batch stays -1. */
  readonly outShape: number[];
  /** Input axis 0 is kept whole (the only choice for a symbolic batch). */
  readonly batchWhole: boolean;
}

function stridedPlan(cx: TfNodeContext, shape: readonly number[]): StridedPlan {
  const begin = hostValues(cx.host(1));
  const end = hostValues(cx.host(2));
  const strides = cx.inputs.length > 3 ? hostValues(cx.host(3)) : begin.map(() => 1);
  const m = begin.length;
  const bit = (mask: number, i: number) => ((mask >> i) & 1) === 1;
  const [bm, em, el, na, sh] = ['begin_mask', 'end_mask', 'ellipsis_mask', 'new_axis_mask', 'shrink_axis_mask'].map((a) => cx.int(a, 0));
  const rank = shape.length;
  let consuming = 0;
  let hasEllipsis = false;
  for (let i = 0; i < m; i++) {
    if (bit(el, i)) hasEllipsis = true;
    else if (!bit(na, i)) consuming++;
  }
  const axes: SliceAxis[] = [];
  const outShape: number[] = [];
  let batchWhole = true;
  let d = 0;
  const full = (): void => {
    axes.push({ start: 0, end: shape[d], step: 1 });
    outShape.push(shape[d]);
    d++;
  };
  for (let i = 0; i < m; i++) {
    if (bit(el, i)) {
      const n = rank - consuming;
      for (let k = 0; k < n; k++) full();
      continue;
    }
    if (bit(na, i)) {
      outShape.push(1);
      continue;
    }
    if (d >= rank) cx.fail(`slice spec has more axes than the input rank ${rank}`);
    const dim = shape[d];
    const step = strides[i];
    if (dim === -1) {
      // The symbolic batch: only "all of it" can be expressed.
      const whole = step === 1 && !bit(sh, i) && (bit(bm, i) || begin[i] === 0) && (bit(em, i) || end[i] >= 2 ** 31 - 1);
      if (!whole) batchWhole = false;
      axes.push({ start: 0, end: -1, step: 1 });
      outShape.push(-1);
      d++;
      continue;
    }
    if (bit(sh, i)) {
      const b0 = begin[i] < 0 ? begin[i] + dim : begin[i];
      if (!(b0 >= 0 && b0 < dim)) cx.fail(`index ${begin[i]} is out of range for size ${dim}`);
      axes.push({ start: b0, end: b0 + 1, step: 1 });
      d++;
      continue;
    }
    const ax = resolveSliceAxis(dim, bit(bm, i) ? undefined : begin[i], bit(em, i) ? undefined : end[i], step);
    axes.push(ax);
    outShape.push(sliceAxisLength(ax));
    d++;
  }
  if (!hasEllipsis) while (d < rank) full();
  return { axes, outShape, batchWhole };
}

function stackHost(cx: TfNodeContext, parts: readonly HostTensor[], axis: number): HostTensor {
  const rank = parts[0].shape.length;
  const a = normAxis(cx, axis, rank + 1);
  return hostConcat(
    parts.map((p) => hostReshape(p, [...p.shape.slice(0, a), 1, ...p.shape.slice(a)])),
    a,
  );
}

function reduceOp(type: HostReduce): TfOp {
  const keep = (cx: TfNodeContext) => cx.bool('keep_dims', cx.bool('keepdims'));
  return {
    fold: (cx) => hostReduce(cx.host(0), hostValues(cx.host(1)), keep(cx), type),
    translate(cx) {
      const axes = hostValues(cx.host(1));
      return tensorValue(cx.add('reduce', [cx.tensor(0)], { type, axes, keepDims: keep(cx) }));
    },
  };
}

function concatOp(axisFirst: boolean): TfOp {
  const split = (cx: TfNodeContext) => {
    const n = cx.inputs.length;
    const axisAt = axisFirst ? 0 : n - 1;
    const axis = hostValues(cx.host(axisAt))[0];
    const values = [...Array(n).keys()].filter((i) => i !== axisAt);
    return { axis, values };
  };
  return {
    fold(cx) {
      const { axis, values } = split(cx);
      return hostConcat(
        values.map((i) => cx.host(i)),
        axis,
      );
    },
    translate(cx) {
      const { axis, values } = split(cx);
      if (values.length === 1) return cx.inputs[values[0]];
      return tensorValue(cx.add('concat', values.map((i) => cx.tensor(i)), { axis }));
    },
  };
}

function identityOp(): TfOp {
  return { fold: (cx) => cx.host(0), translate: (cx) => cx.inputs[0] };
}

function dtypeAttr(cx: TfNodeContext, name: string): HostDtype {
  const dt = cx.type(name);
  const h = dt === undefined ? undefined : hostDtypeOf(dt);
  if (!h) cx.fail(`attribute ${name} has an unsupported dtype ${dt ?? 'unset'}`);
  return h;
}

function batchNormOp(): TfOp {
  return {
    translate(cx) {
      // TF's default is true, but converters drop default-valued attrs; only an explicit true is refused.
      if (cx.attr('is_training')?.b === true) {
        cx.fail('is_training=true normalises with batch statistics; freeze the graph for inference');
      }
      const fmt = cx.str('data_format', 'NHWC');
      const axis = fmt === 'NCHW' || fmt === 'NCDHW' ? 1 : -1;
      const ins = [0, 1, 2, 3, 4].map((i) => cx.tensor(i));
      return tensorValue(cx.add('batchnorm', ins, { axis, epsilon: cx.float('epsilon', 1e-4) }));
    },
  };
}

function resizeOp(mode: 'nearest' | 'bilinear'): TfOp {
  return {
    translate(cx) {
      const xs = cx.shape(0);
      if (xs.length !== 4) cx.fail(`input must be rank 4 (NHWC), is [${xs.join(', ')}]`);
      const [oh, ow] = hostValues(cx.host(1));
      const scale: [number, number] = [oh / xs[1], ow / xs[2]];
      if (!scale.every((s) => Number.isInteger(s) && s >= 1)) cx.fail(`only whole-number upscaling is supported (${xs[1]}x${xs[2]} -> ${oh}x${ow})`);
      if (cx.bool('align_corners')) cx.fail('align_corners=true is not supported');
      // Nearest with whole scales picks floor(o / s) with or without half-pixel centres; bilinear needs them.
      if (mode === 'bilinear' && !cx.bool('half_pixel_centers')) cx.fail('bilinear resize without half_pixel_centers is not supported');
      return tensorValue(cx.add('upsample2d', [cx.tensor(0)], { scale, mode }));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// the table

export const TF_OPS: Readonly<Record<string, TfOp>> = {
  Identity: identityOp(),
  StopGradient: identityOp(),
  Snapshot: identityOp(),
  PreventGradient: identityOp(),
  CheckNumerics: identityOp(),
  EnsureShape: identityOp(),
  IdentityN: { fold: (cx) => cx.inputs.map((_, i) => cx.host(i)), translate: (cx) => cx.inputs },

  // element-wise binary
  Add: binaryOp('add'),
  AddV2: binaryOp('add'),
  Sub: binaryOp('sub'),
  Mul: binaryOp('mul'),
  RealDiv: binaryOp('div'),
  Div: binaryOp('div', (a, b) => Math.trunc(a / b)),
  FloorDiv: { fold: (cx) => hostBinary(cx.host(0), cx.host(1), (a, b) => Math.floor(a / b), outDtype(cx.host(0), cx.host(1))) },
  FloorMod: { fold: (cx) => hostBinary(cx.host(0), cx.host(1), (a, b) => a - Math.floor(a / b) * b, outDtype(cx.host(0), cx.host(1))) },
  Maximum: binaryOp('max'),
  Minimum: binaryOp('min'),
  Pow: binaryOp('pow'),
  SquaredDifference: {
    fold: (cx) => hostBinary(cx.host(0), cx.host(1), (a, b) => (a - b) * (a - b), outDtype(cx.host(0), cx.host(1))),
    translate(cx) {
      const d = cx.add('binary', [cx.tensor(0), cx.tensor(1)], { fn: 'sub' }, 'sub');
      return tensorValue(cx.add('binary', [d, d], { fn: 'mul' }, 'square'));
    },
  },
  BiasAdd: {
    fold: (cx) => hostBinary(cx.host(0), cx.host(1), (a, b) => a + b, 'float'),
    translate(cx) {
      const rank = cx.shape(0).length;
      const nchw = cx.str('data_format', 'NHWC') === 'NCHW' && rank > 2;
      if (!nchw) return tensorValue(cx.add('binary', [cx.tensor(0), cx.tensor(1)], { fn: 'add' }));
      const b = cx.host(1);
      const col = cx.constant(hostReshape(b, [b.shape[0], ...new Array<number>(rank - 2).fill(1)]), `${cx.name}/bias`);
      return tensorValue(cx.add('binary', [cx.tensor(0), col], { fn: 'add' }));
    },
  },
  AddN: {
    fold: (cx) => cx.inputs.slice(1).reduce((acc, _, i) => hostBinary(acc, cx.host(i + 1), (a, b) => a + b, outDtype(acc, cx.host(i + 1))), cx.host(0)),
    translate(cx) {
      let acc = cx.tensor(0);
      for (let i = 1; i < cx.inputs.length; i++) acc = cx.add('binary', [acc, cx.tensor(i)], { fn: 'add' }, `add_${i}`);
      return tensorValue(acc);
    },
  },

  // element-wise unary
  Relu: activationOp('relu'),
  Relu6: activationOp('relu6'),
  Elu: activationOp('elu'),
  Selu: activationOp('selu'),
  Sigmoid: activationOp('sigmoid'),
  Tanh: activationOp('tanh'),
  Softplus: activationOp('softplus'),
  Softsign: activationOp('softsign'),
  Exp: activationOp('exponential'),
  LeakyRelu: activationOp('leaky_relu', (cx) => ({ alpha: cx.float('alpha', 0.2) })),
  Neg: { fold: unaryFold((x) => -x), translate: (cx) => withScalar(cx, 'mul', -1) },
  Square: { fold: unaryFold((x) => x * x), translate: (cx) => tensorValue(cx.add('binary', [cx.tensor(0), cx.tensor(0)], { fn: 'mul' })) },
  Sqrt: { fold: unaryFold(Math.sqrt), translate: (cx) => withScalar(cx, 'pow', 0.5) },
  Rsqrt: { fold: unaryFold((x) => 1 / Math.sqrt(x)), translate: (cx) => withScalar(cx, 'pow', -0.5) },
  Reciprocal: { fold: unaryFold((x) => 1 / x), translate: (cx) => withScalar(cx, 'div', 1, true) },
  Floor: { fold: unaryFold(Math.floor) },
  Ceil: { fold: unaryFold(Math.ceil) },
  Log: { fold: unaryFold(Math.log) },
  Softmax: { translate: (cx) => tensorValue(cx.add('softmax', [cx.tensor(0)], { axis: -1 })) },

  // conv / pool / dense / norm
  Conv2D: convOp(false, false),
  _FusedConv2D: convOp(false, true),
  DepthwiseConv2dNative: convOp(true, false),
  FusedDepthwiseConv2dNative: convOp(true, true),
  _FusedDepthwiseConv2dNative: convOp(true, true),
  MaxPool: poolOp('max', false),
  MaxPoolV2: poolOp('max', true),
  AvgPool: poolOp('avg', false),
  MatMul: matMulOp(false),
  BatchMatMul: matMulOp(false),
  BatchMatMulV2: matMulOp(false),
  _FusedMatMul: matMulOp(true),
  FusedBatchNorm: batchNormOp(),
  FusedBatchNormV2: batchNormOp(),
  FusedBatchNormV3: batchNormOp(),
  ResizeNearestNeighbor: resizeOp('nearest'),
  ResizeBilinear: resizeOp('bilinear'),

  // reductions
  Mean: reduceOp('mean'),
  Sum: reduceOp('sum'),
  Max: reduceOp('max'),
  Min: reduceOp('min'),
  Prod: reduceOp('prod'),

  // shapes and layout
  Shape: {
    fold: (cx) => hostInts([...cx.host(0).shape]),
    translate: (cx) => hostValue(hostInts(cx.shape(0).map((d) => (d < 0 ? NaN : d)))),
  },
  ShapeN: {
    fold: (cx) => cx.inputs.map((_, i) => hostInts([...cx.host(i).shape])),
    translate: (cx) => cx.inputs.map((_, i) => hostValue(hostInts(cx.shape(i).map((d) => (d < 0 ? NaN : d))))),
  },
  Size: {
    fold: (cx) => hostScalar('int', cx.host(0).data.length),
    translate: (cx) => hostValue(hostScalar('int', cx.shape(0).some((d) => d < 0) ? NaN : sizeOfShape(cx.shape(0)))),
  },
  Rank: {
    fold: (cx) => hostScalar('int', cx.host(0).shape.length),
    translate: (cx) => hostValue(hostScalar('int', cx.shape(0).length)),
  },
  Reshape: {
    fold(cx) {
      const t = hostValues(cx.host(1));
      if (t.some(Number.isNaN)) cx.fail('constant reshaped by a batch-dependent shape');
      return hostReshape(cx.host(0), t);
    },
    translate: (cx) => reshapeTo(cx, hostValues(cx.host(1))),
  },
  Squeeze: {
    fold: (cx) => hostReshape(cx.host(0), squeezeShape(cx, cx.host(0).shape)),
    translate: (cx) => reshapeIr(cx, squeezeShape(cx, cx.shape(0))),
  },
  ExpandDims: {
    fold: (cx) => hostReshape(cx.host(0), expandShape(cx, cx.host(0).shape, hostValues(cx.host(1))[0])),
    translate(cx) {
      const s = expandShape(cx, cx.shape(0), hostValues(cx.host(1))[0]);
      if (s[0] !== -1 && cx.shape(0)[0] === -1) cx.fail('cannot insert an axis before the batch');
      return reshapeIr(cx, s);
    },
  },
  ConcatV2: concatOp(false),
  Concat: concatOp(true),
  Pack: {
    fold: (cx) => stackHost(
      cx,
      cx.inputs.map((_, i) => cx.host(i)),
      cx.int('axis', 0),
    ),
    translate(cx) {
      const rank = cx.shape(0).length;
      const axis = normAxis(cx, cx.int('axis', 0), rank + 1);
      if (axis === 0) cx.fail('stacking along axis 0 (the batch) is not supported');
      const parts = cx.inputs.map((_, i) => {
        const s = cx.shape(i);
        return cx.add('reshape', [cx.tensor(i)], { shape: [...s.slice(0, axis), 1, ...s.slice(axis)] }, `expand_${i}`);
      });
      return tensorValue(parts.length === 1 ? parts[0] : cx.add('concat', parts, { axis }, 'concat'));
    },
  },
  Transpose: {
    fold: (cx) => hostTranspose(cx.host(0), hostValues(cx.host(1))),
    translate: (cx) => tensorValue(cx.add('transpose', [cx.tensor(0)], { perm: hostValues(cx.host(1)) })),
  },
  Tile: {
    translate: (cx) => tensorValue(cx.add('tile', [cx.tensor(0)], { reps: hostValues(cx.host(1)) })),
  },
  Pad: padOp(false),
  PadV2: padOp(true),
  StridedSlice: {
    fold(cx) {
      const a = cx.host(0);
      const p = stridedPlan(cx, a.shape);
      return hostReshape(hostSlice(a, p.axes), p.outShape);
    },
    translate(cx) {
      const s = cx.shape(0);
      const p = stridedPlan(cx, s);
      if (!p.batchWhole) cx.fail('slicing the batch axis is not supported');
      if (p.axes.some((a) => a.step !== 1)) cx.fail('strided slices with a step other than 1 are not supported');
      const begin = p.axes.map((a, i) => (s[i] === -1 ? 0 : a.start));
      const size = p.axes.map((a, i) => (s[i] === -1 ? -1 : sliceAxisLength(a)));
      const y = cx.add('slice', [cx.tensor(0)], { begin, size }, 'slice');
      const ys = cx.b.shape(y);
      if (ys.length === p.outShape.length && ys.every((d, i) => d === p.outShape[i])) return tensorValue(y);
      if (p.outShape[0] !== -1 && ys[0] === -1) cx.fail('cannot insert an axis before the batch');
      return tensorValue(cx.add('reshape', [y], { shape: p.outShape }, 'reshape'));
    },
  },
  Slice: {
    fold(cx) {
      const a = cx.host(0);
      const begin = hostValues(cx.host(1));
      const size = hostValues(cx.host(2));
      return hostSlice(
        a,
        a.shape.map((d, i) => ({ start: begin[i], end: size[i] === -1 ? d : begin[i] + size[i], step: 1 })),
      );
    },
    translate(cx) {
      const s = cx.shape(0);
      const begin = hostValues(cx.host(1));
      const size = hostValues(cx.host(2));
      return tensorValue(cx.add('slice', [cx.tensor(0)], { begin: s.map((d, i) => (d === -1 ? 0 : begin[i])), size }));
    },
  },
  Cast: {
    fold: (cx) => hostCast(cx.host(0), dtypeAttr(cx, 'DstT')),
    translate(cx) {
      if (dtypeAttr(cx, 'DstT') !== 'float') cx.fail(`casting a float tensor to ${dtypeAttr(cx, 'DstT')} is not supported (the IR is float32)`);
      return cx.inputs[0];
    },
  },
  Fill: {
    fold(cx) {
      const dims = hostValues(cx.host(0));
      const v = cx.host(1);
      if (dims.some((d) => !Number.isInteger(d) || d < 0)) cx.fail('Fill with a batch-dependent shape is not supported');
      return hostTensor(v.dtype, dims, new Array<number>(hostSize(dims)).fill(v.data[0]));
    },
  },
  Range: {
    fold(cx) {
      const [start, limit, delta] = [0, 1, 2].map((i) => hostValues(cx.host(i))[0]);
      const n = Math.max(0, Math.ceil((limit - start) / delta));
      if (!Number.isFinite(n)) cx.fail('Range with a batch-dependent bound is not supported');
      const dt = [0, 1, 2].some((i) => cx.host(i).dtype === 'float') ? 'float' : 'int';
      return hostTensor(dt, [n], Array.from({ length: hostSize([n]) }, (_, i) => start + i * delta));
    },
  },
  ZerosLike: { fold: (cx) => hostUnary(cx.host(0), () => 0) },
  OnesLike: { fold: (cx) => hostUnary(cx.host(0), () => 1) },
};

function padOp(withValue: boolean): TfOp {
  const read = (cx: TfNodeContext) => {
    const p = cx.host(1);
    const v = hostValues(p);
    const rank = cx.shape(0).length;
    if (p.shape.length !== 2 || p.shape[0] !== rank || p.shape[1] !== 2) cx.fail(`paddings must be [${rank}, 2], are [${p.shape.join(', ')}]`);
    const pads = Array.from({ length: rank }, (_, i) => [v[2 * i], v[2 * i + 1]] as const);
    const value = withValue ? hostValues(cx.host(2))[0] : 0;
    return { pads, value };
  };
  return {
    translate(cx) {
      const { pads, value } = read(cx);
      if (cx.shape(0)[0] === -1 && (pads[0][0] !== 0 || pads[0][1] !== 0)) cx.fail('padding the batch axis is not supported');
      return tensorValue(cx.add('pad', [cx.tensor(0)], { pads, value }));
    },
  };
}
