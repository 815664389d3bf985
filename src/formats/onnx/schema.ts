// The subset of onnx/onnx.proto an inference importer needs, as data for the shared protobuf decoder, plus
// the TypeScript shape of the decoded messages. Field numbers are from onnx.proto (IR versions 3-10).

import type { MessageSchema } from '../graphdef/protobuf.js';

export interface OnnxTensor {
  readonly dims?: readonly number[];
  readonly dataType?: number;
  readonly floatData?: readonly number[];
  readonly int32Data?: readonly number[];
  readonly stringData?: readonly Uint8Array[];
  readonly int64Data?: readonly number[];
  readonly name?: string;
  readonly rawData?: Uint8Array;
  readonly doubleData?: readonly number[];
  readonly uint64Data?: readonly number[];
  readonly externalData?: readonly { readonly key?: string; readonly value?: string }[];
  /** 1 = EXTERNAL: the payload lives in another file. */
  readonly dataLocation?: number;
}

export interface OnnxAttribute {
  readonly name: string;
  readonly type?: number;
  readonly f?: number;
  readonly i?: number;
  readonly s?: Uint8Array;
  readonly t?: OnnxTensor;
  readonly g?: OnnxGraph;
  readonly floats?: readonly number[];
  readonly ints?: readonly number[];
  readonly strings?: readonly Uint8Array[];
  readonly refAttrName?: string;
}

export interface OnnxNode {
  readonly input?: readonly string[];
  readonly output?: readonly string[];
  readonly name?: string;
  readonly opType: string;
  readonly domain?: string;
  readonly attribute?: readonly OnnxAttribute[];
}

export interface OnnxDimension {
  readonly dimValue?: number;
  readonly dimParam?: string;
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly type?: {
    readonly tensorType?: { readonly elemType?: number; readonly shape?: { readonly dim?: readonly OnnxDimension[] } };
  };
}

export interface OnnxGraph {
  readonly node?: readonly OnnxNode[];
  readonly name?: string;
  readonly initializer?: readonly OnnxTensor[];
  readonly sparseInitializer?: readonly unknown[];
  readonly input?: readonly OnnxValueInfo[];
  readonly output?: readonly OnnxValueInfo[];
  readonly valueInfo?: readonly OnnxValueInfo[];
}

export interface OnnxOpset {
  readonly domain?: string;
  readonly version?: number;
}

export interface OnnxModel {
  readonly irVersion?: number;
  readonly opsetImport?: readonly OnnxOpset[];
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly domain?: string;
  readonly modelVersion?: number;
  readonly graph?: OnnxGraph;
}

/** TensorProto.DataType values. */
export const ONNX_DT = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

const Entry: MessageSchema = { name: 'StringStringEntryProto', fields: { 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: 'string' } } };

const Tensor: MessageSchema = {
  name: 'TensorProto',
  fields: {
    1: { name: 'dims', type: 'int64', repeated: true },
    2: { name: 'dataType', type: 'int32' },
    4: { name: 'floatData', type: 'float', repeated: true },
    5: { name: 'int32Data', type: 'int32', repeated: true },
    6: { name: 'stringData', type: 'bytes', repeated: true },
    7: { name: 'int64Data', type: 'int64', repeated: true },
    8: { name: 'name', type: 'string' },
    9: { name: 'rawData', type: 'bytes' },
    10: { name: 'doubleData', type: 'double', repeated: true },
    11: { name: 'uint64Data', type: 'uint64', repeated: true },
    13: { name: 'externalData', type: () => Entry, repeated: true },
    14: { name: 'dataLocation', type: 'enum' },
  },
};

const Attribute: MessageSchema = {
  name: 'AttributeProto',
  fields: {
    1: { name: 'name', type: 'string' },
    2: { name: 'f', type: 'float' },
    3: { name: 'i', type: 'int64' },
    4: { name: 's', type: 'bytes' },
    5: { name: 't', type: () => Tensor },
    6: { name: 'g', type: () => Graph },
    7: { name: 'floats', type: 'float', repeated: true },
    8: { name: 'ints', type: 'int64', repeated: true },
    9: { name: 'strings', type: 'bytes', repeated: true },
    20: { name: 'type', type: 'enum' },
    21: { name: 'refAttrName', type: 'string' },
  },
};

const Node: MessageSchema = {
  name: 'NodeProto',
  fields: {
    1: { name: 'input', type: 'string', repeated: true },
    2: { name: 'output', type: 'string', repeated: true },
    3: { name: 'name', type: 'string' },
    4: { name: 'opType', type: 'string' },
    5: { name: 'attribute', type: () => Attribute, repeated: true },
    7: { name: 'domain', type: 'string' },
  },
};

const Dimension: MessageSchema = {
  name: 'TensorShapeProto.Dimension',
  fields: { 1: { name: 'dimValue', type: 'int64' }, 2: { name: 'dimParam', type: 'string' } },
};

const Shape: MessageSchema = { name: 'TensorShapeProto', fields: { 1: { name: 'dim', type: () => Dimension, repeated: true } } };

const TensorType: MessageSchema = {
  name: 'TypeProto.Tensor',
  fields: { 1: { name: 'elemType', type: 'int32' }, 2: { name: 'shape', type: () => Shape } },
};

const Type: MessageSchema = { name: 'TypeProto', fields: { 1: { name: 'tensorType', type: () => TensorType } } };

const ValueInfo: MessageSchema = { name: 'ValueInfoProto', fields: { 1: { name: 'name', type: 'string' }, 2: { name: 'type', type: () => Type } } };

const Graph: MessageSchema = {
  name: 'GraphProto',
  fields: {
    1: { name: 'node', type: () => Node, repeated: true },
    2: { name: 'name', type: 'string' },
    5: { name: 'initializer', type: () => Tensor, repeated: true },
    11: { name: 'input', type: () => ValueInfo, repeated: true },
    12: { name: 'output', type: () => ValueInfo, repeated: true },
    13: { name: 'valueInfo', type: () => ValueInfo, repeated: true },
    15: { name: 'sparseInitializer', type: () => ({ name: 'SparseTensorProto', fields: {} }), repeated: true },
  },
};

const Opset: MessageSchema = { name: 'OperatorSetIdProto', fields: { 1: { name: 'domain', type: 'string' }, 2: { name: 'version', type: 'int64' } } };

export const MODEL_PROTO: MessageSchema = {
  name: 'ModelProto',
  fields: {
    1: { name: 'irVersion', type: 'int64' },
    2: { name: 'producerName', type: 'string' },
    3: { name: 'producerVersion', type: 'string' },
    4: { name: 'domain', type: 'string' },
    5: { name: 'modelVersion', type: 'int64' },
    7: { name: 'graph', type: () => Graph },
    8: { name: 'opsetImport', type: () => Opset, repeated: true },
  },
};
