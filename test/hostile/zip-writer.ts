// A minimal zip writer with every field under the caller's control, for hostile archives that no well-behaved
// writer produces: lying sizes, wrong CRCs, mismatched local/central names, overlapping entries, odd flags.

import { deflateSync } from 'fflate';
import { crc32 } from '../../src/formats/readers/zip.js';

export interface RawEntry {
  readonly name: string;
  readonly data: Uint8Array;
  /** 0 stored, 8 deflate (data is compressed here), anything else written as given with the raw data. */
  readonly method?: number;
  readonly flags?: number;
  /** Overrides of what the headers declare. */
  readonly usize?: number;
  readonly csize?: number;
  readonly crc?: number;
  /** A different name in the local header than in the central directory. */
  readonly localName?: string;
  /** Point the central directory at another entry's local header (by index). */
  readonly localOf?: number;
}

export interface ZipOptions {
  /** Overrides the entry count in the end record. */
  readonly count?: number;
  /** Overrides the central directory offset in the end record. */
  readonly cdOffset?: number;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export function writeZip(entries: readonly RawEntry[], options: ZipOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  const push = (b: Uint8Array): void => {
    parts.push(b);
    at += b.length;
  };
  const locals: number[] = [];
  const meta = entries.map((e) => {
    const method = e.method ?? 0;
    const body = method === 8 ? deflateSync(e.data, { level: 6 }) : e.data;
    return { e, method, body, crc: e.crc ?? crc32(e.data), usize: e.usize ?? e.data.length, csize: e.csize ?? body.length };
  });
  for (const m of meta) {
    locals.push(at);
    const name = enc(m.e.localName ?? m.e.name);
    const h = new Uint8Array(30 + name.length);
    const v = new DataView(h.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, 20, true);
    v.setUint16(6, (m.e.flags ?? 0) | 0x800, true);
    v.setUint16(8, m.method, true);
    v.setUint32(14, m.crc, true);
    v.setUint32(18, m.csize >>> 0, true);
    v.setUint32(22, m.usize >>> 0, true);
    v.setUint16(26, name.length, true);
    h.set(name, 30);
    push(h);
    push(m.body);
  }
  const cdStart = at;
  meta.forEach((m, i) => {
    const name = enc(m.e.name);
    const h = new Uint8Array(46 + name.length);
    const v = new DataView(h.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, 20, true);
    v.setUint16(6, 20, true);
    v.setUint16(8, (m.e.flags ?? 0) | 0x800, true);
    v.setUint16(10, m.method, true);
    v.setUint32(16, m.crc, true);
    v.setUint32(20, m.csize >>> 0, true);
    v.setUint32(24, m.usize >>> 0, true);
    v.setUint16(28, name.length, true);
    v.setUint32(42, locals[m.e.localOf ?? i], true);
    h.set(name, 46);
    push(h);
  });
  const cdSize = at - cdStart;
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, options.count ?? entries.length, true);
  v.setUint16(10, options.count ?? entries.length, true);
  v.setUint32(12, cdSize, true);
  v.setUint32(16, options.cdOffset ?? cdStart, true);
  push(end);
  const out = new Uint8Array(at);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
