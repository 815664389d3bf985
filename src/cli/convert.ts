// kerasrt convert: any model kerasrt loads -> ONNX; Keras-family models (.keras, .h5, TF.js layers) -> .keras,
// .h5 or TF.js layers through the training package's writers. Every written file is read back by kerasrt and
// run on seeded inputs next to the source model; a difference above 1e-4 (relative) is an error, not a warning.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InternalError, UnsupportedFeatureError, UnsupportedLayerError, UsageError } from '../core/errors.js';
import { shapeToString } from '../core/tensor.js';
import { exportOnnx, ONNX_EXPORT_MAX_OPSET, ONNX_EXPORT_MIN_OPSET } from '../formats/onnx/export.js';
import type { ImportedModel } from '../formats/types.js';
import { load, type Model } from '../index.js';
import { optimize } from '../passes/pipeline.js';
import { loadForTraining } from '../train/load.js';
import { formatOfPath, saveModel } from '../train/save/index.js';
import { parse, type Command, type Io } from './command.js';
import { importOptions } from './inspect.js';

type Target = 'onnx' | 'keras' | 'h5' | 'tfjs';

const TARGET_LABEL: Record<Target, string> = { onnx: 'ONNX', keras: 'Keras 3 .keras', h5: 'Keras legacy .h5', tfjs: 'TF.js layers' };
const KERAS_FAMILY = new Set(['keras-h5', 'keras-v3', 'tfjs-layers']);
const CHECK_TOL = 1e-4;

function targetOf(path: string): Target {
  if (path.toLowerCase().endsWith('.onnx')) return 'onnx';
  try {
    return formatOfPath(path);
  } catch {
    throw new UsageError(`cannot tell the output format of "${path}" (use .onnx, .keras, .h5/.hdf5, or model.json / a folder for TF.js layers)`);
  }
}

function uniqueOrUndefined(names: readonly string[]): readonly string[] | undefined {
  return new Set(names).size === names.length && names.every((n) => n.length > 0) ? names : undefined;
}

/** Seeded inputs in [0, 1) for the read-back check (batch 2, or the model's fixed dim 0). */
function checkInputs(imp: ImportedModel): { xs: Float32Array[]; n?: number } {
  let s = 12345;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  const shapes = imp.graph.inputs.map((id) => imp.graph.values[id]?.shape ?? []);
  const fixed = shapes.some((sh) => sh.length > 0 && sh[0] >= 0);
  const n = 2;
  const xs = shapes.map((sh) => Float32Array.from({ length: sh.reduce((a, d, i) => a * (i === 0 && d < 0 ? n : d), 1) }, next));
  return { xs, n: fixed ? undefined : n };
}

function predictAll(m: Model, xs: Float32Array[], n: number | undefined): Float32Array[] {
  const session = m.compile();
  try {
    return (n === undefined ? session.run(xs) : session.runBatch(xs, n)).map((o) => Float32Array.from(o));
  } finally {
    session.close();
  }
}

/** max |a - b| / max(1, max |b|) over all outputs. */
function relDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let worst = 0;
  b.forEach((want, o) => {
    const got = a[o];
    let m = 0;
    let scale = 1;
    for (let i = 0; i < want.length; i++) {
      if (Number.isNaN(want[i]) !== Number.isNaN(got[i])) m = Infinity;
      else if (!Number.isNaN(want[i])) {
        scale = Math.max(scale, Math.abs(want[i]));
        m = Math.max(m, Math.abs(got[i] - want[i]));
      }
    }
    worst = Math.max(worst, m / scale);
  });
  return worst;
}

/** Loads what was written and compares it with the source model; returns a line for the user. */
async function checkWritten(source: Model, out: string, target: Target, io: Io): Promise<void> {
  const { xs, n } = checkInputs(source.imported);
  const want = predictAll(source, xs, n);
  let again: Model;
  try {
    again = await load(target === 'tfjs' && !out.toLowerCase().endsWith('.json') ? `${out.replace(/\/$/, '')}/model.json` : out);
  } catch (e) {
    if (target === 'onnx' && (e instanceof UnsupportedFeatureError || e instanceof UnsupportedLayerError)) {
      // The exporter writes ops (LSTM, ConvTranspose, Erf, ...) that kerasrt's own importer does not read yet.
      io.err(`check: not read back (kerasrt's ONNX importer lacks an op the export uses: ${e.message.split('\n')[0]})`);
      return;
    }
    throw e;
  }
  const got = predictAll(again, xs, n);
  if (got.length !== want.length) throw new InternalError(`convert: ${out} has ${got.length} outputs, the source ${want.length}`);
  const d = relDiff(got, want);
  if (!(d <= CHECK_TOL)) throw new InternalError(`convert: ${out} read back by kerasrt differs from the source by ${d.toExponential(2)} (relative; limit ${CHECK_TOL})`);
  io.err(`check: read back by kerasrt, outputs match the source (max relative difference ${d.toExponential(1)})`);
}

