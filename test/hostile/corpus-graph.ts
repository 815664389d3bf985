// Hostile cases for the graph formats (ONNX, frozen GraphDef, TF.js graph), made by editing the plain-data
// descriptions of graph-seeds.ts and re-encoding them, plus byte-level truncations and corruptions of the
// encoded seeds: shape bombs in tensor dims and inputs, constant folding to huge sizes, too many nodes,
// protobuf nesting, dangling and cyclic graphs, dtype / byte-length mismatches, external data (ONNX) and
// manifest (TF.js) path escapes, too many shards, prototype keys, NaN / Inf weights, and every configurable
// limit. Each case names the outcome it must end in.

import { gzipSync } from 'fflate';
import type { Limits } from '../../src/core/limits.js';
import { ProtoWriter } from '../../src/formats/onnx/proto-write.js';
import { FORMAT, LIMIT, concat, corruptions, deep, truncations, withFile, wrongMagic, type Category, type HostileCase, type Outcome } from './corpus.js';
import {
  DT_FLOAT, DT_INT32, graphDefBytes, onnxBytes, onnxMlp, seedValues, tfjsGraphFiles, tfMlp,
  type OnnxGraphSpec, type OnnxSpec, type OnnxTensorSpec, type TfNodeSpec, type TfTensorSpec,
} from './graph-seeds.js';
import type { Seed } from './seeds.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const UNSUPPORTED_FEATURE: readonly Outcome[] = ['UnsupportedFeatureError'];
const UNSUPPORTED_LAYER: readonly Outcome[] = ['UnsupportedLayerError'];

interface Extra {
  readonly limits?: Partial<Limits>;
  readonly externalData?: boolean;
  /** Import, then predict and require NaN / Inf outputs. */
  readonly nonFinite?: boolean;
  /** More files beside the main one. */
  readonly files?: Readonly<Record<string, Uint8Array>>;
}

type Add = (name: string, category: Category, files: Record<string, Uint8Array>, expect: readonly Outcome[], extra?: Extra) => void;

function adder(seed: Seed, out: HostileCase[]): Add {
  return (name, category, files, expect, extra = {}) => {
    out.push({
      id: `${seed.format}/${seed.id}/${name}`, format: seed.format, category, parser: 'model', main: seed.main, files: { ...files, ...(extra.files ?? {}) }, expect,
      limits: extra.limits, externalData: extra.externalData, run: extra.nonFinite ? { inputSize: seed.inputSize ?? 0, expectNonFinite: true } : undefined,
    });
  };
}

