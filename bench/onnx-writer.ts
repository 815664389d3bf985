// A minimal ONNX writer for the founding models, so ONNX Runtime can run them in `kerasrt bench` until
// kerasrt's own ONNX exporter exists. Written from onnx/onnx.proto's field numbers (IR 8, opset 13) with
// a tiny protobuf encoder: varints and length-delimited fields, nothing else is needed.
//
// Layout: ORT gets NCHW input ([N, 1, 28, 28]: for one channel NHWC and NCHW bytes are the same, so the
// MNIST pixels are fed unchanged; several channels get one Transpose in the graph). Conv kernels go HWIO -> OIHW; before Flatten the activations are
// transposed NCHW -> NHWC so the Dense kernel (written for Keras's channels-last flatten) applies as is.

import type { FoundingModel, FoundingWeight } from '../src/models/founding.js';

// ---- protobuf wire format (proto2/proto3 encoding rules) ----

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

/** Appends protobuf fields to a growing byte buffer. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Unsigned varint; negative int64 values are written as their 64-bit two's complement (10 bytes). */
  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (x >= 0x80n) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(v);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** A packed repeated varint field (int64 lists). */
  packedInts(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

// ---- ONNX messages (field numbers from onnx.proto) ----

const enum DataType {
  FLOAT = 1,
  INT64 = 7,
}

const enum AttrType {
  INT = 2,
  INTS = 7,
}

type Attr = { readonly name: string; readonly int: number } | { readonly name: string; readonly ints: readonly number[] };

function attribute(a: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ('int' in a) w.int(3, a.int).int(20, AttrType.INT);
  else {
    for (const v of a.ints) w.int(8, v); // AttributeProto.ints is not declared packed: one field per value
    w.int(20, AttrType.INTS);
  }
  return w;
}

function node(opType: string, inputs: readonly string[], outputs: readonly string[], name: string, attrs: readonly Attr[] = []): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name).string(4, opType);
  for (const a of attrs) w.message(5, attribute(a));
  return w;
}

/** TensorProto with float data as raw little-endian bytes. */
function floatTensor(name: string, dims: readonly number[], data: Float32Array): ProtoWriter {
  const w = new ProtoWriter().packedInts(1, dims).int(2, DataType.FLOAT).string(8, name);
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return w.bytes(9, raw);
}

/** ValueInfoProto of a float tensor; a string dim is symbolic (dim_param), a number fixed (dim_value). */
function valueInfo(name: string, dims: readonly (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, DataType.FLOAT).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, name).message(2, type);
}

// ---- the founding models as ONNX graphs ----

export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'output';
export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 8;

/** HWIO [kh, kw, ci, co] -> OIHW [co, ci, kh, kw]. */
function hwioToOihw(w: FoundingWeight): Float32Array {
  const [kh, kw, ci, co] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = w.data[((y * kw + x) * ci + i) * co + o];
  return out;
}

function weightOf(model: FoundingModel, layer: string, variable: 'kernel' | 'bias'): FoundingWeight {
  const w = model.weights.find((x) => x.layer === layer && x.variable === variable);
  if (!w) throw new Error(`onnx-writer: no ${variable} for layer "${layer}" in ${model.name}`);
  return w;
}

/**
 * The founding model (Keras Sequential of Dense / Conv2D 'same' / MaxPooling2D / Flatten / Dropout /
 * Activation, with linear, relu or softmax activations) as ONNX ModelProto bytes. Input "input" is
 * [N, 784] for flat models and [N, C, H, W] for image models; output "output" is [N, classes].
 */
