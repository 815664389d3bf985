// The Node FileSource: the main file from disk, siblings only from inside the main file's folder
// (checked again after resolving symbolic links, so a link cannot lead out of it).

import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { LimitExceededError, ModelFormatError } from '../../core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import type { FileSource } from '../types.js';
import { safeRelativePath } from './file-source.js';

function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && 'code' in e;
}

async function readOrFail(path: string, display: string, limits: Limits, where?: string): Promise<Uint8Array> {
  try {
    // The size is checked before reading, so an oversized file never reaches memory.
    const st = await stat(path);
    if (st.isFile() && st.size > limits.maxFileBytes) {
      throw new LimitExceededError(`${where ? `"${where}"` : 'the file'} is ${st.size} bytes, over the limit maxFileBytes = ${limits.maxFileBytes}`, { file: display, where });
    }
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    if (e instanceof LimitExceededError) throw e;
    const why = isErrno(e) && e.code === 'ENOENT' ? 'file not found' : isErrno(e) && e.code === 'EISDIR' ? 'is a folder, not a file' : e instanceof Error ? e.message : String(e);
    throw new ModelFormatError(`cannot read ${where ? `"${where}"` : 'the file'}: ${why}`, { file: display, where });
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
