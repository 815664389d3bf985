// The hostile corpus: hundreds of broken and malicious model files, generated from the valid seeds of
// seeds.ts (never from committed bytes), each with the outcome it must end in: a typed error of an expected
// class, or (NaN/Inf weights, harmless mutations) the documented success. Categories: truncation,
// wrong-magic, corruption, manifest (byte-length / dtype mismatches), graph (dangling, cyclic), shape-bomb,
// zip-bomb, deep-nesting, proto-keys, path-escape, refusal (Lambda, unknown layers, HDF5 links, virtual
// datasets, encryption), nan-inf, limits, fuzz-finding. corpus.test.ts runs every case in a worker with a
// memory cap and a 2 s timeout; scripts/make-hostile-corpus.mjs writes them out as files.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Limits } from '../../src/core/limits.js';
import { functionalKeras2, kerasH5Bytes, kerasV3Bytes, kerasWeightsH5Bytes, tfjsFilesOf, tinyCnnKeras2, writeH5, type Seed, type SeedFormat, type SeedWeight } from './seeds.js';
import { graphCases, idxGzipCases } from './corpus-graph.js';
import { writeZip } from './zip-writer.js';

export type Category =
  | 'truncation'
  | 'wrong-magic'
  | 'corruption'
  | 'manifest'
  | 'graph'
  | 'shape-bomb'
  | 'zip-bomb'
  | 'deep-nesting'
  | 'proto-keys'
  | 'path-escape'
  | 'refusal'
  | 'nan-inf'
  | 'limits'
  | 'fuzz-finding';

/** An error class name, 'KerasrtError' for any typed error, or 'ok' for the documented success. */
export type Outcome =
  | 'ok'
  | 'KerasrtError'
  | 'ModelFormatError'
  | 'UnsupportedLayerError'
  | 'UnsupportedFeatureError'
  | 'ShapeError'
  | 'LimitExceededError';

export type Parser = 'model' | 'npy' | 'idx';

export interface HostileCase {
  readonly id: string;
  readonly format: SeedFormat;
  readonly category: Category;
  readonly parser: Parser;
  readonly main: string;
  readonly files: Readonly<Record<string, Uint8Array>>;
  readonly expect: readonly Outcome[];
  readonly limits?: Partial<Limits>;
  /** ImportOptions.externalData (ONNX side files). */
  readonly externalData?: boolean;
  /** After a successful import: compile, predict on 0.5s, and require non-finite outputs (NaN/Inf weights). */
  readonly run?: { readonly inputSize: number; readonly expectNonFinite: boolean };
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
export const ANY: readonly Outcome[] = ['KerasrtError', 'ok'];
export const FORMAT: readonly Outcome[] = ['ModelFormatError'];
export const LIMIT: readonly Outcome[] = ['LimitExceededError'];

/** A deterministic PRNG (xorshift32) so the corpus is the same on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** About `n` cut points over a file: the first bytes (headers), evenly spread, and the last bytes. */
function cutPoints(len: number, n: number): number[] {
  const pts = new Set<number>([0, 1, 4, 8, 12, 24, 48, 96]);
  for (let k = 1; k < n - 8; k++) pts.add(Math.floor((len * k) / (n - 7)));
  pts.add(len - 1);
  pts.add(len - 8);
  pts.add(len - 22);
  return [...pts].filter((p) => p >= 0 && p < len).sort((a, b) => a - b);
}

export function withFile(files: Readonly<Record<string, Uint8Array>>, name: string, bytes: Uint8Array | undefined): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = { ...files };
  if (bytes === undefined) delete out[name];
  else out[name] = bytes;
  return out;
}

function findAll(hay: Uint8Array, needle: Uint8Array): number[] {
  const out: number[] = [];
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    out.push(i);
  }
  return out;
}

