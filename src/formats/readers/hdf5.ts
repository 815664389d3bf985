// A typed, read-only view of an HDF5 file over jsfive, hardened for files from strangers:
// - every jsfive failure (it throws strings, TypeErrors, RangeErrors on truncated files) becomes a
//   ModelFormatError naming the file and the object path;
// - jsfive's work is bounded: it reads every structure signature (B-tree nodes, heaps, symbol-table nodes,
//   chunks) with ArrayBuffer.slice, so a counting `slice` on our private copy of the file caps the number of
//   structures one access may read, and refuses reading the same byte range twice in one access (B-tree
//   children pointing back at a shared node would make jsfive's walk exponential; a zero-length string
//   type would make it loop);
// - a dataset's storage is checked from its layout message before jsfive allocates anything: element count
//   and rank within the limits, contiguous data inside the file, chunk shapes sane, no filters (Keras never
//   compresses weights, and refusing filters keeps inflate bombs out), no virtual datasets;
// - links: hard links only. Soft links are refused when reached; external links make jsfive's link decoder
//   fail and are reported as refused; link names must be plain names; children are memoised per group and
//   every object created counts against limits.maxNodes.

import { float32sLE } from './bytes.js';
import { File as JsfiveFile, Group as JsfiveGroup, Dataset as JsfiveDataset } from 'jsfive';
import { KerasrtError, LimitExceededError, ModelFormatError, UnsupportedFeatureError } from '../../core/errors.js';
import { DEFAULT_LIMITS, checkTensorShape, checkedMul, type Limits } from '../../core/limits.js';

/** The 8-byte HDF5 signature; files may also carry it at 512, 1024, 2048 ... (a user block). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** HDF5 object header message types (spec IV.A.2): data layout, attribute. */
const LAYOUT_MSG = 0x0008;
const ATTRIBUTE_MSG = 0x000c;

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

/** Per-access work budget, enforced through the counting `slice` of the file buffer. */
class Budget {
  private depth = 0;
  private used = 0;
  private max = 0;
  private bytes = 0;
  private seen = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly defaultMax: number,
    /** Most bytes one access may copy out of the file (strings, chunks, heaps): a few times the file. */
    private readonly maxBytes: number,
  ) {}

  /**
   * Runs `f` as one access; nested calls share the outermost access's budget. jsfive reports attributes of
   * types it cannot decode with console.warn (printing bytes of the file) and carries on with null; during
   * an access that warning is swallowed instead: the null then fails the typed checks of the caller.
   */
  run<T>(where: string, f: () => T, max?: number): T {
    const outer = this.depth === 0;
    const warn = console.warn;
    if (outer) {
      this.used = 0;
      this.bytes = 0;
      this.max = max ?? this.defaultMax;
      this.seen.clear();
      this.where = where;
      console.warn = () => undefined;
    }
    this.depth++;
    try {
      return f();
    } finally {
      this.depth--;
      if (outer) {
        this.seen.clear();
        console.warn = warn;
      }
    }
  }

  private where = '/';

  tick(start: number, end: number): void {
    if (++this.used > this.max) {
      throw new LimitExceededError(`reading this HDF5 object touches more than ${this.max} structures (a crafted or corrupt file?)`, { file: this.file, where: this.where });
    }
    this.bytes += Math.max(0, end - start);
    if (this.bytes > this.maxBytes) {
      throw new LimitExceededError(`reading this HDF5 object copies more than ${this.maxBytes} bytes out of the file (a crafted or corrupt file?)`, { file: this.file, where: this.where });
    }
    const key = `${start}:${end}`;
    if (this.seen.has(key)) {
      throw new ModelFormatError(`HDF5 structure at byte ${start} is reached twice while reading one object (a cycle or shared node: corrupt or crafted file)`, { file: this.file, where: this.where });
    }
    this.seen.add(key);
  }
}

export class Hdf5File {
  readonly root: Hdf5Group;
  /** Objects created so far (groups and datasets), against limits.maxNodes. */
  private objects = 0;
  private readonly budget: Budget;

  private constructor(
    readonly file: string,
    readonly bytes: Uint8Array,
    readonly limits: Limits,
    budget: Budget,
    root: JsfiveGroup,
  ) {
    this.budget = budget;
    this.root = new Hdf5Group(this, root, '/', 0);
  }

