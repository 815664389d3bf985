// Fast JS element-wise kernels: activation, binary with general NumPy broadcasting, prelu, and batchnorm
// (normally lowered to binary ops by a pass; covered so that no plan step falls back to the reference).
// Broadcasting is planned at bind time (broadcast.ts): an odometer over the collapsed outer axes around one
// strided inner loop per op, so a run allocates nothing and has no per-element index arithmetic.

import type { ActivationAttrs } from '../../ops/activation.js';
import type { BatchnormAttrs } from '../../ops/batchnorm.js';
import type { BinaryAttrs, BinaryFn } from '../../ops/binary.js';
import type { JsKernel } from '../abi.js';
import { activator } from './activate.js';
import { planBroadcast } from './broadcast.js';
import { viewOf } from './views.js';

export const activationJs: JsKernel = {
  name: 'js.activation',
  supports: (step) => step.node.op === 'activation',
  bind(step, arena) {
    const x = viewOf(step.inputs[0], arena);
    const y = viewOf(step.outputs[0], arena);
    const act = activator((step.node.attrs as ActivationAttrs).activation);
    return () => {
      if (y !== x) y.set(x);
      if (act) act(y, 0, y.length);
    };
  },
};

const FN_CODE: Record<BinaryFn, number> = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5, pow: 6 };

/** One inner loop of a binary op: y[yo + i] = a[ia + i * sa] (op) b[ib + i * sb], i < n. */
function binaryRow(code: number, y: Float32Array, yo: number, a: Float32Array, ia: number, sa: number, b: Float32Array, ib: number, sb: number, n: number): void {
  const end = yo + n;
  switch (code) {
    case 0:
      for (let i = yo; i < end; i++, ia += sa, ib += sb) y[i] = a[ia] + b[ib];
      break;
    case 1:
      for (let i = yo; i < end; i++, ia += sa, ib += sb) y[i] = a[ia] - b[ib];
      break;
    case 2:
      for (let i = yo; i < end; i++, ia += sa, ib += sb) y[i] = a[ia] * b[ib];
      break;
    case 3:
      for (let i = yo; i < end; i++, ia += sa, ib += sb) y[i] = a[ia] / b[ib];
      break;
    case 4:
      // Math.max/min propagate NaN and order signed zeros, as the reference (and TF) do.
      for (let i = yo; i < end; i++, ia += sa, ib += sb) y[i] = Math.max(a[ia], b[ib]);
      break;
    case 5:
      for (let i = yo; i < end; i++, ia += sa, ib += sb) y[i] = Math.min(a[ia], b[ib]);
      break;
    default:
      // powIeee (ops/binary.ts) written out: a call returning a double could box it if V8 does not inline it.
      for (let i = yo; i < end; i++, ia += sa, ib += sb) {
        const p = a[ia];
        const q = b[ib];
        y[i] = p === 1 || (p === -1 && (q === Infinity || q === -Infinity)) ? 1 : Math.pow(p, q);
      }
  }
}

export const binaryJs: JsKernel = {
  name: 'js.binary',
  supports: (step) => step.node.op === 'binary',
  bind(step, arena) {
    const code = FN_CODE[(step.node.attrs as BinaryAttrs).fn];
    const a = viewOf(step.inputs[0], arena);
    const b = viewOf(step.inputs[1], arena);
    const y = viewOf(step.outputs[0], arena);
    const p = planBroadcast(step.outputs[0].shape, [step.inputs[0].shape, step.inputs[1].shape]);
    const { dims, inner, outer } = p;
    const [sa, sb] = p.strides;
    const R = dims.length;
    const sai = sa[R - 1];
    const sbi = sb[R - 1];
    const idx = new Int32Array(R);
    return () => {
      idx.fill(0);
      let ia = 0;
      let ib = 0;
      for (let o = 0, yo = 0; o < outer; o++, yo += inner) {
        binaryRow(code, y, yo, a, ia, sai, b, ib, sbi, inner);
        for (let d = R - 2; d >= 0; d--) {
          ia += sa[d];
          ib += sb[d];
          if (++idx[d] < dims[d]) break;
          ia -= sa[d] * dims[d];
          ib -= sb[d] * dims[d];
          idx[d] = 0;
        }
      }
    };
  },
};

export const preluJs: JsKernel = {
  name: 'js.prelu',
  supports: (step) => step.node.op === 'prelu',
  bind(step, arena) {
    const x = viewOf(step.inputs[0], arena);
    const al = viewOf(step.inputs[1], arena);
    const y = viewOf(step.outputs[0], arena);
    const p = planBroadcast(step.outputs[0].shape, [step.inputs[0].shape, step.inputs[1].shape]);
    const { dims, inner, outer } = p;
    const [sx, sa] = p.strides;
    const R = dims.length;
    const sxi = sx[R - 1];
    const sai = sa[R - 1];
    const idx = new Int32Array(R);
    return () => {
      idx.fill(0);
      let ix = 0;
      let ia = 0;
      for (let o = 0, yo = 0; o < outer; o++, yo += inner) {
        for (let i = yo, end = yo + inner, j = ix, k = ia; i < end; i++, j += sxi, k += sai) {
          // relu(v) - alpha * relu(-v), as Keras writes it (NaN kept by both relus).
          const v = x[j];
          y[i] = (v < 0 ? 0 : v) - al[k] * (-v < 0 ? 0 : -v);
        }
        for (let d = R - 2; d >= 0; d--) {
          ix += sx[d];
          ia += sa[d];
          if (++idx[d] < dims[d]) break;
          ix -= sx[d] * dims[d];
          ia -= sa[d] * dims[d];
          idx[d] = 0;
        }
      }
    };
  },
};

export const batchnormJs: JsKernel = {
  name: 'js.batchnorm',
  supports: (step) => step.node.op === 'batchnorm',
  bind(step, arena) {
    const { axis, epsilon } = step.node.attrs as BatchnormAttrs;
    const x = viewOf(step.inputs[0], arena);
    const [gamma, beta, mean, variance] = step.inputs.slice(1).map((s) => viewOf(s, arena));
    const y = viewOf(step.outputs[0], arena);
    const shape = step.inputs[0].shape;
    const ax = axis < 0 ? axis + shape.length : axis;
    const C = shape[ax];
    let inner = 1;
    for (let d = ax + 1; d < shape.length; d++) inner *= shape[d];
    const outer = C * inner === 0 ? 0 : x.length / (C * inner);
    const sd = new Float64Array(C);
    return () => {
      for (let c = 0; c < C; c++) sd[c] = Math.sqrt(variance[c] + epsilon);
      for (let o = 0, i = 0; o < outer; o++) {
        for (let c = 0; c < C; c++) {
          const m = mean[c];
          const s = sd[c];
          const g = gamma[c];
          const bt = beta[c];
          for (const end = i + inner; i < end; i++) y[i] = ((x[i] - m) / s) * g + bt;
        }
      }
    };
  },
};