function u64le(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Deep-copies JSON-able data. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

type Json = Record<string, unknown>;

/** A config mutation: returns the new config (weights unchanged). */
type ConfigEdit = (cfg: Json) => Json;

interface ConfigAttack {
  readonly name: string;
  readonly category: Category;
  readonly base: 'functional' | 'cnn';
  readonly edit: ConfigEdit;
  readonly expect: readonly Outcome[];
  /** Raw text edit of the serialized config (proto keys, deep nesting), applied after `edit`. */
  readonly text?: (json: string) => string;
  readonly limits?: Partial<Limits>;
}

function fnLayers(cfg: Json): Json[] {
  return (cfg.config as { layers: Json[] }).layers;
}
function fnLayer(cfg: Json, name: string): Json {
  const l = fnLayers(cfg).find((x) => x.name === name);
  if (!l) throw new Error(`no layer ${name}`);
  return l;
}
function setInbound(cfg: Json, name: string, refs: unknown[][]): Json {
  fnLayer(cfg, name).inbound_nodes = [refs.map((r) => [...r, {}])];
  return cfg;
}
/** Adds a layer after `out` and makes it the output. */
function appendLayer(cfg: Json, layer: Json): Json {
  const name = (layer.config as { name: string }).name;
  fnLayers(cfg).push({ ...layer, name, inbound_nodes: [[['out', 0, 0, {}]]] });
  (cfg.config as Json).output_layers = [[name, 0, 0]];
  return cfg;
}
function cnnInsert(cfg: Json, at: number, layer: Json): Json {
  (cfg.config as { layers: Json[] }).layers.splice(at, 0, layer);
  return cfg;
}
export const deep = (n: number, leaf: string): string => '['.repeat(n) + leaf + ']'.repeat(n);

function nestedSequential(depth: number): Json {
  let inner: Json = { class_name: 'Dense', config: { name: 'd0', units: 2, batch_input_shape: [null, 4] } };
  for (let i = 0; i < depth; i++) inner = { class_name: 'Sequential', config: { name: `s${i}`, layers: [inner] } };
  return inner;
}

/** Config attacks applied to every container that carries a Keras config (TF.js, .h5, JSON + .h5, .keras). */
const CONFIG_ATTACKS: readonly ConfigAttack[] = [
  // graph: dangling and cyclic
  { name: 'dangling-inbound', category: 'graph', base: 'functional', edit: (c) => setInbound(c, 'add', [['a', 0, 0], ['ghost', 0, 0]]), expect: FORMAT },
  { name: 'cycle-two-layers', category: 'graph', base: 'functional', edit: (c) => setInbound(c, 'a', [['add', 0, 0]]), expect: FORMAT },
  { name: 'self-loop', category: 'graph', base: 'functional', edit: (c) => setInbound(c, 'b', [['b', 0, 0]]), expect: FORMAT },
  { name: 'cycle-three-layers', category: 'graph', base: 'functional', edit: (c) => setInbound(setInbound(c, 'a', [['out', 0, 0]]), 'b', [['a', 0, 0]]), expect: FORMAT },
  { name: 'output-names-missing-layer', category: 'graph', base: 'functional', edit: (c) => ((c.config as Json).output_layers = [['ghost', 0, 0]], c), expect: FORMAT },
  { name: 'input-is-not-input-layer', category: 'graph', base: 'functional', edit: (c) => ((c.config as Json).input_layers = [['a', 0, 0]], c), expect: FORMAT },
  { name: 'node-index-out-of-range', category: 'graph', base: 'functional', edit: (c) => setInbound(c, 'out', [['add', 7, 0]]), expect: FORMAT },
  { name: 'tensor-index-negative', category: 'graph', base: 'functional', edit: (c) => setInbound(c, 'out', [['add', 0, -1]]), expect: FORMAT },
  { name: 'duplicate-layer-names', category: 'graph', base: 'functional', edit: (c) => ((fnLayer(c, 'b').config as Json).name = 'a', (fnLayer(c, 'b').name = 'a'), c), expect: FORMAT },
  { name: 'inbound-not-a-list', category: 'graph', base: 'functional', edit: (c) => ((fnLayer(c, 'add').inbound_nodes = 'a'), c), expect: FORMAT },
  { name: 'inbound-entry-garbage', category: 'graph', base: 'functional', edit: (c) => ((fnLayer(c, 'add').inbound_nodes = [[[1, 'x', null]]]), c), expect: FORMAT },
  { name: 'layers-not-a-list', category: 'graph', base: 'functional', edit: (c) => (((c.config as Json).layers = { a: 1 }), c), expect: FORMAT },
  { name: 'no-config', category: 'graph', base: 'functional', edit: (c) => ({ class_name: c.class_name }), expect: FORMAT },
  // shape bombs: no allocation may follow a shape the limits refuse
  { name: 'repeat-vector-1e9', category: 'shape-bomb', base: 'functional', edit: (c) => appendLayer(c, { class_name: 'RepeatVector', config: { name: 'rep', n: 1e9 } }), expect: LIMIT },
  { name: 'input-1e12', category: 'shape-bomb', base: 'functional', edit: (c) => (((fnLayer(c, 'inp').config as Json).batch_input_shape = [null, 1e12]), c), expect: LIMIT },
  { name: 'input-rank-20', category: 'shape-bomb', base: 'functional', edit: (c) => (((fnLayer(c, 'inp').config as Json).batch_input_shape = [null, ...new Array(19).fill(1)]), c), expect: LIMIT },
  { name: 'input-dim-unsafe-integer', category: 'shape-bomb', base: 'functional', edit: (c) => (((fnLayer(c, 'inp').config as Json).batch_input_shape = [null, 2 ** 60]), c), expect: ['ModelFormatError', 'LimitExceededError'] },
  { name: 'input-dim-1e308', category: 'shape-bomb', base: 'functional', edit: (c) => (((fnLayer(c, 'inp').config as Json).batch_input_shape = [null, 1e308]), c), expect: ['ModelFormatError', 'LimitExceededError'] },
  { name: 'dense-units-1e12', category: 'shape-bomb', base: 'functional', edit: (c) => (((fnLayer(c, 'out').config as Json).units = 1e12), c), expect: ['ModelFormatError', 'LimitExceededError'] },
  { name: 'reshape-to-huge', category: 'shape-bomb', base: 'functional', edit: (c) => appendLayer(c, { class_name: 'Reshape', config: { name: 'rs', target_shape: [1e6, 1e6] } }), expect: ['ShapeError', 'LimitExceededError'] },
  { name: 'upsampling-1e5', category: 'shape-bomb', base: 'cnn', edit: (c) => cnnInsert(c, 1, { class_name: 'UpSampling2D', config: { name: 'up', size: [100000, 100000] } }), expect: LIMIT },
  { name: 'zero-padding-1e7', category: 'shape-bomb', base: 'cnn', edit: (c) => cnnInsert(c, 1, { class_name: 'ZeroPadding2D', config: { name: 'zp', padding: [[10_000_000, 10_000_000], [10_000_000, 10_000_000]] } }), expect: LIMIT },
  { name: 'cnn-input-1e6-square', category: 'shape-bomb', base: 'cnn', edit: (c) => ((((c.config as { layers: Json[] }).layers[0].config as Json).batch_input_shape = [null, 1e6, 1e6, 1]), c), expect: LIMIT },
  // deep nesting
  { name: 'json-depth-5000', category: 'deep-nesting', base: 'functional', edit: (c) => c, text: (t) => t.replace('"trainable":true', `"trainable":${deep(5000, 'true')}`), expect: LIMIT },
  { name: 'json-depth-300', category: 'deep-nesting', base: 'cnn', edit: (c) => c, text: (t) => t.replace('"trainable":true', `"trainable":${deep(300, '1')}`), expect: LIMIT },
  { name: 'models-nested-40-deep', category: 'deep-nesting', base: 'functional', edit: () => nestedSequential(40), expect: LIMIT },
  // prototype keys
  { name: 'proto-key-in-layer', category: 'proto-keys', base: 'functional', edit: (c) => c, text: (t) => t.replace('"name":"a"', '"__proto__":{"polluted":true},"name":"a"'), expect: FORMAT },
  { name: 'constructor-key', category: 'proto-keys', base: 'cnn', edit: (c) => c, text: (t) => t.replace('"name":"flatten"', '"constructor":{"prototype":{"polluted":true}},"name":"flatten"'), expect: FORMAT },
  { name: 'escaped-proto-key', category: 'proto-keys', base: 'functional', edit: (c) => c, text: (t) => t.replace('"name":"b"', '"\\u005f_proto__":{"polluted":true},"name":"b"'), expect: FORMAT },
  // refusal by allow-list
  { name: 'lambda-layer', category: 'refusal', base: 'cnn', edit: (c) => cnnInsert(c, 3, { class_name: 'Lambda', config: { name: 'lam', function: ['4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAQAAAHIBAAAA+gd0ZXN0LnB52gg8bGFtYmRhPgEAAADzAAAAAA==', null, null], function_type: 'lambda', module: 'builtins' } }), expect: ['UnsupportedLayerError'] },
  { name: 'unknown-layer', category: 'refusal', base: 'cnn', edit: (c) => cnnInsert(c, 3, { class_name: 'MyAttention', config: { name: 'att' } }), expect: ['UnsupportedLayerError'] },
  { name: 'custom-registered-layer', category: 'refusal', base: 'cnn', edit: (c) => cnnInsert(c, 3, { module: 'evil.layers', class_name: 'Gate', registered_name: 'evil>Gate', config: { name: 'gate' } }), expect: ['UnsupportedLayerError'] },
  { name: 'tf-op-lambda', category: 'refusal', base: 'cnn', edit: (c) => cnnInsert(c, 3, { class_name: 'TFOpLambda', config: { name: 'tf.math.add', function: 'math.add' } }), expect: ['UnsupportedLayerError'] },
  { name: 'subclassed-model', category: 'refusal', base: 'functional', edit: () => ({ class_name: 'MyModel', config: { name: 'mm' } }), expect: ['UnsupportedLayerError'] },
];

interface Bases {
  readonly functional: { config: Json; weights: readonly SeedWeight[] };
  readonly cnn: { config: Json; weights: readonly SeedWeight[] };
}

/** The config attacks in each container. */
async function configCases(bases: Bases, out: HostileCase[]): Promise<void> {
  for (const a of CONFIG_ATTACKS) {
    const base = bases[a.base];
    const cfg = a.edit(clone(base.config));
    let text = JSON.stringify(cfg);
    if (a.text) {
      const t = a.text(text);
      if (t === text) throw new Error(`attack ${a.name}: text edit matched nothing`);
      text = t;
    }
    const weights = base.weights;
    // TF.js layers: model.json carries the config as modelTopology.model_config.
    const tfjs = tfjsFilesOf({ __placeholder__: 1 }, weights);
    const tfjsJson = dec(tfjs['model.json']).replace('{"__placeholder__":1}', text);
    out.push({ id: `tfjs-layers/${a.name}`, format: 'tfjs-layers', category: a.category, parser: 'model', main: 'model.json', files: withFile(tfjs, 'model.json', enc(tfjsJson)), expect: a.expect, limits: a.limits });
    // Keras architecture JSON + weights-only HDF5.
    const wOnly = await kerasWeightsH5Bytes(weights);
    out.push({ id: `keras-json+h5/${a.name}`, format: 'keras-json+h5', category: a.category, parser: 'model', main: 'model.json', files: { 'model.json': enc(text), 'model.h5': wOnly }, expect: a.expect, limits: a.limits });
    // Legacy full-model HDF5: the config is the model_config attribute.
    const h5 = await kerasH5Bytes(text, weights);
    out.push({ id: `keras-h5/${a.name}`, format: 'keras-h5', category: a.category, parser: 'model', main: 'model.h5', files: { 'model.h5': h5 }, expect: a.expect, limits: a.limits });
    // Keras 3 .keras: config.json inside the zip.
    const keras = await kerasV3Bytes({ __placeholder__: 1 }, weights);
    out.push({ id: `keras-v3/${a.name}`, format: 'keras-v3', category: a.category, parser: 'model', main: 'model.keras', files: { 'model.keras': await swapZipEntry(keras, 'config.json', enc(text)) }, expect: a.expect, limits: a.limits });
  }
}

/** Rebuilds a stored zip with one entry replaced (entries kept in order, all stored). */
async function swapZipEntry(zip: Uint8Array, name: string, data: Uint8Array): Promise<Uint8Array> {
  const { readZip } = await import('../../src/formats/readers/zip.js');
  const entries = [...readZip(zip, 'seed.zip')].map(([n, d]) => ({ name: n, data: n === name ? data : d }));
  return writeZip(entries);
}

// ---------- container-level cases ----------

export function truncations(seed: Seed, file: string, n: number, expect: readonly Outcome[], out: HostileCase[]): void {
  const bytes = seed.files[file];
  for (const at of cutPoints(bytes.length, n)) {
    out.push({ id: `${seed.format}/${seed.id}/truncate-${file}-at-${at}`, format: seed.format, category: 'truncation', parser: parserOf(seed), main: seed.main, files: withFile(seed.files, file, bytes.slice(0, at)), expect });
  }
}

export function corruptions(seed: Seed, file: string, n: number, out: HostileCase[]): void {
  const bytes = seed.files[file];
  const r = prng(bytes.length * 31 + n);
  for (let k = 0; k < n; k++) {
    const b = bytes.slice();
    const flips = 1 + Math.floor(r() * 4);
    const at: number[] = [];
    for (let j = 0; j < flips; j++) {
      const i = Math.floor(r() * b.length);
      b[i] = Math.floor(r() * 256);
      at.push(i);
    }
    out.push({ id: `${seed.format}/${seed.id}/corrupt-${file}-${k}-at-${at.join('-')}`, format: seed.format, category: 'corruption', parser: parserOf(seed), main: seed.main, files: withFile(seed.files, file, b), expect: ANY });
  }
}

export function wrongMagic(seed: Seed, out: HostileCase[], expect: readonly Outcome[] = FORMAT): void {
  const bytes = seed.files[seed.main];
  const variants: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['first-byte-zero', concat(Uint8Array.of(0), bytes.subarray(1))],
    ['pk-header', concat(enc('PK\x03\x04'), bytes.subarray(4))],
    ['hdf5-signature-only', Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a)],
    ['text', enc('this is not a model file\n')],
  ];
  for (const [name, b] of variants) {
    if (b.length === bytes.length && b.every((x, i) => x === bytes[i])) continue; // the seed already starts so
    out.push({ id: `${seed.format}/${seed.id}/magic-${name}`, format: seed.format, category: 'wrong-magic', parser: parserOf(seed), main: seed.main, files: withFile(seed.files, seed.main, b), expect });
  }
}

