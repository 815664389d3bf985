// A tiny protobuf encoder and the ONNX messages the exporter writes (the write side of graphdef/protobuf.ts and
// onnx/schema.ts). Field numbers are from onnx/onnx.proto, the same ones schema.ts reads. Only the wire types
// ONNX needs: varint, 32-bit (float attributes) and length-delimited.

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_32 = 5;

const utf8 = new TextEncoder();

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
  varint(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v < 0x80000000) {
      this.ensure(5);
      while (v >= 0x80) {
        this.buf[this.len++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.len++] = v;
      return;
    }
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

  float(field: number, v: number): this {
    this.tag(field, WIRE_32);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, v, true);
    this.len += 4;
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
    return this.bytes(field, utf8.encode(s));
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

// ---- ONNX messages ----

/** TensorProto.DataType values the exporter writes. */
export const enum OnnxDataType {
  FLOAT = 1,
  INT64 = 7,
}

const enum AttrType {
  FLOAT = 1,
  INT = 2,
  STRING = 3,
  FLOATS = 6,
  INTS = 7,
  STRINGS = 8,
}

export type OnnxAttrValue = number | string | readonly number[] | readonly string[] | { readonly float: number } | { readonly floats: readonly number[] };

/**
 * An attribute: a JS number is an INT (ONNX ints are int64), `{ float }` a FLOAT, a string a STRING, an array
 * of numbers INTS, `{ floats }` FLOATS, an array of strings STRINGS.
 */
export function onnxAttribute(name: string, v: OnnxAttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof v === 'number') return w.int(3, v).int(20, AttrType.INT);
  if (typeof v === 'string') return w.string(4, v).int(20, AttrType.STRING);
  if ('float' in v) return w.float(2, v.float).int(20, AttrType.FLOAT);
  if ('floats' in v) {
    for (const f of v.floats) w.float(7, f); // AttributeProto.floats is not declared packed
    return w.int(20, AttrType.FLOATS);
  }
  const list = v as readonly (number | string)[];
  if (list.length > 0 && typeof list[0] === 'string') {
    for (const s of list as readonly string[]) w.string(9, s);
    return w.int(20, AttrType.STRINGS);
  }
  for (const i of list as readonly number[]) w.int(8, i); // one field per value (proto2, not packed)
  return w.int(20, AttrType.INTS);
}

export function onnxNode(opType: string, inputs: readonly string[], outputs: readonly string[], name: string, attrs: Readonly<Record<string, OnnxAttrValue>> = {}): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name).string(4, opType);
  for (const [k, v] of Object.entries(attrs)) w.message(5, onnxAttribute(k, v));
  return w;
}

/** TensorProto with float data as raw little-endian bytes. */
export function onnxFloatTensor(name: string, dims: readonly number[], data: Float32Array): ProtoWriter {
  const w = new ProtoWriter().packedInts(1, dims).int(2, OnnxDataType.FLOAT).string(8, name);
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return w.bytes(9, raw);
}

/** TensorProto of int64 values (shapes, axes, pads) as raw little-endian bytes. */
export function onnxInt64Tensor(name: string, dims: readonly number[], data: readonly (number | bigint)[]): ProtoWriter {
  const w = new ProtoWriter().packedInts(1, dims).int(2, OnnxDataType.INT64).string(8, name);
  const raw = new Uint8Array(data.length * 8);
  const view = new DataView(raw.buffer);
  data.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return w.bytes(9, raw);
}

/** ValueInfoProto of a float tensor; a string dim is symbolic (dim_param), a number fixed (dim_value). */
export function onnxValueInfo(name: string, dims: readonly (number | string)[], elemType: number = OnnxDataType.FLOAT): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, name).message(2, type);
}

export interface OnnxModelParts {
  readonly irVersion: number;
  readonly opset: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graphName: string;
  readonly docString?: string;
  readonly nodes: readonly ProtoWriter[];
  readonly initializers: readonly ProtoWriter[];
  readonly inputs: readonly ProtoWriter[];
  readonly outputs: readonly ProtoWriter[];
}

/** ModelProto bytes: ir_version 1, producer 2/3, graph 7, opset_import 8 (GraphProto: node 1, name 2, initializer 5, doc 10, input 11, output 12). */
export function onnxModelBytes(p: OnnxModelParts): Uint8Array {
  const graph = new ProtoWriter();
  for (const n of p.nodes) graph.message(1, n);
  graph.string(2, p.graphName);
  for (const t of p.initializers) graph.message(5, t);
  if (p.docString) graph.string(10, p.docString);
  for (const i of p.inputs) graph.message(11, i);
  for (const o of p.outputs) graph.message(12, o);
  return new ProtoWriter()
    .int(1, p.irVersion)
    .string(2, p.producerName)
    .string(3, p.producerVersion)
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, p.opset))
    .finish();
}
