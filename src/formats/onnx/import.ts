// ONNX import (opsets 1-21, default domain): decode the ModelProto, order the nodes (some exporters store
// them out of order), fold constant subgraphs at import time, translate the rest through ops.ts. Weights
// come from initializers or Constant nodes. External data (weights in side files) is refused unless the
// caller passes { externalData: true }; then it is read only from files inside the model's folder.

import { ModelFormatError, UnsupportedFeatureError, UnsupportedLayerError, UsageError } from '../../core/errors.js';
import { DEFAULT_LIMITS, checkCount, checkTensorShape, checkedAdd, resolveLimits, type Limits } from '../../core/limits.js';
import { GraphBuilder } from '../../ir/builder.js';
import { decodeProto, scanFields } from '../graphdef/protobuf.js';
import { foldError, withHostLimits, type HostTensor } from '../graphdef/host.js';
import { safeRelativePath } from '../readers/file-source.js';
import type { FileSource, ImportedModel, LayerInfo } from '../types.js';
import { ValueShapeGuard } from '../value-guard.js';
import { NONE, OnnxNodeContext, plain, type OnnxImportState, type OnnxValue } from './context.js';
import { ONNX_OPS } from './ops.js';
import { MODEL_PROTO, type OnnxAttribute, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './schema.js';
import { decodeOnnxTensor, hasExternalData, onnxHostDtype, onnxTensorSize } from './tensor.js';

export interface OnnxImportOptions {
  /** Graph inputs to feed, in order (a subset/reordering of the declared ones). Default: all declared. */
  readonly inputs?: readonly string[];
  /** Values to output (any value name). Default: the graph outputs. */
  readonly outputs?: readonly string[];
  /** Shapes for inputs with symbolic dims besides the batch (use -1 for the batch). */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Safety limits (core/limits.ts); anything not given keeps its default. */
  readonly limits?: Partial<Limits>;
  /**
   * Read tensors whose data the file keeps in side files (TensorProto external_data). Off by default: a
   * model file would otherwise choose which files are read. When on, only files inside the model's folder
   * (safeRelativePath and the FileSource's own checks), within the byte limits.
   */
  readonly externalData?: boolean;
}

/** For load(): a well-formed protobuf with ModelProto's graph (field 7, a message). */
export function looksLikeOnnx(bytes: Uint8Array): boolean {
  return scanFields(bytes)?.get(7) === 2;
}

export function parseOnnx(bytes: Uint8Array, file: string, limits: Limits = DEFAULT_LIMITS): OnnxModel {
  // The decoded object follows schema.ts's OnnxModel by construction of MODEL_PROTO.
  const m = decodeProto(bytes, MODEL_PROTO, file, limits) as unknown as OnnxModel;
  if (!m.graph) throw new ModelFormatError('ONNX model has no graph', { file });
  return m;
}

function defaultOpset(m: OnnxModel, file: string): number {
  const sets = m.opsetImport ?? [];
  const main = sets.find((s) => s.domain === undefined || s.domain === '' || s.domain === 'ai.onnx');
  const v = main?.version ?? (sets.length === 0 ? 1 : undefined);
  if (v === undefined) throw new ModelFormatError('the model imports no version of the default ONNX opset', { file });
  if (v > 21) throw new UnsupportedFeatureError(`opset ${v} is newer than the supported 1-21`, { file });
  return v;
}

function inputShape(vi: OnnxValueInfo, options: OnnxImportOptions, file: string): number[] {
  const given = options.inputShapes?.[vi.name];
  if (given) return [...given];
  const tt = vi.type?.tensorType;
  if (!tt) throw new UnsupportedFeatureError(`input "${vi.name}" is not a tensor`, { file, where: vi.name });
  const dt = tt.elemType ?? 1;
  const kind = onnxHostDtype(dt);
  if (kind !== 'float' && kind !== 'int') throw new UnsupportedFeatureError(`input "${vi.name}" has ONNX type ${dt}; the runtime is float32`, { file, where: vi.name });
  const dims = tt.shape?.dim;
  if (!dims) throw new UnsupportedFeatureError(`input "${vi.name}" has an unknown rank; pass inputShapes`, { file, where: vi.name });
  const shape = dims.map((d) => (d.dimValue !== undefined && d.dimValue > 0 ? d.dimValue : -1));
  if (shape.slice(1).some((d) => d < 0)) {
    throw new UnsupportedFeatureError(`input "${vi.name}" has symbolic dims besides the batch [${dims.map((d) => d.dimParam ?? d.dimValue ?? '?').join(', ')}]; pass inputShapes: { "${vi.name}": [...] }`, { file, where: vi.name });
  }
  return shape;
}

/** Nodes needed for `targets`, in dependency order (iterative DFS; the file's order is not trusted). */
function orderNodes(g: OnnxGraph, targets: readonly string[], known: ReadonlySet<string>, file: string, targetsFromOptions: boolean): OnnxNode[] {
  const nodes = g.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.output ?? []) {
      if (o === '') continue;
      if (producer.has(o) || known.has(o)) throw new ModelFormatError(`value "${o}" is produced twice`, { file, where: o });
      producer.set(o, i);
    }
  });
  const state = new Uint8Array(nodes.length);
  const out: OnnxNode[] = [];
  for (const t of targets) {
    const start = producer.get(t);
    if (start === undefined) {
      if (known.has(t)) continue;
      // An output the caller named is the caller's mistake; one the file declares is the file's.
      if (targetsFromOptions) throw new UsageError(`no node produces "${t}"`, { file, where: t });
      throw new ModelFormatError(`graph output "${t}" is produced by no node`, { file, where: t });
    }
    if (state[start] === 2) continue;
    const stack: { i: number; next: number }[] = [{ i: start, next: 0 }];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const ins = nodes[top.i].input ?? [];
      if (top.next < ins.length) {
        const name = ins[top.next++];
        if (name === '' || known.has(name)) continue;
        const p = producer.get(name);
        if (p === undefined) throw new ModelFormatError(`value "${name}" (input of ${nodes[top.i].opType} "${nodes[top.i].name ?? ''}") is never produced`, { file, where: name });
        if (state[p] === 2) continue;
        if (state[p] === 1) throw new ModelFormatError('the graph has a cycle', { file, where: name });
        state[p] = 1;
        stack.push({ i: p, next: 0 });
      } else {
        state[top.i] = 2;
        out.push(nodes[top.i]);
        stack.pop();
      }
    }
  }
  return out;
}

