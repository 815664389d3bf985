// Keras model configs -> trainable models: the inverse of src/train/save/config.ts. Reads Keras 3
// (config.json, `module` / `registered_name`, {args, kwargs} inbound nodes) and Keras 2 / TF.js
// (model_config, [[layer, node, tensor, kwargs]] inbound nodes) forms of the layers kerasrt can train.
// Used by the CLI (the founding models are defined as Keras configs in src/models/founding.ts) and by
// loadForTraining (src/train/load.ts).

import { ModelFormatError, UnsupportedLayerError } from '../core/errors.js';
import { initializerFromKeras, type Initializer } from './initializers.js';
import type { KerasActivation } from './layers/activations.js';
import { Layer, SymbolicTensor } from './layers/base.js';
import { AveragePooling2D, Conv2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D, type Padding } from './layers/conv.js';
import { Activation, Dense, Dropout, Flatten, Reshape, Softmax } from './layers/core.js';
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract } from './layers/merge.js';
import { BatchNormalization } from './layers/norm.js';
import { Conv1D, DepthwiseConv2D, Embedding, SeparableConv2D } from './layers/conv-extra.js';
import { input, LayersModel, Sequential, type ModelOptions } from './model.js';

type Obj = { readonly [k: string]: unknown };

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Reader {
  constructor(
    readonly file: string,
    readonly layer: string,
    readonly className: string,
    readonly cfg: Obj,
  ) {}

  fail(message: string): never {
    throw new ModelFormatError(`layer "${this.layer}" (${this.className}): ${message}`, { file: this.file, where: this.layer });
  }

  unsupported(why: string): never {
    throw new UnsupportedLayerError('keras', this.className, this.layer, why, { file: this.file });
  }

  num(key: string, dflt?: number): number {
    const v = this.cfg[key];
    if ((v === undefined || v === null) && dflt !== undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(`${key} must be a number, got ${JSON.stringify(v)}`);
    return v;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.cfg[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') return this.fail(`${key} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  pair(key: string, dflt?: number): [number, number] | undefined {
    const v = this.cfg[key];
    if (v === undefined || v === null) return dflt === undefined ? undefined : [dflt, dflt];
    if (typeof v === 'number') return [v, v];
    if (Array.isArray(v) && v.length === 2 && v.every((d) => typeof d === 'number')) return [v[0] as number, v[1] as number];
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return [v[0] as number, v[0] as number];
    return this.fail(`${key} must be a number or a pair, got ${JSON.stringify(v)}`);
  }

  padding(): Padding {
    const p = this.cfg.padding ?? 'valid';
    if (p === 'valid' || p === 'same') return p;
    return this.unsupported(`padding "${String(p)}" (only valid / same)`);
  }

  channelsLast(): void {
    const f = this.cfg.data_format;
    if (f !== undefined && f !== null && f !== 'channels_last') this.unsupported(`data_format ${String(f)} (training supports channels_last only)`);
  }

  activation(key = 'activation'): KerasActivation {
    const v = this.cfg[key];
    if (v === undefined || v === null) return 'linear';
    if (typeof v === 'string') return v as KerasActivation;
    if (isObj(v)) {
      if (typeof v.config === 'string') return v.config as KerasActivation;
      if (typeof v.registered_name === 'string') return v.registered_name as KerasActivation;
    }
    return this.unsupported(`activation ${JSON.stringify(v)}`);
  }

  initializer(key: string): Initializer | undefined {
    const v = this.cfg[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return undefined;
    if (isObj(v) && typeof v.class_name === 'string') return initializerFromKeras(v.class_name, isObj(v.config) ? v.config : {});
    return undefined;
  }
}

function nameOf(l: Obj): string | undefined {
  const cfg = isObj(l.config) ? l.config : {};
  const n = l.name ?? cfg.name;
  return typeof n === 'string' ? n : undefined;
}

function batchShapeOf(cfg: Obj): (number | null)[] | undefined {
  const s = cfg.batch_shape ?? cfg.batch_input_shape;
  if (Array.isArray(s)) return s as (number | null)[];
  if (Array.isArray(cfg.input_shape)) return [null, ...(cfg.input_shape as (number | null)[])];
  return undefined;
}

function perSample(shape: readonly (number | null)[], r: Reader): number[] {
  return shape.slice(1).map((d) => (typeof d === 'number' ? d : r.unsupported(`input shape [${shape.join(', ')}] has an unknown dim besides the batch`)));
}

/** One layer from its serialized form. */
export function layerFromConfig(l: Obj, file: string): Layer {
  const className = l.class_name;
  if (typeof className !== 'string') throw new ModelFormatError(`a layer has no class_name: ${JSON.stringify(l).slice(0, 200)}`, { file });
  const cfg = isObj(l.config) ? l.config : {};
  const name = nameOf(l) ?? '';
  const r = new Reader(file, name, className, cfg);
  const base = { name: name || undefined, trainable: r.bool('trainable', true) };
  switch (className) {
    case 'Dense':
      return new Dense({ ...base, units: r.num('units'), activation: r.activation(), useBias: r.bool('use_bias', true), kernelInitializer: r.initializer('kernel_initializer'), biasInitializer: r.initializer('bias_initializer') });
    case 'Conv2D': {
      r.channelsLast();
      if (r.num('groups', 1) !== 1) r.unsupported('groups > 1');
      return new Conv2D({
        ...base,
        filters: r.num('filters'),
        kernelSize: r.pair('kernel_size') as [number, number],
        strides: r.pair('strides', 1),
        padding: r.padding(),
        dilationRate: r.pair('dilation_rate', 1),
        activation: r.activation(),
        useBias: r.bool('use_bias', true),
        kernelInitializer: r.initializer('kernel_initializer'),
        biasInitializer: r.initializer('bias_initializer'),
      });
    }
    case 'Conv1D': {
      r.channelsLast();
      if (r.num('groups', 1) !== 1) r.unsupported('groups > 1');
      const pad = cfg.padding ?? 'valid';
      if (pad !== 'valid' && pad !== 'same' && pad !== 'causal') r.unsupported(`padding ${String(pad)}`);
      return new Conv1D({
        ...base,
        filters: r.num('filters'),
        kernelSize: (r.pair('kernel_size') as [number, number])[0],
        strides: (r.pair('strides', 1) as [number, number])[0],
        padding: pad as 'valid',
        dilationRate: (r.pair('dilation_rate', 1) as [number, number])[0],
        activation: r.activation(),
        useBias: r.bool('use_bias', true),
        kernelInitializer: r.initializer('kernel_initializer'),
        biasInitializer: r.initializer('bias_initializer'),
      });
    }
    case 'DepthwiseConv2D':
    case 'SeparableConv2D': {
      r.channelsLast();
      const args = {
        ...base,
        kernelSize: r.pair('kernel_size') as [number, number],
        strides: r.pair('strides', 1),
        padding: r.padding(),
        dilationRate: r.pair('dilation_rate', 1),
        depthMultiplier: r.num('depth_multiplier', 1),
        activation: r.activation(),
        useBias: r.bool('use_bias', true),
        depthwiseInitializer: r.initializer('depthwise_initializer'),
        biasInitializer: r.initializer('bias_initializer'),
      };
      if (className === 'DepthwiseConv2D') return new DepthwiseConv2D(args);
      return new SeparableConv2D({ ...args, filters: r.num('filters'), pointwiseInitializer: r.initializer('pointwise_initializer') });
    }
    case 'Embedding':
      if (cfg.mask_zero === true) r.unsupported('mask_zero');
      return new Embedding({ ...base, inputDim: r.num('input_dim'), outputDim: r.num('output_dim'), embeddingsInitializer: r.initializer('embeddings_initializer') });
    case 'MaxPooling2D':
    case 'MaxPool2D':
    case 'AveragePooling2D':
    case 'AvgPool2D': {
      r.channelsLast();
      const args = { ...base, poolSize: r.pair('pool_size', 2), strides: r.pair('strides'), padding: r.padding() };
      return className.startsWith('Max') ? new MaxPooling2D(args) : new AveragePooling2D(args);
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalAvgPool2D':
      r.channelsLast();
      return new GlobalAveragePooling2D({ ...base, keepdims: r.bool('keepdims', false) });
    case 'GlobalMaxPooling2D':
    case 'GlobalMaxPool2D':
      r.channelsLast();
      return new GlobalMaxPooling2D({ ...base, keepdims: r.bool('keepdims', false) });
    case 'Flatten':
      r.channelsLast();
      return new Flatten(base);
    case 'Reshape': {
      const t = cfg.target_shape;
      if (!Array.isArray(t) || !t.every((d) => typeof d === 'number')) return r.fail('target_shape must be a list of numbers');
      return new Reshape(t as number[], base);
    }
    case 'Dropout': {
      const ns = cfg.noise_shape;
      return new Dropout({ ...base, rate: r.num('rate', r.num('p', 0.5)), noiseShape: Array.isArray(ns) ? (ns as (number | null)[]) : undefined, seed: typeof cfg.seed === 'number' ? cfg.seed : undefined });
    }
    case 'Activation':
      return new Activation(r.activation(), base);
    case 'Softmax':
      return new Softmax({ ...base, axis: Array.isArray(cfg.axis) ? (cfg.axis[0] as number) : r.num('axis', -1) });
    case 'BatchNormalization': {
      const axis = Array.isArray(cfg.axis) ? (cfg.axis.length === 1 ? (cfg.axis[0] as number) : r.unsupported('several axes')) : r.num('axis', -1);
      if (cfg.renorm === true) r.unsupported('renorm');
      return new BatchNormalization({ ...base, axis, momentum: r.num('momentum', 0.99), epsilon: r.num('epsilon', 1e-3), center: r.bool('center', true), scale: r.bool('scale', true) });
    }
    case 'Add':
      return new Add(base);
    case 'Subtract':
      return new Subtract(base);
    case 'Multiply':
      return new Multiply(base);
    case 'Average':
      return new Average(base);
    case 'Maximum':
      return new Maximum(base);
    case 'Minimum':
      return new Minimum(base);
    case 'Concatenate':
      return new Concatenate({ ...base, axis: r.num('axis', -1) });
  }
  return r.unsupported('this layer class cannot be trained by kerasrt (supported: Dense, Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D, Embedding, pooling 2D, Flatten, Reshape, Dropout, Activation, Softmax, BatchNormalization, merge layers)');
}

/** [layer, node, tensor] references of one inbound node, Keras 2 or Keras 3 form. */
function inboundRefs(node: unknown, file: string, layer: string): [string, number, number][] {
  const refs: [string, number, number][] = [];
  const isRef = (v: unknown): v is [string, number, number] => Array.isArray(v) && v.length >= 3 && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number';
  if (Array.isArray(node)) {
    for (const e of node) {
      if (!isRef(e)) throw new ModelFormatError(`layer "${layer}": bad inbound entry ${JSON.stringify(e)}`, { file });
      refs.push([e[0], e[1], e[2]]);
    }
    return refs;
  }
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObj(v)) {
      if (v.class_name === '__keras_tensor__' && isObj(v.config) && isRef(v.config.keras_history)) refs.push([...v.config.keras_history] as [string, number, number]);
      else Object.values(v).forEach(walk);
    }
  };
  if (isObj(node)) walk(node.args);
  else throw new ModelFormatError(`layer "${layer}": inbound node of unknown form`, { file });
  return refs;
}

function refList(v: unknown): [string, number, number][] {
  if (Array.isArray(v) && v.length >= 3 && typeof v[0] === 'string') return [[v[0], v[1] as number, v[2] as number]];
  return (Array.isArray(v) ? v : []) as [string, number, number][];
}

/** A trainable model from a Keras model config (Sequential or Functional). */
export function modelFromConfig(config: unknown, options: ModelOptions & { file?: string } = {}): LayersModel {
  const file = options.file ?? 'model config';
  if (!isObj(config) || typeof config.class_name !== 'string') throw new ModelFormatError('not a Keras model config ({class_name, config})', { file });
  const cfg = isObj(config.config) ? config.config : {};
  const modelName = typeof cfg.name === 'string' ? cfg.name : undefined;
  const layerList = (Array.isArray(config.config) ? config.config : cfg.layers) as unknown;
  if (!Array.isArray(layerList)) throw new ModelFormatError('the model config has no layer list', { file });
  const entries = layerList.filter(isObj);
  if (config.class_name === 'Sequential') {
    const m = new Sequential([], { name: options.name ?? modelName, seed: options.seed });
    let first = true;
    for (const l of entries) {
      const lc = isObj(l.config) ? l.config : {};
      if (l.class_name === 'InputLayer') {
        const s = batchShapeOf(lc);
        if (!s) throw new ModelFormatError('InputLayer without a shape', { file });
        m.add(input(perSample(s, new Reader(file, nameOf(l) ?? 'input', 'InputLayer', lc)), { name: nameOf(l) }));
        first = false;
        continue;
      }
      if (first) {
        const s = batchShapeOf(lc) ?? (Array.isArray(cfg.build_input_shape) ? (cfg.build_input_shape as (number | null)[]) : undefined);
        if (s) m.add(input(perSample(s, new Reader(file, nameOf(l) ?? '', String(l.class_name), lc))));
        first = false;
      }
      m.add(layerFromConfig(l, file));
    }
    m.build();
    return m;
  }
  if (config.class_name !== 'Functional' && config.class_name !== 'Model') {
    throw new UnsupportedLayerError('keras', config.class_name, modelName ?? 'model', 'only Sequential and Functional models can be trained', { file });
  }
  const produced = new Map<string, SymbolicTensor[][]>();
  const pending: { l: Obj; name: string; layer?: Layer; nodes: unknown[]; done: number }[] = [];
  for (const l of entries) {
    const name = nameOf(l) ?? '';
    const lc = isObj(l.config) ? l.config : {};
    if (l.class_name === 'InputLayer') {
      const s = batchShapeOf(lc);
      if (!s) throw new ModelFormatError(`InputLayer "${name}" without a shape`, { file });
      produced.set(name, [[input(perSample(s, new Reader(file, name, 'InputLayer', lc)), { name })]]);
      continue;
    }
    pending.push({ l, name, nodes: Array.isArray(l.inbound_nodes) ? l.inbound_nodes : [], done: 0 });
  }
  let progress = true;
  while (progress) {
    progress = false;
    for (const p of pending) {
      while (p.done < p.nodes.length) {
        const refs = inboundRefs(p.nodes[p.done], file, p.name);
        const ins = refs.map(([n, k, t]) => produced.get(n)?.[k]?.[t]);
        if (ins.some((x) => x === undefined)) break;
        p.layer ??= layerFromConfig(p.l, file);
        const outs = p.layer.applyMulti(ins as SymbolicTensor[]);
        const list = produced.get(p.name) ?? [];
        list.push(outs);
        produced.set(p.name, list);
        p.done++;
        progress = true;
      }
    }
  }
  const pick = ([n, k, t]: [string, number, number]): SymbolicTensor => {
    const s = produced.get(n)?.[k]?.[t] ?? produced.get(n)?.[Math.max(0, k - 1)]?.[t];
    if (!s) throw new ModelFormatError(`model output / input [${n}, ${k}, ${t}] cannot be computed`, { file });
    return s;
  };
  return new LayersModel({ inputs: refList(cfg.input_layers).map(pick), outputs: refList(cfg.output_layers).map(pick), name: options.name ?? modelName, seed: options.seed }, 'Functional');
}