  /** Parses the superblock and root group. `file` names the file in every error. */
  static open(bytes: Uint8Array, file: string, limits: Limits = DEFAULT_LIMITS): Hdf5File {
    if (!isHdf5(bytes)) throw new ModelFormatError('not an HDF5 file (no HDF5 signature at offset 0)', { file });
    if (bytes.length > limits.maxFileBytes) throw new LimitExceededError(`HDF5 file is ${bytes.length} bytes, over the limit maxFileBytes = ${limits.maxFileBytes}`, { file });
    checkEndOfFile(bytes, file);
    // A private copy, so the counting slice below never touches a caller's buffer.
    const own = bytes.slice();
    const buffer = own.buffer;
    const budget = new Budget(file, 4096 + Math.ceil(own.length / 8), 4 * own.length + 2 ** 20);
    const slice = ArrayBuffer.prototype.slice;
    Object.defineProperty(buffer, 'slice', {
      value(this: ArrayBuffer, start?: number, end?: number): ArrayBuffer {
        const len = this.byteLength;
        const clamp = (x: number): number => (x < 0 ? Math.max(0, len + x) : Math.min(x, len));
        budget.tick(clamp(Number(start ?? 0)), clamp(Number(end ?? len)));
        return slice.call(this, start, end);
      },
    });
    let root: JsfiveGroup;
    try {
      root = budget.run('/', () => new JsfiveFile(buffer, file));
    } catch (e) {
      throw Hdf5File.translate(e, file, '/');
    }
    return new Hdf5File(file, own, limits, budget, root);
  }

  private static translate(e: unknown, file: string, where: string): KerasrtError {
    if (e instanceof KerasrtError) return e;
    // jsfive asserts hard (0) or soft (1) link types while decoding a group's links: anything else is an
    // external (64) or user-defined link, which would make a reader open other files.
    if (e instanceof TypeError && typeof e.stack === 'string' && e.stack.includes('_decode_link_msg')) {
      return new UnsupportedFeatureError('a link that is neither a hard nor a soft link (an external link to another file?) is refused', { file, where, cause: e });
    }
    return new ModelFormatError(`cannot read HDF5 object: ${describe(e)}`, { file, where, cause: e });
  }

  /** Runs a jsfive access within the work budget, turning its failures into ModelFormatError at `where`. */
  guard<T>(where: string, f: () => T, maxStructures?: number): T {
    try {
      return this.budget.run(where, f, maxStructures);
    } catch (e) {
      throw Hdf5File.translate(e, this.file, where);
    }
  }

  /** Counts one more object against limits.maxNodes. */
  countObject(where: string): void {
    if (++this.objects > this.limits.maxNodes) {
      throw new LimitExceededError(`HDF5 file has more than maxNodes = ${this.limits.maxNodes} groups and datasets`, { file: this.file, where });
    }
  }
}

/**
 * The superblock records where the file ends (HDF5 spec II.A, "End of File Address"); the HDF5 library
 * refuses a file shorter than that as truncated, and so do we: jsfive alone would read a file cut inside
 * its unused tail without noticing.
 */
function checkEndOfFile(bytes: Uint8Array, file: string): void {
  if (bytes.length < 16) throw new ModelFormatError(`HDF5 file is truncated in its superblock (${bytes.length} bytes)`, { file, where: 'superblock' });
  const version = bytes[8];
  const sizeOfOffsets = version <= 1 ? bytes[13] : bytes[9];
  if (sizeOfOffsets !== 8) return; // jsfive reads 8-byte offsets only and will report the rest
  const base = version === 0 ? 24 : version === 1 ? 28 : 12;
  const eofAt = version <= 1 ? base + 16 : base + 16;
  if (bytes.length < eofAt + 8) throw new ModelFormatError(`HDF5 file is truncated in its superblock (${bytes.length} bytes)`, { file, where: 'superblock' });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u64 = (at: number): number => view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
  const end = u64(base) + u64(eofAt);
  if (end > bytes.length) {
    throw new ModelFormatError(`HDF5 file is truncated: its superblock says it ends at byte ${end}, but it has ${bytes.length} bytes`, { file, where: 'superblock' });
  }
}

function joinPath(base: string, name: string): string {
  return base === '/' ? `/${name}` : `${base}/${name}`;
}

export class Hdf5Group {
  private readonly children = new Map<string, Hdf5Group | Hdf5Dataset | undefined>();

  constructor(
    readonly h5: Hdf5File,
    private readonly g: JsfiveGroup,
    readonly path: string,
    /** Nesting depth below the root (the root is 0). */
    readonly depth: number,
  ) {}

