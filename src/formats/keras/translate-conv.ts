// Translators for spatial layers: convolutions (1D via a height-1 conv2d), depthwise / separable / transposed
// convolutions, pooling, global pooling, zero padding, cropping and upsampling. The IR's spatial ops are NHWC;
// a channels_first layer is wrapped in transposes (NCHW -> NHWC -> NCHW), which passes can cancel. Every value
// in the graph keeps the layout Keras gives it, so Flatten & co. see exactly the Keras tensor.

import { kerasConvTransposePads } from '../../ops/conv2d-transpose.js';
import { computePads } from '../../ops/padding.js';
import type { ConvConfig, CroppingConfig, GlobalPoolingConfig, PaddingConfig, PoolingConfig, UpSamplingConfig } from './config-types.js';
import type { LayerContext } from './layer-context.js';
import { single, type Translator } from './translate-core.js';

type Format = 'channels_last' | 'channels_first';

/** NCHW -> NHWC (rank 4) or NCT -> NTC (rank 3). */
function toChannelsLast(ctx: LayerContext, x: number, format: Format): number {
  if (format === 'channels_last') return x;
  const rank = ctx.shape(x).length;
  const perm = rank === 3 ? [0, 2, 1] : [0, 2, 3, 1];
  return ctx.add('transpose', [x], { perm }, 'to_channels_last');
}

function toFormat(ctx: LayerContext, y: number, format: Format): number {
  if (format === 'channels_last') return y;
  const rank = ctx.shape(y).length;
  const perm = rank === 3 ? [0, 2, 1] : [0, 3, 1, 2];
  return ctx.add('transpose', [y], { perm }, 'to_channels_first');
}

function requireRank(ctx: LayerContext, x: number, rank: number): readonly number[] {
  const s = ctx.shape(x);
  if (s.length !== rank) ctx.fail(`needs an input of rank ${rank} (batch included), got [${s.join(', ')}]`);
  return s;
}

/** [N, T, C] -> [N, 1, T, C], so 1-D layers run as 2-D ops. */
function lift1d(ctx: LayerContext, x: number): number {
  const [, t, c] = ctx.shape(x);
  return ctx.add('reshape', [x], { shape: [-1, 1, t, c] }, 'to_2d');
}

function lower1d(ctx: LayerContext, y: number): number {
  const [, , t, c] = ctx.shape(y);
  return ctx.add('reshape', [y], { shape: [-1, t, c] }, 'to_1d');
}

interface ConvSpec {
  readonly filters: number;
  readonly kernel: number[];
  readonly strides: number[];
  readonly dilation: number[];
  readonly padding: 'same' | 'valid' | 'causal';
  readonly format: Format;
  readonly useBias: boolean;
}

function convSpec(ctx: LayerContext, cfg: ConvConfig, rank: 1 | 2, needFilters = true): ConvSpec {
  const r = ctx.r;
  const filters = needFilters ? r.int(cfg.filters ?? cfg.nb_filter, 'filters', undefined, 1) : 0;
  const kernel =
    cfg.kernel_size !== undefined ? r.tuple(cfg.kernel_size, rank, 'kernel_size') : rank === 2 ? [r.int(cfg.nb_row, 'nb_row', undefined, 1), r.int(cfg.nb_col, 'nb_col', undefined, 1)] : [r.int(cfg.filter_length, 'filter_length', undefined, 1)];
  const strides = r.tuple(cfg.strides ?? cfg.subsample ?? cfg.subsample_length, rank, 'strides', 1);
  const dilation = r.tuple(cfg.dilation_rate ?? cfg.atrous_rate, rank, 'dilation_rate', 1);
  return { filters, kernel, strides, dilation, padding: r.paddingMode(cfg, rank === 1), format: r.dataFormat(cfg), useBias: r.bool(cfg.use_bias ?? cfg.bias, 'use_bias', true) };
}