export function foundingToOnnx(model: FoundingModel): Uint8Array {
  const graph = new ProtoWriter();
  const nodes: ProtoWriter[] = [];
  const inits: ProtoWriter[] = [];
  let cur = ONNX_INPUT;
  let channelsFirst = model.inputShape.length === 3; // image tensors are NCHW inside the graph
  let k = 0;
  const fresh = (base: string) => `${base}_${k++}`;
  if (channelsFirst && model.inputShape[2] !== 1) {
    // Several channels: the input stays NHWC (Keras's layout) and is transposed once in the graph.
    nodes.push(node('Transpose', [cur], ['input_nchw'], 'input/to_nchw', [{ name: 'perm', ints: [0, 3, 1, 2] }]));
    cur = 'input_nchw';
  }
  const activation = (act: string, layer: string) => {
    if (act === 'linear') return;
    const op = act === 'relu' ? 'Relu' : act === 'softmax' ? 'Softmax' : undefined;
    if (!op) throw new Error(`onnx-writer: activation "${act}" (layer ${layer}) not supported`);
    const out = fresh(`${layer}_${act}`);
    // Softmax (opset 13) defaults to axis -1, the class axis here.
    nodes.push(node(op, [cur], [out], `${layer}/${act}`));
    cur = out;
  };
  for (const layer of model.config.config.layers) {
    const name = layer.config.name;
    switch (layer.class_name) {
      case 'InputLayer':
      case 'Dropout': // inference: identity
        break;
      case 'Conv2D': {
        const c = layer.config;
        if (c.padding !== 'same' || c.strides[0] !== 1 || c.strides[1] !== 1 || c.kernel_size[0] % 2 === 0 || c.kernel_size[1] % 2 === 0) {
          throw new Error(`onnx-writer: Conv2D "${name}" must be stride 1, 'same', odd kernel`);
        }
        const kw = weightOf(model, name, 'kernel');
        const bw = weightOf(model, name, 'bias');
        const [kh, kwid, ci, co] = kw.shape;
        inits.push(floatTensor(`${name}.W`, [co, ci, kh, kwid], hwioToOihw(kw)));
        inits.push(floatTensor(`${name}.B`, [co], bw.data));
        const ph = (kh - 1) / 2;
        const pw = (kwid - 1) / 2;
        const out = fresh(name);
        nodes.push(node('Conv', [cur, `${name}.W`, `${name}.B`], [out], name, [
          { name: 'kernel_shape', ints: [kh, kwid] },
          { name: 'pads', ints: [ph, pw, ph, pw] },
          { name: 'strides', ints: [1, 1] },
        ]));
        cur = out;
        activation(c.activation, name);
        break;
      }
      case 'MaxPooling2D': {
        const c = layer.config;
        const out = fresh(name);
        nodes.push(node('MaxPool', [cur], [out], name, [
          { name: 'kernel_shape', ints: [...c.pool_size] },
          { name: 'strides', ints: [...c.strides] },
        ]));
        cur = out;
        break;
      }
      case 'Flatten': {
        if (channelsFirst) {
          // Keras flattens channels-last (h, w, c): go back to NHWC first.
          const t = fresh(`${name}_nhwc`);
          nodes.push(node('Transpose', [cur], [t], `${name}/to_nhwc`, [{ name: 'perm', ints: [0, 2, 3, 1] }]));
          cur = t;
          channelsFirst = false;
        }
        const out = fresh(name);
        nodes.push(node('Flatten', [cur], [out], name, [{ name: 'axis', int: 1 }]));
        cur = out;
        break;
      }
      case 'Dense': {
        const c = layer.config;
        const kw = weightOf(model, name, 'kernel');
        const bw = weightOf(model, name, 'bias');
        inits.push(floatTensor(`${name}.W`, kw.shape, kw.data));
        inits.push(floatTensor(`${name}.B`, bw.shape, bw.data));
        const out = fresh(name);
        // Gemm: Y = A * B + C with B = the Keras [in, out] kernel (transB = 0), C broadcast over rows.
        nodes.push(node('Gemm', [cur, `${name}.W`, `${name}.B`], [out], name));
        cur = out;
        activation(c.activation, name);
        break;
      }
      case 'Activation':
        activation(layer.config.activation, name);
        break;
      default: {
        const never: never = layer;
        throw new Error(`onnx-writer: layer ${(never as { class_name: string }).class_name} not supported`);
      }
    }
  }
  // Name the last value "output" with an Identity, so the graph's output name does not depend on layers.
  nodes.push(node('Identity', [cur], [ONNX_OUTPUT], 'output'));

  for (const n of nodes) graph.message(1, n);
  graph.string(2, model.name);
  for (const t of inits) graph.message(5, t);
  graph.message(11, valueInfo(ONNX_INPUT, ['N', ...onnxInputDims(model, 1).slice(1)]));
  graph.message(12, valueInfo(ONNX_OUTPUT, ['N', ...model.outputShape]));

  return new ProtoWriter()
    .int(1, ONNX_IR_VERSION)
    .string(2, 'kerasrt bench/onnx-writer')
    .string(3, '0.1.0')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, ONNX_OPSET))
    .finish();
}

/**
 * The ONNX input shape for n samples of this model: NCHW for one-channel images (the same bytes as NHWC),
 * Keras's NHWC otherwise (transposed inside the graph), [n, features] for flat inputs.
 */
export function onnxInputDims(model: FoundingModel, n: number): number[] {
  const s = model.inputShape;
  return s.length === 3 && s[2] === 1 ? [n, 1, s[0], s[1]] : [n, ...s];
}