function parserOf(seed: Seed): Parser {
  return seed.format === 'npy' ? 'npy' : seed.format === 'idx' ? 'idx' : 'model';
}

function editTfjsJson(seed: Seed, f: (j: Json) => void): Record<string, Uint8Array> {
  const j = JSON.parse(dec(seed.files['model.json'])) as Json;
  f(j);
  return withFile(seed.files, 'model.json', enc(JSON.stringify(j)));
}

type ManifestWeight = { name: string; shape: unknown; dtype: unknown; quantization?: unknown };
function manifestOf(j: Json): { paths: unknown[]; weights: ManifestWeight[] }[] {
  return j.weightsManifest as { paths: unknown[]; weights: ManifestWeight[] }[];
}

function tfjsCases(seed: Seed, out: HostileCase[]): void {
  const add = (name: string, category: Category, files: Record<string, Uint8Array>, expect: readonly Outcome[], limits?: Partial<Limits>): void => {
    out.push({ id: `tfjs-layers/${seed.id}/${name}`, format: 'tfjs-layers', category, parser: 'model', main: 'model.json', files, expect, limits });
  };
  const m = (name: string, category: Category, f: (j: Json) => void, expect: readonly Outcome[], limits?: Partial<Limits>): void => add(name, category, editTfjsJson(seed, f), expect, limits);
  const w0 = (j: Json): ManifestWeight => manifestOf(j)[0].weights[0];
  // manifest: byte-length and dtype mismatches
  m('kernel-shape-larger-than-shard', 'manifest', (j) => (w0(j).shape = [784, 100]), FORMAT);
  m('all-weights-doubled', 'manifest', (j) => manifestOf(j)[0].weights.forEach((w) => (w.shape = [...(w.shape as number[]), 2])), FORMAT);
  m('dtype-float64', 'manifest', (j) => (w0(j).dtype = 'float64'), ['UnsupportedFeatureError']);
  m('dtype-string', 'manifest', (j) => (w0(j).dtype = 'string'), ['UnsupportedFeatureError']);
  m('dtype-complex64', 'manifest', (j) => (w0(j).dtype = 'complex64'), ['UnsupportedFeatureError']);
  m('dtype-constructor', 'manifest', (j) => (w0(j).dtype = 'constructor'), ['UnsupportedFeatureError']);
  m('dtype-toString', 'manifest', (j) => (w0(j).dtype = 'toString'), ['UnsupportedFeatureError']);
  m('dtype-int32-reinterpreted', 'manifest', (j) => (w0(j).dtype = 'int32'), ['ok', 'KerasrtError']);
  m('dtype-bool-short', 'manifest', (j) => (w0(j).dtype = 'bool'), ['ok', 'ModelFormatError']);
  m('shape-negative', 'manifest', (j) => (w0(j).shape = [-1, 10]), FORMAT);
  m('shape-fraction', 'manifest', (j) => (w0(j).shape = [78.4, 100]), FORMAT);
  m('shape-string', 'manifest', (j) => (w0(j).shape = ['784', 10]), FORMAT);
  m('shape-not-list', 'manifest', (j) => (w0(j).shape = 7840), FORMAT);
  m('shape-1e308', 'manifest', (j) => (w0(j).shape = [1e308]), FORMAT);
  m('shape-elements-2e15', 'manifest', (j) => (w0(j).shape = [2 ** 25, 2 ** 26]), LIMIT);
  m('shape-overflow', 'manifest', (j) => (w0(j).shape = [2 ** 40, 2 ** 40, 2 ** 40]), LIMIT);
  m('shape-rank-30', 'manifest', (j) => (w0(j).shape = new Array(30).fill(1)), LIMIT);
  m('quantization-without-scale', 'manifest', (j) => (w0(j).quantization = { dtype: 'uint8' }), FORMAT);
  m('quantization-unknown', 'manifest', (j) => (w0(j).quantization = { dtype: 'int4', scale: 1, min: 0 }), FORMAT);
  m('quantized-uint8', 'manifest', (j) => (w0(j).quantization = { dtype: 'uint8', scale: 0.01, min: -1 }), ['ok']);
  m('weight-name-not-a-string', 'manifest', (j) => (w0(j).name = 42 as unknown as string), FORMAT);
  m('manifest-not-a-list', 'manifest', (j) => (j.weightsManifest = { paths: [] }), FORMAT);
  m('manifest-group-without-paths', 'manifest', (j) => (j.weightsManifest = [{ weights: [] }]), FORMAT);
  m('manifest-missing-shard', 'manifest', (j) => (manifestOf(j)[0].paths = ['nope.bin']), FORMAT);
  m('manifest-5000-shards', 'limits', (j) => (manifestOf(j)[0].paths = Array.from({ length: 5000 }, (_, i) => `s${i}.bin`)), LIMIT);
  m('manifest-duplicate-weights', 'manifest', (j) => manifestOf(j)[0].weights.push(w0(j)), FORMAT);
  m('manifest-empty', 'manifest', (j) => (j.weightsManifest = []), FORMAT);
  add('weights-bin-empty', 'manifest', withFile(seed.files, 'weights.bin', new Uint8Array(0)), FORMAT);
  add('weights-bin-extra-bytes', 'manifest', withFile(seed.files, 'weights.bin', concat(seed.files['weights.bin'], new Uint8Array(64))), ['ok']);
  // path escapes
  for (const [name, p] of [
    ['dotdot', '../secret.bin'],
    ['dotdot-nested', 'sub/../../secret.bin'],
    ['absolute', '/etc/passwd'],
    ['drive-letter', 'C:/Windows/win.ini'],
    ['backslash', '..\\secret.bin'],
    ['nul', 'weights.bin\u0000.png'],
    ['empty', ''],
    ['dot-only', './.'],
    ['url-encoded', '%2e%2e/secret.bin'],
    ['file-url', 'file:///etc/passwd'],
  ] as const) {
    m(`path-${name}`, 'path-escape', (j) => (manifestOf(j)[0].paths = [p]), FORMAT);
  }
  // proto keys in the manifest and the top level
  add('proto-key-top-level', 'proto-keys', withFile(seed.files, 'model.json', enc(dec(seed.files['model.json']).replace('{"format"', '{"__proto__":{"isAdmin":true},"format"'))), FORMAT);
  add('proto-key-in-manifest', 'proto-keys', withFile(seed.files, 'model.json', enc(dec(seed.files['model.json']).replace('"paths":', '"constructor":{"prototype":{"x":1}},"paths":'))), FORMAT);
  // JSON abuse
  add('json-depth-100000', 'deep-nesting', withFile(seed.files, 'model.json', enc(`{"a":${deep(100000, '0')}}`)), LIMIT);
  add('json-not-json', 'wrong-magic', withFile(seed.files, 'model.json', enc('{"format": "layers-model", modelTopology: }')), FORMAT);
  add('json-array', 'wrong-magic', withFile(seed.files, 'model.json', enc('[1,2,3]')), FORMAT);
  add('json-invalid-utf8', 'corruption', withFile(seed.files, 'model.json', concat(seed.files['model.json'].subarray(0, 40), Uint8Array.of(0xff, 0xfe, 0xc0), seed.files['model.json'].subarray(43))), ['KerasrtError', 'ok']);
  // NaN and Inf weights load and propagate (docs/robustness.md)
  const bin = new Float32Array(seed.files['weights.bin'].slice().buffer);
  const nan = bin.slice();
  nan[3] = NaN;
  add('nan-weight', 'nan-inf', withFile(seed.files, 'weights.bin', new Uint8Array(nan.buffer)), ['ok']);
  out[out.length - 1] = { ...out[out.length - 1], run: { inputSize: seed.inputSize ?? 0, expectNonFinite: true } };
  const inf = bin.slice();
  inf[5] = Infinity;
  add('inf-weight', 'nan-inf', withFile(seed.files, 'weights.bin', new Uint8Array(inf.buffer)), ['ok']);
  out[out.length - 1] = { ...out[out.length - 1], run: { inputSize: seed.inputSize ?? 0, expectNonFinite: true } };
  const allNan = new Float32Array(bin.length).fill(NaN);
  add('all-nan-weights', 'nan-inf', withFile(seed.files, 'weights.bin', new Uint8Array(allNan.buffer)), ['ok']);
  out[out.length - 1] = { ...out[out.length - 1], run: { inputSize: seed.inputSize ?? 0, expectNonFinite: true } };
  // limits
  add('limit-file-bytes', 'limits', seed.files as Record<string, Uint8Array>, LIMIT, { maxFileBytes: 1000 });
  add('limit-total-bytes', 'limits', seed.files as Record<string, Uint8Array>, LIMIT, { maxTotalBytes: seed.files['model.json'].length + 10 });
  add('limit-tensor-elements', 'limits', seed.files as Record<string, Uint8Array>, LIMIT, { maxTensorElements: 5 });
  add('limit-nodes', 'limits', seed.files as Record<string, Uint8Array>, LIMIT, { maxNodes: 1 });
  add('limit-json-bytes', 'limits', seed.files as Record<string, Uint8Array>, LIMIT, { maxJsonBytes: 100 });
  add('limit-json-depth', 'limits', seed.files as Record<string, Uint8Array>, LIMIT, { maxJsonDepth: 3 });
  add('limit-rank', 'limits', seed.files as Record<string, Uint8Array>, LIMIT, { maxRank: 1 });
  add('limit-shards', 'limits', editTfjsJson(seed, (j) => (manifestOf(j)[0].paths = ['weights.bin', 'weights.bin'])), LIMIT, { maxShards: 1 });
}

