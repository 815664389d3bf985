// Runs one hostile input through the parser it targets and classifies what happened. Shared by the corpus
// worker (corpus.test.ts) and the fuzzers, so both judge outcomes the same way.

import { getHeapStatistics } from 'node:v8';
import { KerasrtError } from '../../src/core/errors.js';
import type { Limits } from '../../src/core/limits.js';
import { parseIdx } from '../../src/data/idx.js';
import { importModel } from '../../src/formats/load.js';
import { memoryFileSource } from '../../src/formats/readers/file-source.js';
import { parseNpy } from '../../src/formats/readers/npy.js';
import { Model } from '../../src/runtime/model.js';

export interface CaseInput {
  readonly id: string;
  readonly parser: 'model' | 'npy' | 'idx';
  readonly main: string;
  readonly files: Readonly<Record<string, Uint8Array>>;
  readonly limits?: Partial<Limits>;
  /** ImportOptions.externalData (ONNX side files). */
  readonly externalData?: boolean;
  readonly run?: { readonly inputSize: number; readonly expectNonFinite: boolean };
}

export interface CaseResult {
  readonly id: string;
  /** ok: parsed; error: a KerasrtError; raw: anything else escaped (a bug); timeout / oom / crash: from the pool. */
  readonly outcome: 'ok' | 'error' | 'raw' | 'timeout' | 'oom' | 'crash';
  readonly name?: string;
  readonly message?: string;
  readonly file?: string;
  readonly where?: string;
  /** The error came from importModel's format-boundary net (a reader threw something untyped). */
  readonly net?: boolean;
  /** For cases run after import: whether the outputs held NaN or Inf. */
  readonly nonFinite?: boolean;
  readonly ms: number;
  /** JS heap in use after the case, MiB (a rough bound on what it allocated). */
  readonly heapMb?: number;
}

function classify(e: unknown): Omit<CaseResult, 'id' | 'ms'> {
  if (e instanceof KerasrtError) {
    const cause = (e as Error & { cause?: unknown }).cause;
    const net = e.where === 'importer' && cause !== undefined && !(cause instanceof KerasrtError);
    return { outcome: 'error', name: e.name, message: e.message, file: e.file, where: e.where, net };
  }
  return { outcome: 'raw', name: e instanceof Error ? e.name : typeof e, message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
}

export async function runCase(c: CaseInput): Promise<CaseResult> {
  const t0 = performance.now();
  let r: Omit<CaseResult, 'id' | 'ms'>;
  try {
    const bytes = c.files[c.main];
    if (c.parser === 'npy') {
      parseNpy(bytes, c.main, { limits: c.limits });
      r = { outcome: 'ok' };
    } else if (c.parser === 'idx') {
      parseIdx(bytes, c.main);
      r = { outcome: 'ok' };
    } else {
      const imported = await importModel(memoryFileSource(c.main, c.files), { limits: c.limits, externalData: c.externalData });
      let nonFinite: boolean | undefined;
      if (c.run) {
        const session = new Model(imported).compile({ backend: 'js' });
        const out = session.predict(new Float32Array(c.run.inputSize).fill(0.5));
        nonFinite = out.some((v) => !Number.isFinite(v));
        session.close();
      }
      r = { outcome: 'ok', nonFinite };
    }
  } catch (e) {
    r = classify(e);
  }
  const heap = getHeapStatistics();
  return { id: c.id, ms: performance.now() - t0, heapMb: (heap.used_heap_size + heap.external_memory) / 2 ** 20, ...r };
}
