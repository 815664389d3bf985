// TF.js layers models: model.json ({format: 'layers-model', modelTopology: {keras_version, backend,
// model_config}, weightsManifest}) and the pre-1.0 layouts (no `format`; modelTopology = {keras_version,
// backend, model_config} from tfjs-converter 0.x, or the model config itself as tfjs-layers 0.x saved it).
// Weights are matched to layers by name ("conv2d_1/kernel"), never by manifest position.

import { LimitExceededError, ModelFormatError, UnsupportedFeatureError } from '../../core/errors.js';
import { DEFAULT_LIMITS, checkTensorShape, checkedAdd, checkedMul, type Limits } from '../../core/limits.js';
import { float32sLE } from '../readers/bytes.js';
import { isJsonObject, looksKeras3, makeDialect } from '../keras/config-read.js';
import type { Json, JsonObject } from '../keras/config-types.js';
import { stringField } from '../keras/json.js';
import { buildKerasModel } from '../keras/model-builder.js';
import { ownerOf, type RawWeight, type WeightStore } from '../keras/weights.js';
import type { FileSource, ImportedModel } from '../types.js';

/** Is this parsed model.json a TF.js layers model (rather than a graph model or something else)? */
export function isTfjsLayersJson(v: Json): v is JsonObject {
  if (!isJsonObject(v) || !isJsonObject(v.modelTopology)) return false;
  if (v.format === 'layers-model') return true;
  if (v.format !== undefined) return false;
  const t = v.modelTopology;
  return isJsonObject(t.model_config) || (typeof t.class_name === 'string' && t.config !== undefined);
}

/** Is it a TF.js graph model (GraphDef as JSON)? */
export function isTfjsGraphJson(v: Json): boolean {
  return isJsonObject(v) && (v.format === 'graph-model' || (isJsonObject(v.modelTopology) && Array.isArray(v.modelTopology.node)));
}

/** Bytes per element of the stored dtypes we decode (a Map: dtype strings come from the file). */
const BYTES: ReadonlyMap<string, number> = new Map([
  ['float32', 4],
  ['int32', 4],
  ['bool', 1],
  ['uint8', 1],
  ['uint16', 2],
  ['float16', 2],
]);

interface ManifestEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
  readonly quant?: { readonly dtype: string; readonly scale: number; readonly min: number };
  readonly group: number;
  readonly offset: number;
  readonly bytes: number;
}

function float16ToFloat32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decode(e: ManifestEntry, buf: Uint8Array, file: string): Float32Array {
  // parseManifest checked the shape against the limits and the shard sizes against offset + bytes.
  const n = e.shape.reduce((a, b) => a * b, 1);
  const q = e.quant;
  if (!q && e.dtype === 'float32') return float32sLE(buf, e.offset, n);
  const view = new DataView(buf.buffer, buf.byteOffset + e.offset, e.bytes);
  const out = new Float32Array(n);
  if (q) {
    for (let i = 0; i < n; i++) {
      if (q.dtype === 'uint8') out[i] = view.getUint8(i) * q.scale + q.min;
      else if (q.dtype === 'uint16') out[i] = view.getUint16(i * 2, true) * q.scale + q.min;
      else out[i] = float16ToFloat32(view.getUint16(i * 2, true));
    }
    return out;
  }
  switch (e.dtype) {
    case 'int32':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    case 'bool':
      for (let i = 0; i < n; i++) out[i] = view.getUint8(i) ? 1 : 0;
      return out;
  }
  throw new UnsupportedFeatureError(`weight "${e.name}" has dtype ${e.dtype}`, { file, where: e.name });
}

/**
 * The weightsManifest, checked before any shard is read: group and shard counts, every shape against the
 * rank and element limits, byte sizes and running offsets overflow-checked, dtypes from the allow-list.
 */
