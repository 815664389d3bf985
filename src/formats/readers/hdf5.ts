// A typed, read-only view of an HDF5 file over jsfive. Every jsfive failure (it throws strings, TypeErrors,
// RangeErrors on truncated files) becomes a ModelFormatError naming the file and the object path.
// Only hard links are followed: soft links are refused (Keras never writes them, and refusing them rules out
// link cycles), and external links make jsfive's link decoder fail, which is reported as such.

import { File as JsfiveFile, Group as JsfiveGroup, Dataset as JsfiveDataset } from 'jsfive';
import { ModelFormatError, UnsupportedFeatureError } from '../../core/errors.js';

/** The 8-byte HDF5 signature; files may also carry it at 512, 1024, 2048 ... (a user block). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  return SIGNATURE.every((b, i) => bytes[i] === b);
}

function describe(e: unknown): string {
  if (e instanceof Error) return e instanceof RangeError ? `${e.message} (the file looks truncated)` : e.message;
  return String(e);
}

/** Strips the NUL padding of fixed-length HDF5 strings. */
function cleanString(s: string): string {
  const nul = s.indexOf('\0');
  return nul >= 0 ? s.slice(0, nul) : s;
}

function decodeString(v: unknown): string | undefined {
  if (typeof v === 'string') return cleanString(v);
  if (v instanceof Uint8Array) return cleanString(new TextDecoder().decode(v));
  return undefined;
}

export class Hdf5File {
  readonly root: Hdf5Group;

  private constructor(readonly file: string, root: JsfiveGroup) {
    this.root = new Hdf5Group(this, root, '/');
  }

  /** Parses the superblock and root group. `file` names the file in every error. */
  static open(bytes: Uint8Array, file: string): Hdf5File {
    if (!isHdf5(bytes)) throw new ModelFormatError('not an HDF5 file (no HDF5 signature at offset 0)', { file });
    const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    try {
      return new Hdf5File(file, new JsfiveFile(buffer as ArrayBuffer, file));
    } catch (e) {
      throw new ModelFormatError(`cannot read the HDF5 file: ${describe(e)}`, { file, where: '/' });
    }
  }

  /** Runs a jsfive access, turning its failures into ModelFormatError at `where`. */
  guard<T>(where: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof ModelFormatError || e instanceof UnsupportedFeatureError) throw e;
      throw new ModelFormatError(`cannot read HDF5 object: ${describe(e)} (external links and other unsupported HDF5 features are refused)`, {
        file: this.file,
        where,
      });
    }
  }
}

function joinPath(base: string, name: string): string {
  return base === '/' ? `/${name}` : `${base}/${name}`;
}

export class Hdf5Group {
  constructor(
    readonly h5: Hdf5File,
    private readonly g: JsfiveGroup,
    readonly path: string,
  ) {}

  /** Names of the direct children (groups and datasets). */
  keys(): string[] {
    return this.h5.guard(this.path, () => [...this.g.keys]);
  }

  has(name: string): boolean {
    return this.keys().includes(name);
  }

  /** A direct child, or undefined when there is none. Soft links are refused. */
  child(name: string): Hdf5Group | Hdf5Dataset | undefined {
    const where = joinPath(this.path, name);
    return this.h5.guard(where, () => {
      const link = Object.prototype.hasOwnProperty.call(this.g._links, name) ? this.g._links[name] : undefined;
      if (link === undefined) return undefined;
      if (typeof link === 'string') {
        throw new ModelFormatError(`soft link to "${link}" refused (kerasrt follows hard links only)`, { file: this.h5.file, where });
      }
      const obj = this.g.get(name);
      if (obj instanceof JsfiveDataset) return new Hdf5Dataset(this.h5, obj, where);
      if (obj instanceof JsfiveGroup) return new Hdf5Group(this.h5, obj, where);
      return undefined;
    });
  }

  /** Follows a '/'-separated relative path through groups. */
  resolve(relPath: string): Hdf5Group | Hdf5Dataset | undefined {
    const parts = relPath.split('/').filter((p) => p !== '' && p !== '.');
    let cur: Hdf5Group | Hdf5Dataset | undefined = this;
    for (const p of parts) {
      if (!(cur instanceof Hdf5Group)) return undefined;
      cur = cur.child(p);
    }
    return cur;
  }

