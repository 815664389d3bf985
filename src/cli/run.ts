// kerasrt run: one or more samples from a .npy or .json file through a model; prints or writes the outputs.

import { readFile, writeFile } from 'node:fs/promises';
import { ShapeError, UsageError } from '../core/errors.js';
import { shapeToString } from '../core/tensor.js';
import { readNpy, writeNpy } from '../formats/readers/npy.js';
import { load } from '../index.js';
import { BACKEND_NAMES, type BackendName } from '../runtime/backends.js';
import { parse, type Command } from './command.js';
import { importOptions } from './inspect.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run a model on inputs from a .npy or .json file',
  help: `usage: kerasrt run <model> --input <x.npy|x.json> [--output <y.npy|y.json>] [options]

Runs the model on the samples in the input file. The input holds one sample (the model's input shape) or a
batch (a leading dimension N). JSON input is a (nested) array of numbers. Without --output, the outputs are
printed as JSON, one line per sample, with the arg-max for classifiers.

options:
  --input <file>      .npy (float32/float64/int/uint8, C order) or .json
  --output <file>     write the outputs: .npy (float32, shape [N, ...]) or .json
  --weights <file>    weights-only .h5 that goes with an architecture .json
  --backend <name>    ${BACKEND_NAMES.join(', ')} (default auto)
  --inputs <a,b>      graph formats (.pb, TF.js graph, ONNX): input node names
  --outputs <a,b>     graph formats: output node names
  -h, --help          this help

Models with several inputs or outputs: only the first input is fed from --input in this version; every
output is written (JSON) or output 0 (npy).`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { input: { type: 'string' }, output: { type: 'string' }, weights: { type: 'string' }, backend: { type: 'string' }, inputs: { type: 'string' }, outputs: { type: 'string' } },
      'run',
    );
    if (positionals.length !== 1) throw new UsageError('run takes exactly one model file (see kerasrt run --help)');
    if (!values.input) throw new UsageError('run needs --input <x.npy|x.json>');
    const backend = (values.backend ?? 'auto') as BackendName;
    if (!BACKEND_NAMES.includes(backend)) throw new UsageError(`unknown backend "${backend}" (choose ${BACKEND_NAMES.join(', ')})`);

    const model = await load(positionals[0], importOptions(values));
    const session = model.compile({ backend });
    if (session.inputSizes.length !== 1) throw new UsageError(`model has ${session.inputSizes.length} inputs; run feeds one`);
    const x = await readInput(values.input);
    const per = session.inputSizes[0];
    if (per === 0 || x.data.length % per !== 0) {
      throw new ShapeError(`input ${shapeToString(x.shape)} (${x.data.length} values) is not a whole number of samples of ${shapeToString(session.inputShapes[0])}`, { file: values.input });
    }
    const n = x.data.length / per;
    const outs = session.runBatch([x.data], n);
    if (values.output) {
      if (values.output.endsWith('.json')) {
        await writeFile(values.output, JSON.stringify(outs.map((o, i) => rows(o, n, session.outputSizes[i]))) + '\n');
      } else {
        await writeFile(values.output, writeNpy([n, ...session.outputShapes[0]], outs[0]));
      }
      io.err(`wrote ${n} x ${shapeToString(session.outputShapes[0])} to ${values.output}`);
    } else {
      for (let s = 0; s < n; s++) {
        const perOut = outs.map((o, i) => Array.from(o.subarray(s * session.outputSizes[i], (s + 1) * session.outputSizes[i])));
        const first = perOut[0];
        const argmax = first.length > 1 ? first.indexOf(Math.max(...first)) : undefined;
        io.out(JSON.stringify(argmax === undefined ? { outputs: perOut } : { argmax, outputs: perOut }));
      }
    }
    session.close();
    return 0;
  },
};

function rows(o: Float32Array, n: number, size: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(o.subarray(i * size, (i + 1) * size)));
}

async function readInput(path: string): Promise<{ shape: number[]; data: Float32Array }> {
  const bytes = await readFile(path);
  if (path.endsWith('.json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new ShapeError(`not valid JSON: ${(e as Error).message}`, { file: path });
    }
    const flat: number[] = [];
    const shape: number[] = [];
    const walk = (v: unknown, depth: number): void => {
      if (Array.isArray(v)) {
        if (shape.length === depth) shape.push(v.length);
        for (const e of v) walk(e, depth + 1);
      } else if (typeof v === 'number') flat.push(v);
      else throw new ShapeError('JSON input must be nested arrays of numbers', { file: path });
    };
    walk(parsed, 0);
    return { shape, data: Float32Array.from(flat) };
  }
  const arr = readNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  return { shape: [...arr.shape], data: arr.data };
}
