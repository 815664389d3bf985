// Writing HDF5 with h5wasm (the HDF5 C library compiled to wasm): the file is built in h5wasm's in-memory
// file system and returned as bytes, so the same code runs in Node and browsers. Loaded on first use only.

import { KerasrtError } from '../../core/errors.js';

type H5wasm = typeof import('h5wasm').default;
type H5Group = import('h5wasm').Group;

let loaded: Promise<{ h5: H5wasm; fs: { readFile(path: string): Uint8Array; unlink(path: string): void } }> | undefined;
let counter = 0;

async function h5wasm(): Promise<{ h5: H5wasm; fs: { readFile(path: string): Uint8Array; unlink(path: string): void } }> {
  loaded ??= (async () => {
    const mod = (await import('h5wasm')).default;
    const m = (await mod.ready) as unknown as { FS: { readFile(path: string): Uint8Array; unlink(path: string): void } };
    return { h5: mod, fs: m.FS };
  })();
  return loaded;
}

export interface H5Writer {
  readonly root: H5Group;
  group(parent: H5Group, name: string): H5Group;
  /** A float32 dataset (scalar when shape is []). */
  floats(parent: H5Group, name: string, shape: readonly number[], data: Float32Array): void;
  /** A string attribute, or a list of strings; an empty list is written as h5py writes [] (float64, shape [0]). */
  attr(target: H5Group, name: string, value: string | readonly string[]): void;
}

/** Builds an HDF5 file with `build` and returns its bytes. */
export async function writeHdf5(build: (w: H5Writer) => void): Promise<Uint8Array> {
  const { h5, fs } = await h5wasm();
  const path = `/kerasrt-save-${counter++}.h5`;
  const file = new h5.File(path, 'w');
  try {
    const w: H5Writer = {
      root: file,
      group: (parent, name) => parent.create_group(name),
      floats: (parent, name, shape, data) => {
        parent.create_dataset({ name, data, shape: [...shape], dtype: '<f' });
      },
      attr: (target, name, value) => {
        if (typeof value === 'string') target.create_attribute(name, value);
        else if (value.length === 0) target.create_attribute(name, new Float64Array(0), [0], '<d');
        else target.create_attribute(name, [...value]);
      },
    };
    build(w);
  } catch (e) {
    file.close();
    fs.unlink(path);
    throw e instanceof KerasrtError ? e : new KerasrtError(`writing HDF5 failed: ${(e as Error).message}`);
  }
  file.close();
  const bytes = fs.readFile(path);
  fs.unlink(path);
  return new Uint8Array(bytes);
}
