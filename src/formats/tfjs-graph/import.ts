// TF.js graph models: model.json ({format: 'graph-model', modelTopology: GraphDef-as-JSON, weightsManifest,
// signature}) and the older layout with no `format` key. Const nodes get their values from the weight shards
// (float32 and int32 side by side; uint8/uint16/float16 quantised floats), then the GraphDef driver
// translates the graph. Defaults for inputs/outputs come from the signature when the file has one.

import { ModelFormatError, UnsupportedFeatureError } from '../../core/errors.js';
import { halfToFloat } from '../graphdef/tensor.js';
import { hostTensor, sizeOfShape, type HostTensor } from '../graphdef/host.js';
import { tfGraphEndpoints, translateTfGraph, type GraphEndpoints, type GraphImportOptions, type TfGraphSource } from '../graphdef/translate.js';
import type { FileSource, ImportedModel } from '../types.js';
import { graphNodesFromJson, isObject } from './json-graph.js';

/** Is this parsed model.json a TF.js graph model? */
export function isTfjsGraphModel(json: unknown): boolean {
  if (!isObject(json)) return false;
  if (json['format'] === 'graph-model') return true;
  return json['format'] === undefined && isObject(json['modelTopology']) && Array.isArray(json['modelTopology']['node']);
}

const WIDTH: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

interface WeightSpec {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
  readonly quant?: { readonly dtype: string; readonly scale: number; readonly min: number };
}

function parseSpec(w: unknown, file: string): WeightSpec {
  const bad = (why: string): never => {
    throw new ModelFormatError(`weightsManifest: ${why} in ${JSON.stringify(w)?.slice(0, 200)}`, { file });
  };
  if (!isObject(w) || typeof w['name'] !== 'string' || typeof w['dtype'] !== 'string' || !Array.isArray(w['shape'])) return bad('a weight needs name, shape and dtype');
  const shape = w['shape'].map((d: unknown) => (typeof d === 'number' && Number.isInteger(d) && d >= 0 ? d : bad('bad shape')));
  const q = w['quantization'];
  let quant: WeightSpec['quant'];
  if (isObject(q)) {
    const dtype = q['dtype'];
    if (dtype !== 'uint8' && dtype !== 'uint16' && dtype !== 'float16') return bad(`unsupported quantization ${String(dtype)}`);
    const scale = q['scale'];
    const min = q['min'];
    if (dtype !== 'float16' && (typeof scale !== 'number' || typeof min !== 'number')) bad('quantization needs scale and min');
    quant = { dtype, scale: typeof scale === 'number' ? scale : 1, min: typeof min === 'number' ? min : 0 };
  }
  return { name: w['name'], shape, dtype: w['dtype'], quant };
}

function decodeWeight(s: WeightSpec, buf: Uint8Array, offset: number, file: string): HostTensor {
  const n = sizeOfShape(s.shape);
  const view = new DataView(buf.buffer, buf.byteOffset + offset, buf.byteLength - offset);
  const q = s.quant;
  if (q) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (q.dtype === 'uint8') out[i] = view.getUint8(i) * q.scale + q.min;
      else if (q.dtype === 'uint16') out[i] = view.getUint16(i * 2, true) * q.scale + q.min;
      else out[i] = halfToFloat(view.getUint16(i * 2, true));
    }
    return hostTensor(s.dtype === 'int32' ? 'int' : 'float', s.shape, s.dtype === 'int32' ? Float64Array.from(out, Math.round) : out);
  }
  switch (s.dtype) {
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      return hostTensor('float', s.shape, out);
    }
    case 'int32': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
      return hostTensor('int', s.shape, out);
    }
    case 'bool': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint8(i) ? 1 : 0;
      return hostTensor('bool', s.shape, out);
    }
  }
  throw new UnsupportedFeatureError(`weight "${s.name}" has dtype ${s.dtype}`, { file, where: s.name });
}

