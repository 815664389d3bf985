// TensorProto (and TF.js weight bytes) -> HostTensor. Payloads are little-endian (TensorFlow writes
// tensor_content in host order and every platform it ships on is little-endian; TF.js shards likewise).

import { float32sLE } from '../readers/bytes.js';
import { ModelFormatError, UnsupportedFeatureError } from '../../core/errors.js';
import { checkTensorShape, checkedMul, type Limits } from '../../core/limits.js';
import { hostTensor, type HostDtype, type HostTensor } from './host.js';
import { DT, DT_NAMES, type TfShape, type TfTensor } from './schema.js';

/** Dims of a TensorShapeProto; unknown dims are -1; undefined for an unknown rank. */
export function tfShapeDims(s: TfShape | undefined): number[] | undefined {
  if (!s || s.unknownRank) return undefined;
  return (s.dim ?? []).map((d) => (d.size === undefined ? 0 : d.size < 0 ? -1 : d.size));
}

export function hostDtypeOf(dt: number): HostDtype | undefined {
  switch (dt) {
    case DT.FLOAT:
    case DT.DOUBLE:
    case DT.HALF:
    case DT.BFLOAT16:
      return 'float';
    case DT.INT32:
    case DT.INT64:
    case DT.INT16:
    case DT.INT8:
    case DT.UINT8:
    case DT.UINT16:
    case DT.UINT32:
    case DT.UINT64:
      return 'int';
    case DT.BOOL:
      return 'bool';
    case DT.STRING:
      return 'string';
    default:
      return undefined;
  }
}

export function dtypeName(dt: number | undefined): string {
  return dt === undefined ? 'unset' : (DT_NAMES[dt] ?? `dtype ${dt}`);
}

/** IEEE half (binary16) bits -> number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Decodes `n` little-endian elements of TF dtype `dt` from raw bytes. */
export function decodeRaw(bytes: Uint8Array, dt: number, n: number, where: string, file: string): Float32Array | Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = rawWidth(dt);
  if (width === undefined) throw new UnsupportedFeatureError(`tensor of ${dtypeName(dt)} is not supported`, { file, where });
  const need = checkedMul(n, width, 'tensor payload size', { file, where });
  if (bytes.byteLength !== need) {
    throw new ModelFormatError(`tensor payload has ${bytes.byteLength} bytes, ${n} x ${dtypeName(dt)} needs ${need}`, { file, where });
  }
  if (dt === DT.FLOAT) return float32sLE(bytes, 0, n);
  const isFloat = hostDtypeOf(dt) === 'float';
  const out = isFloat ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * width;
    switch (dt) {
      case DT.FLOAT:
        out[i] = view.getFloat32(o, true);
        break;
      case DT.DOUBLE:
        out[i] = view.getFloat64(o, true);
        break;
      case DT.HALF:
        out[i] = halfToFloat(view.getUint16(o, true));
        break;
      case DT.BFLOAT16:
        out[i] = new Float32Array(new Uint32Array([view.getUint16(o, true) << 16]).buffer)[0];
        break;
      case DT.INT32:
        out[i] = view.getInt32(o, true);
        break;
      case DT.INT64:
        out[i] = Number(view.getBigInt64(o, true));
        break;
      case DT.UINT64:
        out[i] = Number(view.getBigUint64(o, true));
        break;
      case DT.INT16:
        out[i] = view.getInt16(o, true);
        break;
      case DT.UINT16:
        out[i] = view.getUint16(o, true);
        break;
      case DT.INT8:
        out[i] = view.getInt8(o);
        break;
      case DT.UINT8:
      case DT.BOOL:
        out[i] = view.getUint8(o);
        break;
      case DT.UINT32:
        out[i] = view.getUint32(o, true);
        break;
    }
  }
  return out;
}

/** Bytes per element of a TF dtype in raw payloads; undefined for dtypes without a fixed width. */
export function rawWidth(dt: number): number | undefined {
  switch (dt) {
    case DT.FLOAT:
    case DT.INT32:
    case DT.UINT32:
      return 4;
    case DT.DOUBLE:
    case DT.INT64:
    case DT.UINT64:
      return 8;
    case DT.HALF:
    case DT.BFLOAT16:
    case DT.INT16:
    case DT.UINT16:
      return 2;
    case DT.INT8:
    case DT.UINT8:
    case DT.BOOL:
      return 1;
    default:
      return undefined;
  }
}

/**
 * A TensorProto's value. A short *_val list is broadcast (its last value repeats), as TF's MakeNdarray does,
 * so a few bytes can claim any shape: the shape is checked against the limits before anything is allocated.
 */
export function decodeTfTensor(t: TfTensor, where: string, file: string, limits: Limits): HostTensor {
  const dt = t.dtype ?? DT.FLOAT;
  const dtype = hostDtypeOf(dt);
  if (dtype === undefined) throw new UnsupportedFeatureError(`constant of ${dtypeName(dt)} is not supported`, { file, where });
  const shape = tfShapeDims(t.tensorShape) ?? [];
  if (shape.some((d) => d < 0)) throw new ModelFormatError(`constant has an unknown dim [${shape.join(', ')}]`, { file, where });
  const n = checkTensorShape(shape, limits, `constant "${where}"`, { file, where });
  if (dtype === 'string') {
    // Strings never reach the IR; keep the count so shapes stay right (e.g. for a Const feeding nothing we use).
    return { dtype, shape, data: new Float64Array(n) };
  }
  if (t.tensorContent && t.tensorContent.length > 0) return { dtype, shape, data: decodeRaw(t.tensorContent, dt, n, where, file) };
  let list: readonly number[] | undefined;
  switch (dt) {
    case DT.FLOAT:
      list = t.floatVal;
      break;
    case DT.DOUBLE:
      list = t.doubleVal;
      break;
    case DT.HALF:
    case DT.BFLOAT16:
      list = (t.halfVal ?? []).map((h) => (dt === DT.HALF ? halfToFloat(h) : new Float32Array(new Uint32Array([h << 16]).buffer)[0]));
      break;
    case DT.INT64:
      list = t.int64Val;
      break;
    case DT.UINT32:
      list = t.uint32Val;
      break;
    case DT.UINT64:
      list = t.uint64Val;
      break;
    case DT.BOOL:
      list = (t.boolVal ?? []).map((b) => (b ? 1 : 0));
      break;
    default:
      list = t.intVal;
  }
  const vals = list ?? [];
  if (vals.length > n) throw new ModelFormatError(`constant has ${vals.length} values, shape [${shape.join(', ')}] holds ${n}`, { file, where });
  const data = dtype === 'float' ? new Float32Array(n) : new Float64Array(n);
  if (vals.length > 0) {
    for (let i = 0; i < n; i++) data[i] = vals[Math.min(i, vals.length - 1)];
  }
  return hostTensor(dtype, shape, data);
}
