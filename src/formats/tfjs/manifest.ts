// The TF.js weightsManifest, shared by layers models (tfjs/import-tfjs-layers.ts) and graph models
// (tfjs-graph/import.ts): both list weight groups of shard files and the weights packed into them, in order.
// Everything the manifest claims is checked before any shard is read (group and shard counts, paths, shapes,
// dtypes, byte sizes and offsets), shards are then read one at a time against maxTotalBytes, and every
// weight's bytes must lie inside its group's shards.

import { concatBytes, float32sLE } from '../readers/bytes.js';
import { LimitExceededError, ModelFormatError, UnsupportedFeatureError } from '../../core/errors.js';
import { checkCount, checkTensorShape, checkedAdd, checkedMul, type Limits } from '../../core/limits.js';
import { halfToFloat } from '../graphdef/tensor.js';
import { safeRelativePath } from '../readers/file-source.js';
import type { FileSource } from '../types.js';

/** Bytes per element of the stored dtypes we decode (a Map: dtype strings come from the file). */
const BYTES: ReadonlyMap<string, number> = new Map([
  ['float32', 4],
  ['int32', 4],
  ['bool', 1],
  ['uint8', 1],
  ['uint16', 2],
  ['float16', 2],
]);

export interface ManifestEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
  readonly quant?: { readonly dtype: string; readonly scale: number; readonly min: number };
  readonly group: number;
  readonly offset: number;
  readonly bytes: number;
}

export interface Manifest {
  /** Shard paths per group, already checked to stay inside the model's folder. */
  readonly paths: readonly (readonly string[])[];
  readonly entries: readonly ManifestEntry[];
}

function isObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The weightsManifest, checked before any shard is read: group and shard counts (maxShards), weight count
 * (maxNodes), paths (safeRelativePath), every shape against the rank and element limits, byte sizes and
 * running offsets overflow-checked and within maxTotalBytes, dtypes from the allow-list, names unique.
 */
export function parseManifest(v: unknown, file: string, limits: Limits): Manifest {
  if (v === undefined || v === null) return { paths: [], entries: [] };
  if (!Array.isArray(v)) throw new ModelFormatError('weightsManifest is not a list', { file, where: 'weightsManifest' });
  const paths: string[][] = [];
  const entries: ManifestEntry[] = [];
  const names = new Set<string>();
  let shards = 0;
  (v as readonly unknown[]).forEach((g, gi) => {
    const where = `weightsManifest[${gi}]`;
    if (!isObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights) || !g.paths.every((p) => typeof p === 'string')) {
      throw new ModelFormatError(`${where} needs paths and weights lists`, { file, where });
    }
    shards += g.paths.length;
    checkCount(shards, limits, 'maxShards', 'weightsManifest shard files', { file, where });
    checkCount(entries.length + g.weights.length, limits, 'maxNodes', 'weightsManifest weights', { file, where });
    paths.push((g.paths as string[]).map((p) => safeRelativePath(p, file)));
    let offset = 0;
    for (const w of g.weights as readonly unknown[]) {
      const wname = isObject(w) && typeof w.name === 'string' ? w.name : undefined;
      const at = wname === undefined ? where : `${where} "${wname}"`;
      const bad = (why: string): never => {
        throw new ModelFormatError(`${where}: ${why} in ${JSON.stringify(w)?.slice(0, 200)}`, { file, where: at });
      };
      if (!isObject(w) || typeof w.name !== 'string' || typeof w.dtype !== 'string' || !Array.isArray(w.shape)) return bad('a weight needs name, shape and dtype');
      if (names.has(w.name)) bad(`weight "${w.name}" is listed twice`);
      names.add(w.name);
      const shape = (w.shape as readonly unknown[]).map((d) => (typeof d === 'number' && Number.isSafeInteger(d) && d >= 0 ? d : bad('bad shape')));
      const n = checkTensorShape(shape, limits, `weight "${w.name}"`, { file, where: at });
      let quant: ManifestEntry['quant'];
      const q = w.quantization;
      if (isObject(q)) {
        const qd = q.dtype;
        if (qd !== 'uint8' && qd !== 'uint16' && qd !== 'float16') bad(`unsupported quantization ${String(qd)}`);
        if (qd !== 'float16' && (typeof q.scale !== 'number' || typeof q.min !== 'number')) bad('quantization needs scale and min');
        quant = { dtype: qd as string, scale: typeof q.scale === 'number' ? q.scale : 1, min: typeof q.min === 'number' ? q.min : 0 };
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

/**
 * Reads each group's shards one at a time (so the source's byte limits stop a huge manifest early, and
 * never more than one shard is in flight), concatenates them, and checks that every weight's bytes are
 * inside its group.
 */
export async function readShards(m: Manifest, source: FileSource, limits: Limits): Promise<Uint8Array[]> {
  const file = source.name;
  const groups: Uint8Array[] = [];
  let total = 0;
  for (const ps of m.paths) {
    const parts: Uint8Array[] = [];
    for (const p of ps) {
      const part = await source.readSibling(p);
      total = checkedAdd(total, part.length, 'shard sizes', { file, where: p });
      if (total > limits.maxTotalBytes) throw new LimitExceededError(`shards total more than maxTotalBytes = ${limits.maxTotalBytes} bytes`, { file, where: p });
      parts.push(part);
    }
    // One shard (the usual case) is used as read: a concatenated copy would be one more allocation of the
    // whole weight size.
    groups.push(parts.length === 1 ? parts[0] : concatBytes(parts));
  }
  for (const e of m.entries) {
    const have = groups[e.group].length;
    if (e.offset + e.bytes > have) {
      throw new ModelFormatError(`weight "${e.name}" needs bytes ${e.offset}..${e.offset + e.bytes} but the shards of group ${e.group} (${m.paths[e.group].join(', ')}) hold ${have} (truncated?)`, { file, where: e.name });
    }
  }
  return groups;
}

/**
 * A weight's values (readShards checked that its bytes are in `groups`): floats (and dequantized floats) as
 * float32; int32 and bool as float64 so integers stay exact (quantized int32 weights are rounded, as TF.js
 * does).
 */
export function decodeEntry(e: ManifestEntry, groups: readonly Uint8Array[], file: string): Float32Array | Float64Array {
  const buf = groups[e.group];
  const n = e.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(buf.buffer, buf.byteOffset + e.offset, e.bytes);
  const q = e.quant;
  if (q) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (q.dtype === 'uint8') out[i] = view.getUint8(i) * q.scale + q.min;
      else if (q.dtype === 'uint16') out[i] = view.getUint16(i * 2, true) * q.scale + q.min;
      else out[i] = halfToFloat(view.getUint16(i * 2, true));
    }
    return e.dtype === 'int32' ? Float64Array.from(out, Math.round) : out;
  }
  switch (e.dtype) {
    case 'float32':
      return float32sLE(buf, e.offset, n);
    case 'int32': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    }
    case 'bool': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint8(i) ? 1 : 0;
      return out;
    }
  }
  throw new UnsupportedFeatureError(`weight "${e.name}" has dtype ${e.dtype}`, { file, where: e.name });
}