/** Keras 1 'th' kernels are [out, in, kh, kw]: made HWIO; Theano's kernels are flipped (true convolution). */
function keras1Kernel(data: Float32Array, shape: readonly number[], flip: boolean): Float32Array {
  const [o, i, kh, kw] = shape;
  const out = new Float32Array(data.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          const sy = flip ? kh - 1 - y : y;
          const sx = flip ? kw - 1 - x : x;
          out[((y * kw + x) * i + b) * o + a] = data[((a * i + b) * kh + sy) * kw + sx];
        }
  return out;
}

function flipHwio(data: Float32Array, shape: readonly number[]): Float32Array {
  const [kh, kw, i, o] = shape;
  const out = new Float32Array(data.length);
  const inner = i * o;
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++) out.set(data.subarray(((kh - 1 - y) * kw + (kw - 1 - x)) * inner, ((kh - 1 - y) * kw + (kw - 1 - x) + 1) * inner), (y * kw + x) * inner);
  return out;
}

function pads2d(spec: ConvSpec, h: number, w: number, kernel: readonly number[], strides: readonly number[], dilation: readonly number[]): [number, number, number, number] {
  const mode = spec.padding === 'causal' ? 'causal' : spec.padding;
  const [pt, pb] = mode === 'causal' ? [0, 0] : computePads(mode, h, kernel[0], strides[0], dilation[0]);
  const [pl, pr] = computePads(mode, w, kernel[1], strides[1], dilation[1]);
  return [pt, pb, pl, pr];
}

export const conv2d: Translator<ConvConfig> = (ctx, cfg, inputs) => {
  const spec = convSpec(ctx, cfg, 2);
  requireRank(ctx, single(ctx, inputs), 4);
  const x = toChannelsLast(ctx, inputs[0], spec.format);
  const [, h, w, c] = ctx.shape(x);
  const groups = ctx.r.int(cfg.groups, 'groups', 1, 1);
  if (c % groups !== 0) ctx.fail(`${c} input channels do not split into ${groups} groups`);
  const hwio = [spec.kernel[0], spec.kernel[1], c / groups, spec.filters];
  const keras1Th = cfg.nb_filter !== undefined && spec.format === 'channels_first';
  const kernelShape = keras1Th ? [spec.filters, c, spec.kernel[0], spec.kernel[1]] : hwio;
  const ws = ctx.weights(spec.useBias ? [{ role: 'kernel', shape: kernelShape }, { role: 'bias', shape: [spec.filters] }] : [{ role: 'kernel', shape: kernelShape }]);
  const theano = ctx.dialect.backend === 'theano';
  const kdata = keras1Th ? keras1Kernel(ws[0].data, kernelShape, theano) : theano ? flipHwio(ws[0].data, hwio) : ws[0].data;
  const ids = [ctx.constant('kernel', hwio, kdata), ...(spec.useBias ? [ctx.constant('bias', [spec.filters], ws[1].data)] : [])];
  const plan = ctx.activation(cfg.activation);
  const y = ctx.add('conv2d', [x, ...ids], {
    strides: [spec.strides[0], spec.strides[1]],
    dilations: [spec.dilation[0], spec.dilation[1]],
    pads: pads2d(spec, h, w, spec.kernel, spec.strides, spec.dilation),
    groups,
    activation: ctx.fusable(plan),
  });
  return [ctx.finish(toFormat(ctx, y, spec.format), plan)];
};

