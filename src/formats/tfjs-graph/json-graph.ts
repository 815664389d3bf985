// TF.js graph-model topology (a GraphDef in the proto3 JSON mapping) -> the GraphDef interfaces of
// graphdef/schema.ts, checked field by field. Two spellings occur in real files: converter >= 1.x writes
// int64 as strings, bytes as base64 and enums as "DT_FLOAT"; the 0.x/1.0 converter wrote bytes as arrays of
// numbers and enums as numbers (e.g. padding {"s": [86,65,76,73,68]} = "VALID", dtype {"type": 1}).

import { ModelFormatError } from '../../core/errors.js';
import { decodeBase64 } from '../../kernels/wasm/base64.js';
import { DT_NAMES, type TfAttr, type TfAttrList, type TfNode, type TfShape, type TfTensor } from '../graphdef/schema.js';

type JsonObject = { readonly [k: string]: unknown };

const DT_BY_NAME: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(DT_NAMES).map(([k, v]) => [v, Number(k)]));

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class JsonReader {
  constructor(
    readonly file: string,
    readonly where: string,
  ) {}

  fail(what: string): never {
    throw new ModelFormatError(`graph-model JSON: ${what}`, { file: this.file, where: this.where });
  }

  int(v: unknown, what: string): number {
    const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) return this.fail(`${what} is not an integer: ${JSON.stringify(v)}`);
    return n;
  }

  float(v: unknown, what: string): number {
    if (typeof v === 'number') return v;
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    return this.fail(`${what} is not a number: ${JSON.stringify(v)}`);
  }

  bytes(v: unknown, what: string): Uint8Array {
    if (typeof v === 'string') {
      try {
        return decodeBase64(v);
      } catch {
        return this.fail(`${what} is not base64`);
      }
    }
    if (Array.isArray(v) && v.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b < 256)) return Uint8Array.from(v as number[]);
    return this.fail(`${what} is neither base64 nor a byte array`);
  }

  dtype(v: unknown, what: string): number {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && DT_BY_NAME[v] !== undefined) return DT_BY_NAME[v];
    return this.fail(`${what} is not a dtype: ${JSON.stringify(v)}`);
  }

  list<T>(v: unknown, what: string, f: (x: unknown, i: number) => T): T[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return this.fail(`${what} is not a list`);
    return v.map(f);
  }

  shape(v: unknown, what: string): TfShape {
    if (!isObject(v)) return this.fail(`${what} is not a shape`);
    const dim = this.list(v['dim'], `${what}.dim`, (d, i) => {
      if (!isObject(d)) return this.fail(`${what}.dim[${i}] is not an object`);
      return { size: d['size'] === undefined ? 0 : this.int(d['size'], `${what}.dim[${i}].size`) };
    });
    return { dim, unknownRank: v['unknownRank'] === true };
  }

  tensor(v: unknown, what: string): TfTensor {
    if (!isObject(v)) return this.fail(`${what} is not a tensor`);
    const nums = (k: string, f: (x: unknown, w: string) => number) => this.list(v[k], `${what}.${k}`, (x, i) => f.call(this, x, `${what}.${k}[${i}]`));
    return {
      dtype: v['dtype'] === undefined ? undefined : this.dtype(v['dtype'], `${what}.dtype`),
      tensorShape: v['tensorShape'] === undefined ? undefined : this.shape(v['tensorShape'], `${what}.tensorShape`),
      tensorContent: v['tensorContent'] === undefined ? undefined : this.bytes(v['tensorContent'], `${what}.tensorContent`),
      floatVal: nums('floatVal', this.float),
      doubleVal: nums('doubleVal', this.float),
      intVal: nums('intVal', this.int),
      int64Val: nums('int64Val', this.int),
      halfVal: nums('halfVal', this.int),
      uint32Val: nums('uint32Val', this.int),
      uint64Val: nums('uint64Val', this.int),
      boolVal: this.list(v['boolVal'], `${what}.boolVal`, (b) => b === true),
      stringVal: this.list(v['stringVal'], `${what}.stringVal`, (s, i) => this.bytes(s, `${what}.stringVal[${i}]`)),
    };
  }

  attrList(v: unknown, what: string): TfAttrList {
    if (!isObject(v)) return this.fail(`${what} is not a list value`);
    return {
      s: this.list(v['s'], `${what}.s`, (x, i) => this.bytes(x, `${what}.s[${i}]`)),
      i: this.list(v['i'], `${what}.i`, (x, i) => this.int(x, `${what}.i[${i}]`)),
      f: this.list(v['f'], `${what}.f`, (x, i) => this.float(x, `${what}.f[${i}]`)),
      b: this.list(v['b'], `${what}.b`, (x) => x === true),
      type: this.list(v['type'], `${what}.type`, (x, i) => this.dtype(x, `${what}.type[${i}]`)),
      shape: this.list(v['shape'], `${what}.shape`, (x, i) => this.shape(x, `${what}.shape[${i}]`)),
      tensor: this.list(v['tensor'], `${what}.tensor`, (x, i) => this.tensor(x, `${what}.tensor[${i}]`)),
    };
  }

  attr(v: unknown, what: string): TfAttr {
    if (!isObject(v)) return this.fail(`${what} is not an attribute value`);
    const a: { -readonly [K in keyof TfAttr]: TfAttr[K] } = {};
    if (v['list'] !== undefined) a.list = this.attrList(v['list'], `${what}.list`);
    if (v['s'] !== undefined) a.s = this.bytes(v['s'], `${what}.s`);
    if (v['i'] !== undefined) a.i = this.int(v['i'], `${what}.i`);
    if (v['f'] !== undefined) a.f = this.float(v['f'], `${what}.f`);
    if (v['b'] !== undefined) a.b = v['b'] === true;
    if (v['type'] !== undefined) a.type = this.dtype(v['type'], `${what}.type`);
    if (v['shape'] !== undefined) a.shape = this.shape(v['shape'], `${what}.shape`);
    if (v['tensor'] !== undefined) a.tensor = this.tensor(v['tensor'], `${what}.tensor`);
    return a;
  }
}

/** The nodes of a graph-model's modelTopology. */
export function graphNodesFromJson(topology: unknown, file: string): TfNode[] {
  if (!isObject(topology) || !Array.isArray(topology['node'])) {
    throw new ModelFormatError('graph-model JSON: modelTopology.node is missing', { file });
  }
  return topology['node'].map((n: unknown, i: number): TfNode => {
    if (!isObject(n) || typeof n['name'] !== 'string' || typeof n['op'] !== 'string') {
      throw new ModelFormatError(`graph-model JSON: node ${i} needs a name and an op`, { file });
    }
    const name = n['name'];
    const r = new JsonReader(file, name);
    const input = r.list(n['input'], 'input', (x) => (typeof x === 'string' ? x : r.fail('an input is not a string')));
    const attrs = n['attr'];
    let attr: Record<string, TfAttr> | undefined;
    if (attrs !== undefined) {
      const obj = isObject(attrs) ? attrs : r.fail('attr is not an object');
      attr = {};
      for (const [k, v] of Object.entries(obj)) attr[k] = r.attr(v, `attr.${k}`);
    }
    return { name, op: n['op'], input, attr };
  });
}
