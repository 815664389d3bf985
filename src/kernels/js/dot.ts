// Fast JS dot (Keras Dot / batch_dot): the row offsets of every free index of a and of b are tabulated at bind
// time, so a run is batch x rowsA x rowsB strided dot products in float64. With normalize, both operands are
// L2-normalised into float32 scratch first (the reference rounds them to float32 too), by Keras 3's rule.

import { stridesOf } from '../../core/tensor.js';
import type { DotAttrs } from '../../ops/dot.js';
import type { JsKernel } from '../abi.js';
import { viewOf } from './views.js';

/** Keras 3 backend.epsilon(): the floor on the norm in ops.normalize (see ops/dot.ts). */
const NORM_EPSILON = 1e-7;

/** Offsets of every index over `axes` (row-major in the listed order) of a tensor with these strides. */
function offsetsOver(shape: readonly number[], strides: readonly number[], axes: readonly number[]): Int32Array {
  const n = axes.reduce((p, a) => p * shape[a], 1);
  const out = new Int32Array(n);
  const idx = new Array<number>(axes.length).fill(0);
  for (let i = 0; i < n; i++) {
    let o = 0;
    for (let k = 0; k < axes.length; k++) o += idx[k] * strides[axes[k]];
    out[i] = o;
    for (let k = axes.length - 1; k >= 0; k--) {
      if (++idx[k] < shape[axes[k]]) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** Keras 3 ops.normalize along one axis of `x`, into y (float32, as the reference stores it). */
function normalizeInto(x: Float32Array, y: Float32Array, outer: number, n: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let ss = 0;
      for (let k = 0; k < n; k++) {
        const v = x[base + k * inner];
        ss += v * v;
      }
      const inv = Math.min(1 / Math.sqrt(ss), 1 / NORM_EPSILON);
      for (let k = 0; k < n; k++) y[base + k * inner] = x[base + k * inner] * inv;
    }
  }
}

export const dotJs: JsKernel = {
  name: 'js.dot',
  supports: (step) => step.node.op === 'dot',
  bind(step, arena) {
    const { axes, normalize } = step.node.attrs as DotAttrs;
    const xa = viewOf(step.inputs[0], arena);
    const xb = viewOf(step.inputs[1], arena);
    const y = viewOf(step.outputs[0], arena);
    const sA = step.inputs[0].shape;
    const sB = step.inputs[1].shape;
    const a0 = axes[0] < 0 ? axes[0] + sA.length : axes[0];
    const a1 = axes[1] < 0 ? axes[1] + sB.length : axes[1];
    const stA = stridesOf(sA);
    const stB = stridesOf(sB);
    const K = sA[a0];
    const ka = stA[a0];
    const kb = stB[a1];
    const offA = offsetsOver(sA, stA, sA.map((_, i) => i).filter((i) => i !== 0 && i !== a0));
    const offB = offsetsOver(sB, stB, sB.map((_, i) => i).filter((i) => i !== 0 && i !== a1));
    const batch = sA[0];
    const nA = offA.length;
    const nB = offB.length;
    const bA = stA[0];
    const bB = stB[0];
    const na = normalize ? new Float32Array(xa.length) : xa;
    const nb = normalize ? new Float32Array(xb.length) : xb;
    const span = (s: readonly number[], ax: number) => ({
      outer: s.slice(0, ax).reduce((p, q) => p * q, 1),
      inner: s.slice(ax + 1).reduce((p, q) => p * q, 1),
    });
    const spA = span(sA, a0);
    const spB = span(sB, a1);
    return () => {
      if (normalize) {
        normalizeInto(xa, na, spA.outer, K, spA.inner);
        normalizeInto(xb, nb, spB.outer, K, spB.inner);
      }
      let yo = 0;
      for (let n = 0; n < batch; n++) {
        for (let i = 0; i < nA; i++) {
          const pa = n * bA + offA[i];
          for (let j = 0; j < nB; j++, yo++) {
            const pb = n * bB + offB[j];
            let s = 0;
            for (let k = 0, p = pa, q = pb; k < K; k++, p += ka, q += kb) s += na[p] * nb[q];
            y[yo] = s;
          }
        }
      }
    };
  },
};