export const convertCommand: Command = {
  name: 'convert',
  summary: 'convert a model: anything kerasrt loads -> .onnx; Keras models -> .keras / .h5 / TF.js layers',
  help: `usage: kerasrt convert <model> --to <out> [options]

Writes the model in the format named by <out>'s extension:
  .onnx                    ONNX (opset 13 by default): from any model kerasrt loads (.keras, .h5, TF.js
                           layers or graph model.json, frozen GraphDef .pb, .onnx). Inputs and outputs keep
                           Keras's layout (NHWC images) with a symbolic batch dim "N".
  .keras                   Keras 3 archive        } from Keras-family models only (.keras, .h5, TF.js layers),
  .h5 / .hdf5              Keras legacy HDF5      } rebuilt as trainable Keras models; a graph format has no
  model.json or a folder   TF.js layers model     } Keras config to rebuild from.
After writing, kerasrt reads the file back and checks that it computes what the source does.

options:
  --to <out>             the output file (or folder, for TF.js layers)
  --opset <n>            ONNX opset, ${ONNX_EXPORT_MIN_OPSET} to ${ONNX_EXPORT_MAX_OPSET} (default 13)
  --optimize             ONNX: export the graph after kerasrt's compiler passes (batchnorm folded,
                         activations fused) instead of the graph as imported
  --no-check             do not read the written file back
  --weights <file>       weights-only .h5 that goes with an architecture .json
  --inputs <a,b>         graph formats (.pb, TF.js graph, ONNX): input node names
  --outputs <a,b>        graph formats: output node names ("name" or "name:port")
  -h, --help             this help`,
  async run(argv, io) {
    const { values, flags, positionals } = parse(
      argv,
      {
        to: { type: 'string' },
        opset: { type: 'string' },
        optimize: { type: 'boolean' },
        'no-check': { type: 'boolean' },
        weights: { type: 'string' },
        inputs: { type: 'string' },
        outputs: { type: 'string' },
      },
      'convert',
    );
    if (positionals.length !== 1) throw new UsageError('convert takes exactly one model file (see kerasrt convert --help)');
    const input = positionals[0];
    const out = values.to;
    if (!out) throw new UsageError('convert needs --to <out.onnx|out.keras|out.h5|model.json>');
    if (out === input) throw new UsageError('convert: --to names the input file itself');
    const target = targetOf(out);
    let opset: number | undefined;
    if (values.opset !== undefined) {
      opset = Number(values.opset);
      if (!Number.isInteger(opset) || opset < ONNX_EXPORT_MIN_OPSET || opset > ONNX_EXPORT_MAX_OPSET) {
        throw new UsageError(`--opset must be a whole number from ${ONNX_EXPORT_MIN_OPSET} to ${ONNX_EXPORT_MAX_OPSET}, got "${values.opset}"`);
      }
      if (target !== 'onnx') throw new UsageError('--opset applies to .onnx output only');
    }
    if (flags.optimize && target !== 'onnx') throw new UsageError('--optimize applies to .onnx output only');

    const model = await load(input, importOptions(values));
    const imp = model.imported;
    if (target === 'onnx') {
      const graph = flags.optimize ? optimize(imp.graph).graph : imp.graph;
      const bytes = exportOnnx(graph, {
        opset,
        inputNames: uniqueOrUndefined(imp.inputNames),
        outputNames: uniqueOrUndefined(imp.outputNames),
        graphName: graph.meta.name,
      });
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, bytes);
      const shapes = (ids: readonly number[], names: readonly string[]) =>
        ids.map((id, i) => `${names[i] ?? graph.values[id]?.name} ${shapeToString((graph.values[id]?.shape ?? []).map((d) => (d < 0 ? -1 : d)))}`).join(', ');
      io.out(`wrote ${out}: ONNX opset ${opset ?? 13}, ${(bytes.length / 1024).toFixed(1)} KiB, from ${imp.format} ${imp.file}`);
      io.out(`  inputs:  ${shapes(graph.inputs, imp.inputNames)}`);
      io.out(`  outputs: ${shapes(graph.outputs, imp.outputNames)}`);
    } else {
      if (!KERAS_FAMILY.has(imp.format)) {
        throw new UnsupportedFeatureError(
          `converting a ${imp.format} model to ${TARGET_LABEL[target]} is not available: the Keras writers save Keras models rebuilt from a Keras config, ` +
            `and a ${imp.format} file holds a graph, not a Keras config. Convert it to .onnx instead.`,
          { file: input },
        );
      }
      if (values.weights !== undefined) {
        throw new UnsupportedFeatureError(
          `converting an architecture JSON + weights file pair to ${TARGET_LABEL[target]} is not available yet (the Keras rebuild reads single-file models, or a JSON with its weights file beside it under the usual name); --weights works with .onnx output`,
          { file: input },
        );
      }
      const trainable = await loadForTraining(input);
      await saveModel(trainable, out);
      io.out(`wrote ${out}: ${TARGET_LABEL[target]}, from ${imp.format} ${imp.file}`);
    }
    if (!flags['no-check']) await checkWritten(model, out, target, io);
    return 0;
  },
};
