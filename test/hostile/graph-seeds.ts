// Graph-format seeds written in memory, so the hostile corpus and the fuzzers cover ONNX, frozen GraphDef and
// TF.js graph models on every machine (the real files in ../shared/models are extra seeds where present).
// Each seed is a small MLP (x[batch, 4] -> MatMul/Gemm + bias -> Relu -> MatMul/Gemm + bias -> Reshape ->
// Softmax) described as plain data, so corpus cases edit the description (shapes, dtypes, node lists,
// external data, paths) and re-encode it, instead of patching bytes blindly.

import { ProtoWriter } from '../../src/formats/onnx/proto-write.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Deterministic small weights. */
export function seedValues(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32 - 0.5;
  });
}

function le32(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

// ---------- ONNX ----------

export interface OnnxTensorSpec {
  name: string;
  dims: number[];
  /** TensorProto.DataType: 1 float, 7 int64, ... */
  dataType: number;
  raw?: Uint8Array;
  floatData?: number[];
  externalData?: Record<string, string>;
}

export interface OnnxNodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  domain?: string;
  ints?: Record<string, number>;
  tensors?: Record<string, OnnxTensorSpec>;
  /** A graph-valued attribute (If / Loop bodies): only its nesting matters here. */
  graphs?: Record<string, OnnxGraphSpec>;
}

export interface OnnxGraphSpec {
  nodes: OnnxNodeSpec[];
  initializers: OnnxTensorSpec[];
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
}

export interface OnnxSpec extends OnnxGraphSpec {
  opset: number;
}

function onnxTensor(t: OnnxTensorSpec): ProtoWriter {
  const w = new ProtoWriter().packedInts(1, t.dims).int(2, t.dataType);
  for (const f of t.floatData ?? []) w.float(4, f);
  w.string(8, t.name);
  if (t.raw) w.bytes(9, t.raw);
  for (const [k, v] of Object.entries(t.externalData ?? {})) w.message(13, new ProtoWriter().string(1, k).string(2, v));
  if (t.externalData) w.int(14, 1);
  return w;
}

function onnxValueInfo(v: { name: string; dims: (number | string)[] }): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, new ProtoWriter().int(1, 1).message(2, shape)));
}

function onnxGraph(g: OnnxGraphSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) {
    const nw = new ProtoWriter();
    for (const i of n.inputs) nw.string(1, i);
    for (const o of n.outputs) nw.string(2, o);
    nw.string(3, n.name).string(4, n.op);
    for (const [k, v] of Object.entries(n.ints ?? {})) nw.message(5, new ProtoWriter().string(1, k).int(3, v).int(20, 2));
    for (const [k, t] of Object.entries(n.tensors ?? {})) nw.message(5, new ProtoWriter().string(1, k).message(5, onnxTensor(t)).int(20, 4));
    for (const [k, sub] of Object.entries(n.graphs ?? {})) nw.message(5, new ProtoWriter().string(1, k).message(6, onnxGraph(sub)).int(20, 5));
    if (n.domain !== undefined) nw.string(7, n.domain);
    w.message(1, nw);
  }
  w.string(2, 'g');
  for (const t of g.initializers) w.message(5, onnxTensor(t));
  for (const i of g.inputs) w.message(11, onnxValueInfo(i));
  for (const o of g.outputs) w.message(12, onnxValueInfo(o));
  return w;
}

export function onnxBytes(m: OnnxSpec): Uint8Array {
  return new ProtoWriter()
    .int(1, 8)
    .string(2, 'kerasrt hostile corpus')
    .message(7, onnxGraph(m))
    .message(8, new ProtoWriter().string(1, '').int(2, m.opset))
    .finish();
}

const float = (name: string, dims: number[], seed: number): OnnxTensorSpec => ({ name, dims, dataType: 1, raw: le32(seedValues(dims.reduce((a, b) => a * b, 1), seed)) });

