// Spatial layers (channels_last): Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D,
// GlobalMaxPooling2D. Pads follow TF's 'same' rule (src/ops/padding.ts), as the Keras importer computes them.

import { UsageError } from '../../core/errors.js';
import { shapeToString, type Shape } from '../../core/tensor.js';
import { conv2dOutShape } from '../../ops/conv2d.js';
import { computePads } from '../../ops/padding.js';
import { pool2dOutShape, type Pool2dAttrs } from '../../ops/pool2d.js';
import type { Conv2dAttrs } from '../../ops/conv2d.js';
import { initializers, resolveInitializer, type Initializer } from '../initializers.js';
import type { Random } from '../random.js';
import type { Variable } from '../variable.js';
import { fusable, planActivation, type KerasActivation } from './activations.js';
import { Layer, type EmitContext, type Json, type LayerArgs } from './base.js';
import { initializerConfig } from './core.js';

export type Padding = 'valid' | 'same';
type Pair = number | readonly [number, number];

function pair(v: Pair | undefined, dflt: number, what: string): [number, number] {
  const p: [number, number] = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((d) => Number.isInteger(d) && d >= 1)) throw new UsageError(`${what} must be whole numbers >= 1, got ${JSON.stringify(v)}`);
  return p;
}

export interface Conv2DArgs extends LayerArgs {
  readonly filters: number;
  readonly kernelSize: Pair;
  readonly strides?: Pair;
  readonly padding?: Padding;
  readonly dilationRate?: Pair;
  readonly activation?: KerasActivation;
  readonly useBias?: boolean;
  readonly kernelInitializer?: string | Initializer;
  readonly biasInitializer?: string | Initializer;
}

export class Conv2D extends Layer {
  readonly className = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly activation: KerasActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  kernel?: Variable;
  bias?: Variable;

  constructor(args: Conv2DArgs) {
    super(args);
    if (!Number.isInteger(args.filters) || args.filters < 1) throw new UsageError(`conv2d: filters must be a whole number >= 1, got ${args.filters}`);
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize, 1, 'conv2d kernelSize');
    this.strides = pair(args.strides, 1, 'conv2d strides');
    this.dilationRate = pair(args.dilationRate, 1, 'conv2d dilationRate');
    this.padding = args.padding ?? 'valid';
    if (this.padding !== 'valid' && this.padding !== 'same') throw new UsageError(`conv2d: padding must be 'valid' or 'same', got ${String(this.padding)}`);
    this.activation = args.activation ?? 'linear';
    planActivation(this.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = resolveInitializer(args.kernelInitializer, initializers.glorotUniform);
    this.biasInitializer = resolveInitializer(args.biasInitializer, initializers.zeros);
  }

  attrs(x: Shape): Conv2dAttrs {
    const [, h, w] = x;
    const [kh, kw] = this.kernelSize;
    const [pt, pb] = computePads(this.padding, h, kh, this.strides[0], this.dilationRate[0]);
    const [pl, pr] = computePads(this.padding, w, kw, this.strides[1], this.dilationRate[1]);
    return { strides: this.strides, dilations: this.dilationRate, pads: [pt, pb, pl, pr], groups: 1, activation: fusable(planActivation(this.activation)) };
  }

  outputShapes(inputs: readonly Shape[]): Shape[] {
    const x = this.single(inputs);
    if (x.length !== 4) throw this.shapeError(`needs a rank-4 input [batch, height, width, channels], got ${shapeToString(x)}`);
    const w = [this.kernelSize[0], this.kernelSize[1], x[3], this.filters];
    try {
      return [conv2dOutShape(x, w, undefined, this.attrs(x))];
    } catch (e) {
      throw this.shapeError((e as Error).message);
    }
  }