function f32Bytes(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

function i64Bytes(values: readonly number[]): Uint8Array {
  const b = new Uint8Array(8 * values.length);
  values.forEach((v, i) => new DataView(b.buffer).setBigInt64(8 * i, BigInt(v), true));
  return b;
}

/** `n` nested protobuf messages (field 1) inside field `field`: a deep structure in a few bytes per level. */
function nestedField(field: number, n: number): Uint8Array {
  let w = new ProtoWriter();
  for (let i = 0; i < n; i++) w = new ProtoWriter().message(1, w);
  return new ProtoWriter().message(field, w).finish();
}

/** The limits every graph format must read: a small value refuses the valid seed. */
function limitCases(add: Add, files: Record<string, Uint8Array>, extra: readonly [string, Partial<Limits>][] = []): void {
  for (const [name, limits] of [
    ['limit-nodes', { maxNodes: 3 }],
    ['limit-tensor-elements', { maxTensorElements: 10 }],
    ['limit-rank', { maxRank: 1 }],
    ['limit-file-bytes', { maxFileBytes: 100 }],
    ...extra,
  ] as const) {
    add(name, 'limits', files, LIMIT, { limits });
  }
}

// ---------- ONNX ----------

function onnxCases(seed: Seed, out: HostileCase[]): void {
  const add = adder(seed, out);
  const m = (name: string, category: Category, edit: (s: OnnxSpec) => void, expect: readonly Outcome[], extra?: Extra): void => {
    const spec = structuredClone(onnxMlp());
    edit(spec);
    add(name, category, { [seed.main]: onnxBytes(spec) }, expect, extra);
  };
  const init = (s: OnnxSpec, name: string): OnnxTensorSpec => s.initializers.find((t) => t.name === name) as OnnxTensorSpec;
  const node = (s: OnnxGraphSpec, name: string) => s.nodes.find((n) => n.name === name) as OnnxGraphSpec['nodes'][number];
  const shapeConst = (s: OnnxSpec): OnnxTensorSpec => (node(s, 'shape').tensors as Record<string, OnnxTensorSpec>).value;

  // shape bombs: dims are checked before any payload is decoded or allocated
  m('initializer-dims-1e12', 'shape-bomb', (s) => (init(s, 'W1').dims = [1e6, 1e6]), LIMIT);
  m('initializer-dims-overflow', 'shape-bomb', (s) => (init(s, 'W1').dims = [2 ** 40, 2 ** 40, 2 ** 40]), LIMIT);
  m('initializer-rank-20', 'shape-bomb', (s) => (init(s, 'W1').dims = new Array(20).fill(1)), LIMIT);
  m('initializer-dim-negative', 'shape-bomb', (s) => (init(s, 'W1').dims = [-1, 3]), FORMAT);
  m('constant-dims-1e12', 'shape-bomb', (s) => (shapeConst(s).dims = [1e6, 1e6]), LIMIT);
  m('input-dim-1e12', 'shape-bomb', (s) => (s.inputs[0].dims = ['N', 1e12]), LIMIT);
  m('input-rank-12', 'shape-bomb', (s) => (s.inputs[0].dims = ['N', ...new Array(11).fill(1)]), LIMIT);
  m('constant-of-shape-1e10', 'shape-bomb', (s) => {
    s.nodes.push(
      { op: 'Constant', inputs: [], outputs: ['big'], name: 'big', tensors: { value: { name: 'big', dims: [2], dataType: 7, raw: i64Bytes([100000, 100000]) } } },
      { op: 'ConstantOfShape', inputs: ['big'], outputs: ['zeros'], name: 'zeros' },
      { op: 'Add', inputs: ['flat', 'zeros'], outputs: ['sum'], name: 'sum' },
    );
    node(s, 'softmax').inputs = ['sum'];
  }, LIMIT);
  m('reshape-to-2e12', 'shape-bomb', (s) => (shapeConst(s).raw = i64Bytes([-1, 2e12])), ['ShapeError', 'LimitExceededError', 'UnsupportedFeatureError']);
  // dtype / byte-length mismatches
  m('raw-data-short', 'manifest', (s) => (init(s, 'W1').raw = init(s, 'W1').raw?.slice(0, 20)), FORMAT);
  m('raw-data-long', 'manifest', (s) => (init(s, 'W1').raw = concat(init(s, 'W1').raw as Uint8Array, new Uint8Array(8))), FORMAT);
  m('float-data-count-mismatch', 'manifest', (s) => Object.assign(init(s, 'W1'), { raw: undefined, floatData: [1, 2, 3] }), FORMAT);
  m('dtype-unknown-99', 'manifest', (s) => (init(s, 'W1').dataType = 99), UNSUPPORTED_FEATURE);
  m('dtype-int64-over-float-bytes', 'manifest', (s) => (init(s, 'W1').dataType = 7), FORMAT);
  m('dtype-string-weight', 'manifest', (s) => (init(s, 'W1').dataType = 8), ['KerasrtError']);
  // graph structure
  m('dangling-input', 'graph', (s) => (node(s, 'fc2').inputs = ['ghost', 'W2', 'B2']), FORMAT);
  m('cycle-two-nodes', 'graph', (s) => (node(s, 'relu').inputs = ['logits']), FORMAT);
  m('self-loop', 'graph', (s) => (node(s, 'relu').inputs = ['r']), FORMAT);
  m('output-never-produced', 'graph', (s) => (s.outputs = [{ name: 'ghost', dims: ['N', 2] }]), FORMAT);
  m('no-outputs', 'graph', (s) => (s.outputs = []), FORMAT);
  m('value-produced-twice', 'graph', (s) => (node(s, 'relu').outputs = ['h']), FORMAT);
  m('initializer-without-name', 'graph', (s) => (init(s, 'W1').name = ''), FORMAT);
  m('nodes-100001', 'limits', (s) => {
    for (let i = 0; i <= 100_000; i++) s.nodes.push({ op: 'Identity', inputs: ['x'], outputs: [`i${i}`], name: `i${i}` });
  }, LIMIT);
  // protobuf nesting: If bodies inside If bodies (3 messages per level), and deep bytes in a skipped field
  const nested = (levels: number): OnnxGraphSpec => {
    let g: OnnxGraphSpec = { nodes: [], initializers: [], inputs: [], outputs: [] };
    for (let i = 0; i < levels; i++) g = { nodes: [{ op: 'If', inputs: [], outputs: [], name: `if${i}`, graphs: { then_branch: g } }], initializers: [], inputs: [], outputs: [] };
    return g;
  };
  m('subgraphs-nested-30', 'deep-nesting', (s) => s.nodes.push({ op: 'If', inputs: ['x'], outputs: ['unused'], name: 'deep', graphs: { then_branch: nested(30) } }), LIMIT);
  m('subgraphs-nested-1000', 'deep-nesting', (s) => s.nodes.push({ op: 'If', inputs: ['x'], outputs: ['unused'], name: 'deep', graphs: { then_branch: nested(1000) } }), LIMIT);
  add('nesting-5000-in-unknown-field', 'deep-nesting', { [seed.main]: concat(seed.files[seed.main], nestedField(99, 5000)) }, ['ok']);
  // prototype keys are plain names (values live in Maps)
  m('initializer-named-proto', 'proto-keys', (s) => {
    init(s, 'W1').name = '__proto__';
    node(s, 'fc1').inputs[1] = '__proto__';
  }, ['ok']);
  m('value-named-constructor', 'proto-keys', (s) => {
    node(s, 'relu').outputs = ['constructor'];
    node(s, 'fc2').inputs[0] = 'constructor';
  }, ['ok']);
  // NaN / Inf weights load and propagate
  m('nan-weight', 'nan-inf', (s) => (init(s, 'W2').raw = f32Bytes(seedValues(6, 3).map((v, i) => (i === 1 ? NaN : v)))), ['ok'], { nonFinite: true });
  m('inf-bias', 'nan-inf', (s) => (init(s, 'B2').raw = f32Bytes([Infinity, 0])), ['ok'], { nonFinite: true });
  // refusals
  m('unknown-op', 'refusal', (s) => (node(s, 'relu').op = 'EvilOp'), UNSUPPORTED_LAYER);
  m('custom-domain-op', 'refusal', (s) => (node(s, 'relu').domain = 'com.evil'), UNSUPPORTED_LAYER);
  m('opset-99', 'refusal', (s) => (s.opset = 99), UNSUPPORTED_FEATURE);
  const external = (loc: string, more: Record<string, string> = {}) => (s: OnnxSpec) => Object.assign(init(s, 'W1'), { raw: undefined, externalData: { location: loc, ...more } });
  const side = { files: { 'w.bin': f32Bytes(seedValues(12, 1)) } };
  m('external-data-off-by-default', 'refusal', external('w.bin'), UNSUPPORTED_FEATURE, side);
  // external data, when allowed: inside the folder only, and exactly where the tensor says
  m('external-data-inside-folder', 'manifest', external('w.bin', { offset: '0', length: '48' }), ['ok'], { ...side, externalData: true });
  m('external-data-offset-past-end', 'manifest', external('w.bin', { offset: '40' }), FORMAT, { ...side, externalData: true });
  m('external-data-length-mismatch', 'manifest', external('w.bin', { length: '4' }), FORMAT, { ...side, externalData: true });
  m('external-data-offset-garbage', 'manifest', external('w.bin', { offset: '-1e3' }), FORMAT, { ...side, externalData: true });
  m('external-data-missing-file', 'manifest', external('nope.bin'), FORMAT, { ...side, externalData: true });
  m('external-data-no-location', 'manifest', (s) => Object.assign(init(s, 'W1'), { raw: undefined, externalData: { offset: '0' } }), FORMAT, { ...side, externalData: true });
  m('external-data-dims-1e12', 'shape-bomb', (s) => Object.assign(init(s, 'W1'), { dims: [1e6, 1e6], raw: undefined, externalData: { location: 'w.bin' } }), LIMIT, { ...side, externalData: true });
  for (const [name, p] of PATH_ESCAPES) m(`external-data-path-${name}`, 'path-escape', external(p), FORMAT, { ...side, externalData: true });
  limitCases(add, seed.files as Record<string, Uint8Array>, [['limit-protobuf-depth', { maxProtobufDepth: 2 }]]);
  add('limit-total-bytes-external', 'limits', { [seed.main]: onnxBytes(withSpec(external('w.bin'))) }, LIMIT, { ...side, externalData: true, limits: { maxTotalBytes: seed.files[seed.main].length + 8 } });
}

function withSpec(edit: (s: OnnxSpec) => void): OnnxSpec {
  const s = structuredClone(onnxMlp());
  edit(s);
  return s;
}

/** Paths a model file might use to reach outside its folder. */
const PATH_ESCAPES: readonly (readonly [string, string])[] = [
  ['dotdot', '../secret.bin'],
  ['dotdot-nested', 'sub/../../secret.bin'],
  ['absolute', '/etc/passwd'],
  ['drive-letter', 'C:/Windows/win.ini'],
  ['backslash', '..\\secret.bin'],
  ['nul', 'w.bin\u0000.png'],
  ['empty', ''],
];

// ---------- GraphDef and TF.js graph: the same node-level attacks ----------

interface TfAttack {
  readonly name: string;
  readonly category: Category;
  readonly edit: (nodes: TfNodeSpec[]) => TfNodeSpec[] | void;
  readonly expect: readonly Outcome[];
  /** The outcome for TF.js graph when it differs (its JSON reader refuses prototype keys outright). */
  readonly expectJson?: readonly Outcome[];
  readonly nonFinite?: boolean;
  /** Only for frozen GraphDef (TF.js graph moves Const values into the manifest, which has its own cases). */
  readonly graphdefOnly?: boolean;
}

function tfNode(nodes: TfNodeSpec[], name: string): TfNodeSpec {
  return nodes.find((n) => n.name === name) as TfNodeSpec;
}

function tfValue(nodes: TfNodeSpec[], name: string): TfTensorSpec {
  return (tfNode(nodes, name).attrs?.value as { tensor: TfTensorSpec }).tensor;
}

/** An own attribute key, even "__proto__" (plain assignment would set the prototype instead). */
function ownAttr(node: TfNodeSpec, key: string, value: unknown): void {
  Object.defineProperty(node.attrs, key, { value, enumerable: true, configurable: true, writable: true });
}

/** A function, not a constant: corpus.ts and this module import each other, so its outcomes exist only once both are loaded. */
const tfAttacks = (): readonly TfAttack[] => [
  // shape bombs
  { name: 'placeholder-1e12', category: 'shape-bomb', edit: (n) => void (tfNode(n, 'x').attrs = { dtype: { type: DT_FLOAT }, shape: { shape: [-1, 1e12] } }), expect: LIMIT },
  { name: 'placeholder-rank-12', category: 'shape-bomb', edit: (n) => void (tfNode(n, 'x').attrs = { dtype: { type: DT_FLOAT }, shape: { shape: [-1, ...new Array(11).fill(1)] } }), expect: LIMIT },
  { name: 'const-broadcast-1e10', category: 'shape-bomb', graphdefOnly: true, edit: (n) => void Object.assign(tfValue(n, 'W1'), { dims: [100000, 100000], content: undefined, floatVal: [0.5] }), expect: LIMIT },
  { name: 'const-dims-overflow', category: 'shape-bomb', graphdefOnly: true, edit: (n) => void Object.assign(tfValue(n, 'W1'), { dims: [2 ** 40, 2 ** 40, 2 ** 40] }), expect: LIMIT },
  { name: 'const-rank-20', category: 'shape-bomb', graphdefOnly: true, edit: (n) => void Object.assign(tfValue(n, 'W1'), { dims: new Array(20).fill(1) }), expect: LIMIT },
  {
    name: 'fill-1e10', category: 'shape-bomb',
    edit: (n) => {
      n.push(
        { name: 'dims', op: 'Const', attrs: { dtype: { type: DT_INT32 }, value: { tensor: { dtype: DT_INT32, dims: [2], intVal: [100000, 100000] } } } },
        { name: 'one', op: 'Const', attrs: { dtype: { type: DT_FLOAT }, value: { tensor: { dtype: DT_FLOAT, dims: [], floatVal: [1] } } } },
        { name: 'fill', op: 'Fill', inputs: ['dims', 'one'], attrs: { T: { type: DT_FLOAT } } },
        { name: 'sum', op: 'AddV2', inputs: ['x', 'fill'], attrs: { T: { type: DT_FLOAT } } },
      );
      // On the only path from the input: the default-output probe cannot route around it.
      tfNode(n, 'mm1').inputs = ['sum', 'W1'];
    },
    expect: LIMIT,
  },
  {
    name: 'reshape-to-4e9', category: 'shape-bomb',
    edit: (n) => {
      n.push(
        { name: 'big', op: 'Const', attrs: { dtype: { type: DT_INT32 }, value: { tensor: { dtype: DT_INT32, dims: [2], intVal: [-1, 2_000_000_000] } } } },
        { name: 'xr', op: 'Reshape', inputs: ['x', 'big'], attrs: { T: { type: DT_FLOAT } } },
      );
      tfNode(n, 'mm1').inputs = ['xr', 'W1'];
    },
    expect: ['ShapeError', 'LimitExceededError', 'UnsupportedFeatureError'],
  },
  // dtype / byte-length mismatches (GraphDef TensorProto)
  { name: 'tensor-content-short', category: 'manifest', graphdefOnly: true, edit: (n) => void Object.assign(tfValue(n, 'W1'), { content: tfValue(n, 'W1').content?.slice(0, 20) }), expect: FORMAT },
  { name: 'float-val-too-many', category: 'manifest', graphdefOnly: true, edit: (n) => void Object.assign(tfValue(n, 'b1'), { content: undefined, floatVal: new Array(20).fill(1) }), expect: FORMAT },
  { name: 'dtype-complex64', category: 'manifest', graphdefOnly: true, edit: (n) => void Object.assign(tfValue(n, 'W1'), { dtype: 8 }), expect: UNSUPPORTED_FEATURE },
  { name: 'dtype-int32-content-of-floats', category: 'manifest', graphdefOnly: true, edit: (n) => void Object.assign(tfValue(n, 'W1'), { dtype: DT_INT32, dims: [4, 4] }), expect: FORMAT },
  // graph structure
  { name: 'dangling-input', category: 'graph', edit: (n) => void (tfNode(n, 'mm2').inputs = ['ghost', 'W2']), expect: FORMAT },
  { name: 'dangling-control-input', category: 'graph', edit: (n) => void (tfNode(n, 'mm2').inputs = ['relu', 'W2', '^ghost']), expect: FORMAT },
  { name: 'cycle-two-nodes', category: 'graph', edit: (n) => void (tfNode(n, 'mm1').inputs = ['relu', 'W1']), expect: ['UnsupportedLayerError', 'ModelFormatError'] },
  { name: 'self-loop', category: 'graph', edit: (n) => void (tfNode(n, 'relu').inputs = ['relu']), expect: ['UnsupportedLayerError', 'ModelFormatError'] },
  { name: 'duplicate-node-names', category: 'graph', edit: (n) => void (tfNode(n, 'relu').name = 'mm1'), expect: FORMAT },
  { name: 'node-without-name', category: 'graph', edit: (n) => void (tfNode(n, 'relu').name = ''), expect: FORMAT },
  { name: 'no-nodes', category: 'graph', edit: () => [], expect: FORMAT },
  { name: 'input-port-out-of-range', category: 'graph', edit: (n) => void (tfNode(n, 'mm1').inputs = ['x:7', 'W1']), expect: ['KerasrtError'] },
  { name: 'nodes-100001', category: 'limits', edit: (n) => void n.push(...Array.from({ length: 100_001 }, (_, i): TfNodeSpec => ({ name: `n${i}`, op: 'NoOp' }))), expect: LIMIT },
  // prototype keys are plain names
  { name: 'attr-key-proto', category: 'proto-keys', edit: (n) => ownAttr(tfNode(n, 'relu'), '__proto__', { type: DT_FLOAT }), expect: ['ok'], expectJson: FORMAT },
  { name: 'attr-key-constructor', category: 'proto-keys', edit: (n) => ownAttr(tfNode(n, 'relu'), 'constructor', { i: 1 }), expect: ['ok'], expectJson: FORMAT },
  {
    name: 'node-named-proto', category: 'proto-keys',
    edit: (n) => {
      tfNode(n, 'relu').name = '__proto__';
      tfNode(n, 'mm2').inputs = ['__proto__', 'W2'];
    },
    expect: ['ok'],
  },
  // NaN / Inf weights
  { name: 'nan-weight', category: 'nan-inf', nonFinite: true, edit: (n) => void Object.assign(tfValue(n, 'W2'), { content: f32Bytes(seedValues(6, 3).map((v, i) => (i === 2 ? NaN : v))) }), expect: ['ok'] },
  { name: 'inf-bias', category: 'nan-inf', nonFinite: true, edit: (n) => void Object.assign(tfValue(n, 'b2'), { content: f32Bytes([Infinity, 0]) }), expect: ['ok'] },
  // refusals
  // First on the path: an unsupported op deeper in would make the default-output probe pick an earlier node.
  { name: 'unknown-op', category: 'refusal', edit: (n) => void (tfNode(n, 'mm1').op = 'EvilOp'), expect: UNSUPPORTED_LAYER },
];

function tfAttackCases(seed: Seed, out: HostileCase[], encode: (nodes: TfNodeSpec[]) => Record<string, Uint8Array>): void {
  const add = adder(seed, out);
  for (const a of tfAttacks()) {
    if (a.graphdefOnly && seed.format !== 'graphdef') continue;
    const nodes = structuredClone(tfMlp());
    const edited = a.edit(nodes) ?? nodes;
    add(a.name, a.category, encode(edited), (seed.format === 'tfjs-graph' ? a.expectJson : undefined) ?? a.expect, { nonFinite: a.nonFinite });
  }
}

function graphDefCases(seed: Seed, out: HostileCase[]): void {
  const add = adder(seed, out);
  tfAttackCases(seed, out, (nodes) => ({ [seed.main]: graphDefBytes(nodes) }));
  // GraphDef's schema does not recurse, but a skipped unknown field may nest anything: it costs a linear skip.
  add('nesting-5000-in-unknown-field', 'deep-nesting', { [seed.main]: concat(seed.files[seed.main], nestedField(3, 5000)) }, ['ok']);
  limitCases(add, seed.files as Record<string, Uint8Array>, [['limit-protobuf-depth', { maxProtobufDepth: 3 }]]);
}

type Manifest = { paths: string[]; weights: { name: string; shape: unknown; dtype: string; quantization?: unknown }[] }[];

function tfjsGraphCases(seed: Seed, out: HostileCase[]): void {
  const add = adder(seed, out);
  tfAttackCases(seed, out, (nodes) => tfjsGraphFiles(nodes));
  const j = (name: string, category: Category, edit: (json: Record<string, unknown>, manifest: Manifest) => void, expect: readonly Outcome[], extra?: Extra): void => {
    add(name, category, tfjsGraphFiles(tfMlp(), (json) => edit(json, json.weightsManifest as Manifest)), expect, extra);
  };
  // manifest: shapes, dtypes, byte lengths
  j('weight-shape-larger-than-shard', 'manifest', (_, m) => (m[0].weights[0].shape = [400, 3]), FORMAT);
  j('weight-dims-1e12', 'shape-bomb', (_, m) => (m[0].weights[0].shape = [1e6, 1e6]), LIMIT);
  j('weight-dims-overflow', 'shape-bomb', (_, m) => (m[0].weights[0].shape = [2 ** 40, 2 ** 40, 2 ** 40]), LIMIT);
  j('weight-rank-30', 'shape-bomb', (_, m) => (m[0].weights[0].shape = new Array(30).fill(1)), LIMIT);
  j('weight-dim-negative', 'manifest', (_, m) => (m[0].weights[0].shape = [-4, 3]), FORMAT);
  j('weight-dtype-float64', 'manifest', (_, m) => (m[0].weights[0].dtype = 'float64'), UNSUPPORTED_FEATURE);
  j('weight-dtype-constructor', 'manifest', (_, m) => (m[0].weights[0].dtype = 'constructor'), UNSUPPORTED_FEATURE);
  j('weight-listed-twice', 'manifest', (_, m) => m[0].weights.push(m[0].weights[0]), FORMAT);
  j('weight-missing-for-const', 'manifest', (_, m) => m[0].weights.shift(), FORMAT);
  j('quantization-unknown', 'manifest', (_, m) => (m[0].weights[0].quantization = { dtype: 'int4', scale: 1, min: 0 }), FORMAT);
  j('manifest-not-a-list', 'manifest', (json) => (json.weightsManifest = { paths: [] }), FORMAT);
  j('shard-missing', 'manifest', (_, m) => (m[0].paths = ['nope.bin']), FORMAT);
  add('shard-empty', 'manifest', withFile(seed.files, 'group1-shard1of1.bin', new Uint8Array(0)), FORMAT);
  add('shard-extra-bytes', 'manifest', withFile(seed.files, 'group1-shard1of1.bin', concat(seed.files['group1-shard1of1.bin'], new Uint8Array(64))), ['ok']);
  // manifest paths and shard counts
  for (const [name, p] of [...PATH_ESCAPES, ['file-url', 'file:///etc/passwd'], ['url-encoded', '%2e%2e/secret.bin']] as const) j(`path-${name}`, 'path-escape', (_, m) => (m[0].paths = [p]), FORMAT);
  j('shards-5000', 'limits', (_, m) => (m[0].paths = Array.from({ length: 5000 }, (_, i) => `s${i}.bin`)), LIMIT);
  j('limit-shards', 'limits', (_, m) => (m[0].paths = ['group1-shard1of1.bin', 'group1-shard1of1.bin']), LIMIT, { limits: { maxShards: 1 } });
  // JSON abuse
  const text = dec(seed.files[seed.main]);
  add('json-proto-key', 'proto-keys', withFile(seed.files, seed.main, enc(text.replace('{', '{"__proto__":{"x":1},'))), FORMAT);
  add('json-depth-10000', 'deep-nesting', withFile(seed.files, seed.main, enc(text.replace('{', `{"deep":${deep(10000, '1')},`))), LIMIT);
  // NaN in the shard itself
  const shard = new Float32Array(seed.files['group1-shard1of1.bin'].slice().buffer);
  shard[0] = NaN;
  add('nan-in-shard', 'nan-inf', withFile(seed.files, 'group1-shard1of1.bin', new Uint8Array(shard.buffer)), ['ok'], { nonFinite: true });
  limitCases(add, seed.files as Record<string, Uint8Array>, [
    ['limit-total-bytes', { maxTotalBytes: seed.files[seed.main].length + 10 }],
    ['limit-json-depth', { maxJsonDepth: 3 }],
  ]);
}

/** IDX gzip bombs: output beyond what the header promises is refused after a few MiB. */
export function idxGzipCases(seed: Seed, out: HostileCase[]): void {
  const header = (dims: number[]): Uint8Array => {
    const b = new Uint8Array(4 + 4 * dims.length);
    b[2] = 0x08;
    b[3] = dims.length;
    dims.forEach((d, i) => new DataView(b.buffer).setUint32(4 + 4 * i, d, false));
    return b;
  };
  const add = (name: string, b: Uint8Array, category: Category, expect: readonly Outcome[]): void => {
    out.push({ id: `idx/${name}`, format: 'idx', category, parser: 'idx', main: seed.main, files: { [seed.main]: b }, expect });
  };
  // A header promising 4 bytes, then 1 GiB (6.6 MiB gzipped): four times the worker's whole heap.
  add('gzip-bomb-1gib', gzipZeros(header([2, 2]), 1024), 'zip-bomb', LIMIT);
  // The header itself claims 2^32 elements: refused as soon as the header is inflated.
  add('gzip-header-4g-elements', gzipZeros(header([65536, 65536]), 1), 'zip-bomb', LIMIT);
  add('gzip-truncated', gzipSync(seed.files[seed.main]).slice(0, 20), 'truncation', FORMAT);
}

/**
 * gzip of `head` and then `mib` MiB repeating its last byte, written directly as one fixed-Huffman deflate
 * block of back-references (258 bytes each, 13 bits): compressing a real gigabyte in JS takes tens of seconds.
 * The CRC and size in the trailer are left zero: a reader that stops early never reaches them, one that
 * inflates everything has already failed the case.
 */
function gzipZeros(head: Uint8Array, mib: number): Uint8Array {
  const out: number[] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
  let acc = 0;
  let n = 0;
  const bits = (v: number, len: number): void => {
    acc |= v << n;
    n += len;
    while (n >= 8) {
      out.push(acc & 0xff);
      acc >>>= 8;
      n -= 8;
    }
  };
  // Huffman codes go most significant bit first, into an LSB-first stream.
  const code = (c: number, len: number): void => {
    for (let i = len - 1; i >= 0; i--) bits((c >> i) & 1, 1);
  };
  bits(1, 1); // final block
  bits(1, 2); // fixed Huffman codes
  for (const byte of head) byte < 144 ? code(0x30 + byte, 8) : code(0x190 + byte - 144, 9);
  for (let left = mib * 2 ** 20; left >= 258; left -= 258) {
    code(0xc5, 8); // length 258 (symbol 285)
    code(0, 5); // distance 1
  }
  code(0, 7); // end of block
  if (n > 0) out.push(acc & 0xff);
  out.push(0, 0, 0, 0, 0, 0, 0, 0);
  return Uint8Array.from(out);
}

/** Every graph-format case for a seed: byte-level ones for all seeds, structural ones for the generated MLPs. */
export function graphCases(seed: Seed, out: HostileCase[]): void {
  const generated = seed.id.endsWith('-mlp');
  // A protobuf cut at a field boundary is a shorter valid message (fewer nodes): any typed error, or a load.
  truncations(seed, seed.main, generated ? 24 : 14, seed.format === 'tfjs-graph' ? FORMAT : ['KerasrtError', 'ok'], out);
  corruptions(seed, seed.main, generated ? 16 : 10, out);
  wrongMagic(seed, out);
  if (seed.format === 'tfjs-graph') {
    const shard = Object.keys(seed.files).find((k) => k !== seed.main) as string;
    truncations(seed, shard, 6, FORMAT, out);
  }
  if (!generated) return;
  if (seed.format === 'onnx') onnxCases(seed, out);
  else if (seed.format === 'graphdef') graphDefCases(seed, out);
  else tfjsGraphCases(seed, out);
}