  group(relPath: string): Hdf5Group | undefined {
    const o = this.resolve(relPath);
    return o instanceof Hdf5Group ? o : undefined;
  }

  dataset(relPath: string): Hdf5Dataset | undefined {
    const o = this.resolve(relPath);
    return o instanceof Hdf5Dataset ? o : undefined;
  }

  attrNames(): string[] {
    return this.h5.guard(`${this.path}@`, () => Object.keys(this.g.attrs));
  }

  /** An attribute's raw value as jsfive decodes it, or undefined when absent. */
  attr(name: string): unknown {
    return this.h5.guard(`${this.path}@${name}`, () => (Object.prototype.hasOwnProperty.call(this.g.attrs, name) ? this.g.attrs[name] : undefined));
  }

  /** A string attribute (fixed-length NUL padding stripped); undefined when absent. */
  attrString(name: string): string | undefined {
    const v = this.attr(name);
    if (v === undefined) return undefined;
    const s = decodeString(Array.isArray(v) && v.length === 1 ? v[0] : v);
    if (s === undefined) throw new ModelFormatError(`attribute "${name}" is not a string`, { file: this.h5.file, where: `${this.path}@${name}` });
    return s;
  }

  /** A string-array attribute (e.g. Keras layer_names / weight_names); undefined when absent. */
  attrStrings(name: string): string[] | undefined {
    const v = this.attr(name);
    if (v === undefined) return undefined;
    const list: unknown[] = Array.isArray(v) ? v : [v];
    return list.map((item, i) => {
      const s = decodeString(item);
      if (s === undefined) throw new ModelFormatError(`attribute "${name}"[${i}] is not a string`, { file: this.h5.file, where: `${this.path}@${name}` });
      return s;
    });
  }
}

const NUMERIC_DTYPE = /^[<>|=]?([fiu])([1248])$/;

export class Hdf5Dataset {
  constructor(
    readonly h5: Hdf5File,
    private readonly d: JsfiveDataset,
    readonly path: string,
  ) {}

  get shape(): number[] {
    return this.h5.guard(this.path, () => {
      const s = this.d.shape;
      if (!Array.isArray(s) || !s.every((x) => Number.isInteger(x) && x >= 0)) throw new ModelFormatError(`bad dataset shape ${JSON.stringify(s)}`, { file: this.h5.file, where: this.path });
      return [...s];
    });
  }

  /** The dtype as numpy writes it ("<f4", "<i8", ...), or a description for compound/vlen types. */
  get dtype(): string {
    return this.h5.guard(this.path, () => (typeof this.d.dtype === 'string' ? this.d.dtype : JSON.stringify(this.d.dtype)));
  }

  /** Reads a numeric dataset as float32 (float64 and integers are converted), checking its size. */
  readFloat32(): Float32Array {
    const dtype = this.dtype;
    const m = NUMERIC_DTYPE.exec(dtype);
    if (!m || (m[1] === 'f' && m[2] === '1')) {
      throw new UnsupportedFeatureError(`dataset dtype ${dtype} is not supported (float32/float64/integer only)`, { file: this.h5.file, where: this.path });
    }
    if (m[1] === 'f' && m[2] === '2') {
      throw new UnsupportedFeatureError('float16 datasets are not supported', { file: this.h5.file, where: this.path });
    }
    const shape = this.shape;
    const n = shape.reduce((a, b) => a * b, 1);
    return this.h5.guard(this.path, () => {
      const v = this.d.value;
      if (typeof v === 'number' || typeof v === 'bigint') {
        if (n !== 1) throw new ModelFormatError(`dataset holds 1 value, shape [${shape.join(', ')}] needs ${n}`, { file: this.h5.file, where: this.path });
        return Float32Array.of(Number(v));
      }
      if (!Array.isArray(v) && !ArrayBuffer.isView(v)) throw new ModelFormatError('dataset has no readable data', { file: this.h5.file, where: this.path });
      const src = v as ArrayLike<number | bigint>;
      if (src.length !== n) {
        throw new ModelFormatError(`dataset holds ${src.length} values, shape [${shape.join(', ')}] needs ${n} (truncated or corrupt file)`, { file: this.h5.file, where: this.path });
      }
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(src[i]);
      return out;
    });
  }
}
