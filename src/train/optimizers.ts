// Optimizers with Keras 3's update rules (keras/src/optimizers/{sgd,adam,rmsprop}.py) and defaults:
// SGD (lr 0.01, momentum 0, nesterov false), Adam (lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7),
// RMSprop (lr 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false). Slots live per variable.

import { UsageError } from '../core/errors.js';
import type { Variable } from './variable.js';

export interface Optimizer {
  /** Keras class name: SGD, Adam, RMSprop. */
  readonly className: string;
  learningRate: number;
  /** Steps taken so far (Keras's `iterations`). */
  readonly iterations: number;
  /** Keras config (for compile_config). */
  config(): Record<string, number | boolean | string | null>;
  /** One update of every variable from its gradient (same order). */
  apply(variables: readonly Variable[], grads: readonly Float32Array[]): void;
}

abstract class BaseOptimizer implements Optimizer {
  abstract readonly className: string;
  iterations = 0;
  private readonly slots = new Map<Variable, Float32Array[]>();
  constructor(public learningRate: number) {
    if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new UsageError(`learning rate must be a positive number, got ${learningRate}`);
  }

  protected slot(v: Variable, count: number): Float32Array[] {
    let s = this.slots.get(v);
    if (!s) {
      s = Array.from({ length: count }, () => new Float32Array(v.data.length));
      this.slots.set(v, s);
    }
    return s;
  }

  apply(variables: readonly Variable[], grads: readonly Float32Array[]): void {
    if (variables.length !== grads.length) throw new UsageError(`optimizer: ${variables.length} variables but ${grads.length} gradients`);
    this.iterations++;
    for (let i = 0; i < variables.length; i++) this.update(variables[i], grads[i]);
  }

  protected abstract update(v: Variable, g: Float32Array): void;
  abstract config(): Record<string, number | boolean | string | null>;
}

export interface SgdOptions {
  readonly learningRate?: number;
  readonly momentum?: number;
  readonly nesterov?: boolean;
}

export class SGD extends BaseOptimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(options: SgdOptions = {}) {
    super(options.learningRate ?? 0.01);
    this.momentum = options.momentum ?? 0;
    this.nesterov = options.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new UsageError(`sgd: momentum must be in [0, 1), got ${this.momentum}`);
  }
  protected update(v: Variable, g: Float32Array): void {
    const w = v.data;
    const lr = this.learningRate;
    if (this.momentum === 0) {
      for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
      return;
    }
    const [m] = this.slot(v, 1);
    const mu = this.momentum;
    for (let i = 0; i < w.length; i++) {
      const mi = mu * m[i] - lr * g[i];
      m[i] = mi;
      w[i] += this.nesterov ? mu * mi - lr * g[i] : mi;
    }
  }
  config(): Record<string, number | boolean | string | null> {
    return { name: 'SGD', learning_rate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov };
  }
}

export interface AdamOptions {
  readonly learningRate?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

export class Adam extends BaseOptimizer {
  readonly className = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(options: AdamOptions = {}) {
    super(options.learningRate ?? 0.001);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
  }
  protected update(v: Variable, g: Float32Array): void {
    const [m, s] = this.slot(v, 2);
    const t = this.iterations;
    const alpha = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    const b1 = 1 - this.beta1;
    const b2 = 1 - this.beta2;
    const eps = this.epsilon;
    const w = v.data;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      const mi = m[i] + (gi - m[i]) * b1;
      const si = s[i] + (gi * gi - s[i]) * b2;
      m[i] = mi;
      s[i] = si;
      w[i] -= (alpha * mi) / (Math.sqrt(si) + eps);
    }
  }
  config(): Record<string, number | boolean | string | null> {
    return { name: 'adam', learning_rate: this.learningRate, beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon, amsgrad: false };
  }
}

export interface RmspropOptions {
  readonly learningRate?: number;
  readonly rho?: number;
  readonly momentum?: number;
  readonly epsilon?: number;
  readonly centered?: boolean;
}

export class RMSprop extends BaseOptimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  constructor(options: RmspropOptions = {}) {
    super(options.learningRate ?? 0.001);
    this.rho = options.rho ?? 0.9;
    this.momentum = options.momentum ?? 0;
    this.epsilon = options.epsilon ?? 1e-7;
    this.centered = options.centered ?? false;
  }
  protected update(v: Variable, g: Float32Array): void {
    const [vel, mom, avg] = this.slot(v, 3);
    const w = v.data;
    const { rho, epsilon, learningRate: lr, momentum } = this;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      vel[i] = rho * vel[i] + (1 - rho) * gi * gi;
      let denom = vel[i] + epsilon;
      if (this.centered) {
        avg[i] = rho * avg[i] + (1 - rho) * gi;
        denom -= avg[i] * avg[i];
      }
      const inc = (lr * gi) / Math.sqrt(denom);
      if (momentum > 0) {
        mom[i] = momentum * mom[i] + inc;
        w[i] -= mom[i];
      } else w[i] -= inc;
    }
  }
  config(): Record<string, number | boolean | string | null> {
    return { name: 'rmsprop', learning_rate: this.learningRate, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}

export const optimizers = {
  sgd: (learningRateOrOptions?: number | SgdOptions, options: SgdOptions = {}): SGD =>
    new SGD(typeof learningRateOrOptions === 'number' ? { ...options, learningRate: learningRateOrOptions } : learningRateOrOptions ?? options),
  adam: (learningRateOrOptions?: number | AdamOptions, options: AdamOptions = {}): Adam =>
    new Adam(typeof learningRateOrOptions === 'number' ? { ...options, learningRate: learningRateOrOptions } : learningRateOrOptions ?? options),
  rmsprop: (learningRateOrOptions?: number | RmspropOptions, options: RmspropOptions = {}): RMSprop =>
    new RMSprop(typeof learningRateOrOptions === 'number' ? { ...options, learningRate: learningRateOrOptions } : learningRateOrOptions ?? options),
};

/** An optimizer from a Keras name ('sgd', 'adam', 'rmsprop', Keras defaults) or an Optimizer. */
export function resolveOptimizer(spec: string | Optimizer): Optimizer {
  if (typeof spec !== 'string') return spec;
  switch (spec.toLowerCase()) {
    case 'sgd':
      return new SGD();
    case 'adam':
      return new Adam();
    case 'rmsprop':
      return new RMSprop();
  }
  throw new UsageError(`unknown optimizer "${spec}" (known: sgd, adam, rmsprop)`);
}
