// Builds the IR graph of a Keras model config (Sequential or Functional, any Keras version, nested models
// inlined) by running each layer call through the translator table, and fills the Keras-style LayerInfo.
// Functional models are wired as Keras does it: a layer's n-th inbound node produces the tensors that other
// layers reference as [layer, n, t]; nodes are processed as soon as all their inputs exist.

import { LimitExceededError, ModelFormatError, UnsupportedLayerError } from '../../core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import { GraphBuilder } from '../../ir/builder.js';
import type { FormatName, ImportedModel, LayerInfo } from '../types.js';
import { ValueShapeGuard } from '../value-guard.js';
import { batchShape, ConfigReader, isJsonObject, type KerasDialect } from './config-read.js';
import type { BaseLayerConfig, FunctionalConfig, Json, LayerSerialization, ModelSerialization, SequentialConfig, ShapeSpec, TensorRefSpec } from './config-types.js';
import { LayerContext, type ImportState } from './layer-context.js';
import { isSupportedClass, translatorFor } from './translators.js';
import type { WeightStore } from './weights.js';

export interface KerasModelInput {
  /** The parsed model JSON (model_config, config.json, modelTopology.model_config, to_json()). */
  readonly model: unknown;
  readonly file: string;
  readonly format: FormatName;
  readonly dialect: KerasDialect;
  /** Makes the weight store once every layer name of the model tree is known. */
  readonly weights: (layerNames: ReadonlySet<string>) => WeightStore;
  readonly meta: Readonly<Record<string, string>>;
  /** Size limits (layer count, nesting, every value's rank and elements); DEFAULT_LIMITS when absent. */
  readonly limits?: Limits;
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/** Deepest nesting of call arguments accepted (Limits.maxNesting bounds models inside models). */
const MAX_ARG_DEPTH = 32;

interface ModelIO {
  readonly inputs: number[];
  readonly outputs: number[];
  readonly inputNames: string[];
  readonly outputNames: string[];
}

interface Call {
  readonly refs: TensorRefSpec[];
}

interface InfoRow {
  name: string;
  className: string;
  key: string;
  shapes: number[][];
  inbound: string[];
  nested: boolean;
}

/** Imports a Keras model config with its weights into an ImportedModel. */
export function buildKerasModel(input: KerasModelInput): ImportedModel {
  const limits = input.limits ?? DEFAULT_LIMITS;
  const model = asModel(input.model, input.file, 'the model config', input.format);
  const names = new Set<string>();
  collectLayerNames(model, input.file, names, limits, { n: 0 });
  const store = input.weights(names);
  const b = new GraphBuilder({ ...input.meta }, input.file);
  const state: ImportState = {
    b,
    file: input.file,
    dialect: input.dialect,
    rawWeights: (path) => store.layerWeights(path),
    loaded: new Map(),
    constants: new Map(),
    params: new Map(),
  };
  const builder = new ModelBuilder(state, input.format, limits);
  const io = builder.build(model, []);
  const outputs = io.outputs.map((id, i) => {
    // A graph output that is also an input, or listed twice, gets its own identity node.
    if (io.inputs.includes(id) || io.outputs.indexOf(id) !== i) return b.add1('identity', [id], {}, { name: `${io.outputNames[i]}/output_${i}` });
    return id;
  });
  b.setOutputs(outputs);
  return {
    format: input.format,
    file: input.file,
    graph: b.finish(),
    layers: builder.layerInfos(),
    inputNames: io.inputNames,
    outputNames: io.outputNames,
  };
}

function fail(file: string, where: string, message: string): never {
  throw new ModelFormatError(message, { file, where });
}

/** Checks that a JSON value is a serialized layer: {class_name: string, config: ...}. */
function asLayer(v: unknown, file: string, where: string): LayerSerialization {
  if (!isJsonObject(v) || typeof v.class_name !== 'string') fail(file, where, `expected a layer {class_name, config}, got ${JSON.stringify(v)?.slice(0, 200)}`);
  if (v.config === undefined || v.config === null || typeof v.config !== 'object') fail(file, where, `layer of class ${v.class_name} has no config`);
  return v as unknown as LayerSerialization;
}

function asModel(v: unknown, file: string, where: string, format: string): ModelSerialization {
  const l = asLayer(v, file, where);
  if (!MODEL_CLASSES.has(l.class_name)) {
    throw new UnsupportedLayerError(format, l.class_name, layerNameOf(l) ?? where, 'only Sequential and Functional models can be imported (subclassed models hold Python code)', { file });
  }
  return l as unknown as ModelSerialization;
}

function layerNameOf(l: LayerSerialization<string, unknown>): string | undefined {
  const cfg = l.config as BaseLayerConfig | readonly LayerSerialization[];
  const n = l.name ?? (Array.isArray(cfg) ? undefined : (cfg as BaseLayerConfig).name);
  return typeof n === 'string' ? n : undefined;
}

function requireName(l: LayerSerialization<string, unknown>, file: string, where: string): string {
  const n = layerNameOf(l);
  if (n === undefined || n === '') fail(file, where, `layer of class ${l.class_name} has no name`);
  return n;
}

function sequentialLayers(m: ModelSerialization, file: string): LayerSerialization[] {
  const cfg = m.config as SequentialConfig | readonly LayerSerialization[];
  const list: unknown = Array.isArray(cfg) ? cfg : (cfg as SequentialConfig).layers;
  if (!Array.isArray(list)) fail(file, layerNameOf(m) ?? 'Sequential', 'Sequential config has no layer list');
  return (list as unknown[]).map((l, i) => asLayer(l, file, `layer #${i}`));
}

function functionalLayers(m: ModelSerialization, file: string): LayerSerialization[] {
  const cfg = m.config as FunctionalConfig;
  if (!Array.isArray(cfg.layers)) fail(file, layerNameOf(m) ?? m.class_name, 'Functional config has no layer list');
  return cfg.layers.map((l, i) => asLayer(l, file, `layer #${i}`));
}

function layersOf(m: ModelSerialization, file: string): LayerSerialization[] {
  return m.class_name === 'Sequential' ? sequentialLayers(m, file) : functionalLayers(m, file);
}

/** Every layer name of the model tree; also enforces the nesting and layer-count limits up front. */
function collectLayerNames(m: ModelSerialization, file: string, out: Set<string>, limits: Limits, count: { n: number }, depth = 0): void {
  if (depth > limits.maxNesting) throw new LimitExceededError(`models are nested more than maxNesting = ${limits.maxNesting} deep`, { file });
  const layers = layersOf(m, file);
  count.n += layers.length;
  if (count.n > limits.maxNodes) throw new LimitExceededError(`the model has more than maxNodes = ${limits.maxNodes} layers`, { file });
  for (const [i, l] of layers.entries()) {
    out.add(requireName(l, file, `layer #${i}`));
    if (MODEL_CLASSES.has(l.class_name)) collectLayerNames(l as unknown as ModelSerialization, file, out, limits, count, depth + 1);
  }
}

function isRef(v: unknown): v is TensorRefSpec {
  return Array.isArray(v) && v.length >= 3 && typeof v[0] === 'string' && Number.isInteger(v[1]) && Number.isInteger(v[2]);
}

/** input_layers / output_layers: a list of refs, or (Keras 3, one tensor) a single ref. */
function refList(v: unknown, file: string, where: string): TensorRefSpec[] {
  if (isRef(v)) return [v];
  if (!Array.isArray(v) || !v.every(isRef)) fail(file, where, `expected a list of [layer, node, tensor] references, got ${JSON.stringify(v)}`);
  return v as TensorRefSpec[];
}

/** Keras 3 symbolic tensors inside call args (nested in lists/dicts for merge layers). */
function kerasTensors(v: Json | undefined, out: TensorRefSpec[], file: string, depth = 0): TensorRefSpec[] {
  if (depth > MAX_ARG_DEPTH) throw new LimitExceededError(`call arguments are nested more than ${MAX_ARG_DEPTH} deep`, { file });
  if (Array.isArray(v)) for (const e of v) kerasTensors(e, out, file, depth + 1);
  else if (isJsonObject(v)) {
    if (v.class_name === '__keras_tensor__' && isJsonObject(v.config) && isRef(v.config.keras_history)) out.push(v.config.keras_history);
    else for (const e of Object.values(v)) kerasTensors(e, out, file, depth + 1);
  }
  return out;
}

function inboundCalls(l: LayerSerialization, file: string, name: string): Call[] {
  const nodes: unknown = l.inbound_nodes ?? [];
  if (!Array.isArray(nodes)) fail(file, name, 'inbound_nodes is not a list');
  return (nodes as unknown[]).map((node, k) => {
    if (Array.isArray(node)) {
      // Keras 1/2: [[layer, node, tensor, kwargs?], ...]
      const refs = node.map((e) => {
        if (!isRef(e)) fail(file, name, `inbound node ${k}: bad entry ${JSON.stringify(e)}`);
        return [e[0], e[1], e[2]] as TensorRefSpec;
      });
      return { refs };
    }
    if (isJsonObject(node) && Array.isArray(node.args)) {
      // Keras 3: {args: [...keras tensors...], kwargs: {...}}
      const refs = kerasTensors(node.args, [], file);
      if (kerasTensors(node.kwargs, [], file).length > 0) {
        throw new UnsupportedLayerError('keras', l.class_name, name, 'tensors passed as keyword arguments (e.g. mask=) are not supported', { file });
      }
      return { refs };
    }
    return fail(file, name, `inbound node ${k} has an unknown form: ${JSON.stringify(node)?.slice(0, 200)}`);
  });
}

/** Why a class has no translator, for the error message. */
function refusalReason(l: LayerSerialization): string {
  switch (l.class_name) {
    case 'Lambda':
      return 'Lambda layers hold Python code, which kerasrt never runs';
    case 'TFOpLambda':
    case 'SlicingOpLambda':
    case 'TensorFlowOpLayer':
      return 'TensorFlow-op layers hold raw TF calls, which kerasrt does not import';
  }
  const reg = l.registered_name;
  if (typeof reg === 'string' && reg !== l.class_name) return `custom registered layer "${reg}" (its code lives in Python, not in the file)`;
  if (typeof l.module === 'string' && !l.module.startsWith('keras')) return `custom layer from module "${l.module}" (its code lives in Python, not in the file)`;
  return 'this layer class is not supported';
}

class ModelBuilder {
  private readonly rows = new Map<string, InfoRow>();
  private readonly callCounts = new Map<string, number>();
  /** Layer calls made so far. */
  private calls = 0;
  /** Every graph value's shape against the limits, as layers are called (shape bombs). */
  private readonly guard: ValueShapeGuard;

