// Losses with Keras's formulas and its default reduction (sum_over_batch_size: the mean over samples of the
// per-sample loss). Each returns the batch loss and dLoss/dPrediction. Crossentropy from probabilities
// clips to [1e-7, 1 - 1e-7] as Keras does; when the model's output is a softmax, the trainer hands the
// logits to logitsCrossentropy instead (Keras's TF backend does the same when it sees the Softmax op), which
// is exact and stable.

import { ShapeError, UsageError } from '../core/errors.js';

/** Keras backend epsilon. */
export const EPSILON = 1e-7;

export type LossName =
  | 'categorical_crossentropy'
  | 'sparse_categorical_crossentropy'
  | 'binary_crossentropy'
  | 'mean_squared_error'
  | 'huber';

export interface LossResult {
  /** Mean over the batch. */
  readonly loss: number;
  /** dLoss / dPrediction, the prediction's size. */
  readonly grad: Float32Array;
}

export interface Loss {
  readonly name: LossName;
  /** Keras config of the loss (for compile_config / training_config). */
  readonly config: Readonly<Record<string, number | boolean | string>>;
  /** Targets are class indices (one per sample) rather than one value per output. */
  readonly sparse: boolean;
  /** Predictions are logits (from_logits=True). */
  readonly fromLogits: boolean;
  /** Computes the loss and gradient; `grad` is written into `out` when given. */
  compute(pred: Float32Array, target: ArrayLike<number>, batch: number, out?: Float32Array): LossResult;
}

function checkSizes(name: string, pred: Float32Array, target: ArrayLike<number>, batch: number, sparse: boolean): number {
  if (batch <= 0 || pred.length % batch !== 0) throw new ShapeError(`${name}: ${pred.length} predictions do not split into ${batch} samples`);
  const per = pred.length / batch;
  const want = sparse ? batch : pred.length;
  if (target.length !== want) throw new ShapeError(`${name}: expected ${want} target values (${sparse ? 'one class index per sample' : `${per} per sample`}), got ${target.length}`);
  return per;
}

/** Categorical crossentropy on logits: loss = logsumexp(z) - sum y z; grad = (softmax(z) * sum y - y) / batch. */
export function logitsCrossentropy(logits: Float32Array, target: ArrayLike<number>, batch: number, sparse: boolean, out: Float32Array): number {
  const per = logits.length / batch;
  let total = 0;
  for (let s = 0; s < batch; s++) {
    const o = s * per;
    let max = -Infinity;
    for (let k = 0; k < per; k++) max = Math.max(max, logits[o + k]);
    let sum = 0;
    for (let k = 0; k < per; k++) sum += Math.exp(logits[o + k] - max);
    const lse = max + Math.log(sum);
    const inv = 1 / sum;
    if (sparse) {
      const c = target[s];
      if (!Number.isInteger(c) || c < 0 || c >= per) throw new ShapeError(`sparse crossentropy: label ${c} of sample ${s} is not a class index in [0, ${per})`);
      total += lse - logits[o + c];
      for (let k = 0; k < per; k++) out[o + k] = (Math.exp(logits[o + k] - max) * inv - (k === c ? 1 : 0)) / batch;
    } else {
      let ysum = 0;
      let dot = 0;
      for (let k = 0; k < per; k++) {
        ysum += target[o + k];
        dot += target[o + k] * logits[o + k];
      }
      total += ysum * lse - dot;
      for (let k = 0; k < per; k++) out[o + k] = (Math.exp(logits[o + k] - max) * inv * ysum - target[o + k]) / batch;
    }
  }
  return total / batch;
}

export interface CrossentropyOptions {
  readonly fromLogits?: boolean;
}

function crossentropy(sparse: boolean, options: CrossentropyOptions = {}): Loss {
  const fromLogits = options.fromLogits ?? false;
  const name = sparse ? 'sparse_categorical_crossentropy' : 'categorical_crossentropy';
  return {
    name,
    config: { from_logits: fromLogits },
    sparse,
    fromLogits,
    compute(pred, target, batch, out) {
      const per = checkSizes(name, pred, target, batch, sparse);
      const grad = out ?? new Float32Array(pred.length);
      if (fromLogits) return { loss: logitsCrossentropy(pred, target, batch, sparse, grad), grad };
      // Keras (probabilities): p / sum(p), clipped to [eps, 1 - eps], loss = -sum y log p.
      let total = 0;
      for (let s = 0; s < batch; s++) {
        const o = s * per;
        let psum = 0;
        for (let k = 0; k < per; k++) psum += pred[o + k];
        let ydot = 0;
        for (let k = 0; k < per; k++) {
          const y = sparse ? (k === target[s] ? 1 : 0) : target[o + k];
          const q = pred[o + k] / psum;
          const p = Math.min(Math.max(q, EPSILON), 1 - EPSILON);
          total -= y * Math.log(p);
          // d/dq of -y log(clip(q)) is -y/q inside the clip range and 0 outside it.
          grad[o + k] = q > EPSILON && q < 1 - EPSILON ? -y / q : 0;
          ydot += grad[o + k] * pred[o + k];
        }
        // Through the normalisation q = p / sum(p): dL/dp_k = (dL/dq_k - sum_j dL/dq_j q_j) / sum(p).
        for (let k = 0; k < per; k++) grad[o + k] = (grad[o + k] - ydot / psum) / psum / batch;
      }
      return { loss: total / batch, grad };
    },
  };
}