function parseManifest(v: Json | undefined, file: string, limits: Limits): { paths: string[][]; entries: ManifestEntry[] } {
  if (v === undefined || v === null) return { paths: [], entries: [] };
  if (!Array.isArray(v)) throw new ModelFormatError('weightsManifest is not a list', { file, where: 'weightsManifest' });
  const paths: string[][] = [];
  const entries: ManifestEntry[] = [];
  let shards = 0;
  (v as readonly Json[]).forEach((g, gi) => {
    const where = `weightsManifest[${gi}]`;
    if (!isJsonObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights) || !g.paths.every((p) => typeof p === 'string')) {
      throw new ModelFormatError(`${where} needs paths and weights lists`, { file, where });
    }
    shards += g.paths.length;
    if (shards > limits.maxShards) throw new LimitExceededError(`weightsManifest lists more than maxShards = ${limits.maxShards} shard files`, { file, where });
    if (entries.length + g.weights.length > limits.maxNodes) throw new LimitExceededError(`weightsManifest lists more than maxNodes = ${limits.maxNodes} weights`, { file, where });
    paths.push(g.paths as string[]);
    let offset = 0;
    for (const w of g.weights as readonly Json[]) {
      const wname = isJsonObject(w) && typeof w.name === 'string' ? w.name : undefined;
      const at = wname === undefined ? where : `${where} "${wname}"`;
      const bad = (why: string): never => {
        throw new ModelFormatError(`${where}: ${why} in ${JSON.stringify(w)?.slice(0, 200)}`, { file, where: at });
      };
      if (!isJsonObject(w) || typeof w.name !== 'string' || typeof w.dtype !== 'string' || !Array.isArray(w.shape)) return bad('a weight needs name, shape and dtype');
      const shape = (w.shape as readonly Json[]).map((d) => (typeof d === 'number' && Number.isSafeInteger(d) && d >= 0 ? d : bad('bad shape')));
      const n = checkTensorShape(shape, limits, `weight "${w.name}"`, { file, where: at });
      let quant: ManifestEntry['quant'];
      if (isJsonObject(w.quantization)) {
        const qd = w.quantization.dtype;
        if (qd !== 'uint8' && qd !== 'uint16' && qd !== 'float16') bad(`unsupported quantization ${String(qd)}`);
        const scale = w.quantization.scale;
        const min = w.quantization.min;
        if (qd !== 'float16' && (typeof scale !== 'number' || typeof min !== 'number')) bad('quantization needs scale and min');
        quant = { dtype: qd as string, scale: typeof scale === 'number' ? scale : 1, min: typeof min === 'number' ? min : 0 };
      }
      const per = BYTES.get(quant ? quant.dtype : w.dtype);
      if (per === undefined || (!quant && w.dtype !== 'float32' && w.dtype !== 'int32' && w.dtype !== 'bool')) {
        throw new UnsupportedFeatureError(`weight "${w.name}" has dtype ${w.dtype}${quant ? ` quantized as ${quant.dtype}` : ''} (supported: float32, int32, bool, and uint8/uint16/float16 quantization)`, { file, where: at });
      }
      const bytes = checkedMul(n, per, `weight "${w.name}" size`, { file, where: at });
      entries.push({ name: w.name, shape, dtype: w.dtype, quant, group: gi, offset, bytes });
      offset = checkedAdd(offset, bytes, `${where} offsets`, { file, where: at });
      if (offset > limits.maxTotalBytes) throw new LimitExceededError(`${where} needs more than maxTotalBytes = ${limits.maxTotalBytes} bytes of shards`, { file, where: at });
    }
  });
  return { paths, entries };
}

export async function importTfjsLayers(json: JsonObject, source: FileSource, limits: Limits = DEFAULT_LIMITS): Promise<ImportedModel> {
  const file = source.name;
  const topo = json.modelTopology;
  if (!isJsonObject(topo)) throw new ModelFormatError('modelTopology is missing', { file });
  const model = isJsonObject(topo.model_config) ? topo.model_config : topo;
  const kerasVersion = stringField(topo.keras_version) ?? stringField(isJsonObject(model) ? model.keras_version : undefined);
  const backend = stringField(topo.backend);
  const { paths, entries } = parseManifest(json.weightsManifest, file, limits);
  // Shards are read one at a time, so the source's byte limits stop a huge manifest early.
  const groups: Uint8Array[] = [];
  for (const ps of paths) {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (const p of ps) {
      const part = await source.readSibling(p);
      total = checkedAdd(total, part.length, 'shard sizes', { file, where: p });
      if (total > limits.maxTotalBytes) throw new LimitExceededError(`shards total more than maxTotalBytes = ${limits.maxTotalBytes} bytes`, { file, where: p });
      parts.push(part);
    }
    // One shard (the usual case) is used as read: a concatenated copy would be one more allocation of the
    // whole weight size.
    if (parts.length === 1) {
      groups.push(parts[0]);
      continue;
    }
    const buf = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      buf.set(p, o);
      o += p.length;
    }
    groups.push(buf);
  }
  entries.forEach((e) => {
    const have = groups[e.group].length;
    if (e.offset + e.bytes > have) {
      throw new ModelFormatError(`weight "${e.name}" needs bytes ${e.offset}..${e.offset + e.bytes} but the shards of group ${e.group} (${paths[e.group].join(', ')}) hold ${have} (truncated?)`, { file, where: e.name });
    }
  });
  const weights = (names: ReadonlySet<string>): WeightStore => {
    const byLayer = new Map<string, RawWeight[]>();
    for (const e of entries) {
      const owner = ownerOf(e.name, names);
      if (owner === undefined) continue;
      const list = byLayer.get(owner) ?? [];
      list.push({ name: e.name, shape: e.shape, read: () => decode(e, groups[e.group], file) });
      byLayer.set(owner, list);
    }
    return { description: `weightsManifest of ${file}`, layerWeights: (path) => byLayer.get(path[path.length - 1]) ?? [] };
  };
  const format = stringField(json.format);
  return buildKerasModel({
    model,
    file,
    format: 'tfjs-layers',
    dialect: makeDialect(kerasVersion, backend, isJsonObject(model) && looksKeras3(model)),
    weights,
    limits,
    meta: {
      format: 'tfjs-layers',
      keras_version: kerasVersion ?? '',
      backend: backend ?? '',
      ...(format ? { tfjs_format: format } : {}),
      ...(stringField(json.generatedBy) ? { generated_by: stringField(json.generatedBy) as string } : {}),
      ...(stringField(json.convertedBy) ? { converted_by: stringField(json.convertedBy) as string } : {}),
    },
  });
}
