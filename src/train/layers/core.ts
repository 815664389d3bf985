// Core layers: InputLayer, Dense, Activation, Dropout, Flatten, Reshape, Softmax.

import { UsageError } from '../../core/errors.js';
import { shapeToString, sizeOf, type Shape } from '../../core/tensor.js';
import { reshapeShape } from '../../ops/reshape.js';
import { initializers, resolveInitializer, type Initializer } from '../initializers.js';
import type { Random } from '../random.js';
import type { Variable } from '../variable.js';
import { fusable, planActivation, softmaxAfter, type KerasActivation } from './activations.js';
import { Layer, kerasObject, type EmitContext, type Json, type JsonObject, type LayerArgs } from './base.js';

export function initializerConfig(i: Initializer): JsonObject {
  return kerasObject('keras.initializers', i.className, i.config as JsonObject);
}

export class InputLayer extends Layer {
  readonly className = 'InputLayer';
  constructor(readonly batchShape: Shape, name?: string) {
    super({ name });
  }
  override get defaultNameStem(): string {
    return 'input_layer';
  }
  outputShapes(): Shape[] {
    return [this.batchShape];
  }
  emit(): number[] {
    throw new UsageError('InputLayer emits no nodes (it is the graph input)');
  }
  override kerasConfig(): JsonObject {
    return { batch_shape: this.batchShape.map((d) => (d < 0 ? null : d)), dtype: 'float32', sparse: false, name: this.name ?? 'input_layer' };
  }
  protected configEntries(): Record<string, Json> {
    return {};
  }
}

/** The arguments of a layer with a kernel, an optional bias and an activation (Dense, Conv1D, Conv2D). */
export interface KernelLayerArgs extends LayerArgs {
  readonly activation?: KerasActivation;
  readonly useBias?: boolean;
  readonly kernelInitializer?: string | Initializer;
  readonly biasInitializer?: string | Initializer;
}

/**
 * Dense, Conv1D, Conv2D: activation, bias and initializers, resolved and checked after the layer's own arguments
 * (subclasses check theirs before calling super, so the first bad argument is reported as before).
 */
export abstract class KernelLayer extends Layer {
  readonly activation: KerasActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  kernel?: Variable;
  bias?: Variable;

  constructor(args: KernelLayerArgs) {
    super(args);
    this.activation = args.activation ?? 'linear';
    planActivation(this.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = resolveInitializer(args.kernelInitializer, initializers.glorotUniform);
    this.biasInitializer = resolveInitializer(args.biasInitializer, initializers.zeros);
  }

  /** Creates the kernel of the given shape and, with useBias, the bias [units]. */
  protected addKernelAndBias(shape: Shape, units: number, random: Random): void {
    this.kernel = this.addVariable('kernel', shape, this.kernelInitializer.init(shape, random));
    if (this.useBias) this.bias = this.addVariable('bias', [units], this.biasInitializer.init([units], random));
  }

  /** The kernel's value id, seen in `shape` when given, then the bias's when there is one. */
  protected weightIds(ctx: EmitContext, shape?: readonly number[]): number[] {
    return [ctx.variable(this.kernel as Variable, shape), ...(this.bias ? [ctx.variable(this.bias)] : [])];
  }

  /** Keras's config entries from `activation` on (Dense writes no activity_regularizer). */
  kernelConfig(activityRegularizer: boolean): Record<string, Json> {
    return {
      activation: this.activation,
      use_bias: this.useBias,
      kernel_initializer: initializerConfig(this.kernelInitializer),
      bias_initializer: initializerConfig(this.biasInitializer),
      kernel_regularizer: null,
      bias_regularizer: null,
      ...(activityRegularizer ? { activity_regularizer: null } : {}),
      kernel_constraint: null,
      bias_constraint: null,
    };
  }
}

export interface DenseArgs extends KernelLayerArgs {
  readonly units: number;
}

export class Dense extends KernelLayer {
  readonly className = 'Dense';
  readonly units: number;

  constructor(args: DenseArgs) {
    if (!Number.isInteger(args.units) || args.units < 1) throw new UsageError(`dense: units must be a whole number >= 1, got ${args.units}`);
    super(args);
    this.units = args.units;
  }

  outputShapes(inputs: readonly Shape[]): Shape[] {
    const x = this.single(inputs);
    if (x.length < 2) throw this.shapeError(`needs an input of rank >= 2, got ${shapeToString(x)}`);
    if (this.built && this.kernel && this.kernel.shape[0] !== x[x.length - 1]) throw this.shapeError(`built for ${this.kernel.shape[0]} input features, got ${shapeToString(x)}`);
    return [[...x.slice(0, -1), this.units]];
  }

