// Spatial layers (channels_last): Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D,
// GlobalMaxPooling2D. Pads follow TF's 'same' rule (src/ops/padding.ts), as the Keras importer computes them.

import { UsageError } from '../../core/errors.js';
import { shapeToString, type Shape } from '../../core/tensor.js';
import { conv2dOutShape } from '../../ops/conv2d.js';
import { computePads } from '../../ops/padding.js';
import { pool2dOutShape, type Pool2dAttrs } from '../../ops/pool2d.js';
import type { Conv2dAttrs } from '../../ops/conv2d.js';
import type { Random } from '../random.js';
import { fusable, planActivation, softmaxAfter } from './activations.js';
import { Layer, type EmitContext, type Json, type LayerArgs } from './base.js';
import { KernelLayer, type KernelLayerArgs } from './core.js';

export type Padding = 'valid' | 'same';
export type Pair = number | readonly [number, number];

/** A Keras int-or-pair argument as [h, w], each a whole number >= 1 (dflt when absent). */
export function pair(v: Pair | undefined, dflt: number, what: string): [number, number] {
  const p: [number, number] = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((d) => Number.isInteger(d) && d >= 1)) throw new UsageError(`${what} must be whole numbers >= 1, got ${JSON.stringify(v)}`);
  return p;
}

/** [top, bottom, left, right] pads of a 'valid' / 'same' window over NHWC x. */
export function windowPads(padding: Padding, x: Shape, kernel: readonly [number, number], strides: readonly [number, number], dilations: readonly [number, number]): [number, number, number, number] {
  const [pt, pb] = computePads(padding, x[1], kernel[0], strides[0], dilations[0]);
  const [pl, pr] = computePads(padding, x[2], kernel[1], strides[1], dilations[1]);
  return [pt, pb, pl, pr];
}

/** Keras's config entries of a conv layer (Conv1D, Conv2D): its own, then the kernel layer's. */
export function convConfig(l: KernelLayer & { readonly filters: number; readonly padding: string }, kernelSize: number[], strides: number[], dilationRate: number[]): Record<string, Json> {
  return {
    filters: l.filters,
    kernel_size: kernelSize,
    strides,
    padding: l.padding,
    data_format: 'channels_last',
    dilation_rate: dilationRate,
    groups: 1,
    ...l.kernelConfig(true),
  };
}

export interface Conv2DArgs extends KernelLayerArgs {
  readonly filters: number;
  readonly kernelSize: Pair;
  readonly strides?: Pair;
  readonly padding?: Padding;
  readonly dilationRate?: Pair;
}

export class Conv2D extends KernelLayer {
  readonly className = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];

  constructor(args: Conv2DArgs) {
    if (!Number.isInteger(args.filters) || args.filters < 1) throw new UsageError(`conv2d: filters must be a whole number >= 1, got ${args.filters}`);
    const kernelSize = pair(args.kernelSize, 1, 'conv2d kernelSize');
    const strides = pair(args.strides, 1, 'conv2d strides');
    const dilationRate = pair(args.dilationRate, 1, 'conv2d dilationRate');
    const padding = args.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same') throw new UsageError(`conv2d: padding must be 'valid' or 'same', got ${String(padding)}`);
    super(args);
    this.filters = args.filters;
    this.kernelSize = kernelSize;
    this.strides = strides;
    this.dilationRate = dilationRate;
    this.padding = padding;
  }

  attrs(x: Shape): Conv2dAttrs {
    return { strides: this.strides, dilations: this.dilationRate, pads: windowPads(this.padding, x, this.kernelSize, this.strides, this.dilationRate), groups: 1, activation: fusable(planActivation(this.activation)) };
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
    this.addKernelAndBias([this.kernelSize[0], this.kernelSize[1], inputs[0][3], this.filters], this.filters, random);
  }

  emit(ctx: EmitContext, [x]: readonly number[]): number[] {
    const y = ctx.b.add1('conv2d', [x, ...this.weightIds(ctx)], this.attrs(ctx.b.shape(x)), { name: ctx.nodeName(), origin: ctx.origin });
    return [softmaxAfter(ctx, y, this.activation)];
  }

  protected configEntries(): Record<string, Json> {
    return convConfig(this, [...this.kernelSize], [...this.strides], [...this.dilationRate]);
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
    return { type: this.type, kernel: this.poolSize, strides: this.strides, pads: windowPads(this.padding === 'same' ? 'same' : 'valid', x, this.poolSize, this.strides, [1, 1]) };
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