  protected override createVariables(inputs: readonly Shape[], random: Random): void {
    const c = inputs[0][3];
    const shape = [this.kernelSize[0], this.kernelSize[1], c, this.filters];
    this.kernel = this.addVariable('kernel', shape, this.kernelInitializer.init(shape, random));
    if (this.useBias) this.bias = this.addVariable('bias', [this.filters], this.biasInitializer.init([this.filters], random));
  }

  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    const plan = planActivation(this.activation);
    const ids = [ctx.variable(this.kernel as Variable), ...(this.bias ? [ctx.variable(this.bias)] : [])];
    const y = ctx.b.add1('conv2d', [x, ...ids], this.attrs(ctx.b.shape(x)), { name: ctx.nodeName(), origin: ctx.origin });
    return [plan.kind === 'softmax' ? ctx.b.add1('softmax', [y], { axis: -1 }, { name: ctx.nodeName('softmax'), origin: ctx.origin }) : y];
  }

  protected configEntries(): Record<string, Json> {
    return {
      filters: this.filters,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: 'channels_last',
      dilation_rate: [...this.dilationRate],
      groups: 1,
      activation: this.activation,
      use_bias: this.useBias,
      kernel_initializer: initializerConfig(this.kernelInitializer),
      bias_initializer: initializerConfig(this.biasInitializer),
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    };
  }
}

export interface Pooling2DArgs extends LayerArgs {
  readonly poolSize?: Pair;
  /** Default: the pool size. */
  readonly strides?: Pair;
  readonly padding?: Padding;
}

abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  protected abstract readonly type: 'max' | 'avg';

  constructor(args: Pooling2DArgs = {}) {
    super(args);
    this.poolSize = pair(args.poolSize, 2, 'pooling poolSize');
    this.strides = args.strides === undefined ? this.poolSize : pair(args.strides, 1, 'pooling strides');
    this.padding = args.padding ?? 'valid';
  }

  attrs(x: Shape): Pool2dAttrs {
    const [pt, pb] = this.padding === 'same' ? computePads('same', x[1], this.poolSize[0], this.strides[0]) : [0, 0];
    const [pl, pr] = this.padding === 'same' ? computePads('same', x[2], this.poolSize[1], this.strides[1]) : [0, 0];
    return { type: this.type, kernel: this.poolSize, strides: this.strides, pads: [pt, pb, pl, pr] };
  }

  outputShapes(inputs: readonly Shape[]): Shape[] {
    const x = this.single(inputs);
    if (x.length !== 4) throw this.shapeError(`needs a rank-4 input [batch, height, width, channels], got ${shapeToString(x)}`);
    try {
      return [pool2dOutShape(x, this.attrs(x))];
    } catch (e) {
      throw this.shapeError((e as Error).message);
    }
  }

  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    return [ctx.b.add1('pool2d', [x], this.attrs(ctx.b.shape(x)), { name: ctx.nodeName(), origin: ctx.origin })];
  }

  protected configEntries(): Record<string, Json> {
    return { pool_size: [...this.poolSize], padding: this.padding, strides: [...this.strides], data_format: 'channels_last' };
  }
}

export class MaxPooling2D extends Pooling2D {
  readonly className = 'MaxPooling2D';
  protected readonly type = 'max';
}

export class AveragePooling2D extends Pooling2D {
  readonly className = 'AveragePooling2D';
  protected readonly type = 'avg';
}

abstract class GlobalPooling2D extends Layer {
  protected abstract readonly type: 'max' | 'mean';
  readonly keepdims: boolean;
  constructor(args: LayerArgs & { keepdims?: boolean } = {}) {
    super(args);
    this.keepdims = args.keepdims ?? false;
  }
  outputShapes(inputs: readonly Shape[]): Shape[] {
    const x = this.single(inputs);
    if (x.length !== 4) throw this.shapeError(`needs a rank-4 input, got ${shapeToString(x)}`);
    return [this.keepdims ? [x[0], 1, 1, x[3]] : [x[0], x[3]]];
  }
  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    return [ctx.b.add1('reduce', [x], { type: this.type, axes: [1, 2], keepDims: this.keepdims }, { name: ctx.nodeName(), origin: ctx.origin })];
  }
  protected configEntries(): Record<string, Json> {
    return { data_format: 'channels_last', keepdims: this.keepdims };
  }
}

export class GlobalAveragePooling2D extends GlobalPooling2D {
  readonly className = 'GlobalAveragePooling2D';
  protected readonly type = 'mean';
}

export class GlobalMaxPooling2D extends GlobalPooling2D {
  readonly className = 'GlobalMaxPooling2D';
  protected readonly type = 'max';
}
