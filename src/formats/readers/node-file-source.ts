// The Node FileSource: the main file from disk, siblings only from inside the main file's folder
// (checked again after resolving symbolic links, so a link cannot lead out of it).

import { readFile, realpath } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { ModelFormatError } from '../../core/errors.js';
import type { FileSource } from '../types.js';
import { safeRelativePath } from './file-source.js';

function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && 'code' in e;
}

async function readOrFail(path: string, display: string, where?: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const why = isErrno(e) && e.code === 'ENOENT' ? 'file not found' : isErrno(e) && e.code === 'EISDIR' ? 'is a folder, not a file' : e instanceof Error ? e.message : String(e);
    throw new ModelFormatError(`cannot read ${where ? `"${where}"` : 'the file'}: ${why}`, { file: display, where });
  }
}

/** A FileSource over a model file on disk; `path` is used as given in error messages. */
export function nodeFileSource(path: string): FileSource {
  const folder = dirname(resolve(path));
  return {
    name: path,
    readMain: () => readOrFail(path, path),
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
      return readOrFail(real, path, relPath);
    },
  };
}