export function onnxMlp(): OnnxSpec {
  const shape = new Uint8Array(16);
  new DataView(shape.buffer).setBigInt64(0, -1n, true);
  new DataView(shape.buffer).setBigInt64(8, 2n, true);
  return {
    opset: 13,
    inputs: [{ name: 'x', dims: ['N', 4] }],
    outputs: [{ name: 'y', dims: ['N', 2] }],
    initializers: [float('W1', [4, 3], 1), float('B1', [3], 2), float('W2', [3, 2], 3), float('B2', [2], 4)],
    nodes: [
      { op: 'Gemm', inputs: ['x', 'W1', 'B1'], outputs: ['h'], name: 'fc1' },
      { op: 'Relu', inputs: ['h'], outputs: ['r'], name: 'relu' },
      { op: 'Gemm', inputs: ['r', 'W2', 'B2'], outputs: ['logits'], name: 'fc2' },
      { op: 'Constant', inputs: [], outputs: ['shape'], name: 'shape', tensors: { value: { name: 'shape', dims: [2], dataType: 7, raw: shape } } },
      { op: 'Reshape', inputs: ['logits', 'shape'], outputs: ['flat'], name: 'reshape' },
      { op: 'Softmax', inputs: ['flat'], outputs: ['y'], name: 'softmax', ints: { axis: 1 } },
    ],
  };
}

// ---------- TensorFlow GraphDef ----------

export const DT_FLOAT = 1;
export const DT_INT32 = 3;

export interface TfTensorSpec {
  dtype: number;
  dims: number[];
  content?: Uint8Array;
  floatVal?: number[];
  intVal?: number[];
}

export type TfAttrSpec = { type: number } | { shape: number[] } | { tensor: TfTensorSpec } | { b: boolean } | { i: number } | { s: string };

export interface TfNodeSpec {
  name: string;
  op: string;
  inputs?: string[];
  attrs?: Record<string, TfAttrSpec>;
}

function tfShape(dims: number[]): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of dims) w.message(2, new ProtoWriter().int(1, d));
  return w;
}

function tfTensor(t: TfTensorSpec): ProtoWriter {
  const w = new ProtoWriter().int(1, t.dtype).message(2, tfShape(t.dims));
  if (t.content) w.bytes(4, t.content);
  if (t.floatVal) w.bytes(5, le32(Float32Array.from(t.floatVal))); // packed: the bare little-endian values
  if (t.intVal) w.packedInts(7, t.intVal);
  return w;
}

function tfAttr(a: TfAttrSpec): ProtoWriter {
  const w = new ProtoWriter();
  if ('type' in a) return w.int(6, a.type);
  if ('shape' in a) return w.message(7, tfShape(a.shape));
  if ('tensor' in a) return w.message(8, tfTensor(a.tensor));
  if ('b' in a) return w.int(5, a.b ? 1 : 0);
  if ('i' in a) return w.int(3, a.i);
  return w.string(2, a.s);
}

export function graphDefBytes(nodes: readonly TfNodeSpec[]): Uint8Array {
  const g = new ProtoWriter();
  for (const n of nodes) {
    const w = new ProtoWriter().string(1, n.name).string(2, n.op);
    for (const i of n.inputs ?? []) w.string(3, i);
    for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, new ProtoWriter().string(1, k).message(2, tfAttr(v)));
    g.message(1, w);
  }
  return g.message(4, new ProtoWriter().int(1, 1205)).finish();
}

const tfConst = (name: string, dims: number[], seed: number): TfNodeSpec => ({
  name, op: 'Const', attrs: { dtype: { type: DT_FLOAT }, value: { tensor: { dtype: DT_FLOAT, dims, content: le32(seedValues(dims.reduce((a, b) => a * b, 1), seed)) } } },
});

