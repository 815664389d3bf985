// ONNX TensorProto -> HostTensor: raw_data (little-endian) or the typed *_data fields. External data
// (weights in a side file) is read by the importer beforehand when the caller allows it (import.ts,
// resolveExternalData); a tensor still pointing outside the file here is refused with a typed error.

import { ModelFormatError, UnsupportedFeatureError } from '../../core/errors.js';
import { checkTensorShape, checkedMul, type Limits } from '../../core/limits.js';
import { hostTensor, type HostDtype, type HostTensor } from '../graphdef/host.js';
import { DT } from '../graphdef/schema.js';
import { decodeRaw, halfToFloat, rawWidth } from '../graphdef/tensor.js';
import { ONNX_DT, type OnnxTensor } from './schema.js';

/** ONNX data type -> the TensorFlow DataType with the same bytes (to share the raw decoder). */
const TF_OF: Readonly<Record<number, number>> = {
  [ONNX_DT.FLOAT]: DT.FLOAT,
  [ONNX_DT.UINT8]: DT.UINT8,
  [ONNX_DT.INT8]: DT.INT8,
  [ONNX_DT.UINT16]: DT.UINT16,
  [ONNX_DT.INT16]: DT.INT16,
  [ONNX_DT.INT32]: DT.INT32,
  [ONNX_DT.INT64]: DT.INT64,
  [ONNX_DT.BOOL]: DT.BOOL,
  [ONNX_DT.FLOAT16]: DT.HALF,
  [ONNX_DT.DOUBLE]: DT.DOUBLE,
  [ONNX_DT.UINT32]: DT.UINT32,
  [ONNX_DT.UINT64]: DT.UINT64,
  [ONNX_DT.BFLOAT16]: DT.BFLOAT16,
};

export function onnxHostDtype(dt: number): HostDtype | undefined {
  switch (dt) {
    case ONNX_DT.FLOAT:
    case ONNX_DT.DOUBLE:
    case ONNX_DT.FLOAT16:
    case ONNX_DT.BFLOAT16:
      return 'float';
    case ONNX_DT.BOOL:
      return 'bool';
    case ONNX_DT.STRING:
      return 'string';
    default:
      return TF_OF[dt] !== undefined ? 'int' : undefined;
  }
}

export function hasExternalData(t: OnnxTensor): boolean {
  return t.dataLocation === 1 || (t.externalData !== undefined && t.externalData.length > 0);
}

/**
 * The element count and payload bytes a tensor claims, checked against the limits (and overflow-checked)
 * before anything is read or allocated.
 */
export function onnxTensorSize(t: OnnxTensor, where: string, file: string, limits: Limits): { n: number; bytes: number | undefined } {
  const name = t.name || where;
  const shape = [...(t.dims ?? [])];
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new ModelFormatError(`tensor "${name}" has bad dims [${shape.join(', ')}]`, { file, where: name });
  const n = checkTensorShape(shape, limits, `tensor "${name}"`, { file, where: name });
  const tf = TF_OF[t.dataType ?? 0];
  const width = tf === undefined ? undefined : rawWidth(tf);
  return { n, bytes: width === undefined ? undefined : checkedMul(n, width, `tensor "${name}" size`, { file, where: name }) };
}

export function decodeOnnxTensor(t: OnnxTensor, where: string, file: string, limits: Limits): HostTensor {
  const dt = t.dataType ?? 0;
  const name = t.name || where;
  if (hasExternalData(t)) {
    const loc = t.externalData?.find((e) => e.key === 'location')?.value;
    throw new UnsupportedFeatureError(`tensor "${name}" keeps its data in an external file${loc ? ` ("${loc}")` : ''}; pass { externalData: true } to read it (only files inside the model's folder)`, { file, where: name });
  }
  const dtype = onnxHostDtype(dt);
  if (dtype === undefined) throw new UnsupportedFeatureError(`tensor "${name}" has ONNX data type ${dt}, which is not supported`, { file, where: name });
  const shape = [...(t.dims ?? [])];
  const { n } = onnxTensorSize(t, where, file, limits);
  if (dtype === 'string') return { dtype, shape, data: new Float64Array(n) };
  if (t.rawData !== undefined && (t.rawData.length > 0 || n === 0)) return { dtype, shape, data: decodeRaw(t.rawData, TF_OF[dt], n, name, file) };
  let vals: readonly number[];
  switch (dt) {
    case ONNX_DT.FLOAT:
      vals = t.floatData ?? [];
      break;
    case ONNX_DT.DOUBLE:
      vals = t.doubleData ?? [];
      break;
    case ONNX_DT.INT64:
      vals = t.int64Data ?? [];
      break;
    case ONNX_DT.UINT32:
    case ONNX_DT.UINT64:
      vals = t.uint64Data ?? [];
      break;
    case ONNX_DT.FLOAT16:
      vals = (t.int32Data ?? []).map(halfToFloat);
      break;
    case ONNX_DT.BFLOAT16:
      vals = (t.int32Data ?? []).map((h) => new Float32Array(new Uint32Array([h << 16]).buffer)[0]);
      break;
    default:
      vals = t.int32Data ?? [];
  }
  if (vals.length !== n) throw new ModelFormatError(`tensor "${name}" has ${vals.length} values, dims [${shape.join(', ')}] need ${n}`, { file, where: name });
  return hostTensor(dtype, shape, vals);
}
