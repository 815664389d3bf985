// A small schema-driven protobuf wire-format decoder, shared by the GraphDef (.pb) and ONNX importers.
// Why not protobufjs: both formats need only a handful of messages, decoding only, and this keeps the
// package dependency-free and browser-safe; the schemas (graphdef/schema.ts, onnx/schema.ts) are plain data
// transcribed from the public .proto files, so swapping in a generated decoder later changes nothing else.
// Wire format facts: https://protobuf.dev/programming-guides/encoding/ (varint, 64-bit, length-delimited,
// 32-bit wire types; packed repeated scalars; unknown fields are skipped).

import { LimitExceededError, ModelFormatError } from '../../core/errors.js';
import { DEFAULT_LIMITS, checkProtobufDepth, type Limits } from '../../core/limits.js';

export type ScalarKind = 'int32' | 'int64' | 'uint32' | 'uint64' | 'bool' | 'enum' | 'float' | 'double' | 'string' | 'bytes';

export interface FieldSpec {
  readonly name: string;
  /** A scalar kind, or a function returning the nested message's schema (lazy, for recursive schemas). */
  readonly type: ScalarKind | (() => MessageSchema);
  readonly repeated?: boolean;
  /** A proto `map<string, V>` field: decoded into a Record from entries {key = 1, value = 2}. */
  readonly map?: boolean;
}

export interface MessageSchema {
  readonly name: string;
  readonly fields: Readonly<Record<number, FieldSpec>>;
}

/** A decoded message: field name -> value (repeated fields are arrays, maps are records). */
export type ProtoMessage = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8');

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    readonly end: number,
    start: number,
    readonly file: string,
    /** The message being read, as a field path ("GraphDef.node[3].attr"), for error messages. */
    readonly path: string,
  ) {
    this.pos = start;
  }

  fail(what: string): never {
    throw new ModelFormatError(`protobuf: ${what} at byte ${this.pos} (the file is truncated or not this format)`, { file: this.file, where: this.path });
  }

  /** A varint as [low 32 bits, high 32 bits], both unsigned. */
  varint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('varint runs past the end');
      const b = this.buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if ((b & 0x80) === 0) return [lo >>> 0, hi >>> 0];
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** A varint as a JS number; int64 values beyond 2^53 lose precision (never the case for dims or attrs). */
  int64(): number {
    const [lo, hi] = this.varint64();
    if (hi & 0x80000000) return -((~hi >>> 0) * 4294967296 + (~lo >>> 0) + 1);
    return hi * 4294967296 + lo;
  }

  uint64(): number {
    const [lo, hi] = this.varint64();
    return hi * 4294967296 + lo;
  }

  uint32(): number {
    return this.varint64()[0];
  }

  int32(): number {
    return this.varint64()[0] | 0;
  }

  length(): number {
    const n = this.uint64();
    if (n > this.end - this.pos) this.fail(`length ${n} runs past the end`);
    return n;
  }

  float(): number {
    if (this.pos + 4 > this.end) this.fail('float runs past the end');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    if (this.pos + 8 > this.end) this.fail('double runs past the end');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint64();
        return;
      case 1:
        if (this.pos + 8 > this.end) this.fail('fixed64 runs past the end');
        this.pos += 8;
        return;
      case 2: {
        const n = this.length(); // read before adding: `pos += length()` would add to the stale pos
        this.pos += n;
        return;
      }
      case 5:
        if (this.pos + 4 > this.end) this.fail('fixed32 runs past the end');
        this.pos += 4;
        return;
      default:
        // Groups (3, 4) are proto2 relics no TensorFlow or ONNX writer emits.
        this.fail(`unsupported wire type ${wire}`);
    }
  }
}

function readScalar(r: Reader, kind: ScalarKind, wire: number): unknown {
  switch (kind) {
    case 'int32':
    case 'enum':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'uint32':
      return r.uint32();
    case 'uint64':
      return r.uint64();
    case 'bool':
      return r.uint64() !== 0;
    case 'float':
      return wire === 5 ? r.float() : r.fail(`float field with wire type ${wire}`);
    case 'double':
      return wire === 1 ? r.double() : r.fail(`double field with wire type ${wire}`);
    case 'string': {
      const n = r.length();
      const s = utf8.decode(r.buf.subarray(r.pos, r.pos + n));
      r.pos += n;
      return s;
    }
    case 'bytes': {
      const n = r.length();
      const b = r.buf.subarray(r.pos, r.pos + n);
      r.pos += n;
      return b;
    }
  }
}

/** The wire type a scalar is written with when not packed. */
function wireOf(kind: ScalarKind): number {
  switch (kind) {
    case 'float':
      return 5;
    case 'double':
      return 1;
    case 'string':
    case 'bytes':
      return 2;
    default:
      return 0;
  }
}

