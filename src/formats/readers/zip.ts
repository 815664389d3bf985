// Zip reading over fflate, with the checks a model archive needs before anything is inflated: entry names
// must be plain relative paths (no "..", no absolute or drive paths, no backslashes), unique, and the
// declared sizes must fit the limits. fflate inflates into a buffer of the declared size, so memory is
// bounded by what the limits allow; an entry that inflates to another size is reported as corrupt.

import { unzipSync, type UnzipFileInfo } from 'fflate';
import { LimitExceededError, ModelFormatError } from '../../core/errors.js';

export interface ZipLimits {
  /** Most entries an archive may hold. Default 10 000. */
  readonly maxEntries?: number;
  /** Largest declared uncompressed size of one entry, in bytes. Default 2 GiB. */
  readonly maxEntryBytes?: number;
  /** Largest declared uncompressed size of all entries together, in bytes. Default 4 GiB. */
  readonly maxTotalBytes?: number;
}

const DEFAULTS: Required<ZipLimits> = { maxEntries: 10_000, maxEntryBytes: 2 ** 31, maxTotalBytes: 2 ** 32 };

export function isZip(bytes: Uint8Array): boolean {
  // Local file header, or the end-of-central-directory record of an empty archive.
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/** Throws unless `name` is a safe relative entry name. */
export function checkEntryName(name: string, file: string): void {
  const bad = (why: string): never => {
    throw new ModelFormatError(`zip entry "${name}" refused: ${why}`, { file, where: name });
  };
  if (name.length === 0) bad('empty name');
  if (name.includes('\0')) bad('NUL in name');
  if (name.includes('\\')) bad('backslash in name');
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) bad('absolute path');
  if (name.split('/').some((p) => p === '..')) bad('".." in path');
}

/** Unzips every file entry (directories skipped) into a name -> bytes map. */
export function readZip(bytes: Uint8Array, file: string, limits: ZipLimits = {}): Map<string, Uint8Array> {
  const lim = { ...DEFAULTS, ...limits };
  const declared = new Map<string, number>();
  let total = 0;
  const filter = (info: UnzipFileInfo): boolean => {
    checkEntryName(info.name, file);
    if (info.name.endsWith('/')) return false;
    if (declared.has(info.name)) throw new ModelFormatError(`zip entry "${info.name}" appears twice`, { file, where: info.name });
    if (declared.size + 1 > lim.maxEntries) throw new LimitExceededError(`zip has more than ${lim.maxEntries} entries`, { file });
    if (!Number.isSafeInteger(info.originalSize) || info.originalSize < 0) throw new ModelFormatError(`zip entry declares a bad size ${info.originalSize}`, { file, where: info.name });
    if (info.originalSize > lim.maxEntryBytes) {
      throw new LimitExceededError(`zip entry declares ${info.originalSize} bytes, over the ${lim.maxEntryBytes}-byte limit per entry`, { file, where: info.name });
    }
    total += info.originalSize;
    if (total > lim.maxTotalBytes) throw new LimitExceededError(`zip entries declare more than ${lim.maxTotalBytes} bytes in all`, { file, where: info.name });
    if (info.compression !== 0 && info.compression !== 8) {
      throw new ModelFormatError(`zip entry uses compression method ${info.compression} (only stored and deflate are supported)`, { file, where: info.name });
    }
    declared.set(info.name, info.originalSize);
    return true;
  };
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter });
  } catch (e) {
    if (e instanceof ModelFormatError || e instanceof LimitExceededError) throw e;
    throw new ModelFormatError(`cannot read the zip archive: ${e instanceof Error ? e.message : String(e)}`, { file });
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(files)) {
    const size = declared.get(name);
    if (size !== undefined && data.length !== size) {
      throw new ModelFormatError(`zip entry inflated to ${data.length} bytes but declares ${size} (corrupt archive)`, { file, where: name });
    }
    out.set(name, data);
  }
  return out;
}
