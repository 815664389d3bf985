// GraphBuilder: the one way graphs are made. Importers build from scratch; passes start from an existing
// graph with GraphBuilder.from(g), edit, and finish() a new Graph. Every node added gets its output shapes
// from its op's inferShape, so a graph that finishes is shape-consistent by construction.

import { KerasrtError, ShapeError } from '../core/errors.js';
import { sizeOf, type Shape } from '../core/tensor.js';
import { opDef, type AttrsOf, type OpKind } from '../ops/registry.js';
import type { Graph, Node, Origin, Value } from './graph.js';

export interface AddOptions {
  /** Node name; also used for output value names. */
  readonly name: string;
  readonly origin?: Origin;
}

export class GraphBuilder {
  private values: (Value | undefined)[] = [];
  private nodes: (Node | undefined)[] = [];
  private inputIds: number[] = [];
  private outputIds: number[] = [];
  meta: Record<string, string>;
  /** Context for error messages: the source file. */
  file?: string;

  constructor(meta: Record<string, string> = {}, file?: string) {
    this.meta = { ...meta };
    this.file = file;
  }

  static from(g: Graph): GraphBuilder {
    const b = new GraphBuilder(g.meta);
    b.values = [...g.values];
    let maxNode = -1;
    for (const n of g.nodes) maxNode = Math.max(maxNode, n.id);
    b.nodes = new Array(maxNode + 1);
    for (const n of g.nodes) b.nodes[n.id] = n;
    b.inputIds = [...g.inputs];
    b.outputIds = [...g.outputs];
    return b;
  }

  /** A graph input; dim 0 of `shape` may be -1 for the batch. */
  input(name: string, shape: Shape): number {
    const id = this.newValue(name, shape);
    this.inputIds.push(id);
    return id;
  }

  /** A constant (weights). The data is kept by reference, not copied. */
  constant(name: string, shape: Shape, data: Float32Array): number {
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(`constant "${name}" has ${data.length} values, shape [${shape.join(', ')}] needs ${sizeOf(shape)}`, { file: this.file, where: name });
    }
    return this.newValue(name, shape, data);
  }

  /** Adds a node; returns its output value ids. Shape errors name the node and its source layer. */
  add<K extends OpKind>(op: K, inputs: readonly number[], attrs: AttrsOf<K>, opts: AddOptions): number[] {
    const def = opDef(op);
    const where = opts.origin ? `layer "${opts.origin.layer}" (${opts.origin.className})` : `node "${opts.name}"`;
    if (inputs.length < def.arity[0] || inputs.length > def.arity[1]) {
      throw new ShapeError(`${op} takes ${def.arity[0]}..${def.arity[1]} inputs, got ${inputs.length}`, { file: this.file, where, op });
    }
    const shapes = inputs.map((i) => this.shape(i));
    let outShapes: Shape[];
    try {
      outShapes = def.inferShape(shapes, attrs);
    } catch (e) {
      if (e instanceof KerasrtError && e.file === undefined) {
        throw new ShapeError(e.message, { file: this.file, where, op });
      }
      throw e;
    }
    const outputs = outShapes.map((s, i) => this.newValue(outShapes.length === 1 ? opts.name : `${opts.name}:${i}`, s));
    const node: Node<K> = { id: this.nodes.length, name: opts.name, op, attrs, inputs: [...inputs], outputs, origin: opts.origin };
    this.nodes.push(node as unknown as Node);
    return outputs;
  }

  /** add() for single-output ops. */
  add1<K extends OpKind>(op: K, inputs: readonly number[], attrs: AttrsOf<K>, opts: AddOptions): number {
    const outs = this.add(op, inputs, attrs, opts);
    return outs[0];
  }

  /** How many values exist (ids are 0 .. valueCount - 1, in creation order). */
  get valueCount(): number {
    return this.values.length;
  }

  shape(id: number): Shape {
    const v = this.values[id];
    if (!v) throw new KerasrtError(`internal: value ${id} does not exist`);
    return v.shape;
  }

  value(id: number): Value {
    const v = this.values[id];
    if (!v) throw new KerasrtError(`internal: value ${id} does not exist`);
    return v;
  }

  constData(id: number): Float32Array | undefined {
    return this.values[id]?.data;
  }

  liveNodes(): Node[] {
    return this.nodes.filter((n): n is Node => n !== undefined);
  }

  /** The current version of a node (edits such as replaceUses rewrite nodes). */
  node(id: number): Node {
    const n = this.nodes[id];
    if (!n) throw new KerasrtError(`internal: node ${id} does not exist`);
    return n;
  }

  /** Replaces a node's attrs and/or inputs in place; output shapes must stay the same (verify checks). */
  updateNode(id: number, patch: { attrs?: Node['attrs']; inputs?: readonly number[] }): void {
    const n = this.node(id);
    this.nodes[id] = { ...n, ...(patch.attrs ? { attrs: patch.attrs } : {}), ...(patch.inputs ? { inputs: [...patch.inputs] } : {}) } as Node;
  }

  removeNode(id: number): void {
    this.nodes[id] = undefined;
  }

  /** Points every use of `from` (node inputs and graph outputs) at `to`. */
  replaceUses(from: number, to: number): void {
    for (let i = 0; i < this.nodes.length; i++) {
      const n = this.nodes[i];
      if (n && n.inputs.includes(from)) this.nodes[i] = { ...n, inputs: n.inputs.map((x) => (x === from ? to : x)) };
    }
    this.outputIds = this.outputIds.map((x) => (x === from ? to : x));
  }

  setOutputs(ids: readonly number[]): void {
    this.outputIds = [...ids];
  }

  get outputs(): readonly number[] {
    return this.outputIds;
  }

  get inputs(): readonly number[] {
    return this.inputIds;
  }

  finish(): Graph {
    return {
      values: [...this.values],
      nodes: this.liveNodes(),
      inputs: [...this.inputIds],
      outputs: [...this.outputIds],
      meta: { ...this.meta },
    };
  }

  private newValue(name: string, shape: Shape, data?: Float32Array): number {
    for (let i = 0; i < shape.length; i++) {
      const d = shape[i];
      if (!Number.isInteger(d) || d < -1 || (d === -1 && i !== 0)) {
        throw new ShapeError(`value "${name}" has invalid shape [${shape.join(', ')}] (only dim 0 may be -1, the batch)`, { file: this.file, where: name });
      }
    }
    const id = this.values.length;
    this.values.push(data ? { id, name, shape: [...shape], data } : { id, name, shape: [...shape] });
    return id;
  }
}
