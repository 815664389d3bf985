// NumPy .npy reader/writer (format versions 1, 2, 3) and a small .npz reader, for the CLI's
// `run --input x.npy --output y.npy` and for tests reading reference data. Everything becomes float32,
// C order. Spec: numpy/lib/format.py (NEP 1): magic "\x93NUMPY", major, minor, header length
// (uint16 LE in v1, uint32 LE in v2/v3), a Python dict literal padded with spaces to a multiple of 64, "\n".

import { InternalError, LimitExceededError, ModelFormatError, UnsupportedFeatureError } from '../../core/errors.js';
import { DEFAULT_LIMITS, checkedElements, checkedMul, resolveLimits, type Limits } from '../../core/limits.js';
import { float32sLE } from './bytes.js';
import { readZip } from './zip.js';

export interface NpyArray {
  readonly shape: readonly number[];
  /** Elements in C order, converted to float32 (int64 values beyond 2^53 lose precision, as in any float cast). */
  readonly data: Float32Array;
  /** The file's dtype string, e.g. "<f4", "|u1". */
  readonly descr: string;
}

export interface NpyOptions {
  /** Refuse arrays with more elements than this (default Limits.maxTensorElements, 2^28: 1 GiB of float32). */
  readonly maxElements?: number;
  /** Zip and size limits for .npz archives (and the element limit when maxElements is not given). */
  readonly limits?: Partial<Limits>;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type Kind = 'f' | 'i' | 'u' | 'b';

/** True when the bytes start with the .npy magic. */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

/** Parses one .npy file. `name` names the file in every error. */
export function parseNpy(bytes: Uint8Array, name: string, options: NpyOptions = {}): NpyArray {
  if (!isNpy(bytes)) throw new ModelFormatError('not a .npy file (missing the \\x93NUMPY magic)', { file: name });
  if (bytes.length < 10) throw new ModelFormatError(`.npy file truncated in its preamble (${bytes.length} bytes)`, { file: name });
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let at: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    at = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new ModelFormatError(`.npy v${major} file truncated in its preamble`, { file: name });
    headerLen = view.getUint32(8, true);
    at = 12;
  } else {
    throw new UnsupportedFeatureError(`.npy format version ${major}.${bytes[7]} (known: 1, 2, 3)`, { file: name });
  }
  if (at + headerLen > bytes.length) {
    throw new ModelFormatError(`.npy header says ${headerLen} bytes, but only ${bytes.length - at} follow`, { file: name });
  }
  const headerBytes = bytes.subarray(at, at + headerLen);
  // v1/v2 headers are latin1, v3 utf8; the keys and dtype strings we accept are ASCII either way.
  const headerText = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);
  const header = parseHeader(headerText, name);
  const dataStart = at + headerLen;

  const { kind, size, little } = parseDescr(header.descr, name);
  const limits = options.limits ? resolveLimits(options.limits) : DEFAULT_LIMITS;
  if (header.shape.length > limits.maxRank) throw new LimitExceededError(`.npy array has rank ${header.shape.length}, over the limit maxRank = ${limits.maxRank}`, { file: name });
  const count = checkedElements(header.shape, '.npy array', { file: name });
  const maxElements = options.maxElements ?? limits.maxTensorElements;
  if (count > maxElements) {
    throw new LimitExceededError(`.npy shape (${header.shape.join(', ')}) has ${count} elements, more than the limit ${maxElements}`, { file: name });
  }
  const need = checkedMul(count, size, '.npy data size', { file: name });
  const payload = bytes.length - dataStart;
  if (payload !== need) {
    const what = payload < need ? 'truncated' : 'has trailing bytes';
    throw new ModelFormatError(
      `.npy data ${what}: shape (${header.shape.join(', ')}) of ${header.descr} needs ${need} bytes, file has ${payload}`,
      { file: name },
    );
  }
  return { shape: header.shape, descr: header.descr, data: decode(view, dataStart, count, kind, size, little) };
}