  constructor(
    private readonly st: ImportState,
    private readonly format: FormatName,
    private readonly limits: Limits,
  ) {
    this.guard = new ValueShapeGuard(st.b, limits, st.file);
  }

  build(m: ModelSerialization, prefix: readonly string[], given?: readonly number[]): ModelIO {
    return m.class_name === 'Sequential' ? this.sequential(m, prefix, given) : this.functional(m, prefix, given);
  }

  layerInfos(): LayerInfo[] {
    return [...this.rows.values()].map((r) => {
      let params = 0;
      for (const [k, n] of this.st.params) if (k === r.key || (r.nested && k.startsWith(`${r.key}/`))) params += n;
      return { name: r.name, className: r.className, outputShapes: r.shapes, params, inbound: r.inbound };
    });
  }

  private reader(l: LayerSerialization, name: string): ConfigReader {
    return new ConfigReader(this.st.file, name, l.class_name);
  }

  /** The batch input shape a layer config declares, if any. */
  private declaredShape(l: LayerSerialization): ShapeSpec | undefined {
    if (MODEL_CLASSES.has(l.class_name)) {
      // A nested model as the first layer of a Sequential: its own input declares the shape.
      const m = l as unknown as ModelSerialization;
      const inner = layersOf(m, this.st.file);
      if (m.class_name === 'Sequential') return inner.length > 0 ? this.declaredShape(inner[0]) : undefined;
      const refs = refList((m.config as FunctionalConfig).input_layers, this.st.file, 'input_layers');
      const first = inner.find((x) => layerNameOf(x) === refs[0]?.[0]);
      return first ? this.declaredShape(first) : undefined;
    }
    const c = l.config as BaseLayerConfig;
    if (Array.isArray(l.config)) return undefined;
    if (c.batch_shape) return c.batch_shape;
    if (c.batch_input_shape) return c.batch_input_shape;
    if (c.input_shape) return [null, ...c.input_shape];
    if (typeof c.input_dim === 'number' && (l.class_name === 'Dense' || l.class_name === 'Embedding')) {
      return l.class_name === 'Dense' ? [null, c.input_dim] : typeof c.input_length === 'number' ? [null, c.input_length] : undefined;
    }
    return undefined;
  }

