// The two targets of `kerasrt bench` that are not about speed per call:
// - load + compile: a model file on disk to a ready Session, in fresh processes (load-compile-child.ts), so
//   nothing from an earlier load (modules, compiled wasm, packed weights) is reused; median of a few starts;
// - heap growth: many sequential predictions on one Session, the heap measured after a full GC before and
//   after, and the GCs V8 ran during the loop counted: a session that allocates nothing per call shows no
//   growth and no collections.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Session } from '../src/runtime/session.js';
import { artifactsToFiles, type TfjsLayersArtifacts } from '../src/models/founding.js';
import { sample, type GcWatch, type Images } from './harness.js';

export interface LoadCompile {
  readonly backend: string;
  readonly file: string;
  readonly starts: number;
  /** Medians over the fresh processes, ms. */
  readonly importMs: number;
  readonly loadMs: number;
  readonly compileMs: number;
  readonly firstPredictMs: number;
  /** load + compile of the same file again in an already-warm process, ms (median). */
  readonly warmLoadCompileMs: number;
}

export interface HeapGrowth {
  readonly backend: string;
  readonly calls: number;
  /** heapUsed after the loop minus before it, both after a full GC, bytes. */
  readonly heapUsedDelta: number;
  /** external + arrayBuffers (typed arrays, wasm memory) after minus before, bytes. */
  readonly externalDelta: number;
  readonly gcDuringLoop: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Writes TF.js layers artifacts to a temporary folder; returns model.json's path and a remover. */
export function writeArtifacts(name: string, artifacts: TfjsLayersArtifacts): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `kerasrt-bench-${name}-`));
  for (const [path, bytes] of Object.entries(artifactsToFiles(artifacts))) writeFileSync(join(dir, path), bytes);
  return { file: join(dir, 'model.json'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Cold load + compile of `file` for `backend`, in `starts` fresh Node processes. */
export function measureLoadCompile(file: string, backend: string, starts: number): LoadCompile {
  const child = fileURLToPath(new URL('./load-compile-child.js', import.meta.url));
  const runs: Record<string, number>[] = [];
  for (let i = 0; i < starts; i++) {
    const out = execFileSync(process.execPath, [child, file, backend], { encoding: 'utf8', timeout: 60_000 });
    runs.push(JSON.parse(out.trim().split('\n').pop() as string) as Record<string, number>);
  }
  const m = (k: string) => median(runs.map((r) => r[k]));
  return {
    backend,
    file,
    starts,
    importMs: m('importMs'),
    loadMs: m('loadMs'),
    compileMs: m('compileMs'),
    firstPredictMs: m('firstPredictMs'),
    warmLoadCompileMs: median(runs.map((r) => r.warmLoadMs + r.warmCompileMs)),
  };
}

let fullGc: (() => void) | undefined;

/** A full, synchronous GC (V8's gc(), exposed at run time for this measurement only). */
function collect(): void {
  if (!fullGc) {
    setFlagsFromString('--expose-gc');
    fullGc = runInNewContext('gc') as () => void;
  }
  fullGc();
  fullGc();
}

/** Heap growth over `calls` sequential predict() calls on the MNIST test images. */
export async function measureHeapGrowth(session: Session, backend: string, images: Images, calls: number, gc: GcWatch): Promise<HeapGrowth> {
  // Input views made up front: a subarray per call would be the loop's own allocation, not the session's.
  const views = Array.from({ length: images.n }, (_, i) => sample(images, i));
  for (let i = 0; i < 100; i++) session.predict(views[i % images.n]);
  collect();
  const before = process.memoryUsage();
  const t0 = performance.now();
  let sink = 0;
  for (let i = 0; i < calls; i++) sink += session.predict(views[i % images.n])[0];
  const t1 = performance.now();
  const gcs = await gc.between(t0, t1);
  collect();
  const after = process.memoryUsage();
  if (Number.isNaN(sink)) throw new Error('NaN output during the heap measurement');
  return {
    backend,
    calls,
    heapUsedDelta: after.heapUsed - before.heapUsed,
    externalDelta: after.external + after.arrayBuffers - (before.external + before.arrayBuffers),
    gcDuringLoop: gcs.count,
  };
}
