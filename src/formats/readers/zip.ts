// Zip reading for model archives (.keras, .npz), written against the limits rather than trusting the archive:
// the central directory is parsed here (APPNOTE.TXT 4.3, with Zip64), every entry is checked before anything
// is inflated (plain relative names, no duplicates, local and central headers agreeing, no overlapping data,
// declared sizes and inflation ratio within the limits), then each entry is inflated by fflate's streaming
// inflater into a buffer of the declared size, a few KiB of input at a time, so an entry that inflates to
// more than it declares (a lying zip bomb) is stopped after at most ~16 MiB of extra work, and the CRC-32 of
// what came out must match.

import { Inflate } from 'fflate';
import { LimitExceededError, ModelFormatError, UnsupportedFeatureError } from '../../core/errors.js';
import { DEFAULT_LIMITS, ZIP_RATIO_GRACE_BYTES, checkedAdd, resolveLimits, type Limits } from '../../core/limits.js';

/** The zip-specific limits under their historical names (kept for callers of readZip). */
export interface ZipLimits {
  /** Most entries an archive may hold (Limits.maxZipEntries). */
  readonly maxEntries?: number;
  /** Largest declared uncompressed size of one entry, in bytes (Limits.maxZipEntryBytes). */
  readonly maxEntryBytes?: number;
  /** Largest declared uncompressed size of all entries together, in bytes (Limits.maxZipTotalBytes). */
  readonly maxTotalBytes?: number;
  /** Largest inflated/compressed ratio of an entry over the grace size (Limits.maxInflationRatio). */
  readonly maxRatio?: number;
}

/** ZipLimits folded into a Limits object. */
export function limitsWithZip(base: Limits, zip?: ZipLimits): Limits {
  if (!zip) return base;
  return resolveLimits({
    ...base,
    ...(zip.maxEntries !== undefined ? { maxZipEntries: zip.maxEntries } : {}),
    ...(zip.maxEntryBytes !== undefined ? { maxZipEntryBytes: zip.maxEntryBytes } : {}),
    ...(zip.maxTotalBytes !== undefined ? { maxZipTotalBytes: zip.maxTotalBytes } : {}),
    ...(zip.maxRatio !== undefined ? { maxInflationRatio: zip.maxRatio } : {}),
  });
}