export function translateOnnx(m: OnnxModel, file: string, options: OnnxImportOptions = {}): ImportedModel {
  const limits = resolveLimits(options.limits);
  return withHostLimits(limits, () => translate(m, file, options, limits));
}

function translate(m: OnnxModel, file: string, options: OnnxImportOptions, limits: Limits): ImportedModel {
  const g = m.graph!;
  const opset = defaultOpset(m, file);
  checkCount((g.node ?? []).length, limits, 'maxNodes', 'graph nodes', { file, where: 'graph.node' });
  checkCount((g.initializer ?? []).length, limits, 'maxNodes', 'initializers', { file, where: 'graph.initializer' });
  const values = new Map<string, OnnxValue>();
  const inits = new Set<string>();
  (g.initializer ?? []).forEach((t, i) => {
    if (!t.name) throw new ModelFormatError(`initializer ${i} has no name`, { file, where: `graph.initializer[${i}]` });
    values.set(t.name, { kind: 'host', t: decodeOnnxTensor(t, t.name, file, limits) });
    inits.add(t.name);
  });
  if ((g.sparseInitializer ?? []).length > 0) throw new UnsupportedFeatureError('sparse initializers are not supported', { file });

  const declared = (g.input ?? []).filter((vi) => !inits.has(vi.name));
  const inputNames = options.inputs ? [...options.inputs] : declared.map((vi) => vi.name);
  const meta: Record<string, string> = { format: 'onnx', opset: String(opset) };
  if (m.producerName) meta['producer'] = `${m.producerName}${m.producerVersion ? ` ${m.producerVersion}` : ''}`;
  if (m.irVersion !== undefined) meta['ir_version'] = String(m.irVersion);
  const b = new GraphBuilder(meta, file);
  const layers: LayerInfo[] = [];
  const owner = new Map<number, string>();
  for (const name of inputNames) {
    const vi = declared.find((d) => d.name === name);
    if (!vi) throw new UsageError(`"${name}" is not a graph input (inputs: ${declared.map((d) => d.name).join(', ')})`, { file });
    const shape = inputShape(vi, options, file);
    checkTensorShape(shape, limits, `input "${name}"`, { file, where: name });
    const id = b.input(name, shape);
    values.set(name, plain(id));
    owner.set(id, name);
    layers.push({ name, className: 'Input', outputShapes: [[...b.shape(id)]], params: 0, inbound: [] });
  }
  for (const vi of declared) {
    if (!values.has(vi.name)) values.set(vi.name, NONE);
  }

  const outputNames = options.outputs ? [...options.outputs] : (g.output ?? []).map((o) => o.name);
  if (outputNames.length === 0) throw new ModelFormatError('the graph declares no outputs', { file });
  const order = orderNodes(g, outputNames, new Set(values.keys()), file, options.outputs !== undefined);

  const state: OnnxImportState = { b, file, opset, constants: new WeakMap<HostTensor, number>(), layouts: new Map(), limits };
  // Every IR value's shape against the limits, node by node (shape bombs).
  const guard = new ValueShapeGuard(b, limits, file);
  for (const n of order) {
    const label = n.name || n.output?.[0] || n.opType;
    if (n.domain && n.domain !== 'ai.onnx') throw new UnsupportedLayerError('onnx', `${n.domain}.${n.opType}`, label, 'only the default ONNX domain is supported', { file });
    const entry = ONNX_OPS[n.opType];
    if (!entry) throw new UnsupportedLayerError('onnx', n.opType, label, 'no translation for this op', { file });
    const inNames = [...(n.input ?? [])];
    const ins = inNames.map((name) => {
      if (name === '') return NONE;
      const v = values.get(name);
      if (!v) throw new ModelFormatError(`value "${name}" is used before it is produced`, { file, where: label });
      if (v.kind === 'none') throw new UsageError(`graph input "${name}" is needed by "${label}" but not fed (options.inputs)`, { file, where: label });
      return v;
    });
    // Trailing omitted optional inputs carry no meaning.
    while (ins.length > 0 && ins[ins.length - 1].kind === 'none') ins.pop();
    const cx = new OnnxNodeContext(state, n, ins, inNames);
    let outs: OnnxValue[];
    try {
      if (entry.fold && ins.every((v) => v.kind !== 'tensor')) {
        const r = entry.fold(cx);
        outs = (Array.isArray(r) ? r : [r]).map((t: HostTensor): OnnxValue => ({ kind: 'host', t }));
      } else if (entry.translate) {
        const r = entry.translate(cx);
        outs = Array.isArray(r) ? [...(r as OnnxValue[])] : [r as OnnxValue];
      } else {
        outs = cx.fail('is only supported on constants, but an input is computed from the model input');
      }
    } catch (e) {
      throw foldError(e, `${n.opType} "${label}"`, { file, where: label });
    }
    guard.check(label);
    (n.output ?? []).forEach((o, k) => {
      if (o === '') return;
      const v = outs[k];
      if (v) values.set(o, v);
    });
    if (cx.added > 0) {
      const shapes = outs.filter((v) => v.kind === 'tensor').map((v) => cx.logicalShapeOf(v));
      const inbound = new Set<string>();
      for (const v of ins) if (v.kind === 'tensor') inbound.add(owner.get(v.id) ?? '?');
      for (const v of outs) if (v.kind === 'tensor' && !ins.some((i) => i.kind === 'tensor' && i.id === v.id)) owner.set(v.id, label);
      layers.push({ name: label, className: n.opType, outputShapes: shapes, params: cx.params, inbound: [...inbound] });
    }
  }

  const outIds = outputNames.map((name) => {
    const v = values.get(name);
    if (!v || v.kind === 'none') throw new UnsupportedLayerError('onnx', 'Output', name, 'this output is not produced (an optional output the translation does not support)', { file });
    if (v.kind === 'host') throw new UnsupportedLayerError('onnx', 'Output', name, 'the output is a constant (it does not depend on any input)', { file });
    const cx = new OnnxNodeContext(state, { opType: 'Output', name, input: [name], output: [] }, [v], [name]);
    const id = cx.logical(0);
    return b.inputs.includes(id) ? b.add1('identity', [id], {}, { name: `${name}/output` }) : id;
  });
  b.setOutputs(outIds);
  return { format: 'onnx', file, graph: b.finish(), layers, inputNames, outputNames };
}