/** Conv1D as conv2d over [N, 1, T, C]; the kernel [k, cin, cout] (Keras 1: [k, 1, cin, cout]) becomes [1, k, cin, cout]. */
export const conv1d: Translator<ConvConfig> = (ctx, cfg, inputs) => {
  const spec = convSpec(ctx, cfg, 1);
  requireRank(ctx, single(ctx, inputs), 3);
  const x = toChannelsLast(ctx, inputs[0], spec.format);
  const [, t, c] = ctx.shape(x);
  const groups = ctx.r.int(cfg.groups, 'groups', 1, 1);
  if (c % groups !== 0) ctx.fail(`${c} input channels do not split into ${groups} groups`);
  const k = spec.kernel[0];
  const stored = cfg.nb_filter !== undefined ? [k, 1, c / groups, spec.filters] : [k, c / groups, spec.filters];
  const ws = ctx.weights(spec.useBias ? [{ role: 'kernel', shape: stored }, { role: 'bias', shape: [spec.filters] }] : [{ role: 'kernel', shape: stored }]);
  const ids = [ctx.constant('kernel', [1, k, c / groups, spec.filters], ws[0].data), ...(spec.useBias ? [ctx.constant('bias', [spec.filters], ws[1].data)] : [])];
  const [pl, pr] = computePads(spec.padding, t, k, spec.strides[0], spec.dilation[0]);
  const plan = ctx.activation(cfg.activation);
  const y = ctx.add('conv2d', [lift1d(ctx, x), ...ids], {
    strides: [1, spec.strides[0]],
    dilations: [1, spec.dilation[0]],
    pads: [0, 0, pl, pr],
    groups,
    activation: ctx.fusable(plan),
  });
  return [ctx.finish(toFormat(ctx, lower1d(ctx, y), spec.format), plan)];
};

export const depthwiseConv2d: Translator<ConvConfig> = (ctx, cfg, inputs) => {
  const spec = convSpec(ctx, cfg, 2, false);
  requireRank(ctx, single(ctx, inputs), 4);
  const x = toChannelsLast(ctx, inputs[0], spec.format);
  const [, h, w, c] = ctx.shape(x);
  const m = ctx.r.int(cfg.depth_multiplier, 'depth_multiplier', 1, 1);
  const kshape = [spec.kernel[0], spec.kernel[1], c, m];
  const ids = ctx.weightConstants(spec.useBias ? [{ role: 'depthwise_kernel', shape: kshape }, { role: 'bias', shape: [c * m] }] : [{ role: 'depthwise_kernel', shape: kshape }]);
  const plan = ctx.activation(cfg.activation);
  const y = ctx.add('depthwise_conv2d', [x, ...ids], {
    strides: [spec.strides[0], spec.strides[1]],
    dilations: [spec.dilation[0], spec.dilation[1]],
    pads: pads2d(spec, h, w, spec.kernel, spec.strides, spec.dilation),
    activation: ctx.fusable(plan),
  });
  return [ctx.finish(toFormat(ctx, y, spec.format), plan)];
};

/** SeparableConv1D/2D: a depthwise conv (no bias), then a 1x1 conv2d with the bias and the activation. */
function separable(rank: 1 | 2): Translator<ConvConfig> {
  return (ctx, cfg, inputs) => {
    const spec = convSpec(ctx, cfg, rank);
    requireRank(ctx, single(ctx, inputs), rank + 2);
    if (cfg.nb_filter !== undefined && spec.format === 'channels_first') ctx.unsupported("Keras 1 'th' dim ordering is not supported for separable convolutions");
    let x = toChannelsLast(ctx, inputs[0], spec.format);
    if (rank === 1) x = lift1d(ctx, x);
    const [, h, w, c] = ctx.shape(x);
    // TF.js (up to 4.x at least) does not write depth_multiplier for SeparableConv2D: read it off the kernel.
    const stored = ctx.weightShapes()[0];
    const m = ctx.r.int(cfg.depth_multiplier ?? (stored && stored.length === rank + 2 ? stored[rank + 1] : undefined), 'depth_multiplier', 1, 1);
    const k2 = rank === 1 ? [1, spec.kernel[0]] : spec.kernel;
    const s2 = rank === 1 ? [1, spec.strides[0]] : spec.strides;
    const d2 = rank === 1 ? [1, spec.dilation[0]] : spec.dilation;
    const dwStored = rank === 1 ? [spec.kernel[0], c, m] : [k2[0], k2[1], c, m];
    const pwStored = rank === 1 ? [1, c * m, spec.filters] : [1, 1, c * m, spec.filters];
    const specs = [
      { role: 'depthwise_kernel', shape: dwStored },
      { role: 'pointwise_kernel', shape: pwStored },
    ];
    const ws = ctx.weights(spec.useBias ? [...specs, { role: 'bias', shape: [spec.filters] }] : specs);
    const dw = ctx.constant('depthwise_kernel', [k2[0], k2[1], c, m], ws[0].data);
    const pw = ctx.constant('pointwise_kernel', [1, 1, c * m, spec.filters], ws[1].data);
    const pads = rank === 1 ? ([0, 0, ...computePads(spec.padding, w, k2[1], s2[1], d2[1])] as [number, number, number, number]) : pads2d(spec, h, w, k2, s2, d2);
    const mid = ctx.add('depthwise_conv2d', [x, dw], { strides: [s2[0], s2[1]], dilations: [d2[0], d2[1]], pads, activation: { fn: 'linear' } }, 'depthwise');
    const plan = ctx.activation(cfg.activation);
    const bias = spec.useBias ? [ctx.constant('bias', [spec.filters], ws[2].data)] : [];
    let y = ctx.add('conv2d', [mid, pw, ...bias], { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, activation: ctx.fusable(plan) });
    if (rank === 1) y = lower1d(ctx, y);
    return [ctx.finish(toFormat(ctx, y, spec.format), plan)];
  };
}
export const separableConv1d = separable(1);
export const separableConv2d = separable(2);

