// Host tensors: values an importer knows at import time (weights, shape arithmetic), and the small
// constant evaluator GraphDef and ONNX importers share for the int ops that compute shapes (Shape,
// StridedSlice/Slice, Pack/Concat, Gather, Prod, ...). The IR is float-only, so these never reach it.
// The symbolic batch travels through shape arithmetic as NaN: Shape of a [-1, 4, 4, 16] tensor is
// [NaN, 4, 4, 16]; anything computed from it stays NaN and a reshape target with NaN at dim 0 means "the batch".

import { KerasrtError, LimitExceededError, ModelFormatError, ShapeError, type ErrorContext } from '../../core/errors.js';
import { DEFAULT_LIMITS, checkTensorShape, type Limits } from '../../core/limits.js';

export type HostDtype = 'float' | 'int' | 'bool' | 'string';

export interface HostTensor {
  readonly dtype: HostDtype;
  readonly shape: readonly number[];
  /** Row-major. float: Float32Array; int/bool: Float64Array (exact up to 2^53; NaN = the symbolic batch). */
  readonly data: Float32Array | Float64Array;
}

/**
 * The limits of the import running now. The evaluator is a library of plain functions called from dozens
 * of op folders, and a fold can claim any size from a few bytes (Fill / ConstantOfShape of [1e5, 1e5], a
 * broadcast of [n, 1] by [1, n], Range to 1e12): every result's shape is checked here before its data is
 * allocated. Translation is synchronous, so a scope set around it (withHostLimits) cannot leak into another
 * import.
 */
let hostLimits: Limits = DEFAULT_LIMITS;

/** Runs `fn` (a synchronous translation) with constant folding bound by `limits`. */
export function withHostLimits<T>(limits: Limits, fn: () => T): T {
  const prev = hostLimits;
  hostLimits = limits;
  try {
    return fn();
  } finally {
    hostLimits = prev;
  }
}

/**
 * The element count of a constant about to be allocated, checked against maxRank / maxTensorElements of
 * the running import (LimitExceededError without a file: the translators add the file and node).
 */
export function hostSize(shape: readonly number[]): number {
  return checkTensorShape(shape, hostLimits, `constant of shape [${shape.join(', ')}] computed at import time`);
}

/**
 * Errors from the constant evaluator carry no file yet: they get the file and node here (a limit stays a
 * LimitExceededError, anything else is the file's fault). Errors that already name a file pass through.
 */
export function foldError(e: unknown, label: string, ctx: ErrorContext): unknown {
  if (!(e instanceof KerasrtError) || e.file !== undefined) return e;
  const message = `${label}: ${e.message}`;
  return e instanceof LimitExceededError ? new LimitExceededError(message, ctx) : new ModelFormatError(message, ctx);
}

export function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function hostTensor(dtype: HostDtype, shape: readonly number[], data: ArrayLike<number>): HostTensor {
  const n = hostSize(shape);
  if (data.length !== n) throw new ShapeError(`constant has ${data.length} values, shape [${shape.join(', ')}] needs ${n}`);
  const arr = dtype === 'float' ? (data instanceof Float32Array ? data : Float32Array.from(data)) : data instanceof Float64Array ? data : Float64Array.from(data);
  return { dtype, shape: [...shape], data: arr };
}

export function hostInts(values: readonly number[], shape: readonly number[] = [values.length]): HostTensor {
  return hostTensor('int', shape, values);
}

export function hostScalar(dtype: HostDtype, v: number): HostTensor {
  return hostTensor(dtype, [], [v]);
}

/** The values as plain numbers (NaN where the symbolic batch is). */
export function hostValues(t: HostTensor): number[] {
  return Array.from(t.data);
}

