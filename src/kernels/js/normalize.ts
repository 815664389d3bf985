// Fast JS normalisations: softmax on any axis and layernorm on any axes. Exponentials and moments are kept in
// float64 scratch made at bind time and rounded once on store, as the reference does (storing exp(x - max)
// in the float32 output and scaling it afterwards would round twice).

import { stridesOf } from '../../core/tensor.js';
import type { LayernormAttrs } from '../../ops/layernorm.js';
import type { SoftmaxAttrs } from '../../ops/softmax.js';
import type { JsKernel } from '../abi.js';
import { viewOf } from './views.js';

export const softmaxJs: JsKernel = {
  name: 'js.softmax',
  supports: (step) => step.node.op === 'softmax',
  bind(step, arena) {
    const x = viewOf(step.inputs[0], arena);
    const y = viewOf(step.outputs[0], arena);
    const shape = step.inputs[0].shape;
    const axis = (step.node.attrs as SoftmaxAttrs).axis;
    const ax = axis < 0 ? axis + shape.length : axis;
    const D = shape[ax];
    let inner = 1;
    for (let d = ax + 1; d < shape.length; d++) inner *= shape[d];
    const outer = D * inner === 0 ? 0 : x.length / (D * inner);
    if (inner === 1) {
      // The softmax axis is contiguous: one row at a time.
      const e = new Float64Array(D);
      return () => {
        for (let o = 0, base = 0; o < outer; o++, base += D) {
          let m = -Infinity;
          for (let k = 0; k < D; k++) {
            const v = x[base + k];
            if (v > m || v !== v) m = v;
            if (m !== m) break;
          }
          let s = 0;
          for (let k = 0; k < D; k++) {
            const v = Math.exp(x[base + k] - m);
            e[k] = v;
            s += v;
          }
          for (let k = 0; k < D; k++) y[base + k] = e[k] / s;
        }
      };
    }
    // Strided axis: all `inner` lanes of one outer slice at once, walking memory contiguously.
    const mx = new Float64Array(inner);
    const sum = new Float64Array(inner);
    const e = new Float64Array(D * inner);
    return () => {
      for (let o = 0; o < outer; o++) {
        const base = o * D * inner;
        mx.fill(-Infinity);
        sum.fill(0);
        for (let k = 0, r = base; k < D; k++, r += inner) {
          for (let i = 0; i < inner; i++) {
            const v = x[r + i];
            const m = mx[i];
            if (v > m || v !== v) mx[i] = v;
          }
        }
        for (let k = 0, r = base, q = 0; k < D; k++, r += inner, q += inner) {
          for (let i = 0; i < inner; i++) {
            const v = Math.exp(x[r + i] - mx[i]);
            e[q + i] = v;
            sum[i] += v;
          }
        }
        for (let k = 0, r = base, q = 0; k < D; k++, r += inner, q += inner) {
          for (let i = 0; i < inner; i++) y[r + i] = e[q + i] / sum[i];
        }
      }
    };
  },
};

export const layernormJs: JsKernel = {
  name: 'js.layernorm',
  supports: (step) => step.node.op === 'layernorm',
  bind(step, arena) {
    const { axes, epsilon } = step.node.attrs as LayernormAttrs;
    const x = viewOf(step.inputs[0], arena);
    const gamma = viewOf(step.inputs[1], arena);
    const beta = viewOf(step.inputs[2], arena);
    const y = viewOf(step.outputs[0], arena);
    const shape = step.inputs[0].shape;
    const rank = shape.length;
    const ax = axes.map((a) => (a < 0 ? a + rank : a)).sort((p, q) => p - q);
    const count = ax.reduce((n, a) => n * shape[a], 1);
    const suffix = ax.every((a, i) => a === rank - ax.length + i);
    if (suffix) {
      // Normalised axes are the trailing ones: each group is a contiguous block, params index it directly.
      const groups = count === 0 ? 0 : x.length / count;
      return () => {
        for (let g = 0, base = 0; g < groups; g++, base += count) {
          let m = 0;
          for (let i = 0; i < count; i++) m += x[base + i];
          m /= count;
          let v = 0;
          for (let i = 0; i < count; i++) {
            const d = x[base + i] - m;
            v += d * d;
          }
          v /= count;
          const sd = Math.sqrt(v + epsilon);
          for (let i = 0; i < count; i++) y[base + i] = ((x[base + i] - m) / sd) * gamma[i] + beta[i];
        }
      };
    }
    // General axes: group and parameter index of every element, tabulated once at bind time.
    const keptStrides = stridesOf(shape.map((d, i) => (ax.includes(i) ? 1 : d)));
    const paramStrides = stridesOf(ax.map((a) => shape[a]));
    const groups = shape.reduce((n, d, i) => (ax.includes(i) ? n : n * d), 1);
    const groupOf = new Int32Array(x.length);
    const paramOf = new Int32Array(x.length);
    const idx = new Array<number>(rank).fill(0);
    for (let i = 0; i < x.length; i++) {
      let g = 0;
      let p = 0;
      for (let d = 0; d < rank; d++) {
        const k = ax.indexOf(d);
        if (k < 0) g += idx[d] * keptStrides[d];
        else p += idx[d] * paramStrides[k];
      }
      groupOf[i] = g;
      paramOf[i] = p;
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
    const mean = new Float64Array(groups);
    const sd = new Float64Array(groups);
    const n = x.length;
    return () => {
      mean.fill(0);
      sd.fill(0);
      for (let i = 0; i < n; i++) mean[groupOf[i]] += x[i];
      for (let g = 0; g < groups; g++) mean[g] /= count;
      for (let i = 0; i < n; i++) {
        const d = x[i] - mean[groupOf[i]];
        sd[groupOf[i]] += d * d;
      }
      for (let g = 0; g < groups; g++) sd[g] = Math.sqrt(sd[g] / count + epsilon);
      for (let i = 0; i < n; i++) {
        const g = groupOf[i];
        const p = paramOf[i];
        y[i] = ((x[i] - mean[g]) / sd[g]) * gamma[p] + beta[p];
      }
    };
  },
};