export function tfMlp(): TfNodeSpec[] {
  return [
    { name: 'x', op: 'Placeholder', attrs: { dtype: { type: DT_FLOAT }, shape: { shape: [-1, 4] } } },
    tfConst('W1', [4, 3], 1),
    tfConst('b1', [3], 2),
    tfConst('W2', [3, 2], 3),
    tfConst('b2', [2], 4),
    { name: 'shape', op: 'Const', attrs: { dtype: { type: DT_INT32 }, value: { tensor: { dtype: DT_INT32, dims: [2], intVal: [-1, 2] } } } },
    { name: 'mm1', op: 'MatMul', inputs: ['x', 'W1'], attrs: { T: { type: DT_FLOAT } } },
    { name: 'add1', op: 'BiasAdd', inputs: ['mm1', 'b1'], attrs: { T: { type: DT_FLOAT } } },
    { name: 'relu', op: 'Relu', inputs: ['add1'], attrs: { T: { type: DT_FLOAT } } },
    { name: 'mm2', op: 'MatMul', inputs: ['relu', 'W2'], attrs: { T: { type: DT_FLOAT } } },
    { name: 'add2', op: 'BiasAdd', inputs: ['mm2', 'b2'], attrs: { T: { type: DT_FLOAT } } },
    { name: 'flat', op: 'Reshape', inputs: ['add2', 'shape'], attrs: { T: { type: DT_FLOAT } } },
    { name: 'y', op: 'Softmax', inputs: ['flat'], attrs: { T: { type: DT_FLOAT } } },
  ];
}

// ---------- TF.js graph model ----------

function jsonDims(dims: number[]): { dim: { size: string }[] } {
  return { dim: dims.map((d) => ({ size: String(d) })) };
}

const DT_NAME: Readonly<Record<number, string>> = { [DT_FLOAT]: 'DT_FLOAT', [DT_INT32]: 'DT_INT32' };

/** model.json (graph-model) + one shard: Const values go to the shard and the manifest, as tfjs-converter writes. */
export function tfjsGraphFiles(nodes: readonly TfNodeSpec[], edit?: (json: Record<string, unknown>) => void): Record<string, Uint8Array> {
  const weights: { name: string; shape: number[]; dtype: string }[] = [];
  const chunks: Uint8Array[] = [];
  const jsonNodes = nodes.map((n) => {
    // fromEntries makes own properties even of "__proto__", so such keys reach the JSON as written.
    const attr = Object.fromEntries(
      Object.entries(n.attrs ?? {}).map(([k, a]): [string, unknown] => {
        if ('type' in a) return [k, { type: DT_NAME[a.type] ?? a.type }];
        if ('shape' in a) return [k, { shape: jsonDims(a.shape) }];
        if ('b' in a) return [k, { b: a.b }];
        if ('i' in a) return [k, { i: String(a.i) }];
        if ('s' in a) return [k, { s: Buffer.from(a.s).toString('base64') }];
        const t = a.tensor;
        const data = t.content ?? (t.dtype === DT_INT32 ? new Uint8Array(Int32Array.from(t.intVal ?? []).buffer) : le32(Float32Array.from(t.floatVal ?? [])));
        weights.push({ name: n.name, shape: t.dims, dtype: t.dtype === DT_INT32 ? 'int32' : 'float32' });
        chunks.push(data);
        return [k, { tensor: { dtype: DT_NAME[t.dtype] ?? t.dtype, tensorShape: jsonDims(t.dims) } }];
      }),
    );
    return { name: n.name, op: n.op, ...(n.inputs ? { input: n.inputs } : {}), attr };
  });
  const shard = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    shard.set(c, o);
    o += c.length;
  }
  const json: Record<string, unknown> = {
    format: 'graph-model',
    generatedBy: 'kerasrt hostile corpus',
    convertedBy: 'TensorFlow.js Converter v4',
    modelTopology: { node: jsonNodes, versions: { producer: 1205 } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }],
  };
  edit?.(json);
  return { 'model.json': enc(JSON.stringify(json)), 'group1-shard1of1.bin': shard };
}