  /** The object header address: the group's identity (two hard links to one group share it). */
  get address(): number {
    return this.g._dataobjects.offset;
  }

  /** Names of the direct children (groups and datasets). */
  keys(): string[] {
    const keys = this.h5.guard(this.path, () => [...this.g.keys]);
    if (keys.length > this.h5.limits.maxNodes) {
      throw new LimitExceededError(`group has ${keys.length} links, over the limit maxNodes = ${this.h5.limits.maxNodes}`, { file: this.h5.file, where: this.path });
    }
    return keys;
  }

  has(name: string): boolean {
    return this.keys().includes(name);
  }

  /** A direct child, or undefined when there is none. Soft links are refused. Memoised. */
  child(name: string): Hdf5Group | Hdf5Dataset | undefined {
    if (this.children.has(name)) return this.children.get(name);
    const where = joinPath(this.path, name);
    const found = this.h5.guard(where, () => {
      const link = Object.prototype.hasOwnProperty.call(this.g._links, name) ? this.g._links[name] : undefined;
      if (link === undefined) return undefined;
      if (typeof link === 'string') {
        throw new UnsupportedFeatureError(`soft link to "${link}" refused (kerasrt follows hard links only)`, { file: this.h5.file, where });
      }
      if (name === '' || name === '.' || name === '..' || name.includes('/')) {
        throw new ModelFormatError(`link name ${JSON.stringify(name)} is not a plain name`, { file: this.h5.file, where });
      }
      this.h5.countObject(where);
      const obj = this.g.get(name);
      if (obj instanceof JsfiveDataset) return new Hdf5Dataset(this.h5, obj, where);
      if (obj instanceof JsfiveGroup) return new Hdf5Group(this.h5, obj, where, this.depth + 1);
      return undefined;
    });
    this.children.set(name, found);
    return found;
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

  /** jsfive decodes all attributes of an object at once, on first use: they are checked just before. */
  private attrs(): Record<string, unknown> {
    if (!this.attrsChecked) {
      checkAttributes(this.h5, this.g._dataobjects, this.path);
      this.attrsChecked = true;
    }
    return this.g.attrs;
  }

  private attrsChecked = false;

  attrNames(): string[] {
    return this.h5.guard(`${this.path}@`, () => Object.keys(this.attrs()));
  }

  /** An attribute's raw value as jsfive decodes it, or undefined when absent. */
  attr(name: string): unknown {
    return this.h5.guard(`${this.path}@${name}`, () => {
      const attrs = this.attrs();
      return Object.prototype.hasOwnProperty.call(attrs, name) ? attrs[name] : undefined;
    });
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
    if (list.length > this.h5.limits.maxNodes) {
      throw new LimitExceededError(`attribute "${name}" lists ${list.length} names, over the limit maxNodes = ${this.h5.limits.maxNodes}`, { file: this.h5.file, where: `${this.path}@${name}` });
    }
    return list.map((item, i) => {
      const s = decodeString(item);
      if (s === undefined) throw new ModelFormatError(`attribute "${name}"[${i}] is not a string`, { file: this.h5.file, where: `${this.path}@${name}` });
      return s;
    });
  }
}

/**
 * Checks an object's attribute messages before jsfive decodes them: jsfive allocates `new Array(count)` from
 * the attribute's dataspace and loops over it, so a dataspace claiming billions of elements (or elements of
 * zero bytes) would exhaust memory or time. An attribute's values live inside its message (dense attribute
 * storage in a fractal heap is not read by jsfive), so count x element size must fit the message.
 */
function checkAttributes(h5: Hdf5File, dobj: JsfiveGroup['_dataobjects'], path: string): void {
  const b = h5.bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const fail = (why: string): never => {
    throw new ModelFormatError(`attribute message: ${why}`, { file: h5.file, where: `${path}@` });
  };
  const need = (at: number, n: number): void => {
    if (at < 0 || at + n > b.length) fail(`runs past the end of the file at byte ${at}`);
  };
  const pad8 = (n: number): number => Math.ceil(n / 8) * 8;
  for (const msg of dobj.find_msg_type(ATTRIBUTE_MSG)) {
    const at = msg.get('offset_to_message') ?? -1;
    const size = msg.get('size') ?? -1;
    if (at < 0 || size < 0) fail('unreadable message header');
    need(at, 8);
    const version = b[at];
    if (version !== 1 && version !== 3) continue; // jsfive refuses other versions itself
    const nameSize = view.getUint16(at + 2, true);
    const typeSize = view.getUint16(at + 4, true);
    const spaceSize = view.getUint16(at + 6, true);
    const pad = version === 1 ? pad8 : (n: number): number => n;
    const typeAt = at + (version === 1 ? 8 : 9) + pad(nameSize);
    const spaceAt = typeAt + pad(typeSize);
    const dataAt = spaceAt + pad(spaceSize);
    need(typeAt, 8);
    const cls = b[typeAt] & 0x0f;
    const elemSize = view.getUint32(typeAt + 4, true);
    // Variable-length values are stored as 16-byte global heap references.
    const stored = cls === 9 ? 16 : elemSize;
    if (stored === 0) fail('an attribute with zero-byte elements');
    need(spaceAt, 8);
    const spaceVersion = b[spaceAt];
    const rank = b[spaceAt + 1];
    const dimsAt = spaceAt + (spaceVersion === 1 ? 8 : 4);
    if (rank > h5.limits.maxRank) throw new LimitExceededError(`attribute has rank ${rank}, over the limit maxRank = ${h5.limits.maxRank}`, { file: h5.file, where: `${path}@` });
    need(dimsAt, 8 * rank);
    let count = 1;
    for (let i = 0; i < rank; i++) {
      const d = view.getUint32(dimsAt + 8 * i, true) + view.getUint32(dimsAt + 8 * i + 4, true) * 2 ** 32;
      if (!Number.isSafeInteger(d)) fail(`attribute dim ${d} is beyond 2^53`);
      count = checkedMul(count, d, 'attribute size', { file: h5.file, where: `${path}@` });
    }
    const bytes = checkedMul(count, stored, 'attribute size', { file: h5.file, where: `${path}@` });
    if (dataAt + bytes > at + size) fail(`an attribute claims ${count} values of ${stored} bytes, but its message holds ${Math.max(0, at + size - dataAt)} bytes`);
  }
}

const NUMERIC_DTYPE = /^[<>|=]?([fiu])([1248])$/;
const UNDEFINED_ADDRESS = 2 ** 64 - 1;

/** Where a dataset's data lives, from its layout message. */
type Storage =
  | { readonly kind: 'compact' }
  | { readonly kind: 'contiguous'; readonly address: number | undefined }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'virtual' }
  | { readonly kind: 'unknown'; readonly layoutClass: number };

