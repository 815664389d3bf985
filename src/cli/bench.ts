// kerasrt bench: the founding comparison table (every execution path, the founding models, real MNIST).
// The benchmark programs live in bench/ and are imported on demand; the peers they compare with
// (TF.js, onnxruntime-node) are optional and reported as n/a when missing.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { FOUNDING_MODEL_NAMES, type FoundingModelName } from '../models/founding.js';
import { parse, type Command } from './command.js';
import type * as BenchModule from '../../bench/founding-bench.js';
import type * as ReportModule from '../../bench/report.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'the founding comparison: TF.js, onnxruntime-node and kerasrt on the founding models, real MNIST',
  help: `usage: kerasrt bench [options]

Runs the founding models (${FOUNDING_MODEL_NAMES.join(', ')}) through every execution path, side by side, in one
process: TF.js predict / predictOnBatch / raw ops on its cpu and wasm back ends, onnxruntime-node with 1
and 2 threads, and every kerasrt back end. Protocol: 10000 sequential single-sample predictions on the
real MNIST test images (each call waits for the previous result), 5 loops, after a warm-up; reports ms per
10000 (the founding study's unit), µs per call p50 / p99, images/s at batch 1, 64 and 10000, the largest
difference from kerasrt's reference back end, and the time relative to onnxruntime-node 1 thread. The
study's 2017 figures are printed beside them. Slow paths time fewer calls and say so.

Prints the table, writes <out>/bench-<timestamp>.json and .svg. A full run takes a few minutes.

options:
  --quick               a short run: 1000 calls, 1 loop, batch 1000 instead of 10000 (well under a minute)
  --models <list>       comma-separated subset of ${FOUNDING_MODEL_NAMES.join(',')} (default all)
  --paths <list>        keep paths whose id contains one of these comma-separated words, e.g. ort,kerasrt
                        (ids: tfjs-cpu-predict, tfjs-cpu-execute, tfjs-cpu-raw, tfjs-wasm-..., ort-1t,
                        ort-2t, kerasrt-<backend>)
  --trained <dir>       trained weights: <dir>/<model>/model.json (TF.js layers folder); default
                        .cache/trained. Without them the fixed-seed weights are used (and said so)
  --seed <n>            seed of the fixed-seed weights (default 1)
  --out <dir>           where the JSON and SVG go (default bench/results)
  -h, --help            this help

Peers (dev dependencies of kerasrt): @tensorflow/tfjs, @tensorflow/tfjs-backend-wasm, onnxruntime-node.`,
  async run(argv, io) {
    const { values, flags, positionals } = parse(
      argv,
      {
        quick: { type: 'boolean' },
        models: { type: 'string' },
        paths: { type: 'string' },
        trained: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
      },
      'bench',
    );
    if (positionals.length > 0) throw new UsageError(`bench takes no file arguments (got ${positionals.join(' ')}; see kerasrt bench --help)`);
    const models = (values.models ?? FOUNDING_MODEL_NAMES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
    for (const m of models) {
      if (!(FOUNDING_MODEL_NAMES as readonly string[]).includes(m)) throw new UsageError(`unknown model "${m}" (choose from ${FOUNDING_MODEL_NAMES.join(', ')})`);
    }
    if (models.length === 0) throw new UsageError('--models is empty');
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got "${values.seed}"`);
    const pathTokens = (values.paths ?? '').split(',').map((s) => s.trim()).filter(Boolean);

    let bench: typeof BenchModule;
    let report: typeof ReportModule;
    try {
      // Relative to dist/src/cli/: the benchmark programs compiled beside the sources (a clone of kerasrt).
      bench = (await import('../../bench/founding-bench.js')) as typeof BenchModule;
      report = (await import('../../bench/report.js')) as typeof ReportModule;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_MODULE_NOT_FOUND') {
        io.err(`kerasrt bench: the benchmark programs (bench/) are not part of this installation: run it from a clone of kerasrt (npm ci && npx kerasrt bench). ${(e as Error).message.split('\n')[0]}`);
        return 1;
      }
      throw e;
    }

    const live = io.tty && Boolean(process.stderr.isTTY);
    let shown = false;
    const progress = (line: string) => {
      if (live) {
        process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
        shown = true;
      } else io.err(line);
    };
    const clear = () => {
      if (live && shown) process.stderr.write('\r\x1b[K');
      shown = false;
    };
    const result = await bench.runBench(
      { quick: Boolean(flags.quick), models: models as FoundingModelName[], paths: pathTokens, trainedDir: values.trained ?? join('.cache', 'trained'), seed },
      { progress, note: (line) => { clear(); io.err(line); } },
    );
    clear();
    io.out(report.formatTable(result));

    const outDir = values.out ?? join('bench', 'results');
    await mkdir(outDir, { recursive: true });
    const stamp = result.date.replace(/[:.]/g, '-');
    const jsonPath = join(outDir, `bench-${stamp}.json`);
    const svgPath = join(outDir, `bench-${stamp}.svg`);
    await writeFile(jsonPath, JSON.stringify(result, null, 2) + '\n');
    await writeFile(svgPath, report.formatSvg(result));
    io.err(`wrote ${jsonPath} and ${svgPath}`);
    return 0;
  },
};
