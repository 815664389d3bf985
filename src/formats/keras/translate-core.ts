// Translators for the core Keras layers: Dense, activations (Activation, ReLU, LeakyReLU, PReLU, ELU,
// ThresholdedReLU, Softmax), Embedding, Rescaling, Normalization, Identity and the training-only layers.

import type { Activation } from '../../ops/activation-fns.js';
import type {
  ActivationConfig,
  BaseLayerConfig,
  DenseConfig,
  DropoutConfig,
  ELUConfig,
  EmbeddingConfig,
  LeakyReLUConfig,
  NormalizationConfig,
  PReLUConfig,
  ReLUConfig,
  RescalingConfig,
  SoftmaxConfig,
  ThresholdedReLUConfig,
} from './config-types.js';
import type { LayerContext } from './layer-context.js';

/** Emits the layer's nodes for one call; returns its output value ids. */
export type Translator<C> = (ctx: LayerContext, cfg: C, inputs: readonly number[]) => number[];

/** The single input of a one-input layer. */
export function single(ctx: LayerContext, inputs: readonly number[]): number {
  if (inputs.length !== 1) ctx.fail(`takes one input, got ${inputs.length}`);
  return inputs[0];
}

/** A possibly negative axis of a rank-`rank` Keras tensor (batch included) made non-negative. */
export function positiveAxis(ctx: LayerContext, axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) ctx.fail(`${what} ${axis} is out of range for an input of rank ${rank}`);
  return a;
}

export const dense: Translator<DenseConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const units = ctx.r.int(cfg.units ?? cfg.output_dim, 'units', undefined, 1);
  const useBias = ctx.r.bool(cfg.use_bias ?? cfg.bias, 'use_bias', true);
  const xs = ctx.shape(x);
  if (xs.length < 2) ctx.fail(`needs an input of rank >= 2, got rank ${xs.length}`);
  const k = xs[xs.length - 1];
  const ids = ctx.weightConstants(useBias ? [{ role: 'kernel', shape: [k, units] }, { role: 'bias', shape: [units] }] : [{ role: 'kernel', shape: [k, units] }]);
  const plan = ctx.activation(cfg.activation);
  return [ctx.finish(ctx.add('dense', [x, ...ids], { activation: ctx.fusable(plan) }), plan)];
};

export const activationLayer: Translator<ActivationConfig> = (ctx, cfg, inputs) => [ctx.applyActivation(single(ctx, inputs), ctx.activation(cfg.activation ?? 'linear'))];

function fnNode(ctx: LayerContext, x: number, act: Activation, suffix?: string): number {
  return ctx.add('activation', [x], { activation: act }, suffix);
}

/**
 * Keras ReLU(max_value, negative_slope, threshold), as keras.activations.relu computes it:
 * y = (threshold != 0 ? x * (x > threshold) : relu(x)), clipped to [0, max_value], minus
 * negative_slope * relu(threshold - x). Common cases map to one activation.
 */
export const reluLayer: Translator<ReLUConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const max = cfg.max_value === undefined || cfg.max_value === null ? null : ctx.r.num(cfg.max_value, 'max_value');
  const slope = ctx.r.num(cfg.negative_slope, 'negative_slope', 0);
  const th = ctx.r.num(cfg.threshold, 'threshold', 0);
  if (max !== null && max < 0) ctx.fail(`max_value ${max} must be >= 0`);
  if (slope === 0 && th === 0) {
    if (max === null) return [fnNode(ctx, x, { fn: 'relu' })];
    if (max === 6) return [fnNode(ctx, x, { fn: 'relu6' })];
    return [fnNode(ctx, x, { fn: 'clip', alpha: 0, beta: max })];
  }
  if (th === 0 && max === null) return [fnNode(ctx, x, { fn: 'leaky_relu', alpha: slope })];
  let y: number;
  let clip = max !== null;
  if (th !== 0) y = fnNode(ctx, x, { fn: 'thresholded_relu', alpha: th }, 'positive');
  else if (max === 6) {
    y = fnNode(ctx, x, { fn: 'relu6' }, 'positive');
    clip = false;
  } else y = fnNode(ctx, x, { fn: 'relu' }, 'positive');
  if (clip && max !== null) y = fnNode(ctx, y, { fn: 'clip', alpha: 0, beta: max }, 'clip');
  if (slope !== 0) {
    const shifted = ctx.add('binary', [ctx.scalarConstant('threshold', [th]), x], { fn: 'sub' }, 'negative_in');
    const neg = fnNode(ctx, shifted, { fn: 'relu' }, 'negative');
    const scaled = ctx.add('binary', [neg, ctx.scalarConstant('negative_slope', [slope])], { fn: 'mul' }, 'negative_scaled');
    y = ctx.add('binary', [y, scaled], { fn: 'sub' });
  }
  return [y];
};

export const leakyReluLayer: Translator<LeakyReLUConfig> = (ctx, cfg, inputs) => {
  const alpha = ctx.r.num(cfg.negative_slope ?? cfg.alpha, 'negative_slope', 0.3);
  return [fnNode(ctx, single(ctx, inputs), { fn: 'leaky_relu', alpha })];
};

export const eluLayer: Translator<ELUConfig> = (ctx, cfg, inputs) => [fnNode(ctx, single(ctx, inputs), { fn: 'elu', alpha: ctx.r.num(cfg.alpha, 'alpha', 1) })];

export const thresholdedReluLayer: Translator<ThresholdedReLUConfig> = (ctx, cfg, inputs) => [
  fnNode(ctx, single(ctx, inputs), { fn: 'thresholded_relu', alpha: ctx.r.num(cfg.theta, 'theta', 1) }),
];