  private graphInput(name: string, spec: ShapeSpec, l: LayerSerialization): number {
    const r = this.reader(l, name);
    const id = this.st.b.input(name, batchShape(r.shapeSpec(spec, 'input shape'), r, 'input shape'));
    this.guard.check(name);
    return id;
  }

  private record(prefix: readonly string[], name: string, className: string, outs: readonly number[], inbound: readonly string[]): void {
    if (prefix.length > 0) return;
    let row = this.rows.get(name);
    if (!row) {
      row = { name, className, key: name, shapes: [], inbound: [], nested: MODEL_CLASSES.has(className) };
      this.rows.set(name, row);
    }
    for (const o of outs) row.shapes.push([...this.st.b.shape(o)]);
    for (const i of inbound) if (!row.inbound.includes(i)) row.inbound.push(i);
  }

  private call(l: LayerSerialization, prefix: readonly string[], name: string, inputs: readonly number[], inbound: readonly string[]): number[] {
    const path = [...prefix, name];
    const key = path.join('/');
    if (++this.calls > this.limits.maxNodes) throw new LimitExceededError(`the model makes more than maxNodes = ${this.limits.maxNodes} layer calls`, { file: this.st.file, where: key });
    const callIndex = this.callCounts.get(key) ?? 0;
    this.callCounts.set(key, callIndex + 1);
    let outs: number[];
    if (MODEL_CLASSES.has(l.class_name)) {
      outs = this.build(l as unknown as ModelSerialization, path, inputs).outputs;
    } else if (isSupportedClass(l.class_name)) {
      const ctx = new LayerContext(this.st, path, l.class_name, callIndex);
      const cfg = l.config as BaseLayerConfig;
      ctx.r.checkDtype(cfg.dtype);
      outs = translatorFor(l.class_name)(ctx, cfg, inputs);
      ctx.checkWeightsUsed();
    } else {
      throw new UnsupportedLayerError(this.format, l.class_name, name, refusalReason(l), { file: this.st.file, where: key });
    }
    this.guard.check(key);
    this.record(prefix, name, l.class_name, outs, inbound);
    return outs;
  }