/** Byte-level HDF5 attacks on a legacy .h5 seed: dataspace and layout patches (no writer produces these). */
async function h5PatchCases(seed: Seed, out: HostileCase[]): Promise<void> {
  const bytes = seed.files[seed.main];
  const add = (name: string, category: Category, b: Uint8Array, expect: readonly Outcome[]): void => {
    out.push({ id: `${seed.format}/${seed.id}/${name}`, format: seed.format, category, parser: 'model', main: seed.main, files: withFile(seed.files, seed.main, b), expect });
  };
  const kernel = seed.weights?.find((x) => x.variable === 'kernel');
  if (!kernel) return;
  // Dataspace: the kernel's dims as consecutive u64 (HDF5 dataspace message, IV.A.2.b).
  const dims = concat(...kernel.shape.map(u64le));
  const at = findAll(bytes, dims);
  for (const [name, lastDim, expect] of [
    ['dataspace-1e12-elements', 2 ** 40, ['ModelFormatError', 'LimitExceededError']],
    ['dataspace-unsafe-dim', 2 ** 62, ['ModelFormatError', 'LimitExceededError']],
    ['dataspace-past-end-of-file', 4096, ['ModelFormatError']],
  ] as const) {
    if (at.length === 0) continue;
    const b = bytes.slice();
    for (const p of at) b.set(u64le(lastDim), p + 8 * (kernel.shape.length - 1));
    add(name, 'shape-bomb', b, expect);
  }
  // The same with a config that agrees with the patched dims, so the dataset's own checks must catch it:
  // the element limit, and data that would lie past the end of the file.
  if (seed.id === 'h5-beginner' && at.length > 0) {
    for (const [name, units, expect] of [
      ['dataset-5e10-elements-config-agrees', 2 ** 26, LIMIT],
      ['dataset-past-end-config-agrees', 20, FORMAT],
    ] as const) {
      const cfg = clone(seed.config) as Json;
      ((cfg.config as { layers: Json[] }).layers[0].config as Json).units = units;
      const b = await kerasH5Bytes(cfg, seed.weights ?? []);
      const spots = findAll(b, dims);
      for (const p of spots) b.set(u64le(units), p + 8);
      add(name, 'shape-bomb', b, expect);
    }
  }
  // Layout message v3 of a contiguous dataset: 03 01 <address u64> <size u64 = bytes of the kernel>.
  const size = u64le(kernel.data.length * 4);
  const layouts = findAll(bytes, size).filter((p) => p >= 10 && bytes[p - 10] === 3 && bytes[p - 9] === 1).map((p) => p - 10);
  const patchLayout = (name: string, category: Category, f: (b: Uint8Array, p: number) => void, expect: readonly Outcome[]): void => {
    if (layouts.length === 0) return;
    const b = bytes.slice();
    for (const p of layouts) f(b, p);
    add(name, category, b, expect);
  };
  patchLayout('layout-virtual-dataset', 'refusal', (b, p) => (b[p + 1] = 3), ['UnsupportedFeatureError']);
  patchLayout('layout-compact', 'refusal', (b, p) => (b[p + 1] = 0), ['UnsupportedFeatureError', 'ModelFormatError']);
  patchLayout('layout-unknown-class', 'corruption', (b, p) => (b[p + 1] = 9), FORMAT);
  patchLayout('layout-never-written', 'corruption', (b, p) => b.fill(0xff, p + 2, p + 10), FORMAT);
  patchLayout('layout-address-past-end', 'corruption', (b, p) => b.set(u64le(2 ** 40), p + 2), FORMAT);
  patchLayout('layout-address-unsafe', 'corruption', (b, p) => b.set(u64le(2 ** 63), p + 2), FORMAT);
}

