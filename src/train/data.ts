// What fit / evaluate / predict accept: a Float32Array of n samples packed row-major, or {data, shape} with
// the batch first, or a list of those (one per model input). Targets: one value per output element, or one
// class index per sample for sparse losses.

import { ShapeError } from '../core/errors.js';
import { shapeToString, sizeOf, type Shape } from '../core/tensor.js';

export interface TensorLike {
  readonly data: ArrayLike<number>;
  /** Batch first. */
  readonly shape: readonly number[];
}

export type InputData = Float32Array | TensorLike | readonly (Float32Array | TensorLike)[];
export type TargetData = ArrayLike<number> | TensorLike;

function isTensorLike(v: unknown): v is TensorLike {
  return typeof v === 'object' && v !== null && 'data' in v && 'shape' in v && Array.isArray((v as TensorLike).shape);
}

function asF32(a: ArrayLike<number>): Float32Array {
  return a instanceof Float32Array ? a : Float32Array.from(a);
}

/** The sample count and per-input arrays, checked against the model's per-sample input shapes. */
export function inputArrays(x: InputData, shapes: readonly Shape[]): { arrays: Float32Array[]; n: number } {
  const list: (Float32Array | TensorLike)[] = Array.isArray(x) ? [...(x as readonly (Float32Array | TensorLike)[])] : [x as Float32Array | TensorLike];
  if (list.length !== shapes.length) throw new ShapeError(`the model takes ${shapes.length} input(s), got ${list.length}`);
  let n = -1;
  const arrays = list.map((t, i) => {
    const per = sizeOf(shapes[i]);
    let data: Float32Array;
    let count: number;
    if (isTensorLike(t)) {
      if (t.shape.length !== shapes[i].length + 1 || t.shape.slice(1).some((d, k) => d !== shapes[i][k])) {
        throw new ShapeError(`input ${i}: expected [n, ${shapes[i].join(', ')}], got ${shapeToString(t.shape)}`);
      }
      data = asF32(t.data);
      count = t.shape[0];
      if (data.length !== count * per) throw new ShapeError(`input ${i}: shape ${shapeToString(t.shape)} needs ${count * per} values, data has ${data.length}`);
    } else {
      if (!(t instanceof Float32Array)) throw new ShapeError(`input ${i}: expected a Float32Array or {data, shape}`);
      data = t;
      if (per === 0 || data.length % per !== 0) throw new ShapeError(`input ${i}: ${data.length} values are not a whole number of samples of ${shapeToString(shapes[i])}`);
      count = data.length / per;
    }
    if (n >= 0 && count !== n) throw new ShapeError(`input ${i} has ${count} samples, input 0 has ${n}`);
    n = count;
    return data;
  });
  return { arrays, n };
}

/** Targets as a Float32Array with n samples; `perSample` = values per sample (1 for sparse labels). */
export function targetArray(y: TargetData, n: number, perSample: number, what = 'targets'): Float32Array {
  const data = asF32(isTensorLike(y) ? y.data : y);
  if (data.length !== n * perSample) throw new ShapeError(`${what}: expected ${n} x ${perSample} = ${n * perSample} values for ${n} samples, got ${data.length}`);
  return data;
}

/** Copies rows `idx[from..to)` of an [n, per] array into `out`. */
export function gatherRows(src: Float32Array, per: number, idx: ArrayLike<number>, from: number, to: number, out: Float32Array): Float32Array {
  for (let i = from; i < to; i++) {
    const s = idx[i] * per;
    out.set(src.subarray(s, s + per), (i - from) * per);
  }
  return out;
}

/** Rows [from, to) of an [n, per] array (a view). */
export function sliceRows(src: Float32Array, per: number, from: number, to: number): Float32Array {
  return src.subarray(from * per, to * per);
}