  private sequential(m: ModelSerialization, prefix: readonly string[], given?: readonly number[]): ModelIO {
    const file = this.st.file;
    const layers = sequentialLayers(m, file);
    const modelName = layerNameOf(m) ?? 'sequential';
    if (layers.length === 0) fail(file, modelName, 'Sequential model has no layers');
    let i = 0;
    let cur: number;
    let inputName: string;
    const first = layers[0];
    const firstName = requireName(first, file, 'layer #0');
    if (given) {
      if (given.length !== 1) fail(file, modelName, `a Sequential model takes one input, it is called with ${given.length}`);
      cur = given[0];
      inputName = firstName;
      if (first.class_name === 'InputLayer') i = 1;
    } else {
      const cfg = Array.isArray(m.config) ? undefined : (m.config as SequentialConfig);
      let spec = this.declaredShape(first) ?? cfg?.build_input_shape ?? undefined;
      if (!spec) {
        const bc = m.build_config?.input_shape ?? first.build_config?.input_shape;
        if (Array.isArray(bc) && (bc.length === 0 || !Array.isArray(bc[0]))) spec = bc as ShapeSpec;
      }
      if (!spec) fail(file, modelName, 'the Sequential model does not declare its input shape (no InputLayer, batch_input_shape or build_input_shape)');
      inputName = first.class_name === 'InputLayer' ? firstName : `${firstName}_input`;
      cur = this.graphInput(inputName, spec, first);
      if (first.class_name === 'InputLayer') i = 1;
    }
    const input = cur;
    let lastName = inputName;
    for (; i < layers.length; i++) {
      const l = layers[i];
      const name = requireName(l, file, `layer #${i}`);
      const outs = this.call(l, prefix, name, [cur], []);
      if (outs.length !== 1) fail(file, name, `a layer inside a Sequential model must have one output, it has ${outs.length}`);
      cur = outs[0];
      lastName = name;
    }
    return { inputs: [input], outputs: [cur], inputNames: [inputName], outputNames: [lastName] };
  }

