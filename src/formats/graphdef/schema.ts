// The subset of TensorFlow's GraphDef schema a frozen graph needs, as data for protobuf.ts, plus the
// TypeScript shape of the decoded messages. Field numbers are from tensorflow/core/framework/{graph,node_def,
// attr_value,tensor,tensor_shape,types}.proto. The TF.js graph-model JSON is the proto3 JSON mapping of the
// same messages, so tfjs-graph/ converts its JSON into these same interfaces.

import type { MessageSchema } from './protobuf.js';

export interface TfDim {
  readonly size?: number;
  readonly name?: string;
}

export interface TfShape {
  readonly dim?: readonly TfDim[];
  readonly unknownRank?: boolean;
}

export interface TfTensor {
  readonly dtype?: number;
  readonly tensorShape?: TfShape;
  /** Row-major little-endian payload; when absent the typed *Val lists hold the values (a short list is
   * broadcast: its last value fills the rest, as TensorFlow's MakeNdarray does). */
  readonly tensorContent?: Uint8Array;
  readonly halfVal?: readonly number[];
  readonly floatVal?: readonly number[];
  readonly doubleVal?: readonly number[];
  readonly intVal?: readonly number[];
  readonly stringVal?: readonly Uint8Array[];
  readonly int64Val?: readonly number[];
  readonly boolVal?: readonly boolean[];
  readonly uint32Val?: readonly number[];
  readonly uint64Val?: readonly number[];
}

export interface TfAttrList {
  readonly s?: readonly Uint8Array[];
  readonly i?: readonly number[];
  readonly f?: readonly number[];
  readonly b?: readonly boolean[];
  readonly type?: readonly number[];
  readonly shape?: readonly TfShape[];
  readonly tensor?: readonly TfTensor[];
}

export interface TfAttr {
  readonly list?: TfAttrList;
  readonly s?: Uint8Array;
  readonly i?: number;
  readonly f?: number;
  readonly b?: boolean;
  readonly type?: number;
  readonly shape?: TfShape;
  readonly tensor?: TfTensor;
  readonly placeholder?: string;
}

export interface TfNode {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
  readonly device?: string;
  readonly attr?: Readonly<Record<string, TfAttr>>;
}

export interface TfGraph {
  readonly node?: readonly TfNode[];
  /** Present when the graph calls functions; a frozen inference graph should not need them. */
  readonly library?: unknown;
  readonly versions?: { readonly producer?: number; readonly minConsumer?: number };
}

/** tensorflow/core/framework/types.proto DataType values kerasrt reads. */
export const DT = {
  FLOAT: 1,
  DOUBLE: 2,
  INT32: 3,
  UINT8: 4,
  INT16: 5,
  INT8: 6,
  STRING: 7,
  INT64: 9,
  BOOL: 10,
  BFLOAT16: 14,
  UINT16: 17,
  HALF: 19,
  UINT32: 22,
  UINT64: 23,
} as const;

/** Names for error messages and for the TF.js JSON, which spells dtypes as "DT_FLOAT". */
export const DT_NAMES: Readonly<Record<number, string>> = {
  1: 'DT_FLOAT',
  2: 'DT_DOUBLE',
  3: 'DT_INT32',
  4: 'DT_UINT8',
  5: 'DT_INT16',
  6: 'DT_INT8',
  7: 'DT_STRING',
  8: 'DT_COMPLEX64',
  9: 'DT_INT64',
  10: 'DT_BOOL',
  14: 'DT_BFLOAT16',
  17: 'DT_UINT16',
  18: 'DT_COMPLEX128',
  19: 'DT_HALF',
  20: 'DT_RESOURCE',
  21: 'DT_VARIANT',
  22: 'DT_UINT32',
  23: 'DT_UINT64',
};

const Dim: MessageSchema = { name: 'TensorShapeProto.Dim', fields: { 1: { name: 'size', type: 'int64' }, 2: { name: 'name', type: 'string' } } };

const Shape: MessageSchema = {
  name: 'TensorShapeProto',
  fields: { 2: { name: 'dim', type: () => Dim, repeated: true }, 3: { name: 'unknownRank', type: 'bool' } },
};

const Tensor: MessageSchema = {
  name: 'TensorProto',
  fields: {
    1: { name: 'dtype', type: 'enum' },
    2: { name: 'tensorShape', type: () => Shape },
    4: { name: 'tensorContent', type: 'bytes' },
    5: { name: 'floatVal', type: 'float', repeated: true },
    6: { name: 'doubleVal', type: 'double', repeated: true },
    7: { name: 'intVal', type: 'int32', repeated: true },
    8: { name: 'stringVal', type: 'bytes', repeated: true },
    10: { name: 'int64Val', type: 'int64', repeated: true },
    11: { name: 'boolVal', type: 'bool', repeated: true },
    13: { name: 'halfVal', type: 'int32', repeated: true },
    16: { name: 'uint32Val', type: 'uint32', repeated: true },
    17: { name: 'uint64Val', type: 'uint64', repeated: true },
  },
};

const AttrList: MessageSchema = {
  name: 'AttrValue.ListValue',
  fields: {
    2: { name: 's', type: 'bytes', repeated: true },
    3: { name: 'i', type: 'int64', repeated: true },
    4: { name: 'f', type: 'float', repeated: true },
    5: { name: 'b', type: 'bool', repeated: true },
    6: { name: 'type', type: 'enum', repeated: true },
    7: { name: 'shape', type: () => Shape, repeated: true },
    8: { name: 'tensor', type: () => Tensor, repeated: true },
  },
};

const Attr: MessageSchema = {
  name: 'AttrValue',
  fields: {
    1: { name: 'list', type: () => AttrList },
    2: { name: 's', type: 'bytes' },
    3: { name: 'i', type: 'int64' },
    4: { name: 'f', type: 'float' },
    5: { name: 'b', type: 'bool' },
    6: { name: 'type', type: 'enum' },
    7: { name: 'shape', type: () => Shape },
    8: { name: 'tensor', type: () => Tensor },
    9: { name: 'placeholder', type: 'string' },
  },
};

const AttrEntry: MessageSchema = { name: 'NodeDef.AttrEntry', fields: { 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: () => Attr } } };

const Node: MessageSchema = {
  name: 'NodeDef',
  fields: {
    1: { name: 'name', type: 'string' },
    2: { name: 'op', type: 'string' },
    3: { name: 'input', type: 'string', repeated: true },
    4: { name: 'device', type: 'string' },
    5: { name: 'attr', type: () => AttrEntry, map: true },
  },
};

const Versions: MessageSchema = {
  name: 'VersionDef',
  fields: { 1: { name: 'producer', type: 'int32' }, 2: { name: 'minConsumer', type: 'int32' } },
};

/** FunctionDefLibrary is only detected (field present), never decoded. */
const Library: MessageSchema = { name: 'FunctionDefLibrary', fields: {} };

export const GRAPH_DEF: MessageSchema = {
  name: 'GraphDef',
  fields: {
    1: { name: 'node', type: () => Node, repeated: true },
    2: { name: 'library', type: () => Library },
    4: { name: 'versions', type: () => Versions },
  },
};