export class Hdf5Dataset {
  constructor(
    readonly h5: Hdf5File,
    private readonly d: JsfiveDataset,
    readonly path: string,
  ) {}

  private fail(message: string): never {
    throw new ModelFormatError(message, { file: this.h5.file, where: this.path });
  }

  get shape(): number[] {
    return this.h5.guard(this.path, () => {
      const s: unknown = this.d.shape;
      if (!Array.isArray(s) || !s.every((x) => Number.isSafeInteger(x) && x >= 0)) this.fail(`bad dataset shape ${JSON.stringify(s)}`);
      if (s.length > this.h5.limits.maxRank) throw new LimitExceededError(`dataset has rank ${s.length}, over the limit maxRank = ${this.h5.limits.maxRank}`, { file: this.h5.file, where: this.path });
      return [...(s as number[])];
    });
  }

  /** The dtype as numpy writes it ("<f4", "<i8", ...), or a description for compound/vlen types. */
  get dtype(): string {
    return this.h5.guard(this.path, () => (typeof this.d.dtype === 'string' ? this.d.dtype : JSON.stringify(this.d.dtype)));
  }

  /** The layout message, read from the file bytes (jsfive reads it lazily, and without checks). */
  private storage(): Storage {
    return this.h5.guard(this.path, () => {
      const msg = this.d._dataobjects.find_msg_type(LAYOUT_MSG)[0];
      const at = msg?.get('offset_to_message');
      const b = this.h5.bytes;
      if (typeof at !== 'number' || at + 2 > b.length) this.fail('dataset has no data layout message');
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const version = b[at];
      let cls: number;
      let props: number;
      if (version === 1 || version === 2) {
        cls = b[at + 2];
        props = at + 8;
      } else if (version === 3 || version === 4) {
        cls = b[at + 1];
        props = at + 2;
      } else return this.fail(`unknown data layout message version ${version}`);
      switch (cls) {
        case 0:
          return { kind: 'compact' };
        case 1: {
          if (props + 8 > b.length) this.fail('data layout message runs past the end of the file');
          const address = view.getUint32(props, true) + view.getUint32(props + 4, true) * 2 ** 32;
          return { kind: 'contiguous', address: address === UNDEFINED_ADDRESS ? undefined : address };
        }
        case 2:
          return { kind: 'chunked' };
        case 3:
          return { kind: 'virtual' };
        default:
          return { kind: 'unknown', layoutClass: cls };
      }
    });
  }

