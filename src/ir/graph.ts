// The portable graph: values (tensors, some constant) and nodes (ops) between them.
// Shapes are concrete except dim 0, which may be -1: the batch, fixed only when a plan is made.
// Graphs are treated as immutable by passes: a pass returns a new Graph (sharing untouched parts).

import type { OpKind, AttrsOf } from '../ops/registry.js';

export interface Value {
  readonly id: number;
  /** A readable name: the producing layer's name, plus an index for extra outputs. */
  readonly name: string;
  readonly shape: readonly number[];
  /** Present for constants (weights, folded results). Row-major float32. */
  readonly data?: Float32Array;
}

/** Where a node came from, for error messages and `kerasrt inspect`. */
export interface Origin {
  /** The layer (Keras) or node (GraphDef/ONNX) name in the source file. */
  readonly layer: string;
  /** Its class or op type in the source file, e.g. "Conv2D". */
  readonly className: string;
}

export interface Node<K extends OpKind = OpKind> {
  readonly id: number;
  readonly name: string;
  readonly op: K;
  readonly attrs: AttrsOf<K>;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly origin?: Origin;
}

export interface Graph {
  /** Indexed by value id; a removed value leaves a hole (undefined). */
  readonly values: ReadonlyArray<Value | undefined>;
  /** Any order; the planner sorts topologically. */
  readonly nodes: readonly Node[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Free-form facts about the source (format, keras_version, ...), shown by inspect. */
  readonly meta: Readonly<Record<string, string>>;
}

export type AnyNode = { [K in OpKind]: Node<K> }[OpKind];

/** Narrows a node to one op kind. */
export function isOp<K extends OpKind>(node: Node, op: K): node is Node<K> {
  return node.op === op;
}

export function valueOf(g: Graph, id: number): Value {
  const v = g.values[id];
  if (v === undefined) throw new Error(`value ${id} does not exist`);
  return v;
}

export function isConstant(g: Graph, id: number): boolean {
  return g.values[id]?.data !== undefined;
}

/** Map value id -> the node producing it. */
export function producers(g: Graph): Map<number, Node> {
  const m = new Map<number, Node>();
  for (const n of g.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

/** Map value id -> nodes consuming it (a node appears once per use). */
export function consumers(g: Graph): Map<number, Node[]> {
  const m = new Map<number, Node[]>();
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      const list = m.get(i);
      if (list) list.push(n);
      else m.set(i, [n]);
    }
  }
  return m;
}