export async function importOnnx(source: FileSource, options: OnnxImportOptions = {}): Promise<ImportedModel> {
  const limits = resolveLimits(options.limits);
  let m = parseOnnx(await source.readMain(), source.name, limits);
  if (options.externalData === true) m = await resolveExternalData(m, source, limits);
  return translateOnnx(m, source.name, { ...options, limits });
}

/**
 * Replaces external data references (initializers, Constant node tensors) by the bytes they point at. Each
 * reference is checked before its file is read: the path must stay inside the model's folder, the tensor's
 * shape within the limits, `length` (when given) equal to what the shape and dtype need, and offset + size
 * inside the file. Files are read one at a time and once each, through the source (file and total byte
 * limits).
 */
async function resolveExternalData(m: OnnxModel, source: FileSource, limits: Limits): Promise<OnnxModel> {
  const file = source.name;
  const files = new Map<string, Uint8Array>();
  const resolve = async (t: OnnxTensor, where: string): Promise<OnnxTensor> => {
    if (!hasExternalData(t)) return t;
    const name = t.name || where;
    const ctx = { file, where: name };
    const keys = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const loc = keys.get('location');
    if (loc === undefined) throw new ModelFormatError(`tensor "${name}" has external data without a location`, ctx);
    const path = safeRelativePath(loc, file);
    const int = (key: string): number | undefined => {
      const v = keys.get(key);
      if (v === undefined) return undefined;
      if (!/^\d{1,16}$/.test(v) || !Number.isSafeInteger(Number(v))) throw new ModelFormatError(`tensor "${name}": external data ${key} "${v}" is not a byte count`, ctx);
      return Number(v);
    };
    const offset = int('offset') ?? 0;
    const length = int('length');
    const { bytes } = onnxTensorSize(t, where, file, limits);
    if (bytes === undefined) throw new UnsupportedFeatureError(`tensor "${name}" has ONNX data type ${t.dataType ?? 0}, which is not supported`, ctx);
    if (length !== undefined && length !== bytes) throw new ModelFormatError(`tensor "${name}": external data length ${length} is not the ${bytes} bytes its dims and type need`, ctx);
    let data = files.get(path);
    if (data === undefined) {
      data = await source.readSibling(path);
      files.set(path, data);
    }
    const end = checkedAdd(offset, bytes, `tensor "${name}" external data end`, ctx);
    if (end > data.length) throw new ModelFormatError(`tensor "${name}" needs bytes ${offset}..${end} of "${path}", which has ${data.length}`, ctx);
    return { ...t, rawData: data.subarray(offset, end), externalData: undefined, dataLocation: undefined };
  };
  const g = m.graph!;
  const initializer: OnnxTensor[] = [];
  for (const [i, t] of (g.initializer ?? []).entries()) initializer.push(await resolve(t, `graph.initializer[${i}]`));
  const node: OnnxNode[] = [];
  for (const n of g.node ?? []) {
    const attribute: OnnxAttribute[] = [];
    for (const a of n.attribute ?? []) attribute.push(a.t ? { ...a, t: await resolve(a.t, n.name || n.output?.[0] || n.opType) } : a);
    node.push({ ...n, attribute });
  }
  return { ...m, graph: { ...g, initializer, node } };
}