/** Conv2DTranspose (and Keras 1 Deconvolution2D, whose output size is given in the config). */
export const conv2dTranspose: Translator<ConvConfig> = (ctx, cfg, inputs) => {
  const spec = convSpec(ctx, cfg, 2);
  if (spec.padding === 'causal') ctx.fail('causal padding is for Conv1D only');
  const padding = spec.padding === 'causal' ? 'valid' : spec.padding;
  requireRank(ctx, single(ctx, inputs), 4);
  if (cfg.nb_filter !== undefined && spec.format === 'channels_first') ctx.unsupported("Keras 1 'th' dim ordering is not supported for Deconvolution2D");
  const x = toChannelsLast(ctx, inputs[0], spec.format);
  const [, h, w, c] = ctx.shape(x);
  const ids = ctx.weightConstants(
    spec.useBias ? [{ role: 'kernel', shape: [spec.kernel[0], spec.kernel[1], spec.filters, c] }, { role: 'bias', shape: [spec.filters] }] : [{ role: 'kernel', shape: [spec.kernel[0], spec.kernel[1], spec.filters, c] }],
  );
  let pads: [number, number, number, number];
  if (cfg.output_shape !== undefined) {
    // Keras 1 Deconvolution2D: the output size is explicit; TF places it as conv2d_transpose does.
    const os = ctx.r.shapeSpec(cfg.output_shape, 'output_shape');
    const outHW = spec.format === 'channels_first' ? [os[2], os[3]] : [os[1], os[2]];
    const axis = (inSize: number, i: number): [number, number] => {
      const out = ctx.r.int(outHW[i], 'output_shape');
      const full = (inSize - 1) * spec.strides[i] + (spec.kernel[i] - 1) * spec.dilation[i] + 1;
      const before = padding === 'same' ? Math.floor(Math.max(full - out, 0) / 2) : 0;
      return [before, full - out - before];
    };
    pads = [...axis(h, 0), ...axis(w, 1)];
  } else {
    const op = cfg.output_padding === undefined || cfg.output_padding === null ? null : ctx.r.tuple(cfg.output_padding, 2, 'output_padding', undefined, 0);
    pads = [
      ...kerasConvTransposePads(h, spec.kernel[0], spec.strides[0], spec.dilation[0], padding, op ? op[0] : null),
      ...kerasConvTransposePads(w, spec.kernel[1], spec.strides[1], spec.dilation[1], padding, op ? op[1] : null),
    ];
  }
  const plan = ctx.activation(cfg.activation);
  const y = ctx.add('conv2d_transpose', [x, ...ids], {
    strides: [spec.strides[0], spec.strides[1]],
    dilations: [spec.dilation[0], spec.dilation[1]],
    pads,
    activation: ctx.fusable(plan),
  });
  return [ctx.finish(toFormat(ctx, y, spec.format), plan)];
};