  private functional(m: ModelSerialization, prefix: readonly string[], given?: readonly number[]): ModelIO {
    const file = this.st.file;
    const modelName = layerNameOf(m) ?? 'model';
    const cfg = m.config as FunctionalConfig;
    const layers = functionalLayers(m, file);
    const byName = new Map<string, LayerSerialization>();
    layers.forEach((l, i) => {
      const n = requireName(l, file, `layer #${i}`);
      if (byName.has(n)) fail(file, n, `two layers are named "${n}"`);
      byName.set(n, l);
    });
    const inputRefs = refList(cfg.input_layers, file, `${modelName}.input_layers`);
    const outputRefs = refList(cfg.output_layers, file, `${modelName}.output_layers`);
    const produced = new Map<string, number[][]>();
    const inputs: number[] = [];
    if (given && given.length !== inputRefs.length) fail(file, modelName, `the model has ${inputRefs.length} input(s), it is called with ${given.length}`);
    inputRefs.forEach(([name], i) => {
      const l = byName.get(name);
      if (!l || l.class_name !== 'InputLayer') fail(file, modelName, `input "${name}" is not an InputLayer of the model`);
      let id: number;
      if (given) id = given[i];
      else {
        const spec = this.declaredShape(l);
        if (!spec) fail(file, name, 'InputLayer has no shape');
        id = this.graphInput(name, spec, l);
        this.record(prefix, name, 'InputLayer', [id], []);
      }
      produced.set(name, [[id]]);
      inputs.push(id);
    });
    const pending = layers
      .filter((l) => !produced.has(requireName(l, file, '')))
      .map((l) => ({ l, name: requireName(l, file, ''), calls: inboundCalls(l, file, requireName(l, file, '')), done: 0, offset: 0 }));
    // A nested model built with its own Input starts with a built-in node 0, so tf.keras 2, Keras 3 (for
    // Functional) and TF.js number its calls from 1 in references; older writers and Sequential-in-Keras-3
    // from 0. Which one applies shows in the references themselves: index n (the call count) only exists
    // when shifted, index 0 only when not.
    const allRefs = [...pending.flatMap((p) => p.calls.flatMap((c) => c.refs)), ...outputRefs];
    for (const p of pending) {
      if (!MODEL_CLASSES.has(p.l.class_name)) continue;
      const idx = allRefs.filter(([n]) => n === p.name).map(([, k]) => k);
      if (idx.includes(p.calls.length) && !idx.includes(0)) p.offset = 1;
    }
    // Nodes run as soon as all their inputs exist, in passes over the layer list in file order (that order
    // decides node and summary order). Only layers whose producers advanced since they were last blocked are
    // looked at again, so a long chain listed backwards costs O(references), not O(layers^2) passes.
    const consumers = new Map<string, number[]>();
    pending.forEach((p, i) => {
      for (const c of p.calls) {
        for (const [n] of c.refs) {
          if (!byName.has(n)) fail(file, p.name, `an inbound node names layer "${n}", which is not in the model`);
          const list = consumers.get(n) ?? [];
          if (list[list.length - 1] !== i) list.push(i);
          consumers.set(n, list);
        }
      }
    });
    for (const [n] of outputRefs) if (!byName.has(n)) fail(file, modelName, `output_layers names layer "${n}", which is not in the model`);
    let pass = new IndexHeap(pending.map((_, i) => i));
    while (pass.size > 0) {
      const later: number[] = [];
      let at = -1;
      while (pass.size > 0) {
        const i = pass.pop();
        if (i === at) continue;
        at = i;
        const p = pending[i];
        let advanced = false;
        while (p.done < p.calls.length) {
          const refs = p.calls[p.done].refs;
          const ins = refs.map(([n, k, t]) => produced.get(n)?.[k]?.[t]);
          if (ins.some((x) => x === undefined)) break;
          const outs = this.call(p.l, prefix, p.name, ins as number[], [...new Set(refs.map((r) => r[0]))]);
          const list = produced.get(p.name) ?? [];
          list[p.done + p.offset] = outs;
          produced.set(p.name, list);
          p.done++;
          advanced = true;
        }
        if (advanced) for (const c of consumers.get(p.name) ?? []) (c > i ? pass.push(c) : later.push(c));
      }
      pass = new IndexHeap(later);
    }
    const outputs = outputRefs.map(([n, k, t]) => {
      const id = produced.get(n)?.[k]?.[t];
      if (id === undefined) {
        const stuck = pending.filter((p) => p.done < p.calls.length).map((p) => p.name);
        return fail(file, n, `output [${n}, ${k}, ${t}] cannot be computed${stuck.length ? ` (layers waiting on missing inputs: ${stuck.slice(0, 5).join(', ')})` : ''}`);
      }
      return id;
    });
    const outNames = outputRefs.map(([n, , t], i) => (outputRefs.findIndex(([m2]) => m2 === n) === i ? n : `${n}:${t}`));
    return { inputs, outputs, inputNames: inputRefs.map(([n]) => n), outputNames: outNames };
  }
}

/** A min-heap of layer indices (the order of the current pass over the layer list). */
class IndexHeap {
  private readonly a: number[] = [];
  constructor(items: readonly number[]) {
    for (const x of items) this.push(x);
  }
  get size(): number {
    return this.a.length;
  }
  push(x: number): void {
    const a = this.a;
    let i = a.push(x) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (a[up] <= x) break;
      a[i] = a[up];
      i = up;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop() as number;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= a.length) break;
        if (c + 1 < a.length && a[c + 1] < a[c]) c++;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
