// Fast JS reduce (mean/sum/max/min/prod). The reduced axes, once size-1 axes are dropped and neighbours merged,
// are usually one contiguous run (global pooling over H, W; a last-axis sum): then the input is
// [outer, R, inner] and inner lanes are accumulated contiguously. Any other pattern reads an output-index table
// made at bind time. Float64 accumulators, NaN-propagating max/min, empty reductions as the reference.

import type { ReduceAttrs } from '../../ops/reduce.js';
import type { JsKernel } from '../abi.js';
import { viewOf } from './views.js';

const TYPE_CODE = { sum: 0, mean: 0, prod: 1, max: 2, min: 3 } as const;

export const reduceJs: JsKernel = {
  name: 'js.reduce',
  supports: (step) => step.node.op === 'reduce',
  bind(step, arena) {
    const { type, axes } = step.node.attrs as ReduceAttrs;
    const x = viewOf(step.inputs[0], arena);
    const y = viewOf(step.outputs[0], arena);
    const shape = step.inputs[0].shape;
    const rank = shape.length;
    const red = axes.map((a) => (a < 0 ? a + rank : a));
    const count = red.reduce((n, a) => n * shape[a], 1);
    const init = type === 'max' ? -Infinity : type === 'min' ? Infinity : type === 'prod' ? 1 : 0;
    const code = TYPE_CODE[type];
    const isMean = type === 'mean';
    const acc = new Float64Array(y.length);
    const store = () => {
      for (let o = 0; o < acc.length; o++) y[o] = isMean ? acc[o] / count : acc[o];
    };

    // Collapse: drop size-1 axes, merge neighbours of the same kind (kept / reduced).
    const kinds: boolean[] = [];
    const sizes: number[] = [];
    shape.forEach((d, i) => {
      if (d === 1) return;
      const r = red.includes(i);
      if (kinds.length && kinds[kinds.length - 1] === r) sizes[sizes.length - 1] *= d;
      else {
        kinds.push(r);
        sizes.push(d);
      }
    });
    const runs = kinds.filter((k) => k).length;
    if (runs <= 1) {
      const r = kinds.indexOf(true);
      const R = r < 0 ? 1 : sizes[r];
      const outer = r < 0 ? y.length : sizes.slice(0, r).reduce((p, q) => p * q, 1);
      const inner = r < 0 ? 1 : sizes.slice(r + 1).reduce((p, q) => p * q, 1);
      return () => {
        acc.fill(init);
        for (let o = 0; o < outer; o++) {
          const ao = o * inner;
          for (let k = 0, xo = o * R * inner; k < R; k++, xo += inner) {
            switch (code) {
              case 0:
                for (let i = 0; i < inner; i++) acc[ao + i] += x[xo + i];
                break;
              case 1:
                for (let i = 0; i < inner; i++) acc[ao + i] *= x[xo + i];
                break;
              case 2:
                for (let i = 0; i < inner; i++) acc[ao + i] = Math.max(acc[ao + i], x[xo + i]);
                break;
              default:
                for (let i = 0; i < inner; i++) acc[ao + i] = Math.min(acc[ao + i], x[xo + i]);
            }
          }
        }
        store();
      };
    }
    // General pattern: the output index of every input element.
    const keptStrides = new Array<number>(rank).fill(0);
    for (let d = rank - 1, s = 1; d >= 0; d--) {
      if (red.includes(d)) continue;
      keptStrides[d] = s;
      s *= shape[d];
    }
    const outOf = new Int32Array(x.length);
    const idx = new Array<number>(rank).fill(0);
    for (let i = 0; i < x.length; i++) {
      let o = 0;
      for (let d = 0; d < rank; d++) o += idx[d] * keptStrides[d];
      outOf[i] = o;
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
    const n = x.length;
    return () => {
      acc.fill(init);
      switch (code) {
        case 0:
          for (let i = 0; i < n; i++) acc[outOf[i]] += x[i];
          break;
        case 1:
          for (let i = 0; i < n; i++) acc[outOf[i]] *= x[i];
          break;
        case 2:
          for (let i = 0; i < n; i++) acc[outOf[i]] = Math.max(acc[outOf[i]], x[i]);
          break;
        default:
          for (let i = 0; i < n; i++) acc[outOf[i]] = Math.min(acc[outOf[i]], x[i]);
      }
      store();
    };
  },
};
