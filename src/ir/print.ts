// A readable text form of a graph, one node per line: what `kerasrt inspect --dump-after` prints.

import { shapeToString } from '../core/tensor.js';
import type { Graph } from './graph.js';

function fmtAttrs(attrs: unknown): string {
  return JSON.stringify(attrs, (_k, v) => (typeof v === 'object' && v !== null && 'fn' in v && Object.keys(v).length === 1 ? v.fn : v))
    .replace(/"/g, '')
    .replace(/^\{|\}$/g, '');
}

export function printGraph(g: Graph): string {
  const name = (id: number) => {
    const v = g.values[id];
    if (!v) return `%${id}?`;
    return v.data ? `${v.name}${shapeToString(v.shape)}` : `%${id}`;
  };
  const lines: string[] = [];
  lines.push(`inputs: ${g.inputs.map((i) => `%${i} ${g.values[i]!.name} ${shapeToString(g.values[i]!.shape)}`).join(', ')}`);
  for (const n of g.nodes) {
    const outs = n.outputs.map((o) => `%${o} ${shapeToString(g.values[o]!.shape)}`).join(', ');
    const attrs = fmtAttrs(n.attrs);
    lines.push(`${outs} = ${n.op}(${n.inputs.map(name).join(', ')})${attrs ? ` {${attrs}}` : ''}  # ${n.name}${n.origin ? ` <- ${n.origin.className}` : ''}`);
  }
  lines.push(`outputs: ${g.outputs.map((o) => `%${o}`).join(', ')}`);
  return lines.join('\n');
}