function pooling(type: 'max' | 'avg', rank: 1 | 2): Translator<PoolingConfig> {
  return (ctx, cfg, inputs) => {
    const r = ctx.r;
    requireRank(ctx, single(ctx, inputs), rank + 2);
    const size = rank === 1 ? r.tuple(cfg.pool_size ?? cfg.pool_length, 1, 'pool_size', 2) : r.tuple(cfg.pool_size, 2, 'pool_size', 2);
    const stridesCfg = cfg.strides ?? cfg.stride;
    const strides = stridesCfg === undefined || stridesCfg === null ? size : r.tuple(stridesCfg, rank, 'strides');
    const mode = r.paddingMode(cfg, false);
    const format = r.dataFormat(cfg);
    let x = toChannelsLast(ctx, inputs[0], format);
    if (rank === 1) x = lift1d(ctx, x);
    const [, h, w] = ctx.shape(x);
    const k2 = rank === 1 ? [1, size[0]] : size;
    const s2 = rank === 1 ? [1, strides[0]] : strides;
    const [pt, pb] = mode === 'same' && rank === 2 ? computePads('same', h, k2[0], s2[0]) : [0, 0];
    const [pl, pr] = mode === 'same' ? computePads('same', w, k2[1], s2[1]) : [0, 0];
    let y = ctx.add('pool2d', [x], { type, kernel: [k2[0], k2[1]], strides: [s2[0], s2[1]], pads: [pt, pb, pl, pr] });
    if (rank === 1) y = lower1d(ctx, y);
    return [toFormat(ctx, y, format)];
  };
}
export const maxPooling1d = pooling('max', 1);
export const maxPooling2d = pooling('max', 2);
export const averagePooling1d = pooling('avg', 1);
export const averagePooling2d = pooling('avg', 2);

function globalPooling(type: 'max' | 'mean', rank: 1 | 2): Translator<GlobalPoolingConfig> {
  return (ctx, cfg, inputs) => {
    const x = single(ctx, inputs);
    requireRank(ctx, x, rank + 2);
    const first = ctx.r.dataFormat(cfg) === 'channels_first';
    const axes = rank === 1 ? (first ? [2] : [1]) : first ? [2, 3] : [1, 2];
    return [ctx.add('reduce', [x], { type, axes, keepDims: ctx.r.bool(cfg.keepdims, 'keepdims', false) })];
  };
}
export const globalMaxPooling1d = globalPooling('max', 1);
export const globalMaxPooling2d = globalPooling('max', 2);
export const globalAveragePooling1d = globalPooling('mean', 1);
export const globalAveragePooling2d = globalPooling('mean', 2);

/** [[before, after], ...] for `n` spatial axes from Keras' padding/cropping forms. */
function spatialPairs(ctx: LayerContext, v: unknown, n: number, what: string, dflt: number): [number, number][] {
  const r = ctx.r;
  if (v === undefined || v === null) return new Array(n).fill(null).map(() => [dflt, dflt]);
  if (typeof v === 'number') {
    const p = r.int(v, what);
    return new Array(n).fill(null).map(() => [p, p]);
  }
  if (!Array.isArray(v)) return ctx.fail(`${what} must be a number or a list, got ${JSON.stringify(v)}`);
  const list = v as readonly unknown[];
  if (n === 1 && list.length === 2 && list.every((e) => typeof e === 'number')) return [[r.int(list[0], what), r.int(list[1], what)]];
  if (n === 2 && list.length === 4 && list.every((e) => typeof e === 'number')) {
    // Keras 1: (top, bottom, left, right)
    const [t, b, l, rr] = list.map((e) => r.int(e, what));
    return [
      [t, b],
      [l, rr],
    ];
  }
  if (list.length !== n) return ctx.fail(`${what} ${JSON.stringify(v)} needs ${n} entries`);
  return list.map((e) => {
    if (typeof e === 'number') {
      const p = r.int(e, what);
      return [p, p];
    }
    const pair = r.intList(e, what, 0);
    if (pair.length !== 2) ctx.fail(`${what} ${JSON.stringify(v)}: each entry must be a number or a [before, after] pair`);
    return [pair[0], pair[1]];
  });
}