function binaryCrossentropy(options: CrossentropyOptions = {}): Loss {
  const fromLogits = options.fromLogits ?? false;
  return {
    name: 'binary_crossentropy',
    config: { from_logits: fromLogits },
    sparse: false,
    fromLogits,
    compute(pred, target, batch, out) {
      const per = checkSizes('binary_crossentropy', pred, target, batch, false);
      const grad = out ?? new Float32Array(pred.length);
      let total = 0;
      // Keras: mean over the last axis, then over the batch.
      const scale = 1 / (per * batch);
      for (let i = 0; i < pred.length; i++) {
        const y = target[i];
        const z = pred[i];
        if (fromLogits) {
          // max(z, 0) - z y + log(1 + exp(-|z|)), TF's sigmoid_cross_entropy_with_logits.
          total += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
          const s = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
          grad[i] = (s - y) * scale;
        } else {
          const p = Math.min(Math.max(z, EPSILON), 1 - EPSILON);
          // Keras 3: clip to [eps, 1 - eps], then -(y log p + (1 - y) log(1 - p)).
          total -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
          grad[i] = z > EPSILON && z < 1 - EPSILON ? (-y / p + (1 - y) / (1 - p)) * scale : 0;
        }
      }
      return { loss: total * scale, grad };
    },
  };
}

function meanSquaredError(): Loss {
  return {
    name: 'mean_squared_error',
    config: {},
    sparse: false,
    fromLogits: false,
    compute(pred, target, batch, out) {
      const per = checkSizes('mean_squared_error', pred, target, batch, false);
      const grad = out ?? new Float32Array(pred.length);
      const scale = 1 / (per * batch);
      let total = 0;
      for (let i = 0; i < pred.length; i++) {
        const d = pred[i] - target[i];
        total += d * d;
        grad[i] = 2 * d * scale;
      }
      return { loss: total * scale, grad };
    },
  };
}

function huber(options: { delta?: number } = {}): Loss {
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new UsageError(`huber: delta must be > 0, got ${delta}`);
  return {
    name: 'huber',
    config: { delta },
    sparse: false,
    fromLogits: false,
    compute(pred, target, batch, out) {
      const per = checkSizes('huber', pred, target, batch, false);
      const grad = out ?? new Float32Array(pred.length);
      const scale = 1 / (per * batch);
      let total = 0;
      for (let i = 0; i < pred.length; i++) {
        const d = pred[i] - target[i];
        const a = Math.abs(d);
        if (a <= delta) {
          total += 0.5 * d * d;
          grad[i] = d * scale;
        } else {
          total += delta * a - 0.5 * delta * delta;
          grad[i] = delta * Math.sign(d) * scale;
        }
      }
      return { loss: total * scale, grad };
    },
  };
}

export const losses = {
  categoricalCrossentropy: (options?: CrossentropyOptions): Loss => crossentropy(false, options),
  sparseCategoricalCrossentropy: (options?: CrossentropyOptions): Loss => crossentropy(true, options),
  binaryCrossentropy,
  meanSquaredError,
  huber,
};

const ALIASES: Readonly<Record<string, () => Loss>> = {
  categorical_crossentropy: () => crossentropy(false),
  categoricalcrossentropy: () => crossentropy(false),
  sparse_categorical_crossentropy: () => crossentropy(true),
  sparsecategoricalcrossentropy: () => crossentropy(true),
  binary_crossentropy: () => binaryCrossentropy(),
  binarycrossentropy: () => binaryCrossentropy(),
  mean_squared_error: meanSquaredError,
  meansquarederror: meanSquaredError,
  mse: meanSquaredError,
  huber: () => huber(),
  huber_loss: () => huber(),
};

/** A loss from a Keras name ('categorical_crossentropy', 'categoricalCrossentropy', 'mse', ...) or a Loss. */
export function resolveLoss(spec: string | Loss): Loss {
  if (typeof spec !== 'string') return spec;
  const key = spec.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  const f = ALIASES[key] ?? ALIASES[key.replace(/_/g, '')];
  if (!f) throw new UsageError(`unknown loss "${spec}" (known: categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy, mean_squared_error / mse, huber)`);
  return f();
}
