// kerasrt inspect: the Keras-style summary, what the compiler removed or fused, and the execution plan.

import { shapeToString } from '../core/tensor.js';
import { printGraph } from '../ir/print.js';
import { optimize, PIPELINE } from '../passes/pipeline.js';
import { BACKEND_NAMES, type BackendName } from '../runtime/backends.js';
import { load } from '../index.js';
import { parse, type Command } from './command.js';
import { UsageError } from '../core/errors.js';
import { graphDefEndpoints, type Endpoint } from '../formats/graphdef/import.js';
import type { ImportOptions } from '../formats/load.js';
import { nodeFileSource } from '../formats/readers/node-file-source.js';
import { tfjsGraphEndpoints } from '../formats/tfjs-graph/import.js';

/** ImportOptions from the common CLI flags (--weights, --inputs, --outputs). */
export function importOptions(values: Readonly<Record<string, string | undefined>>): ImportOptions {
  const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((x) => x.trim()).filter(Boolean));
  return { weightsPath: values.weights, inputs: list(values.inputs), outputs: list(values.outputs) };
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'summarise a model: layers, shapes, parameters, what the compiler does, the kernel plan',
  help: `usage: kerasrt inspect <model> [options]

Prints a Keras-style summary (layers, output shapes, parameter counts), what each compiler pass removed or
fused, and the execution plan (the kernel chosen for every step, arena and weight sizes).

<model>: a .keras or .h5/.hdf5 file, a TF.js model.json, or a Keras architecture .json with --weights.

options:
  --weights <file>       weights-only .h5 that goes with an architecture .json
  --backend <name>       back end for the plan: ${BACKEND_NAMES.join(', ')} (default auto)
  --inputs <a,b>         graph formats (.pb, TF.js graph, ONNX): input node names
  --outputs <a,b>        graph formats: output node names ("name" or "name:port")
  --dump-after <pass>    print the graph after this compiler pass instead of the summary
                         (passes: imported, ${PIPELINE.map((p) => p.name).join(', ')})
  -h, --help             this help`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { weights: { type: 'string' }, backend: { type: 'string' }, 'dump-after': { type: 'string' }, inputs: { type: 'string' }, outputs: { type: 'string' } },
      'inspect',
    );
    if (positionals.length !== 1) throw new UsageError('inspect takes exactly one model file (see kerasrt inspect --help)');
    const backend = (values.backend ?? 'auto') as BackendName;
    if (!BACKEND_NAMES.includes(backend)) throw new UsageError(`unknown backend "${backend}" (choose ${BACKEND_NAMES.join(', ')})`);
    const options = importOptions(values);
    const model = await load(positionals[0], options);
    const dump = values['dump-after'];
    if (dump !== undefined) {
      if (dump === 'imported') io.out(printGraph(model.imported.graph));
      else io.out(printGraph(optimize(model.imported.graph, { until: dump }).graph));
      return 0;
    }
    io.out(model.summary());
    if (model.imported.format === 'graphdef' || model.imported.format === 'tfjs-graph') {
      // Frozen graphs name their endpoints by node: list the candidates (the founding study had to print every
      // node name to find that Keras had called the output "Softmax").
      const src = await nodeFileSource(positionals[0]);
      const ep = model.imported.format === 'graphdef' ? await graphDefEndpoints(src, options) : await tfjsGraphEndpoints(src, options);
      const fmt = (e: Endpoint) => `${e.name} (${e.op}${e.shape ? ` ${shapeToString(e.shape)}` : ''})${e.note ? ` — ${e.note}` : ''}`;
      io.out('');
      io.out('Graph endpoints (choose with --inputs / --outputs):');
      io.out(`  inputs:  ${ep.inputs.map(fmt).join(', ') || '-'}`);
      io.out(`  outputs: ${ep.outputs.map(fmt).join(', ') || '-'}`);
      if (ep.other.length) io.out(`  other candidates: ${ep.other.map(fmt).join(', ')}`);
    }
    const session = model.compile({ backend });
    io.out('');
    io.out(`Compiler (${model.imported.graph.nodes.length} nodes imported -> ${session.graph.nodes.length} after passes):`);
    for (const r of session.reports) {
      if (r.changes.length === 0) continue;
      io.out(`  ${r.pass}:`);
      for (const c of r.changes) io.out(`    - ${c}`);
    }
    if (session.reports.every((r) => r.changes.length === 0)) io.out('  (nothing to remove or fuse)');
    const p = session.plan;
    io.out('');
    io.out(`Plan (batch 1, backend ${p.backend}): ${p.steps.length} steps, arena ${(p.arenaSize * 4 / 1024).toFixed(1)} KiB, weights ${(p.constantBytes / 1024).toFixed(1)} KiB`);
    const rows = p.steps.map((s) => [s.node.name, s.node.op, s.kernel, s.outputs.map((o) => shapeToString(o.shape)).join(', ')]);
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), 4) + 2);
    for (const r of rows) io.out(`  ${r[0].padEnd(w[0])}${r[1].padEnd(w[1])}${r[2].padEnd(w[2])}${r[3]}`);
    io.out(`inputs:  ${p.inputs.map((s, i) => `${model.imported.inputNames[i] ?? s.name} ${shapeToString([-1, ...s.shape.slice(1)])}`).join(', ')}`);
    io.out(`outputs: ${p.outputs.map((s, i) => `${model.imported.outputNames[i] ?? s.name} ${shapeToString([-1, ...s.shape.slice(1)])}`).join(', ')}`);
    session.close();
    return 0;
  },
};