function decode(view: DataView, at: number, n: number, kind: Kind, size: number, little: boolean): Float32Array {
  const key = `${kind}${size}`;
  if (key === 'f4' && little) return float32sLE(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), at, n);
  const out = new Float32Array(n);
  switch (key) {
    case 'f4': for (let i = 0; i < n; i++) out[i] = view.getFloat32(at + 4 * i, false); break;
    case 'f8': for (let i = 0; i < n; i++) out[i] = view.getFloat64(at + 8 * i, little); break;
    case 'f2': for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(at + 2 * i, little)); break;
    case 'i1': for (let i = 0; i < n; i++) out[i] = view.getInt8(at + i); break;
    case 'u1': case 'b1': for (let i = 0; i < n; i++) out[i] = view.getUint8(at + i); break;
    case 'i2': for (let i = 0; i < n; i++) out[i] = view.getInt16(at + 2 * i, little); break;
    case 'u2': for (let i = 0; i < n; i++) out[i] = view.getUint16(at + 2 * i, little); break;
    case 'i4': for (let i = 0; i < n; i++) out[i] = view.getInt32(at + 4 * i, little); break;
    case 'u4': for (let i = 0; i < n; i++) out[i] = view.getUint32(at + 4 * i, little); break;
    case 'i8': for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(at + 8 * i, little)); break;
    case 'u8': for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(at + 8 * i, little)); break;
    default: throw new InternalError(`npy: no decoder for ${key}`);
  }
  return out;
}

function parseDescr(descr: string, file: string): { kind: Kind; size: number; little: boolean } {
  const m = /^([<>|=])?([a-zA-Z])(\d*)$/.exec(descr);
  if (m === null) throw new UnsupportedFeatureError(`.npy dtype ${JSON.stringify(descr)} is not a simple numeric dtype`, { file });
  const [, order = '=', kindChar, sizeText] = m;
  const size = sizeText === '' ? 1 : Number(sizeText);
  const ok: Record<string, readonly number[]> = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };
  if (kindChar === 'O') {
    throw new UnsupportedFeatureError('.npy holds Python objects (dtype "O"); kerasrt reads numeric arrays only and never unpickles', { file });
  }
  if (!(kindChar in ok) || !ok[kindChar].includes(size)) {
    throw new UnsupportedFeatureError(`.npy dtype ${JSON.stringify(descr)} is not supported (float16/32/64, int8..64, uint8..64, bool)`, { file });
  }
  // "=" is native order; every platform Node and browsers run on is little-endian.
  return { kind: kindChar as Kind, size, little: order !== '>' };
}

interface NpyHeader {
  descr: string;
  shape: number[];
}

