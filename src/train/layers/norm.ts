// BatchNormalization: batch statistics and moving-average updates while training (src/train/grads/batchnorm.ts),
// moving statistics at inference. Keras defaults: axis -1, momentum 0.99, epsilon 1e-3, center and scale.

import { UsageError } from '../../core/errors.js';
import { normAxis, shapeToString, type Shape } from '../../core/tensor.js';
import { initializers, resolveInitializer, type Initializer } from '../initializers.js';
import type { Random } from '../random.js';
import type { Variable } from '../variable.js';
import { Layer, type EmitContext, type Json, type LayerArgs } from './base.js';
import { initializerConfig } from './core.js';

export interface BatchNormalizationArgs extends LayerArgs {
  readonly axis?: number;
  readonly momentum?: number;
  readonly epsilon?: number;
  readonly center?: boolean;
  readonly scale?: boolean;
  readonly betaInitializer?: string | Initializer;
  readonly gammaInitializer?: string | Initializer;
  readonly movingMeanInitializer?: string | Initializer;
  readonly movingVarianceInitializer?: string | Initializer;
}

export class BatchNormalization extends Layer {
  readonly className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly inits: { beta: Initializer; gamma: Initializer; mean: Initializer; variance: Initializer };
  gamma?: Variable;
  beta?: Variable;
  movingMean?: Variable;
  movingVariance?: Variable;
  /** Stand-ins for scale=False / center=False (graph constants, not variables). */
  private fixed?: { gamma: Float32Array; beta: Float32Array };

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new UsageError(`batchNormalization: momentum must be in [0, 1], got ${this.momentum}`);
    if (!(this.epsilon > 0)) throw new UsageError(`batchNormalization: epsilon must be > 0, got ${this.epsilon}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.inits = {
      beta: resolveInitializer(args.betaInitializer, initializers.zeros),
      gamma: resolveInitializer(args.gammaInitializer, initializers.ones),
      mean: resolveInitializer(args.movingMeanInitializer, initializers.zeros),
      variance: resolveInitializer(args.movingVarianceInitializer, initializers.ones),
    };
  }

  private channels(x: Shape): number {
    const a = normAxis(this.axis, x.length, 'batchNormalization');
    if (a === 0) throw this.shapeError('axis 0 is the batch');
    return x[a];
  }

  outputShapes(inputs: readonly Shape[]): Shape[] {
    const x = this.single(inputs);
    if (x.length < 2) throw this.shapeError(`needs an input of rank >= 2, got ${shapeToString(x)}`);
    this.channels(x);
    return [x];
  }

  protected override createVariables(inputs: readonly Shape[], random: Random): void {
    const c = this.channels(inputs[0]);
    // Keras order: gamma, beta, moving_mean, moving_variance.
    if (this.scale) this.gamma = this.addVariable('gamma', [c], this.inits.gamma.init([c], random));
    if (this.center) this.beta = this.addVariable('beta', [c], this.inits.beta.init([c], random));
    this.movingMean = this.addVariable('moving_mean', [c], this.inits.mean.init([c], random), false);
    this.movingVariance = this.addVariable('moving_variance', [c], this.inits.variance.init([c], random), false);
    this.fixed = { gamma: new Float32Array(c).fill(1), beta: new Float32Array(c) };
  }

  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    const c = this.channels(ctx.b.shape(x));
    const fixed = this.fixed ?? { gamma: new Float32Array(c).fill(1), beta: new Float32Array(c) };
    const g = this.gamma ? ctx.variable(this.gamma) : ctx.b.constant(`${ctx.nodeName()}/gamma`, [c], fixed.gamma);
    const b = this.beta ? ctx.variable(this.beta) : ctx.b.constant(`${ctx.nodeName()}/beta`, [c], fixed.beta);
    const axis = normAxis(this.axis, ctx.b.shape(x).length, 'batchNormalization');
    const y = ctx.b.add1('batchnorm', [x, g, b, ctx.variable(this.movingMean as Variable), ctx.variable(this.movingVariance as Variable)], { axis, epsilon: this.epsilon }, { name: ctx.nodeName(), origin: ctx.origin });
    if (this.trainable) ctx.behaviour(y, { kind: 'batchnorm', momentum: this.momentum });
    return [y];
  }

  protected configEntries(): Record<string, Json> {
    return {
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      beta_initializer: initializerConfig(this.inits.beta),
      gamma_initializer: initializerConfig(this.inits.gamma),
      moving_mean_initializer: initializerConfig(this.inits.mean),
      moving_variance_initializer: initializerConfig(this.inits.variance),
      beta_regularizer: null,
      gamma_regularizer: null,
      beta_constraint: null,
      gamma_constraint: null,
    };
  }
}