  /**
   * Checks that reading `n` elements of `itemSize` bytes cannot make jsfive allocate or loop beyond what the
   * file holds; returns the structure budget for the read.
   */
  private checkStorage(st: Storage, shape: readonly number[], n: number, itemSize: number): number {
    const bytes = checkedMul(n, itemSize, 'dataset size', { file: this.h5.file, where: this.path });
    const fileBytes = this.h5.bytes.length;
    switch (st.kind) {
      case 'contiguous':
        if (st.address === undefined) this.fail('dataset has no data (it was created but never written)');
        if (st.address + bytes > fileBytes) {
          this.fail(`dataset claims ${bytes} bytes at offset ${st.address}, but the file has ${fileBytes} bytes (truncated or corrupt)`);
        }
        return 64;
      case 'chunked': {
        const filters = this.h5.guard(this.path, () => this.d._dataobjects.filter_pipeline);
        if (filters !== null && filters !== undefined && filters.length > 0) {
          throw new UnsupportedFeatureError('filtered (compressed) HDF5 datasets are not supported: Keras never writes them', { file: this.h5.file, where: this.path });
        }
        if (bytes > fileBytes) this.fail(`unfiltered chunked dataset claims ${bytes} bytes, but the file has ${fileBytes} bytes`);
        const chunks: unknown = this.h5.guard(this.path, () => this.d._dataobjects.chunks);
        if (!Array.isArray(chunks) || chunks.length !== shape.length || !chunks.every((c, i) => Number.isSafeInteger(c) && c >= 1 && c <= Math.max(shape[i], 1))) {
          this.fail(`bad chunk shape ${JSON.stringify(chunks)} for a dataset of shape [${shape.join(', ')}]`);
        }
        let count = 1;
        shape.forEach((d, i) => (count = checkedMul(count, Math.ceil(d / (chunks as number[])[i]), 'chunk count', { file: this.h5.file, where: this.path })));
        // One slice per chunk plus the chunk B-tree nodes.
        return 2 * count + 64;
      }
      case 'compact':
        throw new UnsupportedFeatureError('compact dataset storage is not supported', { file: this.h5.file, where: this.path });
      case 'virtual':
        throw new UnsupportedFeatureError('virtual datasets are refused (they map data from other files)', { file: this.h5.file, where: this.path });
      case 'unknown':
        return this.fail(`unknown data layout class ${st.layoutClass}`);
    }
  }

  /** Reads a numeric dataset as float32 (float64 and integers are converted), checking its size first. */
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
    const n = checkTensorShape(shape, this.h5.limits, `dataset [${shape.join(', ')}]`, { file: this.h5.file, where: this.path });
    if (n === 0) return new Float32Array(0);
    const st = this.storage();
    const maxStructures = this.checkStorage(st, shape, n, Number(m[2]));
    // Contiguous little-endian float32, what h5py writes for Keras weights: the floats are the file's bytes at
    // the layout's address (checkStorage checked the range). jsfive would build a JS Array one DataView read at
    // a time, most of deep-mnist's 100 ms .h5 load.
    if (dtype === '<f4' && st.kind === 'contiguous' && st.address !== undefined) return float32sLE(this.h5.bytes, st.address, n);
    return this.h5.guard(
      this.path,
      () => {
        const v = this.d.value;
        if (typeof v === 'number' || typeof v === 'bigint') {
          if (n !== 1) this.fail(`dataset holds 1 value, shape [${shape.join(', ')}] needs ${n}`);
          return Float32Array.of(Number(v));
        }
        if (!Array.isArray(v) && !ArrayBuffer.isView(v)) this.fail('dataset has no readable data');
        const src = v as ArrayLike<number | bigint>;
        if (src.length !== n) this.fail(`dataset holds ${src.length} values, shape [${shape.join(', ')}] needs ${n} (truncated or corrupt file)`);
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const x = src[i];
          if (x === undefined) this.fail(`dataset element ${i} was never written (missing chunk)`);
          out[i] = Number(x);
        }
        return out;
      },
      maxStructures,
    );
  }
}