/** Reads every weight group's shards and decodes the weights, by name. */
export async function readGraphWeights(manifest: unknown, source: FileSource): Promise<Map<string, HostTensor>> {
  const file = source.name;
  const out = new Map<string, HostTensor>();
  if (manifest === undefined || manifest === null) return out;
  if (!Array.isArray(manifest)) throw new ModelFormatError('weightsManifest is not a list', { file });
  for (const [gi, g] of manifest.entries()) {
    if (!isObject(g) || !Array.isArray(g['paths']) || !Array.isArray(g['weights']) || !g['paths'].every((p: unknown) => typeof p === 'string')) {
      throw new ModelFormatError(`weightsManifest[${gi}] needs paths and weights lists`, { file });
    }
    const specs = g['weights'].map((w: unknown) => parseSpec(w, file));
    const shards = await Promise.all((g['paths'] as string[]).map((p) => source.readSibling(p)));
    const total = shards.reduce((s, b) => s + b.byteLength, 0);
    const buf = new Uint8Array(total);
    let at = 0;
    for (const s of shards) {
      buf.set(s, at);
      at += s.byteLength;
    }
    let offset = 0;
    for (const s of specs) {
      const width = WIDTH[s.quant ? s.quant.dtype : s.dtype];
      if (width === undefined) throw new UnsupportedFeatureError(`weight "${s.name}" has dtype ${s.dtype}`, { file, where: s.name });
      const bytes = sizeOfShape(s.shape) * width;
      if (offset + bytes > buf.byteLength) {
        throw new ModelFormatError(`weight "${s.name}" ends at byte ${offset + bytes}, but the shards of group ${gi} hold ${buf.byteLength}`, { file, where: s.name });
      }
      out.set(s.name, decodeWeight(s, buf, offset, file));
      offset += bytes;
    }
  }
  return out;
}

/** Signature tensor names ("input_layer:0") in key order, or undefined. */
function signatureNames(json: Record<string, unknown>, kind: 'inputs' | 'outputs'): string[] | undefined {
  const sig = json['signature'];
  if (!isObject(sig) || !isObject(sig[kind])) return undefined;
  const names = Object.values(sig[kind]).map((e) => (isObject(e) && typeof e['name'] === 'string' ? e['name'] : undefined));
  return names.length > 0 && names.every((n): n is string => n !== undefined) ? names : undefined;
}

async function graphSource(source: FileSource, parsed?: unknown): Promise<{ src: TfGraphSource; json: Record<string, unknown> }> {
  const file = source.name;
  let json = parsed;
  if (json === undefined) {
    try {
      json = JSON.parse(new TextDecoder('utf-8').decode(await source.readMain()));
    } catch (e) {
      throw new ModelFormatError(`model.json is not valid JSON (${e instanceof Error ? e.message : String(e)})`, { file });
    }
  }
  if (!isObject(json) || !isTfjsGraphModel(json)) throw new ModelFormatError('not a TF.js graph model (no graph-model format and no GraphDef modelTopology)', { file });
  // modelTopology.library (functions: tf.while_loop, tf.cond v2) is not read; a node calling one fails as an
  // unsupported op.
  const nodes = graphNodesFromJson(json['modelTopology'], file);
  const weights = await readGraphWeights(json['weightsManifest'], source);
  for (const n of nodes) {
    // The converter moves every Const's value into the shards; one that is in neither place would
    // silently read as zeros (TensorProto's rule for an empty value list), so refuse it.
    if (n.op !== 'Const' || weights.has(n.name)) continue;
    const t = n.attr?.['value']?.tensor;
    const dimsOf = t?.tensorShape?.dim ?? [];
    const count = dimsOf.reduce((a, d) => a * (d.size ?? 0), 1);
    const inline = t && (t.tensorContent?.length || [t.floatVal, t.intVal, t.int64Val, t.boolVal, t.doubleVal, t.halfVal, t.stringVal].some((v) => v && v.length > 0));
    if (count > 0 && !inline) throw new ModelFormatError(`Const "${n.name}" has no value: it is missing from weightsManifest`, { file, where: n.name });
  }
  const meta: Record<string, string> = {};
  for (const k of ['generatedBy', 'convertedBy'] as const) if (typeof json[k] === 'string') meta[k] = json[k] as string;
  return { src: { nodes, file, format: 'tfjs-graph', weights, meta }, json };
}

function withSignature(json: Record<string, unknown>, options: GraphImportOptions): GraphImportOptions {
  return {
    ...options,
    inputs: options.inputs ?? signatureNames(json, 'inputs'),
    outputs: options.outputs ?? signatureNames(json, 'outputs'),
  };
}

/** Imports a TF.js graph model; `parsed` is the already-parsed model.json when the caller has it. */
export async function importTfjsGraph(source: FileSource, options: GraphImportOptions = {}, parsed?: unknown): Promise<ImportedModel> {
  const { src, json } = await graphSource(source, parsed);
  return translateTfGraph(src, withSignature(json, options));
}

/** Placeholders, default outputs and other dangling nodes, for `kerasrt inspect`. */
export async function tfjsGraphEndpoints(source: FileSource, options: GraphImportOptions = {}, parsed?: unknown): Promise<GraphEndpoints> {
  const { src } = await graphSource(source, parsed);
  return tfGraphEndpoints(src, options);
}
