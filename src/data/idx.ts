// IDX reader (LeCun's MNIST container): magic, dtype byte, big-endian dims and data; gzip via fflate.
// Pure bytes in, typed arrays out, so it runs in browsers too; reading files is the caller's business.

import { concatBytes } from '../formats/readers/bytes.js';
import { Gunzip } from 'fflate';
import { LimitExceededError, ModelFormatError, UnsupportedFeatureError } from '../core/errors.js';
import { checkedMul } from '../core/limits.js';
import { feedBounded } from '../formats/readers/zip.js';

/** IDX element types, by the third magic byte (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT"). */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  readonly dtype: IdxDtype;
  readonly shape: readonly number[];
  /** Elements in C order, converted to the platform's byte order. */
  readonly data: IdxData;
}

export interface IdxOptions {
  /** Refuse files with more elements than this (default 2^31 - 1, what a typed array may hold). */
  readonly maxElements?: number;
}

const DTYPES: ReadonlyMap<number, { dtype: IdxDtype; size: number }> = new Map([
  [0x08, { dtype: 'uint8', size: 1 }],
  [0x09, { dtype: 'int8', size: 1 }],
  [0x0b, { dtype: 'int16', size: 2 }],
  [0x0c, { dtype: 'int32', size: 4 }],
  [0x0d, { dtype: 'float32', size: 4 }],
  [0x0e, { dtype: 'float64', size: 8 }],
]);

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses an IDX file (plain or gzip-compressed). `name` is the file name used in every error.
 * The payload must be exactly what the header promises: a truncated or padded file is refused.
 */
export function parseIdx(input: Uint8Array, name: string, options: IdxOptions = {}): IdxArray {
  const maxElements = options.maxElements ?? 0x7fffffff;
  const bytes = isGzip(input) ? gunzipIdx(input, name, maxElements) : input;
  if (bytes.length < 4) throw new ModelFormatError(`IDX file is ${bytes.length} bytes, shorter than its 4-byte magic`, { file: name });
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new ModelFormatError(`not an IDX file: magic starts ${hex(bytes[0])} ${hex(bytes[1])}, expected 00 00`, { file: name });
  }
  const kind = DTYPES.get(bytes[2]);
  if (kind === undefined) throw new UnsupportedFeatureError(`IDX dtype byte ${hex(bytes[2])} is not one of 08 09 0b 0c 0d 0e`, { file: name });
  const rank = bytes[3];
  const headerSize = 4 + 4 * rank;
  if (bytes.length < headerSize) {
    throw new ModelFormatError(`IDX header needs ${headerSize} bytes for ${rank} dims, file has ${bytes.length}`, { file: name });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { shape, count, need } = idxHeader(bytes, name, maxElements, kind.size);
  const payload = bytes.length - headerSize;
  if (payload !== need) {
    const what = payload < need ? 'truncated' : 'has trailing bytes';
    throw new ModelFormatError(
      `IDX ${what}: shape [${shape.join(', ')}] of ${kind.dtype} needs ${need} payload bytes, file has ${payload}`,
      { file: name },
    );
  }
  return { dtype: kind.dtype, shape, data: decode(view, headerSize, count, kind.dtype) };
}

/** Dims, element count and payload bytes of an IDX header (bytes hold the whole header), within the limit. */
function idxHeader(bytes: Uint8Array, name: string, maxElements: number, size: number): { shape: number[]; count: number; need: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: bytes[3] }, (_, i) => view.getUint32(4 + 4 * i, false));
  // Dims are uint32, so the product as a double is at worst Infinity, never NaN: it compares correctly.
  const count = shape.reduce((a, d) => a * d, 1);
  if (count > maxElements) {
    throw new LimitExceededError(`IDX shape [${shape.join(', ')}] has ${count} elements, more than the limit ${maxElements}`, { file: name });
  }
  return { shape, count, need: checkedMul(count, size, 'IDX payload size', { file: name }) };
}

/**
 * Inflates a gzip IDX file without trusting it: output is collected only up to what the IDX header (itself
 * the first inflated bytes) promises, so a gzip bomb is stopped after a few MiB instead of allocating its
 * full size (gunzipSync would). The header's element count is checked against the limit as soon as it is
 * complete.
 */
function gunzipIdx(input: Uint8Array, name: string, maxElements: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let got = 0;
  const notIdx = new Error('not IDX');
  // Until the header is complete, at most the largest header (rank 255) may arrive.
  let cap = 4 + 4 * 255;
  let capKnown = false;
  let head = new Uint8Array(0);
  const gz = new Gunzip((chunk: Uint8Array) => {
    got += chunk.length;
    if (!capKnown && head.length < cap) {
      const h = new Uint8Array(Math.min(cap, head.length + chunk.length));
      h.set(head);
      h.set(chunk.subarray(0, h.length - head.length), head.length);
      head = h;
      const kind = head.length >= 4 ? DTYPES.get(head[2]) : undefined;
      // Not IDX: stop inflating; parseIdx refuses the first bytes with the reason.
      if (head.length >= 4 && (head[0] !== 0 || head[1] !== 0 || kind === undefined)) throw notIdx;
      if (kind !== undefined && head.length >= 4 + 4 * head[3]) {
        cap = 4 + 4 * head[3] + idxHeader(head, name, maxElements, kind.size).need;
        capKnown = true;
      }
    }
    if (got > cap) throw new LimitExceededError(`gzip data inflates past the ${cap} bytes its IDX header promises (a gzip bomb?)`, { file: name });
    chunks.push(chunk);
  });
  try {
    feedBounded((c, final) => gz.push(c, final), input, () => cap - got);
  } catch (e) {
    if (e === notIdx) return head;
    if (e instanceof LimitExceededError || e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`gzip data is corrupt: ${e instanceof Error ? e.message : String(e)}`, { file: name, cause: e });
  }
  return concatBytes(chunks);
}

function decode(view: DataView, at: number, n: number, dtype: IdxDtype): IdxData {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + at, view.byteOffset + at + n));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + at, view.byteOffset + at + n));
    case 'int16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(at + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(at + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(at + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(at + 8 * i, false);
      return out;
    }
  }
}

/** Writes an IDX file (uncompressed); the inverse of parseIdx, for tests and tools. */
export function encodeIdx(array: IdxArray): Uint8Array {
  const entry = [...DTYPES.entries()].find(([, k]) => k.dtype === array.dtype);
  if (entry === undefined) throw new UnsupportedFeatureError(`IDX dtype ${String(array.dtype)}`);
  const [code, { size }] = entry;
  const rank = array.shape.length;
  if (rank > 255) throw new LimitExceededError(`IDX rank ${rank} exceeds 255`);
  const n = array.shape.reduce((a, b) => a * b, 1);
  if (n !== array.data.length) throw new ModelFormatError(`IDX data has ${array.data.length} elements, shape needs ${n}`);
  const headerSize = 4 + 4 * rank;
  const out = new Uint8Array(headerSize + n * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = rank;
  array.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < n; i++) {
    const v = array.data[i];
    const at = headerSize + i * size;
    switch (array.dtype) {
      case 'uint8': view.setUint8(at, v); break;
      case 'int8': view.setInt8(at, v); break;
      case 'int16': view.setInt16(at, v, false); break;
      case 'int32': view.setInt32(at, v, false); break;
      case 'float32': view.setFloat32(at, v, false); break;
      case 'float64': view.setFloat64(at, v, false); break;
    }
  }
  return out;
}

function hex(b: number | undefined): string {
  return b === undefined ? '??' : b.toString(16).padStart(2, '0');
}