/** The data as float32 (copies ints). */
export function hostFloat32(t: HostTensor): Float32Array {
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new ShapeError(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** NumPy broadcasting over two host tensors. */
export function hostBinary(a: HostTensor, b: HostTensor, f: (x: number, y: number) => number, dtype: HostDtype): HostTensor {
  const r = Math.max(a.shape.length, b.shape.length);
  const pa = [...new Array<number>(r - a.shape.length).fill(1), ...a.shape];
  const pb = [...new Array<number>(r - b.shape.length).fill(1), ...b.shape];
  const out = pa.map((d, i) => {
    if (d === pb[i] || pb[i] === 1) return d;
    if (d === 1) return pb[i];
    throw new ShapeError(`shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] do not broadcast`);
  });
  const sa = stridesOf(pa).map((s, i) => (pa[i] === 1 ? 0 : s));
  const sb = stridesOf(pb).map((s, i) => (pb[i] === 1 ? 0 : s));
  const n = hostSize(out);
  const data = dtype === 'float' ? new Float32Array(n) : new Float64Array(n);
  const idx = new Array<number>(r).fill(0);
  for (let i = 0; i < n; i++) {
    let oa = 0;
    let ob = 0;
    for (let d = 0; d < r; d++) {
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
    }
    data[i] = f(a.data[oa], b.data[ob]);
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
  return { dtype, shape: out, data };
}

export function hostUnary(a: HostTensor, f: (x: number) => number, dtype: HostDtype = a.dtype): HostTensor {
  const data = dtype === 'float' ? new Float32Array(a.data.length) : new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(a.data[i]);
  return { dtype, shape: [...a.shape], data };
}

export function hostReshape(a: HostTensor, shape: readonly number[]): HostTensor {
  const n = a.data.length;
  const target = [...shape];
  const wild = target.indexOf(-1);
  if (wild >= 0) {
    const known = sizeOfShape(target.filter((_, i) => i !== wild));
    target[wild] = known === 0 ? 0 : n / known;
  }
  if (sizeOfShape(target) !== n || target.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`cannot reshape a constant of shape [${a.shape.join(', ')}] to [${shape.join(', ')}]`);
  }
  return { dtype: a.dtype, shape: target, data: a.data };
}

export function hostTranspose(a: HostTensor, perm: readonly number[]): HostTensor {
  const rank = a.shape.length;
  if (perm.length !== rank || new Set(perm).size !== rank || perm.some((p) => p < 0 || p >= rank)) {
    throw new ShapeError(`perm [${perm.join(', ')}] is not a permutation of rank ${rank}`);
  }
  const outShape = perm.map((p) => a.shape[p]);
  const inStrides = stridesOf(a.shape);
  const n = a.data.length;
  const data = a.data instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d] * inStrides[perm[d]];
    data[i] = a.data[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return { dtype: a.dtype, shape: outShape, data };
}

export function hostConcat(parts: readonly HostTensor[], axis: number): HostTensor {
  if (parts.length === 0) throw new ShapeError('concat of nothing');
  const rank = parts[0].shape.length;
  const ax = normAxis(axis, rank);
  for (const p of parts) {
    if (p.shape.length !== rank || p.shape.some((d, i) => i !== ax && d !== parts[0].shape[i])) {
      throw new ShapeError(`cannot concatenate constants of shapes ${parts.map((q) => `[${q.shape.join(', ')}]`).join(', ')} on axis ${axis}`);
    }
  }
  const outer = sizeOfShape(parts[0].shape.slice(0, ax));
  const inner = sizeOfShape(parts[0].shape.slice(ax + 1));
  const total = parts.reduce((s, p) => s + p.shape[ax], 0);
  const dtype = parts.some((p) => p.dtype === 'float') ? 'float' : parts[0].dtype;
  const shape = [...parts[0].shape];
  shape[ax] = total;
  const n = hostSize(shape);
  const data = dtype === 'float' ? new Float32Array(n) : new Float64Array(n);
  let off = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const len = p.shape[ax] * inner;
      for (let k = 0; k < len; k++) data[off++] = p.data[o * len + k];
    }
  }
  return { dtype, shape, data };
}

/** Elements along `axis` at `indices` (negative indices count from the end); index shape replaces the axis. */
export function hostGather(a: HostTensor, indices: HostTensor, axis: number): HostTensor {
  const ax = normAxis(axis, a.shape.length);
  const dim = a.shape[ax];
  const outer = sizeOfShape(a.shape.slice(0, ax));
  const inner = sizeOfShape(a.shape.slice(ax + 1));
  const idx = Array.from(indices.data, (i) => {
    const j = i < 0 ? i + dim : i;
    if (!Number.isInteger(j) || j < 0 || j >= dim) throw new ShapeError(`gather index ${i} out of range for size ${dim}`);
    return j;
  });
  const shape = [...a.shape.slice(0, ax), ...indices.shape, ...a.shape.slice(ax + 1)];
  const n = hostSize(shape);
  const data = a.data instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  let off = 0;
  for (let o = 0; o < outer; o++) for (const j of idx) for (let k = 0; k < inner; k++) data[off++] = a.data[(o * dim + j) * inner + k];
  return { dtype: a.dtype, shape, data };
}