/** HDF5 files with links and structures Keras never writes. */
async function h5StructureCases(bases: Bases, out: HostileCase[]): Promise<void> {
  const { config, weights } = bases.cnn;
  const text = JSON.stringify(config);
  const add = (name: string, category: Category, b: Uint8Array, expect: readonly Outcome[], limits?: Partial<Limits>): void => {
    out.push({ id: `keras-h5/structure/${name}`, format: 'keras-h5', category, parser: 'model', main: 'model.h5', files: { 'model.h5': b }, expect, limits });
  };
  const full = (extra: (mw: Parameters<Parameters<typeof writeH5>[0]>[0]) => void, names?: string[]): Promise<Uint8Array> =>
    writeH5((f) => {
      f.create_attribute('model_config', text);
      f.create_attribute('keras_version', '2.15.0');
      f.create_attribute('backend', 'tensorflow');
      const mw = f.create_group('model_weights');
      mw.create_attribute('layer_names', names ?? ['conv2d', 'max_pooling2d', 'flatten', 'dense'], null, 'S16');
      extra(f);
    });
  const writeLayer = (f: Parameters<Parameters<typeof writeH5>[0]>[0], layer: string, listNames = true): ReturnType<typeof f.create_group> => {
    const g = (f.get('model_weights') as ReturnType<typeof f.create_group>).create_group(layer);
    const mine = weights.filter((x) => x.layer === layer);
    if (listNames) g.create_attribute('weight_names', mine.map((x) => `${layer}/${x.variable}:0`), null, 'S32');
    const inner = g.create_group(layer);
    for (const x of mine) inner.create_dataset({ name: `${x.variable}:0`, data: x.data, shape: [...x.shape] });
    return g;
  };
  // soft link in place of a weight
  add('soft-link-weight', 'refusal', await full((f) => {
    writeLayer(f, 'conv2d');
    const g = (f.get('model_weights') as ReturnType<typeof f.create_group>).create_group('dense');
    g.create_attribute('weight_names', ['dense/kernel:0', 'dense/bias:0'], null, 'S32');
    const inner = g.create_group('dense');
    inner.create_soft_link('/model_weights/conv2d/conv2d/kernel:0', 'kernel:0');
    inner.create_dataset({ name: 'bias:0', data: new Float32Array(3), shape: [3] });
  }), ['UnsupportedFeatureError']);
  // external link to a host file
  add('external-link-weight', 'refusal', await full((f) => {
    writeLayer(f, 'conv2d');
    const g = (f.get('model_weights') as ReturnType<typeof f.create_group>).create_group('dense');
    g.create_attribute('weight_names', ['dense/kernel:0', 'dense/bias:0'], null, 'S32');
    const inner = g.create_group('dense');
    inner.create_external_link('/etc/passwd', '/data', 'kernel:0');
    inner.create_dataset({ name: 'bias:0', data: new Float32Array(3), shape: [3] });
  }), ['UnsupportedFeatureError']);
  // a layer group without weight_names is walked: a hard link back to an ancestor makes a cycle
  add('hard-link-cycle', 'graph', await full((f) => {
    writeLayer(f, 'conv2d');
    const g = writeLayer(f, 'dense', false);
    g.create_hard_link('/model_weights/dense', 'loop');
  }), FORMAT);
  // the same walk through groups nested 40 deep
  add('groups-nested-40-deep', 'deep-nesting', await full((f) => {
    writeLayer(f, 'conv2d');
    let g = writeLayer(f, 'dense', false);
    for (let i = 0; i < 40; i++) g = g.create_group(`g${i}`);
  }), LIMIT);
  // many objects against a small maxNodes
  add('many-groups-limit', 'limits', await full((f) => {
    writeLayer(f, 'conv2d');
    const g = writeLayer(f, 'dense', false);
    for (let i = 0; i < 40; i++) g.create_group(`g${i}`);
  }), LIMIT, { maxNodes: 20 });
  // weight_names lists a dataset that is not there
  add('weight-names-dangling', 'graph', await full((f) => {
    writeLayer(f, 'conv2d');
    const g = (f.get('model_weights') as ReturnType<typeof f.create_group>).create_group('dense');
    g.create_attribute('weight_names', ['dense/kernel:0', 'dense/ghost:0'], null, 'S32');
    g.create_group('dense').create_dataset({ name: 'kernel:0', data: new Float32Array(24), shape: [8, 3] });
  }), FORMAT);
  // a weight stored as float64 (allowed, converted), as int (allowed), as a string (refused)
  add('weight-float64', 'manifest', await full((f) => {
    writeLayer(f, 'conv2d');
    const g = (f.get('model_weights') as ReturnType<typeof f.create_group>).create_group('dense');
    g.create_attribute('weight_names', ['dense/kernel:0', 'dense/bias:0'], null, 'S32');
    const inner = g.create_group('dense');
    inner.create_dataset({ name: 'kernel:0', data: new Float64Array(24).fill(0.5), shape: [8, 3] });
    inner.create_dataset({ name: 'bias:0', data: new Float64Array(3), shape: [3] });
  }), ['ok']);
  add('weight-string-dtype', 'manifest', await full((f) => {
    writeLayer(f, 'conv2d');
    const g = (f.get('model_weights') as ReturnType<typeof f.create_group>).create_group('dense');
    g.create_attribute('weight_names', ['dense/kernel:0', 'dense/bias:0'], null, 'S32');
    const inner = g.create_group('dense');
    inner.create_dataset({ name: 'kernel:0', data: new Array(24).fill('x'), shape: [8, 3] });
    inner.create_dataset({ name: 'bias:0', data: new Float32Array(3), shape: [3] });
  }), ['UnsupportedFeatureError', 'ModelFormatError']);
  // a gzip-compressed (filtered) chunked weight: refused, Keras never writes them
  add('weight-gzip-filtered', 'refusal', await full((f) => {
    writeLayer(f, 'conv2d');
    const g = (f.get('model_weights') as ReturnType<typeof f.create_group>).create_group('dense');
    g.create_attribute('weight_names', ['dense/kernel:0', 'dense/bias:0'], null, 'S32');
    const inner = g.create_group('dense');
    inner.create_dataset({ name: 'kernel:0', data: new Float32Array(24), shape: [8, 3], chunks: [8, 3], compression: 'gzip' });
    inner.create_dataset({ name: 'bias:0', data: new Float32Array(3), shape: [3] });
  }), ['UnsupportedFeatureError']);
  // chunked but unfiltered: allowed
  add('weight-chunked-unfiltered', 'manifest', await full((f) => {
    writeLayer(f, 'conv2d');
    const g = (f.get('model_weights') as ReturnType<typeof f.create_group>).create_group('dense');
    g.create_attribute('weight_names', ['dense/kernel:0', 'dense/bias:0'], null, 'S32');
    const inner = g.create_group('dense');
    inner.create_dataset({ name: 'kernel:0', data: Float32Array.from({ length: 24 }, (_, i) => i / 24), shape: [8, 3], chunks: [2, 3] });
    inner.create_dataset({ name: 'bias:0', data: new Float32Array(3), shape: [3] });
  }), ['ok']);
  // NaN and Inf weights in HDF5
  for (const [name, v] of [['nan', NaN], ['inf', Infinity], ['neg-inf', -Infinity]] as const) {
    const bad = weights.map((x) => (x.layer === 'dense' && x.variable === 'kernel' ? { ...x, data: x.data.map((y, i) => (i === 2 ? v : y)) } : x));
    out.push({
      id: `keras-h5/structure/${name}-weight`, format: 'keras-h5', category: 'nan-inf', parser: 'model', main: 'model.h5',
      files: { 'model.h5': await kerasH5Bytes(config, bad) }, expect: ['ok'], run: { inputSize: 36, expectNonFinite: true },
    });
  }
  // version 1 B-trees (what h5py writes): a group B-tree whose root lists the same child node twice, the
  // building block of the exponential "shared node" walk; refused the second time the node is reached
  const old = await writeH5((f) => {
    f.create_attribute('model_config', text);
    f.create_attribute('keras_version', '2.15.0');
    const mw = f.create_group('model_weights');
    for (let i = 0; i < 200; i++) mw.create_group(`pad${i}`);
  }, true);
  const roots = findAll(old, enc('TREE')).filter((p) => old[p + 4] === 0 && old[p + 5] === 1 && (old[p + 6] | (old[p + 7] << 8)) >= 2);
  if (roots.length === 0) throw new Error('no level-1 group B-tree node in the old-format file');
  const shared = old.slice();
  shared.copyWithin(roots[0] + 48, roots[0] + 32, roots[0] + 40);
  add('btree-shared-child-node', 'graph', shared, FORMAT);
  // model_config abuse
  const attr = async (v: string): Promise<Uint8Array> =>
    writeH5((f) => {
      f.create_attribute('model_config', v);
      f.create_group('model_weights');
    });
  add('model-config-not-json', 'corruption', await attr('{"class_name": "Sequential", '), FORMAT);
  add('model-config-deep', 'deep-nesting', await attr(`{"class_name":"Sequential","config":${deep(3000, '1')}}`), LIMIT);
  add('model-config-proto', 'proto-keys', await attr('{"__proto__":{"polluted":1},"class_name":"Sequential","config":{"layers":[]}}'), FORMAT);
  add('model-config-number', 'corruption', await attr('42'), FORMAT);
  add('model-config-over-json-limit', 'limits', await attr(text), LIMIT, { maxJsonBytes: 64 });
  const noKeras = await writeH5((f) => f.create_dataset({ name: 'x', data: new Float32Array(4), shape: [4] }));
  add('hdf5-without-keras-model', 'wrong-magic', noKeras, FORMAT);
}

