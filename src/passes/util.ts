// Small graph-editing helpers shared by passes.

import type { GraphBuilder } from '../ir/builder.js';
import type { Graph, Node } from '../ir/graph.js';

/**
 * Removes a single-input, single-output node whose output equals its input, pointing every use of its
 * output at its input. When the output is a graph output and the input is a graph input (or constant),
 * the node is kept: a graph output must be produced by a node or be an input itself, and we keep
 * outputs distinct from inputs.
 */
export function bypassNode(b: GraphBuilder, node: Node): void {
  // Re-read the node: earlier edits in the same pass may have rewired its input.
  const n = b.node(node.id);
  const from = n.outputs[0];
  const to = n.inputs[0];
  if (b.outputs.includes(from) && (b.inputs.includes(to) || b.constData(to) !== undefined)) return;
  b.removeNode(n.id);
  b.replaceUses(from, to);
}

/** How many times each value is read (by nodes, plus once per appearance among graph outputs). */
export function useCounts(g: Graph): Map<number, number> {
  const m = new Map<number, number>();
  for (const n of g.nodes) for (const i of n.inputs) m.set(i, (m.get(i) ?? 0) + 1);
  for (const o of g.outputs) m.set(o, (m.get(o) ?? 0) + 1);
  return m;
}
