// The Node FileSource: the main file from disk, siblings only from inside the main file's folder
// (checked again after resolving symbolic links, so a link cannot lead out of it).

import { open, realpath, type FileHandle } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { LimitExceededError, ModelFormatError } from '../../core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import type { FileSource } from '../types.js';
import { concatBytes } from './bytes.js';
import { safeRelativePath } from './file-source.js';

function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && 'code' in e;
}

/** Bytes read per call from something that is not a regular file (a pipe, a device): it has no size to trust. */
const STREAM_CHUNK = 1 << 20;

async function readOrFail(path: string, display: string, limits: Limits, where?: string): Promise<Uint8Array> {
  const tooBig = (size: number | string) =>
    new LimitExceededError(`${where ? `"${where}"` : 'the file'} is ${size} bytes, over the limit maxFileBytes = ${limits.maxFileBytes}`, { file: display, where });
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    // The size comes from the open handle and is checked before reading, so an oversized file never reaches
    // memory, and a file growing meanwhile is read only up to the size checked.
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    if (st.isFile()) {
      if (st.size > limits.maxFileBytes) throw tooBig(st.size);
      // One read call for the whole file (fs.readFile reads in 512 KiB pieces, each a thread-pool round trip:
      // ~6 ms of deep-mnist's 13 MB load); its own ArrayBuffer at offset 0, so float32 weights can be views.
      const buf = new Uint8Array(Buffer.allocUnsafeSlow(st.size).buffer, 0, st.size);
      let got = 0;
      while (got < st.size) {
        const { bytesRead } = await fh.read(buf, got, st.size - got, got);
        if (bytesRead === 0) break; // the file shrank: what is there is what the parsers get
        got += bytesRead;
      }
      return got === st.size ? buf : buf.slice(0, got);
    }
    // A pipe or a device: read in pieces, never past the limit (a device like /dev/zero never ends).
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const piece = new Uint8Array(STREAM_CHUNK);
      const { bytesRead } = await fh.read(piece, 0, piece.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limits.maxFileBytes) throw tooBig(`more than ${limits.maxFileBytes}`);
      parts.push(piece.subarray(0, bytesRead));
    }
    return concatBytes(parts);
  } catch (e) {
    if (e instanceof LimitExceededError) throw e;
    const why = isErrno(e) && e.code === 'ENOENT' ? 'file not found' : isErrno(e) && e.code === 'EISDIR' ? 'is a folder, not a file' : e instanceof Error ? e.message : String(e);
    throw new ModelFormatError(`cannot read ${where ? `"${where}"` : 'the file'}: ${why}`, { file: display, where });
  } finally {
    await fh?.close();
  }
}

/**
 * A FileSource over a model file on disk; `path` is used as given in error messages. Files larger than
 * limits.maxFileBytes are refused from their size on disk, before reading.
 */
export function nodeFileSource(path: string, limits: Limits = DEFAULT_LIMITS): FileSource {
  const folder = dirname(resolve(path));
  return {
    name: path,
    readMain: () => readOrFail(path, path, limits),
    readSibling: async (relPath: string) => {
      const rel = safeRelativePath(relPath, path);
      const full = resolve(folder, rel);
      let real: string;
      let realFolder: string;
      try {
        [real, realFolder] = await Promise.all([realpath(full), realpath(folder)]);
      } catch (e) {
        if (isErrno(e) && e.code === 'ENOENT') throw new ModelFormatError(`missing file "${relPath}" beside the model`, { file: path, where: relPath });
        throw new ModelFormatError(`cannot read "${relPath}": ${e instanceof Error ? e.message : String(e)}`, { file: path, where: relPath });
      }
      if (!real.startsWith(realFolder + sep)) {
        throw new ModelFormatError(`refusing "${relPath}": it resolves outside the model's folder`, { file: path, where: relPath });
      }
      return readOrFail(real, path, limits, relPath);
    },
  };
}