function zeroPadding(rank: 1 | 2): Translator<PaddingConfig> {
  return (ctx, cfg, inputs) => {
    const x = single(ctx, inputs);
    requireRank(ctx, x, rank + 2);
    const pairs = spatialPairs(ctx, cfg.padding, rank, 'padding', 1);
    const first = rank === 2 && ctx.r.dataFormat(cfg) === 'channels_first';
    const none: [number, number] = [0, 0];
    const pads = first ? [none, none, ...pairs] : [none, ...pairs, none];
    return [ctx.add('pad', [x], { pads, value: 0 })];
  };
}
export const zeroPadding1d = zeroPadding(1);
export const zeroPadding2d = zeroPadding(2);

function cropping(rank: 1 | 2): Translator<CroppingConfig> {
  return (ctx, cfg, inputs) => {
    const x = single(ctx, inputs);
    const xs = requireRank(ctx, x, rank + 2);
    const pairs = spatialPairs(ctx, cfg.cropping, rank, 'cropping', rank === 1 ? 1 : 0);
    const first = rank === 2 && ctx.r.dataFormat(cfg) === 'channels_first';
    const spatial = first ? [2, 3] : rank === 1 ? [1] : [1, 2];
    const begin = xs.map(() => 0);
    const size = xs.map((d, i) => (i === 0 ? -1 : d));
    spatial.forEach((axis, i) => {
      const [a, b] = pairs[i];
      const left = xs[axis] - a - b;
      if (left < 0) ctx.fail(`cropping ${a} + ${b} is more than the ${xs[axis]} cells of axis ${axis}`);
      begin[axis] = a;
      size[axis] = left;
    });
    return [ctx.add('slice', [x], { begin, size })];
  };
}
export const cropping1d = cropping(1);
export const cropping2d = cropping(2);

export const upSampling2d: Translator<UpSamplingConfig> = (ctx, cfg, inputs) => {
  requireRank(ctx, single(ctx, inputs), 4);
  const size = ctx.r.tuple(cfg.size, 2, 'size', 2);
  const interpolation = ctx.r.str(cfg.interpolation, 'interpolation', 'nearest');
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') ctx.unsupported(`interpolation "${interpolation}" is not supported (nearest, bilinear)`);
  const mode: 'nearest' | 'bilinear' = interpolation === 'bilinear' ? 'bilinear' : 'nearest';
  const format = ctx.r.dataFormat(cfg);
  const y = ctx.add('upsample2d', [toChannelsLast(ctx, inputs[0], format)], { scale: [size[0], size[1]], mode });
  return [toFormat(ctx, y, format)];
};

/** UpSampling1D repeats each step `size` times: upsample2d over [N, T, 1, C]. */
export const upSampling1d: Translator<UpSamplingConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const [, t, c] = requireRank(ctx, x, 3);
  const size = ctx.r.int(typeof cfg.size === 'number' ? cfg.size : Array.isArray(cfg.size) ? cfg.size[0] : cfg.length, 'size', 2, 1);
  const x4 = ctx.add('reshape', [x], { shape: [-1, t, 1, c] }, 'to_2d');
  const y4 = ctx.add('upsample2d', [x4], { scale: [size, 1], mode: 'nearest' }, 'upsample');
  return [ctx.add('reshape', [y4], { shape: [-1, t * size, c] })];
};
