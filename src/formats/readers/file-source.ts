// FileSource helpers shared by every environment: path checks for sibling files, and an in-memory source
// (browsers, tests, built-in models). The Node file-system source lives in node-file-source.ts so that
// browser bundles never pull in node:fs.

import { LimitExceededError, ModelFormatError, UsageError } from '../../core/errors.js';
import { checkedAdd, type Limits } from '../../core/limits.js';
import type { FileSource } from '../types.js';

/**
 * Normalises a sibling path that comes from a model file ("./group1-shard1of1.bin", "weights/a.bin"):
 * strips "." segments, refuses absolute paths, drive letters, backslashes, NUL and "..".
 */
export function safeRelativePath(relPath: string, file: string): string {
  const parts = relPath.split('/').filter((p) => p !== '' && p !== '.');
  const refuse = (why: string): never => {
    throw new ModelFormatError(`refusing path "${relPath}": ${why}; it must stay inside the model's folder`, { file });
  };
  if (relPath.startsWith('/') || /^[a-zA-Z]:/.test(relPath)) refuse('absolute path');
  if (relPath.includes('\\')) refuse('backslash');
  if (relPath.includes('\0')) refuse('NUL character');
  if (parts.includes('..')) refuse('".." segment');
  if (parts.length === 0) refuse('empty path');
  return parts.join('/');
}

/** The last path segment of a display name ("dir/model.json" -> "model.json"). */
export function baseName(name: string): string {
  const i = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return i >= 0 ? name.slice(i + 1) : name;
}

/**
 * An in-memory FileSource. `name` names the main file (it may carry a folder for display, e.g.
 * "models/digits/model.json"); `files` maps paths relative to the main file's folder to their bytes and
 * must contain the main file under its base name. The bytes are not copied: weights may be read as views of
 * them (readers/bytes.ts), so leave them unchanged while the model is in use.
 */
export function memoryFileSource(name: string, files: Readonly<Record<string, Uint8Array>>): FileSource {
  const table = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(files)) table.set(safeRelativePath(k, name), v);
  const mainKey = baseName(name);
  const main = table.get(mainKey);
  if (main === undefined) throw new UsageError(`memoryFileSource: the main file "${mainKey}" is not among [${[...table.keys()].join(', ')}]`, { file: name });
  return {
    name,
    readMain: async () => main,
    readSibling: async (relPath: string) => {
      const key = safeRelativePath(relPath, name);
      const bytes = table.get(key);
      if (bytes === undefined) throw new ModelFormatError(`missing file "${relPath}" beside the model`, { file: name, where: relPath });
      return bytes;
    },
  };
}

/**
 * Wraps a FileSource so that every file it returns is checked against limits.maxFileBytes and the running
 * total against limits.maxTotalBytes (for sources that cannot tell sizes before reading, such as memory or
 * browser sources; the Node source also checks sizes on disk before reading).
 */
export function limitedFileSource(src: FileSource, limits: Limits): FileSource {
  let total = 0;
  const account = (bytes: Uint8Array, where?: string): Uint8Array => {
    if (bytes.length > limits.maxFileBytes) {
      throw new LimitExceededError(`${where ? `"${where}"` : 'the file'} is ${bytes.length} bytes, over the limit maxFileBytes = ${limits.maxFileBytes}`, { file: src.name, where });
    }
    total = checkedAdd(total, bytes.length, 'bytes read', { file: src.name, where });
    if (total > limits.maxTotalBytes) {
      throw new LimitExceededError(`the model's files total more than maxTotalBytes = ${limits.maxTotalBytes} bytes`, { file: src.name, where });
    }
    return bytes;
  };
  return {
    name: src.name,
    readMain: async () => account(await src.readMain()),
    readSibling: async (relPath: string) => account(await src.readSibling(relPath), relPath),
  };
}