/** Zip-level attacks on .keras archives. */
async function zipCases(seed: Seed, out: HostileCase[]): Promise<void> {
  const { readZip } = await import('../../src/formats/readers/zip.js');
  const entries = [...readZip(seed.files[seed.main], seed.main)].map(([name, data]) => ({ name, data }));
  const add = (name: string, category: Category, b: Uint8Array, expect: readonly Outcome[], limits?: Partial<Limits>): void => {
    out.push({ id: `keras-v3/${seed.id}/${name}`, format: 'keras-v3', category, parser: 'model', main: seed.main, files: { [seed.main]: b }, expect, limits });
  };
  const weights = entries.find((e) => e.name === 'model.weights.h5') as { name: string; data: Uint8Array };
  const others = entries.filter((e) => e !== weights);
  // zip bombs
  const zeros = new Uint8Array(64 * 1024 * 1024);
  add('bomb-64mib-of-zeros', 'zip-bomb', writeZip([...others, { name: 'model.weights.h5', data: zeros, method: 8 }]), LIMIT);
  const zeros20 = new Uint8Array(20 * 1024 * 1024);
  add('bomb-lying-size', 'zip-bomb', writeZip([...others, { name: 'model.weights.h5', data: zeros20, method: 8, usize: weights.data.length, crc: 0 }]), FORMAT);
  add('bomb-declares-3gib', 'zip-bomb', writeZip([...others, { name: 'model.weights.h5', data: weights.data, usize: 3 * 2 ** 30 }]), LIMIT);
  add('bomb-declared-ratio', 'zip-bomb', writeZip([...others, { name: 'model.weights.h5', data: weights.data, method: 8, usize: 1_500_000_000 }]), LIMIT);
  add('bomb-10001-entries', 'zip-bomb', writeZip(Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}`, data: new Uint8Array(0) }))), LIMIT);
  add('bomb-total-over-limit', 'limits', seed.files[seed.main], LIMIT, { maxZipTotalBytes: 1000 });
  add('bomb-entry-over-limit', 'limits', seed.files[seed.main], LIMIT, { maxZipEntryBytes: 1000 });
  add('bomb-entries-over-limit', 'limits', seed.files[seed.main], LIMIT, { maxZipEntries: 2 });
  add('overlapping-entries', 'zip-bomb', writeZip([...others, weights, { name: 'again.h5', data: weights.data, localOf: others.length }]), FORMAT);
  add('count-lies', 'corruption', writeZip(entries, { count: 60_000 }), ['ModelFormatError', 'LimitExceededError']);
  add('cd-offset-past-end', 'corruption', writeZip(entries, { cdOffset: 0x7fffffff }), FORMAT);
  // entries
  add('crc-mismatch', 'corruption', writeZip([...others, { ...weights, crc: 0x12345678 }]), FORMAT);
  add('encrypted-entry', 'refusal', writeZip([...others, { ...weights, flags: 1 }]), ['UnsupportedFeatureError']);
  add('bzip2-entry', 'refusal', writeZip([...others, { ...weights, method: 12 }]), ['UnsupportedFeatureError']);
  add('duplicate-entry', 'corruption', writeZip([...entries, { ...weights }]), FORMAT);
  add('local-name-differs', 'corruption', writeZip([...others, { ...weights, localName: 'model.weights.h6' }]), FORMAT);
  add('stored-size-mismatch', 'corruption', writeZip([...others, { ...weights, csize: 10 }]), FORMAT);
  add('no-weights-entry', 'corruption', writeZip(others), FORMAT);
  add('no-config-entry', 'corruption', writeZip(entries.filter((e) => e.name !== 'config.json')), FORMAT);
  add('weights-not-hdf5', 'corruption', writeZip([...others, { name: 'model.weights.h5', data: enc('not hdf5') }]), FORMAT);
  add('weights-npz', 'refusal', writeZip([...others, { name: 'model.weights.npz', data: new Uint8Array(8) }]), FORMAT);
  add('empty-archive', 'corruption', writeZip([]), FORMAT);
  // path escapes in entry names
  for (const [name, p] of [
    ['dotdot', '../../evil.sh'],
    ['absolute', '/etc/cron.d/evil'],
    ['drive', 'C:/evil.bat'],
    ['backslash', '..\\evil'],
    ['nul', 'config.json\u0000.txt'],
    ['nested-dotdot', 'a/b/../../../evil'],
  ] as const) {
    add(`entry-${name}`, 'path-escape', writeZip([...entries, { name: p, data: enc('x') }]), FORMAT);
  }
  add('proto-entry-name', 'proto-keys', writeZip([...entries, { name: '__proto__', data: enc('{}') }]), ['ok']);
  // weights h5 truncated inside a valid zip
  for (const frac of [0.1, 0.5, 0.9]) {
    add(`weights-h5-cut-${frac}`, 'truncation', writeZip([...others, { name: 'model.weights.h5', data: weights.data.slice(0, Math.floor(weights.data.length * frac)) }]), FORMAT);
  }
  // NaN weights inside .keras
  if (seed.weights && seed.config) {
    const bad = seed.weights.map((x, i) => (i === 0 ? { ...x, data: x.data.map((y, k) => (k % 7 === 0 ? NaN : y)) } : x));
    out.push({
      id: `keras-v3/${seed.id}/nan-weights`, format: 'keras-v3', category: 'nan-inf', parser: 'model', main: seed.main,
      files: { [seed.main]: await kerasV3Bytes(seed.config, bad) }, expect: ['ok'], run: { inputSize: seed.inputSize ?? 0, expectNonFinite: true },
    });
  }
}

function npyCases(seed: Seed, out: HostileCase[]): void {
  const add = (name: string, category: Category, b: Uint8Array, expect: readonly Outcome[]): void => {
    out.push({ id: `npy/${name}`, format: 'npy', category, parser: 'npy', main: seed.main, files: { [seed.main]: b }, expect });
  };
  const npy = (dict: string, payload = new Uint8Array(0), version = 1): Uint8Array => {
    const pre = version === 1 ? 10 : 12;
    const d = enc(dict);
    const total = Math.ceil((pre + d.length + 1) / 64) * 64;
    const out2 = new Uint8Array(total + payload.length);
    out2.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
    const v = new DataView(out2.buffer);
    if (version === 1) v.setUint16(8, total - pre, true);
    else v.setUint32(8, total - pre, true);
    out2.fill(0x20, pre, total - 1);
    out2.set(d, pre);
    out2[total - 1] = 0x0a;
    out2.set(payload, total);
    return out2;
  };
  add('shape-bomb-1e12', 'shape-bomb', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }"), LIMIT);
  add('shape-overflow', 'shape-bomb', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }"), LIMIT);
  add('shape-rank-40', 'shape-bomb', npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (${new Array(40).fill(1).join(', ')}), }`, new Uint8Array(4)), LIMIT);
  add('shape-negative', 'corruption', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"), FORMAT);
  add('header-nested-50', 'deep-nesting', npy(`{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(50)}1${',)'.repeat(50)}, }`), FORMAT);
  add('header-not-dict', 'corruption', npy("[1, 2, 3]"), FORMAT);
  add('header-proto-key', 'proto-keys', npy("{'__proto__': {'x': 1}, 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)), ['ok']);
  add('dtype-object', 'refusal', npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), ['UnsupportedFeatureError']);
  add('dtype-structured', 'refusal', npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)), ['UnsupportedFeatureError']);
  add('fortran-order', 'refusal', npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", new Uint8Array(4)), ['UnsupportedFeatureError']);
  add('version-9', 'wrong-magic', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4), 9 as 1), ['UnsupportedFeatureError']);
  add('header-length-lies', 'corruption', concat(seed.files[seed.main].subarray(0, 8), Uint8Array.of(0xff, 0xff), seed.files[seed.main].subarray(10)), FORMAT);
  add('v2-header-length-4gib', 'corruption', concat(Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0xff, 0xff, 0xff, 0xff), new Uint8Array(52)), FORMAT);
  add('payload-short', 'truncation', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100,), }", new Uint8Array(8)), FORMAT);
  add('unterminated-string', 'corruption', npy("{'descr': '<f4"), FORMAT);
  add('nan-values', 'nan-inf', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(new Float32Array([NaN, Infinity]).buffer)), ['ok']);
}