function parseHeader(text: string, file: string): NpyHeader {
  let value: PyValue;
  try {
    value = new PyLiteralParser(text).parseTop();
  } catch (e) {
    if (e instanceof HeaderSyntaxError) throw new ModelFormatError(`.npy header is not a Python dict literal: ${e.message} in ${JSON.stringify(text.trim())}`, { file });
    throw e;
  }
  if (!(value instanceof Map)) throw new ModelFormatError(`.npy header is not a dict: ${JSON.stringify(text.trim())}`, { file });
  const descr = value.get('descr');
  const fortran = value.get('fortran_order');
  const shape = value.get('shape');
  if (Array.isArray(descr)) {
    throw new UnsupportedFeatureError('.npy holds a structured (record) dtype; kerasrt reads plain numeric arrays only', { file });
  }
  if (typeof descr !== 'string') throw new ModelFormatError(`.npy header has no string 'descr': ${JSON.stringify(text.trim())}`, { file });
  if (typeof fortran !== 'boolean') throw new ModelFormatError(`.npy header has no boolean 'fortran_order'`, { file });
  if (fortran) {
    throw new UnsupportedFeatureError('.npy array is in Fortran order; save it with np.save(f, np.ascontiguousarray(x))', { file });
  }
  if (!Array.isArray(shape) || !shape.every((d): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new ModelFormatError(`.npy header 'shape' is not a tuple of non-negative integers`, { file });
  }
  return { descr, shape };
}

type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

class HeaderSyntaxError extends Error {}

/** Just enough of Python's literal syntax for .npy headers: dicts, tuples, lists, strings, ints, True/False/None. */
class PyLiteralParser {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  parseTop(): PyValue {
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) throw new HeaderSyntaxError(`unexpected ${JSON.stringify(this.s[this.i])} at ${this.i}`);
    return v;
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  private value(): PyValue {
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) throw new HeaderSyntaxError('unexpected end');
    if (c === '{') return this.nested(() => this.dict());
    if (c === '(') return this.nested(() => this.seq(')'));
    if (c === '[') return this.nested(() => this.seq(']'));
    if (c === "'" || c === '"') return this.str();
    const word = /^(True|False|None|-?\d+L?)/.exec(this.s.slice(this.i));
    if (word === null) throw new HeaderSyntaxError(`unexpected ${JSON.stringify(c)} at ${this.i}`);
    this.i += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace('L', '')); // Python 2 headers wrote long ints as 3L
  }

  private nested<T>(f: () => T): T {
    if (++this.depth > 16) throw new HeaderSyntaxError('nesting deeper than 16');
    const v = f();
    this.depth--;
    return v;
  }

  private str(): string {
    const q = this.s[this.i++];
    let out = '';
    while (this.i < this.s.length && this.s[this.i] !== q) {
      if (this.s[this.i] === '\\') this.i++;
      out += this.s[this.i++];
    }
    if (this.i >= this.s.length) throw new HeaderSyntaxError('unterminated string');
    this.i++;
    return out;
  }

  private seq(close: string): PyValue[] {
    this.i++;
    const out: PyValue[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) throw new HeaderSyntaxError(`expected ',' or '${close}' at ${this.i}`);
    }
  }

  private dict(): Map<string, PyValue> {
    this.i++;
    const out = new Map<string, PyValue>();
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const k = this.value();
      if (typeof k !== 'string') throw new HeaderSyntaxError('dict key is not a string');
      this.ws();
      if (this.s[this.i++] !== ':') throw new HeaderSyntaxError(`expected ':' at ${this.i - 1}`);
      out.set(k, this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw new HeaderSyntaxError(`expected ',' or '}' at ${this.i}`);
    }
  }
}

/**
 * Writes a float32 C-order .npy ('<f4'), version 1 unless the header needs more than 65535 bytes.
 * The header is padded so the data starts at a multiple of 64 bytes, as numpy does.
 */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new ModelFormatError(`encodeNpy: shape (${shape.join(', ')}) needs ${count} values, got ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let version = 1;
  let pre = 10;
  if (dict.length + 1 + pre > 0xffff) {
    version = 2;
    pre = 12;
  }
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(total - pre - dict.length - 1) + '\n';
  const out = new Uint8Array(total + 4 * count);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  for (let i = 0; i < count; i++) view.setFloat32(total + 4 * i, data[i], true);
  return out;
}

/**
 * Reads a .npz (a zip of .npy files, stored or deflated). Keys are the entry names without ".npy",
 * as numpy's np.load(...).files lists them.
 */
export function parseNpz(bytes: Uint8Array, name: string, options: NpyOptions = {}): Map<string, NpyArray> {
  // The same checked unzip as .keras archives: entry names, counts, sizes, ratio, CRC.
  let entries: Map<string, Uint8Array>;
  try {
    entries = readZip(bytes, name, options.limits ? resolveLimits(options.limits) : DEFAULT_LIMITS);
  } catch (e) {
    if (!(e instanceof ModelFormatError)) throw e;
    throw new ModelFormatError(`.npz is not a readable zip: ${e.message.startsWith(`${name}: `) ? e.message.slice(name.length + 2) : e.message}`, { file: name, cause: e });
  }
  const out = new Map<string, NpyArray>();
  for (const [entry, data] of entries) {
    const key = entry.endsWith('.npy') ? entry.slice(0, -4) : entry;
    out.set(key, parseNpy(data, `${name}:${entry}`, options));
  }
  return out;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** IEEE 754 half to float (for '<f2' arrays). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The CLI's names: readNpy(bytes, file) is parseNpy; writeNpy(shape, data) is encodeNpy(data, shape). */
export const readNpy = parseNpy;
export function writeNpy(shape: readonly number[], data: Float32Array): Uint8Array {
  return encodeNpy(data, shape);
}