export const softmaxLayer: Translator<SoftmaxConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  let axis = -1;
  if (Array.isArray(cfg.axis)) {
    if (cfg.axis.length !== 1) ctx.unsupported(`softmax over several axes [${cfg.axis.join(', ')}] is not supported`);
    axis = ctx.r.int(cfg.axis[0], 'axis', undefined, -Infinity);
  } else if (cfg.axis !== undefined && cfg.axis !== null) axis = ctx.r.int(cfg.axis, 'axis', undefined, -Infinity);
  positiveAxis(ctx, axis, ctx.shape(x).length);
  return [ctx.add('softmax', [x], { axis })];
};

export const preluLayer: Translator<PReLUConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const xs = ctx.shape(x);
  const shared = cfg.shared_axes === undefined || cfg.shared_axes === null ? [] : ctx.r.intList(Array.isArray(cfg.shared_axes) ? cfg.shared_axes : [cfg.shared_axes], 'shared_axes', 1);
  const shape = xs.slice(1).map((d, i) => (shared.includes(i + 1) ? 1 : d));
  const [alpha] = ctx.weightConstants([{ role: 'alpha', shape }]);
  return [ctx.add('prelu', [x, alpha], {})];
};

export const identityLayer: Translator<BaseLayerConfig> = (ctx, _cfg, inputs) => [ctx.add('identity', [single(ctx, inputs)], {})];

/** Dropout, SpatialDropout*, GaussianNoise, GaussianDropout, AlphaDropout, ActivityRegularization. */
export const trainingOnlyLayer: Translator<DropoutConfig> = (ctx, _cfg, inputs) => [ctx.add('training_only', [single(ctx, inputs)], { layerClass: ctx.className })];

export const embeddingLayer: Translator<EmbeddingConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const vocab = ctx.r.int(cfg.input_dim, 'input_dim', undefined, 1);
  const dim = ctx.r.int(cfg.output_dim, 'output_dim', undefined, 1);
  const [table] = ctx.weightConstants([{ role: 'embeddings', shape: [vocab, dim] }]);
  return [ctx.add('embedding', [x, table], {})];
};

/** y = x * scale + offset; scale and offset are scalars or per-last-axis lists. */
export const rescalingLayer: Translator<RescalingConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const scale = ctx.r.numList(cfg.scale ?? 1, 'scale');
  const offset = ctx.r.numList(cfg.offset ?? 0, 'offset');
  const y = ctx.add('binary', [x, ctx.scalarConstant('scale', scale)], { fn: 'mul' }, offset.some((o) => o !== 0) ? 'scale' : undefined);
  if (offset.every((o) => o === 0)) return [y];
  return [ctx.add('binary', [y, ctx.scalarConstant('offset', offset)], { fn: 'add' })];
};

/** Keras backend.epsilon(): the floor on the standard deviation in Normalization. */
const NORMALIZATION_EPSILON = 1e-7;

/**
 * Normalization: (x - mean) / max(sqrt(variance), 1e-7) over the kept axes (Keras 3 and tf.keras >= 2.4),
 * or with invert=True x * max(sqrt(variance), 1e-7) + mean. Mean/variance come from the config when given
 * there, else from the weights (mean, variance[, count]).
 */
export const normalizationLayer: Translator<NormalizationConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const xs = ctx.shape(x);
  const rank = xs.length;
  const rawAxes = cfg.axis === undefined ? [-1] : cfg.axis === null ? [] : typeof cfg.axis === 'number' ? [cfg.axis] : cfg.axis;
  const keep = ctx.r.intList(rawAxes, 'axis').map((a) => positiveAxis(ctx, a, rank));
  if (keep.includes(0)) ctx.unsupported('normalising along the batch axis is not supported');
  const bshape = xs.slice(1).map((d, i) => (keep.includes(i + 1) ? d : 1));
  const n = bshape.reduce((a, b) => a * b, 1);
  const spread = (v: readonly number[] | Float32Array, what: string): Float32Array => {
    if (v.length === n) return Float32Array.from(v);
    if (v.length === 1) return new Float32Array(n).fill(v[0]);
    return ctx.fail(`${what} has ${v.length} values, the kept axes need ${n}`);
  };
  let mean: Float32Array;
  let variance: Float32Array;
  if (cfg.mean !== undefined && cfg.mean !== null && cfg.variance !== undefined && cfg.variance !== null) {
    mean = spread(ctx.r.numList(cfg.mean, 'mean'), 'mean');
    variance = spread(ctx.r.numList(cfg.variance, 'variance'), 'variance');
    ctx.weights([]);
  } else {
    const specs = [{ role: 'mean' }, { role: 'variance' }];
    const w = ctx.weights(ctx.weightCount() === 3 ? [...specs, { role: 'count' }] : specs);
    mean = spread(w[0].data, 'mean');
    variance = spread(w[1].data, 'variance');
  }
  const std = variance.map((v) => Math.max(Math.sqrt(v), NORMALIZATION_EPSILON));
  const shape = bshape.length > 0 ? bshape : [1];
  const meanId = ctx.constant('mean', shape, mean);
  const stdId = ctx.constant('std', shape, std);
  if (ctx.r.bool(cfg.invert, 'invert', false)) {
    const scaled = ctx.add('binary', [x, stdId], { fn: 'mul' }, 'scale');
    return [ctx.add('binary', [scaled, meanId], { fn: 'add' })];
  }
  const centred = ctx.add('binary', [x, meanId], { fn: 'sub' }, 'center');
  return [ctx.add('binary', [centred, stdId], { fn: 'div' })];
};