  protected override createVariables(inputs: readonly Shape[], random: Random): void {
    const x = inputs[0];
    this.addKernelAndBias([x[x.length - 1], this.units], this.units, random);
  }

  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    const y = ctx.b.add1('dense', [x, ...this.weightIds(ctx)], { activation: fusable(planActivation(this.activation)) }, { name: ctx.nodeName(), origin: ctx.origin });
    return [softmaxAfter(ctx, y, this.activation)];
  }

  protected configEntries(): Record<string, Json> {
    return { units: this.units, ...this.kernelConfig(false) };
  }
}

export class Activation extends Layer {
  readonly className = 'Activation';
  constructor(readonly activation: KerasActivation, args: LayerArgs = {}) {
    super(args);
    planActivation(activation);
  }
  outputShapes(inputs: readonly Shape[]): Shape[] {
    return [this.single(inputs)];
  }
  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    const plan = planActivation(this.activation);
    const opts = { name: ctx.nodeName(), origin: ctx.origin };
    if (plan.kind === 'none') return [ctx.b.add1('identity', [x], {}, opts)];
    if (plan.kind === 'softmax') return [ctx.b.add1('softmax', [x], { axis: -1 }, opts)];
    return [ctx.b.add1('activation', [x], { activation: plan.act }, opts)];
  }
  protected configEntries(): Record<string, Json> {
    return { activation: this.activation };
  }
}

export class Softmax extends Layer {
  readonly className = 'Softmax';
  readonly axis: number;
  constructor(args: LayerArgs & { axis?: number } = {}) {
    super(args);
    this.axis = args.axis ?? -1;
  }
  outputShapes(inputs: readonly Shape[]): Shape[] {
    return [this.single(inputs)];
  }
  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    return [ctx.b.add1('softmax', [x], { axis: this.axis }, { name: ctx.nodeName(), origin: ctx.origin })];
  }
  protected configEntries(): Record<string, Json> {
    return { axis: this.axis };
  }
}

export interface DropoutArgs extends LayerArgs {
  readonly rate: number;
  /** Keras noise_shape: a 1 shares the mask along that axis (null = the input's size). */
  readonly noiseShape?: readonly (number | null)[];
  readonly seed?: number;
}

export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  readonly noiseShape?: readonly (number | null)[];
  readonly seed?: number;
  constructor(args: DropoutArgs) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1)) throw new UsageError(`dropout: rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.noiseShape = args.noiseShape;
    this.seed = args.seed;
  }
  override get hasBuildConfig(): boolean {
    return false;
  }
  outputShapes(inputs: readonly Shape[]): Shape[] {
    return [this.single(inputs)];
  }
  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    const y = ctx.b.add1('training_only', [x], { layerClass: 'Dropout' }, { name: ctx.nodeName(), origin: ctx.origin });
    ctx.behaviour(y, { kind: 'dropout', rate: this.rate, noiseShape: this.noiseShape });
    return [y];
  }
  protected configEntries(): Record<string, Json> {
    return { rate: this.rate, seed: this.seed ?? null, noise_shape: this.noiseShape ? [...this.noiseShape] : null };
  }
}

export class Flatten extends Layer {
  readonly className = 'Flatten';
  outputShapes(inputs: readonly Shape[]): Shape[] {
    const x = this.single(inputs);
    return [[x[0], sizeOf(x.slice(1))]];
  }
  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    const n = sizeOf(ctx.b.shape(x).slice(1));
    return [ctx.b.add1('reshape', [x], { shape: [-1, n] }, { name: ctx.nodeName(), origin: ctx.origin })];
  }
  protected configEntries(): Record<string, Json> {
    return { data_format: 'channels_last' };
  }
}

export class Reshape extends Layer {
  readonly className = 'Reshape';
  constructor(readonly targetShape: readonly number[], args: LayerArgs = {}) {
    super(args);
  }
  outputShapes(inputs: readonly Shape[]): Shape[] {
    const x = this.single(inputs);
    try {
      return [reshapeShape(x, [-1, ...this.targetShape])];
    } catch (e) {
      throw this.shapeError((e as Error).message);
    }
  }
  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    return [ctx.b.add1('reshape', [x], { shape: [-1, ...this.targetShape] }, { name: ctx.nodeName(), origin: ctx.origin })];
  }
  protected configEntries(): Record<string, Json> {
    return { target_shape: [...this.targetShape] };
  }
}