export function isZip(bytes: Uint8Array): boolean {
  // Local file header, or the end-of-central-directory record of an empty archive.
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/** A name as it can be printed: control characters escaped. */
function printable(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Throws unless `name` is a safe relative entry name. */
export function checkEntryName(name: string, file: string): void {
  const bad = (why: string): never => {
    throw new ModelFormatError(`zip entry "${printable(name)}" refused: ${why}`, { file, where: printable(name) });
  };
  if (name.length === 0) bad('empty name');
  if (name.includes('\0')) bad('NUL in name');
  if (/[\u0001-\u001f\u007f]/.test(name)) bad('control character in name');
  if (name.includes('\\')) bad('backslash in name');
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) bad('absolute path');
  if (name.split('/').some((p) => p === '..')) bad('".." in path');
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
/** Deflate's largest possible expansion (a 258-byte match per ~2 bits). */
const DEFLATE_MAX_RATIO = 1032;

interface Entry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly csize: number;
  readonly usize: number;
  readonly localOffset: number;
  /** Where the compressed data starts (after the local header). */
  dataStart: number;
}

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, the zip checksum). */
export function crc32(data: Uint8Array): number {
  const t = crcTables();
  let crc = 0xffffffff;
  let i = 0;
  // Slicing-by-8 (Intel, Kounavis & Berry 2005): eight table lookups per 8 bytes instead of a dependent
  // lookup per byte; 13 MB of .keras weights: ~40 ms -> ~10 ms.
  const end8 = data.length - (data.length % 8);
  for (; i < end8; i += 8) {
    const a = crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    crc =
      t[7 * 256 + (a & 0xff)] ^
      t[6 * 256 + ((a >>> 8) & 0xff)] ^
      t[5 * 256 + ((a >>> 16) & 0xff)] ^
      t[4 * 256 + (a >>> 24)] ^
      t[3 * 256 + data[i + 4]] ^
      t[2 * 256 + data[i + 5]] ^
      t[256 + data[i + 6]] ^
      t[data[i + 7]];
  }
  for (; i < data.length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC-32 tables: [0] the classic byte table, [k] the CRC of a byte followed by k zero bytes. */
function crcTables(): Uint32Array {
  if (CRC_TABLE) return CRC_TABLE;
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) for (let n = 0; n < 256; n++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 0xff];
  CRC_TABLE = t;
  return t;
}

class ZipParser {
  private readonly v: DataView;
  constructor(
    private readonly b: Uint8Array,
    private readonly file: string,
    private readonly lim: Limits,
  ) {
    this.v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  fail(message: string, where?: string): never {
    throw new ModelFormatError(`${message} (corrupt or not a zip archive)`, { file: this.file, where });
  }

  u16(at: number): number {
    if (at + 2 > this.b.length) this.fail(`zip structure runs past the end of the file at byte ${at}`);
    return this.v.getUint16(at, true);
  }

  u32(at: number): number {
    if (at + 4 > this.b.length) this.fail(`zip structure runs past the end of the file at byte ${at}`);
    return this.v.getUint32(at, true);
  }

  u64(at: number): number {
    const lo = this.u32(at);
    const hi = this.u32(at + 4);
    const n = hi * 2 ** 32 + lo;
    if (!Number.isSafeInteger(n)) this.fail(`zip64 field at byte ${at} is beyond 2^53`);
    return n;
  }

  /** The end-of-central-directory record: [entries, cdSize, cdOffset]. */
  directory(): [number, number, number] {
    const b = this.b;
    const min = Math.max(0, b.length - 22 - 0xffff);
    let at = -1;
    for (let i = b.length - 22; i >= min; i--) {
      if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 5 && b[i + 3] === 6 && this.u32(i) === SIG_EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) this.fail('no end-of-central-directory record (truncated archive?)');
    if (this.u16(at + 4) !== 0 || this.u16(at + 6) !== 0) throw new UnsupportedFeatureError('multi-disk (split) zip archives are not supported', { file: this.file });
    let entries = this.u16(at + 10);
    let cdSize = this.u32(at + 12);
    let cdOffset = this.u32(at + 16);
    if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = at - 20;
      if (loc < 0 || this.u32(loc) !== SIG_LOCATOR64) this.fail('zip64 sizes without a zip64 locator');
      const rec = this.u64(loc + 8);
      if (this.u32(rec) !== SIG_EOCD64) this.fail('zip64 locator points to no zip64 end record');
      entries = this.u64(rec + 32);
      cdSize = this.u64(rec + 40);
      cdOffset = this.u64(rec + 48);
    }
    if (entries > this.lim.maxZipEntries) {
      throw new LimitExceededError(`zip lists ${entries} entries, over the limit maxZipEntries = ${this.lim.maxZipEntries}`, { file: this.file });
    }
    if (cdOffset + cdSize > b.length) this.fail(`central directory (${cdSize} bytes at ${cdOffset}) runs past the end of the ${b.length}-byte file`);
    // Each central header is at least 46 bytes: a count the directory cannot hold is a lie.
    if (entries * 46 > cdSize) this.fail(`central directory of ${cdSize} bytes cannot hold ${entries} entries`);
    return [entries, cdSize, cdOffset];
  }

  entries(): Entry[] {
    const [count, cdSize, cdOffset] = this.directory();
    const out: Entry[] = [];
    const names = new Set<string>();
    let total = 0;
    let at = cdOffset;
    const end = cdOffset + cdSize;
    for (let k = 0; k < count; k++) {
      if (at + 46 > end || this.u32(at) !== SIG_CENTRAL) this.fail(`central directory entry ${k} is malformed`);
      const flags = this.u16(at + 8);
      const method = this.u16(at + 10);
      const crc = this.u32(at + 16);
      let csize = this.u32(at + 20);
      let usize = this.u32(at + 24);
      const nameLen = this.u16(at + 28);
      const extraLen = this.u16(at + 30);
      const commentLen = this.u16(at + 32);
      let localOffset = this.u32(at + 42);
      const nameAt = at + 46;
      if (nameAt + nameLen + extraLen + commentLen > end) this.fail(`central directory entry ${k} runs past the directory`);
      const name = decodeName(this.b.subarray(nameAt, nameAt + nameLen), flags);
      // Zip64 extended information (header 0x0001): present fields replace the 0xffffffff ones, in order.
      let x = nameAt + nameLen;
      const xEnd = x + extraLen;
      while (x + 4 <= xEnd) {
        const id = this.u16(x);
        const size = this.u16(x + 2);
        if (x + 4 + size > xEnd) this.fail(`extra field of "${name}" runs past its header`, name);
        if (id === 0x0001) {
          let p = x + 4;
          const take = (): number => {
            if (p + 8 > x + 4 + size) this.fail(`zip64 field of "${name}" is too short`, name);
            const n = this.u64(p);
            p += 8;
            return n;
          };
          if (usize === 0xffffffff) usize = take();
          if (csize === 0xffffffff) csize = take();
          if (localOffset === 0xffffffff) localOffset = take();
        }
        x += 4 + size;
      }
      at = xEnd + commentLen;
      checkEntryName(name, this.file);
      if (names.has(name)) this.fail(`zip entry "${name}" appears twice`, name);
      names.add(name);
      if (name.endsWith('/')) continue; // a folder
      if (flags & 1) throw new UnsupportedFeatureError(`zip entry "${name}" is encrypted`, { file: this.file, where: name });
      if (method !== 0 && method !== 8) throw new UnsupportedFeatureError(`zip entry "${name}" uses compression method ${method} (only stored and deflate are supported)`, { file: this.file, where: name });
      if (usize > this.lim.maxZipEntryBytes) {
        throw new LimitExceededError(`zip entry declares ${usize} bytes, over the limit maxZipEntryBytes = ${this.lim.maxZipEntryBytes}`, { file: this.file, where: name });
      }
      total = checkedAdd(total, usize, 'zip entry sizes', { file: this.file, where: name });
      if (total > this.lim.maxZipTotalBytes) {
        throw new LimitExceededError(`zip entries declare more than maxZipTotalBytes = ${this.lim.maxZipTotalBytes} bytes in all`, { file: this.file, where: name });
      }
      if (method === 0 && csize !== usize) this.fail(`stored zip entry "${name}" has compressed size ${csize} but size ${usize}`, name);
      if (usize > ZIP_RATIO_GRACE_BYTES && usize > csize * this.lim.maxInflationRatio) {
        throw new LimitExceededError(
          `zip entry inflates ${csize} bytes to ${usize} (ratio ${(usize / Math.max(csize, 1)).toFixed(0)}), over the limit maxInflationRatio = ${this.lim.maxInflationRatio} (a zip bomb?)`,
          { file: this.file, where: name },
        );
      }
      out.push({ name, method, flags, crc, csize, usize, localOffset, dataStart: 0 });
    }
    this.locate(out, cdOffset);
    return out;
  }

  /** Reads each local header, checks it agrees with the directory, and refuses overlapping entries. */
  private locate(entries: Entry[], cdOffset: number): void {
    for (const e of entries) {
      const at = e.localOffset;
      if (at + 30 > cdOffset || this.u32(at) !== SIG_LOCAL) this.fail(`no local header for "${e.name}" at byte ${at}`, e.name);
      const nameLen = this.u16(at + 26);
      const extraLen = this.u16(at + 28);
      const local = decodeName(this.b.subarray(at + 30, at + 30 + nameLen), this.u16(at + 6));
      if (local !== e.name) this.fail(`local header names "${local}" but the directory names "${e.name}"`, e.name);
      e.dataStart = at + 30 + nameLen + extraLen;
      if (e.dataStart + e.csize > cdOffset) this.fail(`data of "${e.name}" (${e.csize} bytes at ${e.dataStart}) runs into the central directory`, e.name);
    }
    const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
    for (let i = 1; i < byOffset.length; i++) {
      const prev = byOffset[i - 1];
      if (byOffset[i].localOffset < prev.dataStart + prev.csize) {
        this.fail(`entries "${prev.name}" and "${byOffset[i].name}" overlap (overlapping entries are a zip-bomb technique)`, byOffset[i].name);
      }
    }
  }

  inflate(e: Entry): Uint8Array {
    const src = this.b.subarray(e.dataStart, e.dataStart + e.csize);
    let out: Uint8Array;
    // Stored: the entry's bytes as they lie in the archive (no copy; nothing writes them).
    if (e.method === 0) out = src;
    else {
      out = new Uint8Array(e.usize);
      let got = 0;
      let done = false;
      const inf = new Inflate((chunk: Uint8Array, final: boolean) => {
        if (got + chunk.length > e.usize) throw new ModelFormatError(`zip entry inflates to more than the ${e.usize} bytes it declares (corrupt archive or zip bomb)`, { file: this.file, where: e.name });
        out.set(chunk, got);
        got += chunk.length;
        if (final) done = true;
      });
      try {
        feedBounded((chunk, final) => inf.push(chunk, final), src, () => e.usize - got);
      } catch (err) {
        if (err instanceof ModelFormatError) throw err;
        throw new ModelFormatError(`zip entry does not inflate: ${err instanceof Error ? err.message : String(err)} (corrupt archive)`, { file: this.file, where: e.name, cause: err });
      }
      if (!done || got !== e.usize) throw new ModelFormatError(`zip entry inflated to ${got} bytes but declares ${e.usize} (corrupt archive)`, { file: this.file, where: e.name });
    }
    const crc = crc32(out);
    if (crc !== e.crc) throw new ModelFormatError(`zip entry CRC-32 is ${hex(crc)}, the directory says ${hex(e.crc)} (corrupt archive)`, { file: this.file, where: e.name });
    return out;
  }
}

/**
 * Feeds compressed `src` to a streaming inflater (fflate's Inflate or Gunzip) in steps of at most what could
 * inflate to the `room()` bytes still allowed (plus 4 KiB of input), so the inflater's output callback, which
 * enforces the bound, stops a bomb after at most ~4 MiB of extra output instead of its full size.
 */
export function feedBounded(push: (chunk: Uint8Array, final: boolean) => void, src: Uint8Array, room: () => number): void {
  if (src.length === 0) push(src, true);
  for (let i = 0; i < src.length; ) {
    const step = Math.min(1 << 20, Math.max(4096, Math.floor(Math.max(0, room()) / DEFLATE_MAX_RATIO)));
    push(src.subarray(i, i + step), i + step >= src.length);
    i += step;
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Entry names: UTF-8 when flag bit 11 says so, else code page 437 (its ASCII half is all names use). */
function decodeName(bytes: Uint8Array, flags: number): string {
  if (flags & 0x800) return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/**
 * Unzips every file entry (folders skipped) into a name -> bytes map, after checking the whole directory.
 * `limits` is a Limits object (from ImportOptions) or, for older callers, the ZipLimits subset.
 */
export function readZip(bytes: Uint8Array, file: string, limits: Limits | ZipLimits = DEFAULT_LIMITS): Map<string, Uint8Array> {
  const lim = 'maxZipEntries' in limits ? (limits as Limits) : limitsWithZip(DEFAULT_LIMITS, limits as ZipLimits);
  const p = new ZipParser(bytes, file, lim);
  const out = new Map<string, Uint8Array>();
  for (const e of p.entries()) out.set(e.name, p.inflate(e));
  return out;
}