/**
 * One message. Besides the wire-format checks, the limits bound what a small file could make us allocate:
 * nesting (maxProtobufDepth, before recursing), entries of a repeated or map message field (maxNodes: nodes,
 * initializers, attributes) and values of a repeated scalar field (maxTensorElements), as they are appended.
 */
function decodeMessage(r: Reader, schema: MessageSchema, depth: number, limits: Limits): ProtoMessage {
  checkProtobufDepth(depth, limits, { file: r.file, where: r.path });
  const out: ProtoMessage = {};
  /** Entries read per map field (repeated keys overwrite, but each entry was decoded). */
  const mapEntries = new Map<number, number>();
  const tooMany = (spec: FieldSpec, key: 'maxNodes' | 'maxTensorElements'): never => {
    throw new LimitExceededError(`${schema.name}.${spec.name} has more than ${key} = ${limits[key]} entries`, { file: r.file, where: `${r.path}.${spec.name}` });
  };
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) r.fail('field number 0');
    const spec = schema.fields[field];
    if (!spec) {
      r.skip(wire);
      continue;
    }
    if (typeof spec.type === 'function') {
      if (wire !== 2) r.fail(`${schema.name}.${spec.name} is a message but has wire type ${wire}`);
      const n = r.length();
      // Map entries go into a prototype-free record: a key "__proto__" from the file stays a plain key.
      const rec = spec.map ? ((out[spec.name] ??= Object.create(null)) as Record<string, unknown>) : undefined;
      const list = spec.repeated ? ((out[spec.name] ??= []) as unknown[]) : undefined;
      const count = mapEntries.get(field) ?? list?.length ?? 0;
      if (count >= limits.maxNodes) tooMany(spec, 'maxNodes');
      if (rec) mapEntries.set(field, count + 1);
      const sub = new Reader(r.buf, r.pos + n, r.pos, r.file, list ? `${r.path}.${spec.name}[${count}]` : `${r.path}.${spec.name}`);
      const msg = decodeMessage(sub, spec.type(), depth + 1, limits);
      r.pos += n;
      if (rec) rec[String(msg['key'] ?? '')] = msg['value'];
      else if (list) list.push(msg);
      else out[spec.name] = msg;
      continue;
    }
    const kind = spec.type;
    if (spec.repeated) {
      const list = (out[spec.name] ??= []) as unknown[];
      const max = limits.maxTensorElements;
      if (wire === 2 && wireOf(kind) !== 2) {
        // Packed: a run of scalars inside one length-delimited field.
        const n = r.length();
        const end = r.pos + n;
        const elemWire = wireOf(kind);
        while (r.pos < end) {
          if (list.length >= max) tooMany(spec, 'maxTensorElements');
          list.push(readScalar(r, kind, elemWire));
        }
        if (r.pos !== end) r.fail(`packed ${schema.name}.${spec.name} overruns its length`);
      } else {
        if (list.length >= max) tooMany(spec, 'maxTensorElements');
        list.push(readScalar(r, kind, wire));
      }
    } else {
      if (wire !== wireOf(kind)) r.fail(`${schema.name}.${spec.name} (${kind}) has wire type ${wire}`);
      out[spec.name] = readScalar(r, kind, wire);
    }
  }
  if (r.pos !== r.end) r.fail(`${schema.name} overruns its length`);
  return out;
}

/**
 * Decodes one message. The caller asserts the result's TypeScript type (schema files pair each schema with
 * an interface); fields absent from the bytes are absent from the object, repeated ones may be missing.
 */
export function decodeProto(bytes: Uint8Array, schema: MessageSchema, file: string, limits: Limits = DEFAULT_LIMITS): ProtoMessage {
  return decodeMessage(new Reader(bytes, bytes.length, 0, file, schema.name), schema, 0, limits);
}

/** Copies little-endian bytes into an aligned typed array (raw tensor payloads are rarely 4-byte aligned). */
export function alignedCopy(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

/**
 * The top-level field numbers of a message and their wire types, by walking (not decoding) the bytes;
 * undefined when the bytes are not a well-formed message. Cheap even for large files: payloads are skipped.
 */
export function scanFields(bytes: Uint8Array): Map<number, number> | undefined {
  const r = new Reader(bytes, bytes.length, 0, '', '');
  const fields = new Map<number, number>();
  try {
    while (r.pos < r.end) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === 0) return undefined;
      r.skip(wire);
      if (!fields.has(field)) fields.set(field, wire);
    }
  } catch {
    return undefined;
  }
  return fields.size > 0 ? fields : undefined;
}
