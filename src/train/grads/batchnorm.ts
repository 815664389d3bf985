// Gradient of `batchnorm`. Training mode (keras.layers.BatchNormalization(training=True)): normalise with the
// batch's own mean and (biased) variance over every axis but the channel axis, and move the moving
// statistics: moving = moving * momentum + batch * (1 - momentum) (Keras 3's update, biased variance).
// Backward: dgamma = sum dy * xhat, dbeta = sum dy, dx = gamma / sigma / m * (m dy - dbeta - xhat dgamma).
// Inference mode uses the moving statistics (the op's semantics), and its gradient treats them as constants.

import { normAxis, sizeOf, tensor, type Tensor } from '../../core/tensor.js';
import type { BatchnormAttrs } from '../../ops/batchnorm.js';
import { defineGrad } from './types.js';

interface BnSaved {
  readonly mean: Float64Array;
  readonly invStd: Float64Array;
}

function layout(x: Tensor, axis: number): { c: number; inner: number; outer: number } {
  const a = normAxis(axis, x.shape.length, 'batchnorm');
  return { c: x.shape[a], inner: sizeOf(x.shape.slice(a + 1)), outer: sizeOf(x.shape.slice(0, a)) };
}

export const batchnormGrad = defineGrad<BatchnormAttrs>({
  forward([x, gamma, beta, movingMean, movingVar], { axis, epsilon }, ctx) {
    const { c, inner, outer } = layout(x, axis);
    const xd = x.data;
    const mean = new Float64Array(c);
    const invStd = new Float64Array(c);
    const useBatch = ctx.training && ctx.behaviour?.kind === 'batchnorm';
    if (useBatch) {
      const m = outer * inner;
      const sq = new Float64Array(c);
      for (let o = 0; o < outer; o++) {
        for (let ch = 0; ch < c; ch++) {
          const base = (o * c + ch) * inner;
          let s = 0;
          for (let i = 0; i < inner; i++) s += xd[base + i];
          mean[ch] += s;
        }
      }
      for (let ch = 0; ch < c; ch++) mean[ch] /= m;
      for (let o = 0; o < outer; o++) {
        for (let ch = 0; ch < c; ch++) {
          const base = (o * c + ch) * inner;
          const mu = mean[ch];
          let s = 0;
          for (let i = 0; i < inner; i++) {
            const d = xd[base + i] - mu;
            s += d * d;
          }
          sq[ch] += s;
        }
      }
      const momentum = ctx.behaviour?.kind === 'batchnorm' ? ctx.behaviour.momentum : 0.99;
      for (let ch = 0; ch < c; ch++) {
        const variance = sq[ch] / m;
        invStd[ch] = 1 / Math.sqrt(variance + epsilon);
        // The moving statistics are variables of the model: updated in place.
        movingMean.data[ch] = movingMean.data[ch] * momentum + mean[ch] * (1 - momentum);
        movingVar.data[ch] = movingVar.data[ch] * momentum + variance * (1 - momentum);
      }
    } else {
      for (let ch = 0; ch < c; ch++) {
        mean[ch] = movingMean.data[ch];
        invStd[ch] = 1 / Math.sqrt(movingVar.data[ch] + epsilon);
      }
    }
    const y = ctx.ws.get(`${ctx.key}:y`, xd.length);
    for (let o = 0; o < outer; o++) {
      for (let ch = 0; ch < c; ch++) {
        const base = (o * c + ch) * inner;
        const s = gamma.data[ch] * invStd[ch];
        const t = beta.data[ch] - mean[ch] * s;
        for (let i = 0; i < inner; i++) y[base + i] = xd[base + i] * s + t;
      }
    }
    const saved: BnSaved = { mean, invStd };
    return { outputs: [tensor(x.shape, y)], saved: { ...saved, batch: useBatch } };
  },
  backward([dy], [x, gamma], fwd, { axis }, needs, ctx) {
    const { c, inner, outer } = layout(x, axis);
    const { mean, invStd, batch } = fwd.saved as BnSaved & { batch: boolean };
    const xd = x.data;
    const dgamma = new Float64Array(c);
    const dbeta = new Float64Array(c);
    for (let o = 0; o < outer; o++) {
      for (let ch = 0; ch < c; ch++) {
        const base = (o * c + ch) * inner;
        const mu = mean[ch];
        const is = invStd[ch];
        let sg = 0;
        let sb = 0;
        for (let i = 0; i < inner; i++) {
          const g = dy[base + i];
          sb += g;
          sg += g * (xd[base + i] - mu) * is;
        }
        dgamma[ch] += sg;
        dbeta[ch] += sb;
      }
    }
    let dx: Float32Array | undefined;
    if (needs[0]) {
      dx = ctx.ws.get(`${ctx.key}:dx`, xd.length);
      const m = outer * inner;
      for (let o = 0; o < outer; o++) {
        for (let ch = 0; ch < c; ch++) {
          const base = (o * c + ch) * inner;
          const mu = mean[ch];
          const is = invStd[ch];
          const k = gamma.data[ch] * is;
          if (batch) {
            const a = dbeta[ch] / m;
            const b = dgamma[ch] / m;
            for (let i = 0; i < inner; i++) dx[base + i] = k * (dy[base + i] - a - (xd[base + i] - mu) * is * b);
          } else {
            for (let i = 0; i < inner; i++) dx[base + i] = k * dy[base + i];
          }
        }
      }
    }
    const out = (v: Float64Array, i: number): Float32Array | undefined => (needs[i] ? Float32Array.from(v) : undefined);
    // Moving statistics get no gradient (they are not trainable).
    return [dx, out(dgamma, 1), out(dbeta, 2), undefined, undefined];
  },
});
