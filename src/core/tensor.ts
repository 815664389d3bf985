// Dense float32 tensors, row-major. kerasrt computes in float32 only (as Keras does by default);
// integer inputs (Embedding indices) travel as float32 holding whole numbers.

import { ShapeError } from './errors.js';

export type Shape = readonly number[];

export interface Tensor {
  readonly shape: Shape;
  readonly data: Float32Array;
}

/** Number of elements of a concrete shape (every dim >= 0). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensor(shape: Shape, data?: Float32Array | ArrayLike<number>): Tensor {
  const n = sizeOf(shape);
  const buf = data === undefined ? new Float32Array(n) : data instanceof Float32Array ? data : Float32Array.from(data);
  if (buf.length !== n) throw new ShapeError(`tensor data has ${buf.length} elements, shape [${shape.join(', ')}] needs ${n}`);
  return { shape: [...shape], data: buf };
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function shapeEquals(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function shapeToString(s: Shape): string {
  return `[${s.map((d) => (d < 0 ? 'N' : String(d))).join(', ')}]`;
}

/** Normalises a possibly negative axis against a rank. */
export function normAxis(axis: number, rank: number, op = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(`${op}: axis ${axis} out of range for rank ${rank}`);
  return a;
}

/**
 * NumPy broadcasting of two shapes. A dim of -1 (the symbolic batch) broadcasts like an unknown size
 * that must match, or meet 1.
 */
export function broadcastShapes(a: Shape, b: Shape, op = 'broadcast'): number[] {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const da = i < r - a.length ? 1 : a[i - (r - a.length)];
    const db = i < r - b.length ? 1 : b[i - (r - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else throw new ShapeError(`${op}: shapes ${shapeToString(a)} and ${shapeToString(b)} do not broadcast`, { op });
  }
  return out;
}
