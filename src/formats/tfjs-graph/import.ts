// TF.js graph models: model.json ({format: 'graph-model', modelTopology: GraphDef-as-JSON, weightsManifest,
// signature}) and the older layout with no `format` key. Const nodes get their values from the weight shards
// (float32 and int32 side by side; uint8/uint16/float16 quantised floats), then the GraphDef driver
// translates the graph. Defaults for inputs/outputs come from the signature when the file has one.

import { ModelFormatError } from '../../core/errors.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '../../core/limits.js';
import type { HostTensor } from '../graphdef/host.js';
import { parseJsonBytes } from '../keras/json.js';
import { decodeEntry, parseManifest, readShards } from '../tfjs/manifest.js';
import { tfGraphEndpoints, translateTfGraph, type GraphEndpoints, type GraphImportOptions, type TfGraphSource } from '../graphdef/translate.js';
import type { FileSource, ImportedModel } from '../types.js';
import { graphNodesFromJson, isObject } from './json-graph.js';

/** Is this parsed model.json a TF.js graph model? */
export function isTfjsGraphModel(json: unknown): boolean {
  if (!isObject(json)) return false;
  if (json['format'] === 'graph-model') return true;
  return json['format'] === undefined && isObject(json['modelTopology']) && Array.isArray(json['modelTopology']['node']);
}

/** Reads every weight group's shards (checked first, then one at a time) and decodes the weights, by name. */
export async function readGraphWeights(manifest: unknown, source: FileSource, limits: Limits = DEFAULT_LIMITS): Promise<Map<string, HostTensor>> {
  const m = parseManifest(manifest, source.name, limits);
  const groups = await readShards(m, source, limits);
  const out = new Map<string, HostTensor>();
  for (const e of m.entries) {
    const data = decodeEntry(e, groups, source.name);
    // Built directly, not by hostTensor: parseManifest checked the shape against these limits, and this runs
    // outside the (synchronous) scope in which constant folding is bound.
    out.set(e.name, { dtype: data instanceof Float32Array ? 'float' : e.dtype === 'bool' ? 'bool' : 'int', shape: e.shape, data });
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

async function graphSource(source: FileSource, limits: Limits, parsed?: unknown): Promise<{ src: TfGraphSource; json: Record<string, unknown> }> {
  const file = source.name;
  // The same JSON reader as every other format: size, depth and prototype keys checked before parsing.
  const json = parsed ?? parseJsonBytes(await source.readMain(), file, 'the model JSON', limits);
  if (!isObject(json) || !isTfjsGraphModel(json)) throw new ModelFormatError('not a TF.js graph model (no graph-model format and no GraphDef modelTopology)', { file });
  // modelTopology.library (functions: tf.while_loop, tf.cond v2) is not read; a node calling one fails as an
  // unsupported op.
  const nodes = graphNodesFromJson(json['modelTopology'], file);
  const weights = await readGraphWeights(json['weightsManifest'], source, limits);
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
  const limits = resolveLimits(options.limits);
  const { src, json } = await graphSource(source, limits, parsed);
  return translateTfGraph(src, withSignature(json, { ...options, limits }));
}

/** Placeholders, default outputs and other dangling nodes, for `kerasrt inspect`. */
export async function tfjsGraphEndpoints(source: FileSource, options: GraphImportOptions = {}, parsed?: unknown): Promise<GraphEndpoints> {
  const limits = resolveLimits(options.limits);
  const { src } = await graphSource(source, limits, parsed);
  return tfGraphEndpoints(src, { ...options, limits });
}
