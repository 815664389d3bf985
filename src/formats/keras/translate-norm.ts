// Translators for BatchNormalization (inference form, moving statistics) and LayerNormalization.
// scale=False / center=False have no gamma / beta in the file: constant ones / zeros stand in.

import type { BatchNormalizationConfig, LayerNormalizationConfig } from './config-types.js';
import { positiveAxis, single, type Translator } from './translate-core.js';

export const batchNormalization: Translator<BatchNormalizationConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const xs = ctx.shape(x);
  const axes = Array.isArray(cfg.axis) ? ctx.r.intList(cfg.axis, 'axis') : [ctx.r.int(cfg.axis, 'axis', -1, -Infinity)];
  if (axes.length !== 1) ctx.unsupported(`normalising over several axes [${axes.join(', ')}] is not supported`);
  const axis = positiveAxis(ctx, axes[0], xs.length);
  if (axis === 0) ctx.fail('axis 0 is the batch');
  if (cfg.mode !== undefined && cfg.mode !== 0) ctx.unsupported(`Keras 1 mode ${String(cfg.mode)} (per-sample statistics) is not supported; only mode 0`);
  if (cfg.renorm === true) ctx.unsupported('batch renormalization is not supported');
  const c = xs[axis];
  const scale = ctx.r.bool(cfg.scale, 'scale', true);
  const center = ctx.r.bool(cfg.center, 'center', true);
  const specs = [
    ...(scale ? [{ role: 'gamma', shape: [c] }] : []),
    ...(center ? [{ role: 'beta', shape: [c] }] : []),
    { role: 'moving_mean', shape: [c] },
    { role: 'moving_variance', shape: [c] },
  ];
  const w = new Map(ctx.weights(specs).map((l) => [l.role, l.data]));
  const get = (role: string, fill: number): number => ctx.constant(role, [c], w.get(role) ?? new Float32Array(c).fill(fill));
  const epsilon = ctx.r.num(cfg.epsilon, 'epsilon', 1e-3);
  return [ctx.add('batchnorm', [x, get('gamma', 1), get('beta', 0), get('moving_mean', 0), get('moving_variance', 1)], { axis, epsilon })];
};

export const layerNormalization: Translator<LayerNormalizationConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const xs = ctx.shape(x);
  const raw = Array.isArray(cfg.axis) ? ctx.r.intList(cfg.axis, 'axis') : [ctx.r.int(cfg.axis, 'axis', -1, -Infinity)];
  const axes = raw.map((a) => positiveAxis(ctx, a, xs.length));
  if (axes.includes(0)) ctx.unsupported('normalising over the batch axis is not supported');
  if (cfg.rms_scaling === true) ctx.unsupported('rms_scaling is not supported');
  const pshape = axes.map((a) => xs[a]);
  const n = pshape.reduce((a, b) => a * b, 1);
  const scale = ctx.r.bool(cfg.scale, 'scale', true);
  const center = ctx.r.bool(cfg.center, 'center', true);
  const specs = [...(scale ? [{ role: 'gamma' }] : []), ...(center ? [{ role: 'beta' }] : [])];
  const loaded = ctx.weights(specs);
  for (const l of loaded) {
    if (l.data.length !== n) ctx.fail(`weight ${l.role} has shape [${l.shape.join(', ')}], expected [${pshape.join(', ')}]`);
  }
  const w = new Map(loaded.map((l) => [l.role, l.data]));
  const get = (role: string, fill: number): number => ctx.constant(role, pshape, w.get(role) ?? new Float32Array(n).fill(fill));
  return [ctx.add('layernorm', [x, get('gamma', 1), get('beta', 0)], { axes, epsilon: ctx.r.num(cfg.epsilon, 'epsilon', 1e-3) })];
};
