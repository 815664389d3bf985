// The `layers` namespace: Keras-named factories. Each takes Keras's leading positional argument where Keras
// has one (units, filters + kernel size, rate, activation name), or a single options object.

import type { Initializer } from '../initializers.js';
import type { KerasActivation } from './activations.js';
import { BatchNormalization, type BatchNormalizationArgs } from './norm.js';
import { AveragePooling2D, Conv2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D, type Conv2DArgs, type Pooling2DArgs } from './conv.js';
import { Activation, Dense, Dropout, Flatten, Reshape, Softmax, type DenseArgs, type DropoutArgs } from './core.js';
import type { LayerArgs } from './base.js';
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract } from './merge.js';
import { Conv1D, DepthwiseConv2D, Embedding, SeparableConv2D, type Conv1DArgs, type DepthwiseConv2DArgs, type EmbeddingArgs, type SeparableConv2DArgs } from './conv-extra.js';

type Omit2<T, K extends keyof T> = Omit<T, K>;

function dense(units: number, options?: Omit2<DenseArgs, 'units'>): Dense;
function dense(args: DenseArgs): Dense;
function dense(a: number | DenseArgs, options: Omit2<DenseArgs, 'units'> = {}): Dense {
  return new Dense(typeof a === 'number' ? { ...options, units: a } : a);
}

function conv2d(filters: number, kernelSize: number | readonly [number, number], options?: Omit2<Conv2DArgs, 'filters' | 'kernelSize'>): Conv2D;
function conv2d(args: Conv2DArgs): Conv2D;
function conv2d(a: number | Conv2DArgs, kernelSize?: number | readonly [number, number], options: Omit2<Conv2DArgs, 'filters' | 'kernelSize'> = {}): Conv2D {
  if (typeof a !== 'number') return new Conv2D(a);
  return new Conv2D({ ...options, filters: a, kernelSize: kernelSize ?? 3 });
}

function maxPooling2d(poolSize?: number | readonly [number, number] | Pooling2DArgs, options: Pooling2DArgs = {}): MaxPooling2D {
  return new MaxPooling2D(typeof poolSize === 'object' && !Array.isArray(poolSize) ? (poolSize as Pooling2DArgs) : { ...options, poolSize: poolSize as number | [number, number] | undefined });
}

function averagePooling2d(poolSize?: number | readonly [number, number] | Pooling2DArgs, options: Pooling2DArgs = {}): AveragePooling2D {
  return new AveragePooling2D(typeof poolSize === 'object' && !Array.isArray(poolSize) ? (poolSize as Pooling2DArgs) : { ...options, poolSize: poolSize as number | [number, number] | undefined });
}

function dropout(rate: number | DropoutArgs, options: Omit2<DropoutArgs, 'rate'> = {}): Dropout {
  return new Dropout(typeof rate === 'number' ? { ...options, rate } : rate);
}

function activation(name: KerasActivation, options: LayerArgs = {}): Activation {
  return new Activation(name, options);
}

export const layers = {
  dense,
  conv2d,
  conv1d: (args: Conv1DArgs) => new Conv1D(args),
  depthwiseConv2d: (args: DepthwiseConv2DArgs) => new DepthwiseConv2D(args),
  separableConv2d: (args: SeparableConv2DArgs) => new SeparableConv2D(args),
  embedding: (args: EmbeddingArgs) => new Embedding(args),
  maxPooling2d,
  averagePooling2d,
  globalAveragePooling2d: (options?: LayerArgs & { keepdims?: boolean }) => new GlobalAveragePooling2D(options),
  globalMaxPooling2d: (options?: LayerArgs & { keepdims?: boolean }) => new GlobalMaxPooling2D(options),
  flatten: (options?: LayerArgs) => new Flatten(options),
  reshape: (targetShape: readonly number[], options?: LayerArgs) => new Reshape(targetShape, options),
  dropout,
  activation,
  softmax: (options?: LayerArgs & { axis?: number }) => new Softmax(options),
  batchNormalization: (options?: BatchNormalizationArgs) => new BatchNormalization(options),
  add: (options?: LayerArgs) => new Add(options),
  subtract: (options?: LayerArgs) => new Subtract(options),
  multiply: (options?: LayerArgs) => new Multiply(options),
  average: (options?: LayerArgs) => new Average(options),
  maximum: (options?: LayerArgs) => new Maximum(options),
  minimum: (options?: LayerArgs) => new Minimum(options),
  concatenate: (options?: LayerArgs & { axis?: number }) => new Concatenate(options),
};

export type { Initializer };
export { Conv1D, DepthwiseConv2D, Embedding, SeparableConv2D };
export { Activation, Add, Average, AveragePooling2D, BatchNormalization, Concatenate, Conv2D, Dense, Dropout, Flatten, GlobalAveragePooling2D, GlobalMaxPooling2D, Maximum, MaxPooling2D, Minimum, Multiply, Reshape, Softmax, Subtract };
