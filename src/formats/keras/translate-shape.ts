// Translators for layers that only move data or combine inputs: Flatten, Reshape, Permute, RepeatVector,
// the merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot) and Keras 1 Merge.

import type { BinaryFn } from '../../ops/binary.js';
import type { ConcatenateConfig, DotConfig, FlattenConfig, Keras1MergeConfig, MergeConfig, PermuteConfig, RepeatVectorConfig, ReshapeConfig } from './config-types.js';
import type { LayerContext } from './layer-context.js';
import { positiveAxis, single, type Translator } from './translate-core.js';

/** Flatten: the Keras tensor's own element order, after moving channels last when data_format says so. */
export const flatten: Translator<FlattenConfig> = (ctx, cfg, inputs) => {
  let x = single(ctx, inputs);
  const rank = ctx.shape(x).length;
  if (cfg.data_format === 'channels_first' && rank > 2) {
    const perm = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
    x = ctx.add('transpose', [x], { perm }, 'to_channels_last');
  }
  const n = ctx.shape(x).slice(1).reduce((a, b) => a * b, 1);
  return [ctx.add('reshape', [x], { shape: [-1, n] })];
};

export const reshape: Translator<ReshapeConfig> = (ctx, cfg, inputs) => {
  const target = ctx.r.intList(cfg.target_shape, 'target_shape', -1);
  return [ctx.add('reshape', [single(ctx, inputs)], { shape: [-1, ...target] })];
};

export const permute: Translator<PermuteConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const dims = ctx.r.intList(cfg.dims, 'dims', 1);
  const rank = ctx.shape(x).length;
  if (dims.length !== rank - 1 || new Set(dims).size !== dims.length || dims.some((d) => d >= rank)) ctx.fail(`dims [${dims.join(', ')}] is not a permutation of 1..${rank - 1}`);
  return [ctx.add('transpose', [x], { perm: [0, ...dims] })];
};

export const repeatVector: Translator<RepeatVectorConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const xs = ctx.shape(x);
  if (xs.length !== 2) ctx.fail(`needs a [batch, features] input, got rank ${xs.length}`);
  const n = ctx.r.int(cfg.n, 'n', undefined, 1);
  const x3 = ctx.add('reshape', [x], { shape: [-1, 1, xs[1]] }, 'expand');
  return [ctx.add('tile', [x3], { reps: [1, n, 1] })];
};

function atLeast(ctx: LayerContext, inputs: readonly number[], n: number): void {
  if (inputs.length < n) ctx.fail(`takes at least ${n} inputs, got ${inputs.length}`);
}

function chain(ctx: LayerContext, inputs: readonly number[], fn: BinaryFn, last: boolean): number {
  let acc = inputs[0];
  for (let i = 1; i < inputs.length; i++) acc = ctx.add('binary', [acc, inputs[i]], { fn }, last && i === inputs.length - 1 ? undefined : `${fn}_${i}`);
  return acc;
}

function merge(fn: BinaryFn): Translator<MergeConfig> {
  return (ctx, _cfg, inputs) => {
    atLeast(ctx, inputs, fn === 'sub' ? 2 : 1);
    if (fn === 'sub' && inputs.length !== 2) ctx.fail(`takes exactly 2 inputs, got ${inputs.length}`);
    if (inputs.length === 1) return [ctx.add('identity', [inputs[0]], {})];
    return [chain(ctx, inputs, fn, true)];
  };
}
export const add = merge('add');
export const subtract = merge('sub');
export const multiply = merge('mul');
export const maximum = merge('max');
export const minimum = merge('min');

/** Average: the sum divided by the count, as Keras computes it. */
export const average: Translator<MergeConfig> = (ctx, _cfg, inputs) => {
  atLeast(ctx, inputs, 1);
  const sum = inputs.length === 1 ? inputs[0] : chain(ctx, inputs, 'add', false);
  return [ctx.add('binary', [sum, ctx.scalarConstant('count', [inputs.length])], { fn: 'div' })];
};

export const concatenate: Translator<ConcatenateConfig> = (ctx, cfg, inputs) => {
  atLeast(ctx, inputs, 1);
  const axis = ctx.r.int(cfg.axis, 'axis', -1, -Infinity);
  positiveAxis(ctx, axis, ctx.shape(inputs[0]).length);
  return [ctx.add('concat', inputs, { axis })];
};

function dotAxes(ctx: LayerContext, axesCfg: unknown, inputs: readonly number[]): [number, number] {
  const [a, b] = typeof axesCfg === 'number' ? [axesCfg, axesCfg] : ctx.r.intList(axesCfg, 'axes');
  if (a === undefined || b === undefined) ctx.fail(`axes ${JSON.stringify(axesCfg)} must be a number or a pair`);
  return [positiveAxis(ctx, a, ctx.shape(inputs[0]).length, 'axes[0]'), positiveAxis(ctx, b, ctx.shape(inputs[1]).length, 'axes[1]')];
}

export const dot: Translator<DotConfig> = (ctx, cfg, inputs) => {
  if (inputs.length !== 2) ctx.fail(`takes exactly 2 inputs, got ${inputs.length}`);
  if (cfg.axes === undefined) ctx.fail('has no axes');
  return [ctx.add('dot', inputs, { axes: dotAxes(ctx, cfg.axes, inputs), normalize: ctx.r.bool(cfg.normalize, 'normalize', false) })];
};

/** Keras 1 Merge (functional merge()); a mode given as a function is refused: kerasrt never runs code from files. */
export const keras1Merge: Translator<Keras1MergeConfig> = (ctx, cfg, inputs) => {
  const mode = cfg.mode;
  if (cfg.layers !== undefined) return ctx.unsupported('a Keras 1 Merge of Sequential branches is not supported (use a functional model)');
  if (typeof mode !== 'string') return ctx.unsupported('a Merge mode given as a Python function cannot be imported');
  switch (mode) {
    case 'sum':
      return add(ctx, {}, inputs);
    case 'mul':
      return multiply(ctx, {}, inputs);
    case 'max':
      return maximum(ctx, {}, inputs);
    case 'ave':
      return average(ctx, {}, inputs);
    case 'concat':
      return concatenate(ctx, { axis: ctx.r.int(cfg.concat_axis, 'concat_axis', -1, -Infinity) }, inputs);
    case 'dot':
      if (inputs.length !== 2) ctx.fail(`takes exactly 2 inputs, got ${inputs.length}`);
      return [ctx.add('dot', inputs, { axes: dotAxes(ctx, cfg.dot_axes ?? -1, inputs), normalize: false })];
    default:
      return ctx.unsupported(`Merge mode "${mode}" is not supported`);
  }
};
