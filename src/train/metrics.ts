// Metrics as Keras resolves the string 'accuracy' against the loss: categorical_accuracy (argmax of the
// prediction equals argmax of the one-hot target), sparse_categorical_accuracy (argmax equals the label),
// binary_accuracy (prediction > 0.5, or logit > 0, equals the target). Running means over samples.

import { UsageError } from '../core/errors.js';
import type { Loss } from './losses.js';

export interface Metric {
  /** The name in logs ("accuracy"). */
  readonly name: string;
  reset(): void;
  update(pred: Float32Array, target: ArrayLike<number>, batch: number): void;
  result(): number;
}

function argmax(a: Float32Array, o: number, n: number): number {
  let best = 0;
  let v = a[o];
  for (let k = 1; k < n; k++) if (a[o + k] > v) (v = a[o + k]), (best = k);
  return best;
}

function argmaxOf(a: ArrayLike<number>, o: number, n: number): number {
  let best = 0;
  let v = a[o];
  for (let k = 1; k < n; k++) if (a[o + k] > v) (v = a[o + k]), (best = k);
  return best;
}

abstract class MeanMetric implements Metric {
  private total = 0;
  private count = 0;
  constructor(readonly name: string) {}
  reset(): void {
    this.total = 0;
    this.count = 0;
  }
  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }
  update(pred: Float32Array, target: ArrayLike<number>, batch: number): void {
    const [sum, n] = this.score(pred, target, batch);
    this.total += sum;
    this.count += n;
  }
  protected abstract score(pred: Float32Array, target: ArrayLike<number>, batch: number): [number, number];
}

class CategoricalAccuracy extends MeanMetric {
  protected score(pred: Float32Array, target: ArrayLike<number>, batch: number): [number, number] {
    const per = pred.length / batch;
    let hit = 0;
    for (let s = 0; s < batch; s++) if (argmax(pred, s * per, per) === argmaxOf(target, s * per, per)) hit++;
    return [hit, batch];
  }
}

class SparseCategoricalAccuracy extends MeanMetric {
  protected score(pred: Float32Array, target: ArrayLike<number>, batch: number): [number, number] {
    const per = pred.length / batch;
    let hit = 0;
    for (let s = 0; s < batch; s++) if (argmax(pred, s * per, per) === target[s]) hit++;
    return [hit, batch];
  }
}

class BinaryAccuracy extends MeanMetric {
  constructor(name: string, private readonly threshold: number) {
    super(name);
  }
  protected score(pred: Float32Array, target: ArrayLike<number>): [number, number] {
    let hit = 0;
    for (let i = 0; i < pred.length; i++) if ((pred[i] > this.threshold ? 1 : 0) === (target[i] > 0.5 ? 1 : 0)) hit++;
    return [hit, pred.length];
  }
}

/** Resolves a metric name ('accuracy', 'acc', 'categorical_accuracy', ...) for a loss. */
export function resolveMetric(name: string, loss: Loss): Metric {
  const key = name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  switch (key) {
    case 'accuracy':
    case 'acc':
      if (loss.name === 'sparse_categorical_crossentropy') return new SparseCategoricalAccuracy(name);
      if (loss.name === 'binary_crossentropy') return new BinaryAccuracy(name, loss.fromLogits ? 0 : 0.5);
      return new CategoricalAccuracy(name);
    case 'categorical_accuracy':
      return new CategoricalAccuracy(name);
    case 'sparse_categorical_accuracy':
      return new SparseCategoricalAccuracy(name);
    case 'binary_accuracy':
      return new BinaryAccuracy(name, 0.5);
  }
  throw new UsageError(`unknown metric "${name}" (known: accuracy, categorical_accuracy, sparse_categorical_accuracy, binary_accuracy)`);
}