function idxCases(seed: Seed, out: HostileCase[]): void {
  const add = (name: string, category: Category, b: Uint8Array, expect: readonly Outcome[]): void => {
    out.push({ id: `idx/${name}`, format: 'idx', category, parser: 'idx', main: seed.main, files: { [seed.main]: b }, expect });
  };
  const header = (dtype: number, dims: number[]): Uint8Array => {
    const b = new Uint8Array(4 + 4 * dims.length);
    b[2] = dtype;
    b[3] = dims.length;
    dims.forEach((d, i) => new DataView(b.buffer).setUint32(4 + 4 * i, d, false));
    return b;
  };
  add('shape-bomb', 'shape-bomb', header(0x08, [0xffffffff, 0xffffffff, 0xffffffff]), LIMIT);
  add('rank-255-short', 'truncation', concat(Uint8Array.of(0, 0, 8, 255), new Uint8Array(16)), FORMAT);
  add('dtype-unknown', 'refusal', header(0x42, [1]), ['UnsupportedFeatureError']);
  add('payload-short', 'truncation', header(0x0d, [100]), FORMAT);
  add('gzip-corrupt', 'corruption', Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3), FORMAT);
}

/** Failures the fuzzers found (test/hostile/findings/*.json), replayed as cases. */
function findingCases(out: HostileCase[]): void {
  const dir = resolve(process.cwd(), 'test/hostile/findings');
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const j = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { format: SeedFormat; parser: Parser; main: string; files: Record<string, string>; expect: Outcome[] };
    const files: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(j.files)) files[k] = new Uint8Array(Buffer.from(v, 'base64'));
    out.push({ id: `${j.format}/finding/${f.replace(/\.json$/, '')}`, format: j.format, category: 'fuzz-finding', parser: j.parser, main: j.main, files, expect: j.expect });
  }
}

