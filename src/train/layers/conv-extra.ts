// More spatial layers (channels_last): Conv1D (a height-1 conv2d between reshapes, as the Keras importer
// translates it), DepthwiseConv2D, SeparableConv2D (depthwise, then a 1x1 conv2d with bias and activation).

import { UsageError } from '../../core/errors.js';
import { shapeToString, type Shape } from '../../core/tensor.js';
import { conv2dOutShape } from '../../ops/conv2d.js';
import { depthwiseConv2dOutShape } from '../../ops/depthwise-conv2d.js';
import { computePads } from '../../ops/padding.js';
import { initializers, resolveInitializer, type Initializer } from '../initializers.js';
import type { Random } from '../random.js';
import type { Variable } from '../variable.js';
import { fusable, planActivation, softmaxAfter, type KerasActivation } from './activations.js';
import { Layer, type EmitContext, type Json, type LayerArgs } from './base.js';
import { convConfig, pair, windowPads, type Padding, type Pair } from './conv.js';
import { initializerConfig, KernelLayer, type KernelLayerArgs } from './core.js';

function one(v: number | readonly [number] | undefined, dflt: number, what: string): number {
  const n = v === undefined ? dflt : typeof v === 'number' ? v : v[0];
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a whole number >= 1, got ${JSON.stringify(v)}`);
  return n;
}

export interface Conv1DArgs extends KernelLayerArgs {
  readonly filters: number;
  readonly kernelSize: number | readonly [number];
  readonly strides?: number | readonly [number];
  readonly padding?: Padding | 'causal';
  readonly dilationRate?: number | readonly [number];
}

export class Conv1D extends KernelLayer {
  readonly className = 'Conv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly dilationRate: number;
  readonly padding: Padding | 'causal';

  constructor(args: Conv1DArgs) {
    const filters = one(args.filters, 1, 'conv1d filters');
    const kernelSize = one(args.kernelSize, 1, 'conv1d kernelSize');
    const strides = one(args.strides, 1, 'conv1d strides');
    const dilationRate = one(args.dilationRate, 1, 'conv1d dilationRate');
    super(args);
    this.filters = filters;
    this.kernelSize = kernelSize;
    this.strides = strides;
    this.dilationRate = dilationRate;
    this.padding = args.padding ?? 'valid';
  }

  private pads(t: number): [number, number, number, number] {
    const [l, r] = computePads(this.padding, t, this.kernelSize, this.strides, this.dilationRate);
    return [0, 0, l, r];
  }

  outputShapes(inputs: readonly Shape[]): Shape[] {
    const x = this.single(inputs);
    if (x.length !== 3) throw this.shapeError(`needs a rank-3 input [batch, steps, channels], got ${shapeToString(x)}`);
    const [, , ow, co] = conv2dOutShape([x[0], 1, x[1], x[2]], [1, this.kernelSize, x[2], this.filters], undefined, {
      strides: [1, this.strides], dilations: [1, this.dilationRate], pads: this.pads(x[1]), groups: 1, activation: { fn: 'linear' },
    });
    return [[x[0], ow, co]];
  }

  protected override createVariables(inputs: readonly Shape[], random: Random): void {
    this.addKernelAndBias([this.kernelSize, inputs[0][2], this.filters], this.filters, random);
  }

  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    const [, t, c] = ctx.b.shape(x);
    const x2 = ctx.b.add1('reshape', [x], { shape: [-1, 1, t, c] }, { name: ctx.nodeName('to_2d'), origin: ctx.origin });
    const y2 = ctx.b.add1(
      'conv2d',
      [x2, ...this.weightIds(ctx, [1, this.kernelSize, c, this.filters])],
      { strides: [1, this.strides], dilations: [1, this.dilationRate], pads: this.pads(t), groups: 1, activation: fusable(planActivation(this.activation)) },
      { name: ctx.nodeName(), origin: ctx.origin },
    );
    const [, , ow, co] = ctx.b.shape(y2);
    const y = ctx.b.add1('reshape', [y2], { shape: [-1, ow, co] }, { name: ctx.nodeName('to_1d'), origin: ctx.origin });
    return [softmaxAfter(ctx, y, this.activation)];
  }

  protected configEntries(): Record<string, Json> {
    return convConfig(this, [this.kernelSize], [this.strides], [this.dilationRate]);
  }
}

export interface DepthwiseConv2DArgs extends LayerArgs {
  readonly kernelSize: Pair;
  readonly strides?: Pair;
  readonly padding?: Padding;
  readonly dilationRate?: Pair;
  readonly depthMultiplier?: number;
  readonly activation?: KerasActivation;
  readonly useBias?: boolean;
  readonly depthwiseInitializer?: string | Initializer;
  readonly biasInitializer?: string | Initializer;
}

abstract class DepthwiseBase extends Layer {
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly padding: Padding;
  readonly depthMultiplier: number;
  readonly activation: KerasActivation;
  readonly useBias: boolean;
  readonly depthwiseInitializer: Initializer;
  readonly biasInitializer: Initializer;
  depthwiseKernel?: Variable;

  constructor(args: DepthwiseConv2DArgs) {
    super(args);
    this.kernelSize = pair(args.kernelSize, 1, `${this.constructor.name} kernelSize`);
    this.strides = pair(args.strides, 1, 'strides');
    this.dilationRate = pair(args.dilationRate, 1, 'dilationRate');
    this.padding = args.padding ?? 'valid';
    this.depthMultiplier = one(args.depthMultiplier, 1, 'depthMultiplier');
    this.activation = args.activation ?? 'linear';
    planActivation(this.activation);
    this.useBias = args.useBias ?? true;
    this.depthwiseInitializer = resolveInitializer(args.depthwiseInitializer, initializers.glorotUniform);
    this.biasInitializer = resolveInitializer(args.biasInitializer, initializers.zeros);
  }

  protected pads(x: Shape): [number, number, number, number] {
    return windowPads(this.padding, x, this.kernelSize, this.strides, this.dilationRate);
  }

  /** Keras's config entries of the depthwise window, up to use_bias. */
  protected windowConfig(): Record<string, Json> {
    return {
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: 'channels_last',
      dilation_rate: [...this.dilationRate],
      depth_multiplier: this.depthMultiplier,
      activation: this.activation,
      use_bias: this.useBias,
    };
  }

  protected depthwiseShape(x: Shape): Shape {
    if (x.length !== 4) throw this.shapeError(`needs a rank-4 input, got ${shapeToString(x)}`);
    return depthwiseConv2dOutShape(x, [this.kernelSize[0], this.kernelSize[1], x[3], this.depthMultiplier], undefined, {
      strides: this.strides, dilations: this.dilationRate, pads: this.pads(x), activation: { fn: 'linear' },
    });
  }
}

export class DepthwiseConv2D extends DepthwiseBase {
  readonly className = 'DepthwiseConv2D';
  bias?: Variable;

  outputShapes(inputs: readonly Shape[]): Shape[] {
    return [this.depthwiseShape(this.single(inputs))];
  }

  protected override createVariables(inputs: readonly Shape[], random: Random): void {
    const c = inputs[0][3];
    const shape = [this.kernelSize[0], this.kernelSize[1], c, this.depthMultiplier];
    this.depthwiseKernel = this.addVariable('depthwise_kernel', shape, this.depthwiseInitializer.init(shape, random));
    if (this.useBias) this.bias = this.addVariable('bias', [c * this.depthMultiplier], this.biasInitializer.init([c * this.depthMultiplier], random));
  }

  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    const ids = [ctx.variable(this.depthwiseKernel as Variable), ...(this.bias ? [ctx.variable(this.bias)] : [])];
    const y = ctx.b.add1('depthwise_conv2d', [x, ...ids], { strides: this.strides, dilations: this.dilationRate, pads: this.pads(ctx.b.shape(x)), activation: fusable(planActivation(this.activation)) }, { name: ctx.nodeName(), origin: ctx.origin });
    return [softmaxAfter(ctx, y, this.activation)];
  }

  protected configEntries(): Record<string, Json> {
    return {
      ...this.windowConfig(),
      depthwise_initializer: initializerConfig(this.depthwiseInitializer),
      bias_initializer: initializerConfig(this.biasInitializer),
      depthwise_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      depthwise_constraint: null,
      bias_constraint: null,
    };
  }
}

export interface SeparableConv2DArgs extends DepthwiseConv2DArgs {
  readonly filters: number;
  readonly pointwiseInitializer?: string | Initializer;
}

export class SeparableConv2D extends DepthwiseBase {
  readonly className = 'SeparableConv2D';
  readonly filters: number;
  readonly pointwiseInitializer: Initializer;
  pointwiseKernel?: Variable;
  bias?: Variable;

  constructor(args: SeparableConv2DArgs) {
    super(args);
    this.filters = one(args.filters, 1, 'separableConv2d filters');
    this.pointwiseInitializer = resolveInitializer(args.pointwiseInitializer, initializers.glorotUniform);
  }

  outputShapes(inputs: readonly Shape[]): Shape[] {
    const d = this.depthwiseShape(this.single(inputs));
    return [[d[0], d[1], d[2], this.filters]];
  }

  protected override createVariables(inputs: readonly Shape[], random: Random): void {
    const c = inputs[0][3];
    const dshape = [this.kernelSize[0], this.kernelSize[1], c, this.depthMultiplier];
    const pshape = [1, 1, c * this.depthMultiplier, this.filters];
    this.depthwiseKernel = this.addVariable('depthwise_kernel', dshape, this.depthwiseInitializer.init(dshape, random));
    this.pointwiseKernel = this.addVariable('pointwise_kernel', pshape, this.pointwiseInitializer.init(pshape, random));
    if (this.useBias) this.bias = this.addVariable('bias', [this.filters], this.biasInitializer.init([this.filters], random));
  }

  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    const mid = ctx.b.add1('depthwise_conv2d', [x, ctx.variable(this.depthwiseKernel as Variable)], { strides: this.strides, dilations: this.dilationRate, pads: this.pads(ctx.b.shape(x)), activation: { fn: 'linear' } }, { name: ctx.nodeName('depthwise'), origin: ctx.origin });
    const ids = [ctx.variable(this.pointwiseKernel as Variable), ...(this.bias ? [ctx.variable(this.bias)] : [])];
    const y = ctx.b.add1('conv2d', [mid, ...ids], { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, activation: fusable(planActivation(this.activation)) }, { name: ctx.nodeName(), origin: ctx.origin });
    return [softmaxAfter(ctx, y, this.activation)];
  }

  protected configEntries(): Record<string, Json> {
    return {
      filters: this.filters,
      ...this.windowConfig(),
      depthwise_initializer: initializerConfig(this.depthwiseInitializer),
      pointwise_initializer: initializerConfig(this.pointwiseInitializer),
      bias_initializer: initializerConfig(this.biasInitializer),
      depthwise_regularizer: null,
      pointwise_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      depthwise_constraint: null,
      pointwise_constraint: null,
      bias_constraint: null,
    };
  }
}

export interface EmbeddingArgs extends LayerArgs {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer?: string | Initializer;
}

/** Embedding: integer indices (as float32) -> rows of a [inputDim, outputDim] table. */
export class Embedding extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
  embeddings?: Variable;

  constructor(args: EmbeddingArgs) {
    super(args);
    this.inputDim = one(args.inputDim, 1, 'embedding inputDim');
    this.outputDim = one(args.outputDim, 1, 'embedding outputDim');
    this.embeddingsInitializer = resolveInitializer(args.embeddingsInitializer, () => initializers.randomUniform(-0.05, 0.05));
  }

  outputShapes(inputs: readonly Shape[]): Shape[] {
    return [[...this.single(inputs), this.outputDim]];
  }

  protected override createVariables(_inputs: readonly Shape[], random: Random): void {
    const shape = [this.inputDim, this.outputDim];
    this.embeddings = this.addVariable('embeddings', shape, this.embeddingsInitializer.init(shape, random));
  }

  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    return [ctx.b.add1('embedding', [x, ctx.variable(this.embeddings as Variable)], {}, { name: ctx.nodeName(), origin: ctx.origin })];
  }

  protected configEntries(): Record<string, Json> {
    return {
      input_dim: this.inputDim,
      output_dim: this.outputDim,
      embeddings_initializer: initializerConfig(this.embeddingsInitializer),
      embeddings_regularizer: null,
      activity_regularizer: null,
      embeddings_constraint: null,
      mask_zero: false,
    };
  }
}
