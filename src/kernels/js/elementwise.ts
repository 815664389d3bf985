// Fast JS element-wise kernels: activation, binary ops with same-shape / trailing-broadcast operands, and
// softmax over the last axis. Other broadcast patterns fall back to the reference kernel.

import type { ActivationAttrs } from '../../ops/activation.js';
import type { BinaryAttrs, BinaryFn } from '../../ops/binary.js';
import type { SoftmaxAttrs } from '../../ops/softmax.js';
import type { JsKernel } from '../abi.js';
import type { Slot } from '../../planner/plan.js';
import { activator } from './activate.js';
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

/** b repeats with period b.size along a's trailing dims (incl. scalars and same shape). */
function trailingBroadcast(a: Slot, b: Slot, out: Slot): boolean {
  if (a.size !== out.size || b.size === 0 || out.size % b.size !== 0) return false;
  const bs = [...b.shape];
  while (bs.length && bs[0] === 1) bs.shift();
  const tail = out.shape.slice(out.shape.length - bs.length);
  return bs.every((d, i) => d === tail[i]);
}

const OPS: Record<BinaryFn, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  max: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  min: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  pow: (a, b) => Math.pow(a, b),
};

export const binaryJs: JsKernel = {
  name: 'js.binary',
  supports: (step) => {
    if (step.node.op !== 'binary') return false;
    const [a, b] = step.inputs;
    const o = step.outputs[0];
    return trailingBroadcast(a, b, o) || trailingBroadcast(b, a, o);
  },
  bind(step, arena) {
    const fn = (step.node.attrs as BinaryAttrs).fn;
    const [sa, sb] = step.inputs;
    const o = step.outputs[0];
    const swap = !trailingBroadcast(sa, sb, o);
    const big = viewOf(swap ? sb : sa, arena);
    const small = viewOf(swap ? sa : sb, arena);
    const y = viewOf(o, arena);
    const f = OPS[fn];
    const P = small.length;
    const n = y.length;
    if (fn === 'add' && P === n && !swap) {
      return () => {
        for (let i = 0; i < n; i++) y[i] = big[i] + small[i];
      };
    }
    if (fn === 'mul' || fn === 'add') {
      const isMul = fn === 'mul';
      return () => {
        for (let i = 0, j = 0; i < n; i++) {
          y[i] = isMul ? big[i] * small[j] : big[i] + small[j];
          if (++j === P) j = 0;
        }
      };
    }
    return () => {
      for (let i = 0, j = 0; i < n; i++) {
        y[i] = swap ? f(small[j], big[i]) : f(big[i], small[j]);
        if (++j === P) j = 0;
      }
    };
  },
};

export const softmaxJs: JsKernel = {
  name: 'js.softmax',
  supports: (step) => {
    if (step.node.op !== 'softmax') return false;
    const r = step.inputs[0].shape.length;
    const ax = (step.node.attrs as SoftmaxAttrs).axis;
    return ax === -1 || ax === r - 1;
  },
  bind(step, arena) {
    const x = viewOf(step.inputs[0], arena);
    const y = viewOf(step.outputs[0], arena);
    const D = step.inputs[0].shape.at(-1) ?? 1;
    const rows = D === 0 ? 0 : x.length / D;
    return () => {
      for (let r = 0; r < rows; r++) {
        const o = r * D;
        let m = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < D; i++) {
          const v = x[o + i];
          if (v > m || v !== v) m = v;
        }
        let s = 0;
        for (let i = 0; i < D; i++) {
          const e = Math.exp(x[o + i] - m);
          y[o + i] = e;
          s += e;
        }
        const inv = 1 / s;
        for (let i = 0; i < D; i++) y[o + i] *= inv;
      }
    };
  },
};