/** The whole corpus from the seeds. */
export async function makeCorpus(seeds: readonly Seed[]): Promise<HostileCase[]> {
  const out: HostileCase[] = [];
  const bases: Bases = {
    functional: { config: functionalKeras2(), weights: seeds.find((s) => s.id === 'tfjs-functional')?.weights ?? [] },
    cnn: { config: tinyCnnKeras2(), weights: seeds.find((s) => s.id === 'tfjs-tiny-cnn')?.weights ?? [] },
  };
  await configCases(bases, out);
  await h5StructureCases(bases, out);
  for (const seed of seeds) {
    switch (seed.format) {
      case 'tfjs-layers':
        truncations(seed, 'model.json', seed.id === 'tfjs-beginner' ? 16 : 10, FORMAT, out);
        truncations(seed, 'weights.bin', 8, FORMAT, out);
        corruptions(seed, 'model.json', 6, out);
        if (seed.id === 'tfjs-beginner') {
          wrongMagic(seed, out);
          tfjsCases(seed, out);
        }
        break;
      case 'keras-h5':
        truncations(seed, seed.main, 24, FORMAT, out);
        corruptions(seed, seed.main, 16, out);
        wrongMagic(seed, out);
        await h5PatchCases(seed, out);
        break;
      case 'keras-json+h5':
        truncations(seed, 'model.json', 8, FORMAT, out);
        truncations(seed, 'model.h5', 12, FORMAT, out);
        corruptions(seed, 'model.h5', 8, out);
        out.push({ id: `keras-json+h5/${seed.id}/weights-missing`, format: seed.format, category: 'truncation', parser: 'model', main: seed.main, files: withFile(seed.files, 'model.h5', undefined), expect: FORMAT });
        out.push({ id: `keras-json+h5/${seed.id}/weights-not-hdf5`, format: seed.format, category: 'wrong-magic', parser: 'model', main: seed.main, files: withFile(seed.files, 'model.h5', enc('{"not": "hdf5"}')), expect: FORMAT });
        break;
      case 'keras-v3':
        truncations(seed, seed.main, seed.id === 'keras-v3-beginner' ? 20 : 10, FORMAT, out);
        corruptions(seed, seed.main, 10, out);
        if (seed.id === 'keras-v3-beginner') {
          wrongMagic(seed, out);
          await zipCases(seed, out);
        }
        break;
      case 'npy':
        truncations(seed, seed.main, 10, FORMAT, out);
        corruptions(seed, seed.main, 6, out);
        wrongMagic(seed, out);
        npyCases(seed, out);
        break;
      case 'idx':
        truncations(seed, seed.main, 8, FORMAT, out);
        corruptions(seed, seed.main, 4, out);
        idxCases(seed, out);
        idxGzipCases(seed, out);
        break;
      case 'onnx':
      case 'graphdef':
      case 'tfjs-graph':
        graphCases(seed, out);
        break;
    }
  }
  findingCases(out);
  const ids = new Set<string>();
  for (const c of out) {
    if (ids.has(c.id)) throw new Error(`duplicate corpus id ${c.id}`);
    ids.add(c.id);
  }
  return out;
}