/** One resolved axis of a strided slice: start, exclusive end (may be -1 for a negative step), step. */
export interface SliceAxis {
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

export function sliceAxisLength(s: SliceAxis): number {
  return s.step > 0 ? Math.max(0, Math.ceil((s.end - s.start) / s.step)) : Math.max(0, Math.ceil((s.start - s.end) / -s.step));
}

/**
 * Clamps a begin/end pair the way NumPy, TF StridedSlice and ONNX Slice do: negatives count from the end,
 * out-of-range values clamp to the valid range for the step's direction.
 */
export function resolveSliceAxis(dim: number, begin: number | undefined, end: number | undefined, step: number): SliceAxis {
  if (step === 0 || !Number.isInteger(step)) throw new ShapeError(`slice step must be a non-zero integer, got ${step}`);
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const norm = (v: number) => (v < 0 ? v + dim : v);
  if (step > 0) {
    const s = begin === undefined ? 0 : clamp(norm(begin), 0, dim);
    const e = end === undefined ? dim : clamp(norm(end), 0, dim);
    return { start: s, end: e, step };
  }
  const s = begin === undefined ? dim - 1 : clamp(norm(begin), -1, dim - 1);
  const e = end === undefined ? -1 : clamp(norm(end), -1, dim - 1);
  return { start: s, end: e, step };
}

export function hostSlice(a: HostTensor, axes: readonly SliceAxis[]): HostTensor {
  const rank = a.shape.length;
  const lens = axes.map(sliceAxisLength);
  const n = sizeOfShape(lens);
  const data = a.data instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  const strides = stridesOf(a.shape);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += (axes[d].start + idx[d] * axes[d].step) * strides[d];
    data[i] = a.data[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < lens[d]) break;
      idx[d] = 0;
    }
  }
  return { dtype: a.dtype, shape: lens, data };
}

export type HostReduce = 'sum' | 'prod' | 'mean' | 'max' | 'min';

export function hostReduce(a: HostTensor, axes: readonly number[], keepDims: boolean, kind: HostReduce): HostTensor {
  const rank = a.shape.length;
  const ax = new Set(axes.map((x) => normAxis(x, rank)));
  const outFull = a.shape.map((d, i) => (ax.has(i) ? 1 : d));
  const n = sizeOfShape(outFull);
  const init = kind === 'prod' ? 1 : kind === 'max' ? -Infinity : kind === 'min' ? Infinity : 0;
  const acc = new Float64Array(n).fill(init);
  const outStrides = stridesOf(outFull);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < a.data.length; i++) {
    let o = 0;
    for (let d = 0; d < rank; d++) if (!ax.has(d)) o += idx[d] * outStrides[d];
    const v = a.data[i];
    if (kind === 'prod') acc[o] *= v;
    else if (kind === 'max') acc[o] = Number.isNaN(v) || v > acc[o] ? v : acc[o];
    else if (kind === 'min') acc[o] = Number.isNaN(v) || v < acc[o] ? v : acc[o];
    else acc[o] += v;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < a.shape[d]) break;
      idx[d] = 0;
    }
  }
  if (kind === 'mean') {
    const count = a.data.length / Math.max(n, 1);
    for (let i = 0; i < n; i++) acc[i] /= count;
  }
  const shape = keepDims ? outFull : a.shape.filter((_, i) => !ax.has(i));
  return { dtype: a.dtype, shape, data: a.dtype === 'float' ? Float32Array.from(acc) : acc };
}

/** Converts between host dtypes the way a Cast does (float -> int truncates toward zero). */
export function hostCast(a: HostTensor, dtype: HostDtype): HostTensor {
  if (dtype === a.dtype) return a;
  if (dtype === 'float') return { dtype, shape: a.shape, data: Float32Array.from(a.data) };
  if (dtype === 'bool') return hostUnary(a, (x) => (x !== 0 ? 1 : 0), 'bool');
  return hostUnary(a, (x) => (Number.isNaN(x) ? x : Math.trunc(x)), dtype);
}

/**
 * The IR reshape target for reshaping `x` (an IR shape, dim 0 may be -1) to `target` as TF and ONNX mean it:
 * one -1 is inferred, NaN (from Shape of the batch) is the batch. Returns undefined when the reshape would
 * mix the symbolic batch with other dims (the IR keeps dim 0 as the batch).
 */
export function irReshapeTarget(x: readonly number[], target: readonly number[]): number[] | undefined {
  const symbolic = x.length > 0 && x[0] === -1;
  if (target.slice(1).some((d) => Number.isNaN(d))) return undefined;
  if (!symbolic) {
    if (Number.isNaN(target[0])) return undefined;
    const t = [...target];
    const wild = t.indexOf(-1);
    if (wild >= 0) {
      const known = sizeOfShape(t.filter((_, i) => i !== wild));
      const total = sizeOfShape(x);
      if (known === 0 || total % known !== 0) return undefined;
      t[wild] = total / known;
    }
    return sizeOfShape(t) === sizeOfShape(x) ? t : undefined;
  }
  if (target.length === 0) return undefined;
  const perSample = sizeOfShape(x.slice(1));
  const rest = target.slice(1);
  if (Number.isNaN(target[0])) return [-1, ...rest];
  if (target[0] === -1) {
    // TF/ONNX infer dim 0; it is the batch only if the rest holds exactly one sample.
    if (rest.includes(-1) || sizeOfShape(rest) !== perSample) return undefined;
    return [-1, ...rest];
  }
  return undefined;
}
