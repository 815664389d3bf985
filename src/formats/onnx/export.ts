// ONNX export of any kerasrt graph (opsets 13-21, default domain). Every IR op has a translation here; the
// graph keeps kerasrt's layout at its edges (NHWC inputs and outputs, dim 0 = dynamic batch "N").
//
// Layout: ONNX's spatial ops are NCHW, the IR is NHWC. Instead of wrapping every spatial op in a Transpose pair
// and cancelling pairs afterwards, each IR value may exist in the ONNX graph in several layouts ("forms": an
// ONNX tensor name and the perm with tensor = transpose(value, perm)). Spatial ops ask for the NCHW form and
// produce one; layout-agnostic ops (element-wise, pad, slice, tile, concat, softmax, reduce, batchnorm) work
// in whatever form their input already has; IR transposes only add forms (no node); a Transpose is emitted
// lazily, the first time a consumer needs a form that does not exist yet, and a transpose that only moves
// size-1 axes is written as a Reshape. So conv -> relu -> pool -> conv has no Transpose inside, only at
// the edges, and an ONNX-imported graph's own NCHW <-> NHWC transposes cancel against ours.
//
// Weights are transposed at export time (HWIO -> OIHW, Keras gate order -> ONNX gate order), so the exported
// graph holds only the ops the computation needs.
//
// Known differences at the edges of the domain (documented, not emulated): an embedding index outside
// [0, vocab) gives a zero row in kerasrt but an error from ONNX Gather in onnxruntime; NaN handling of
// Max/Min/ReduceMax follows the ONNX runtime. Recurrent ops need constant weights and an activation from ONNX's
// recurrent list (sigmoid, tanh, relu, linear, hard_sigmoid, elu, softsign, softplus, leaky/thresholded relu).

import { InternalError, UnsupportedFeatureError, UsageError } from '../../core/errors.js';
import { sizeOf } from '../../core/tensor.js';
import type { Graph, Node, Value } from '../../ir/graph.js';
import type { Activation } from '../../ops/activation-fns.js';
import type { AttrsOf, OpKind } from '../../ops/registry.js';
import {
  onnxFloatTensor,
  onnxInt64Tensor,
  onnxModelBytes,
  onnxNode,
  onnxValueInfo,
  type OnnxAttrValue,
  type ProtoWriter,
} from './proto-write.js';

export interface OnnxExportOptions {
  /** Default-domain opset to write, 13 to 21 (default 13). LayerNormalization is used from 17 on. */
  readonly opset?: number;
  /** Names of the ONNX graph inputs, in graph input order (default: the IR value names). */
  readonly inputNames?: readonly string[];
  /** Names of the ONNX graph outputs (default: the IR value names). */
  readonly outputNames?: readonly string[];
  /** GraphProto name (default: the graph's meta.name, or "kerasrt"). */
  readonly graphName?: string;
}

export const ONNX_EXPORT_MIN_OPSET = 13;
export const ONNX_EXPORT_MAX_OPSET = 21;
const PRODUCER = 'kerasrt';
const PRODUCER_VERSION = '0.1.0';
const BATCH_PARAM = 'N';
const INT64_MIN = -(2n ** 63n);

/** ONNX IR version that goes with an opset (onnx/docs/Versioning.md). */
function irVersionFor(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

type Perm = readonly number[];

interface Form {
  readonly name: string;
  readonly perm: Perm;
}

const identityPerm = (rank: number): number[] => Array.from({ length: rank }, (_, i) => i);
const isIdentity = (p: Perm): boolean => p.every((v, i) => v === i);
const permEq = (a: Perm, b: Perm): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
const invert = (p: Perm): number[] => {
  const inv = new Array<number>(p.length);
  p.forEach((v, i) => (inv[v] = i));
  return inv;
};
const NCHW: Perm = [0, 3, 1, 2];

/** Row-major data of transpose(data as `shape`, perm). */
function permuteData(data: Float32Array, shape: readonly number[], perm: Perm): Float32Array {
  if (isIdentity(perm)) return data;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = shape.map((_, i) => sizeOf(shape.slice(i + 1)));
  const out = new Float32Array(data.length);
  const rank = perm.length;
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d] * inStrides[perm[d]];
    out[i] = data[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** ONNX activation names usable inside LSTM/GRU/RNN, with their alpha/beta (ORT's rnn_helpers list). */
function rnnActivation(a: Activation): { name: string; alpha?: number; beta?: number } | undefined {
  switch (a.fn) {
    case 'sigmoid':
      return { name: 'Sigmoid' };
    case 'tanh':
      return { name: 'Tanh' };
    case 'relu':
      return { name: 'Relu' };
    case 'linear':
      return { name: 'Affine', alpha: 1, beta: 0 };
    case 'hard_sigmoid':
      return a.alpha !== undefined ? { name: 'HardSigmoid', alpha: a.alpha, beta: a.beta ?? 0.5 } : { name: 'HardSigmoid', alpha: 1 / 6, beta: 0.5 };
    case 'elu':
      return { name: 'Elu', alpha: a.alpha ?? 1 };
    case 'softsign':
      return { name: 'Softsign' };
    case 'softplus':
      return { name: 'Softplus' };
    case 'leaky_relu':
      return { name: 'LeakyRelu', alpha: a.alpha ?? 0.2 };
    case 'thresholded_relu':
      return { name: 'ThresholdedRelu', alpha: a.alpha ?? 1 };
    default:
      return undefined;
  }
}

class OnnxExporter {
  private readonly nodes: ProtoWriter[] = [];
  private readonly inits: ProtoWriter[] = [];
  private readonly used = new Set<string>();
  private readonly forms = new Map<number, Form[]>();
  private readonly constNames = new Map<string, string>();
  private readonly smallConsts = new Map<string, string>();

  constructor(
    private readonly g: Graph,
    readonly opset: number,
  ) {}

  // ---- names and constants ----

  fresh(base: string): string {
    const clean = base.length > 0 ? base : 't';
    let name = clean;
    for (let k = 1; this.used.has(name); k++) name = `${clean}_${k}`;
    this.used.add(name);
    return name;
  }

  reserve(name: string, what: string): void {
    if (this.used.has(name)) throw new UsageError(`ONNX export: ${what} name "${name}" is used twice`);
    this.used.add(name);
  }

  private value(id: number): Value {
    const v = this.g.values[id];
    if (!v) throw new InternalError(`ONNX export: value ${id} does not exist`);
    return v;
  }

  valueName(id: number): string {
    return this.value(id).name;
  }

  shape(id: number): readonly number[] {
    return this.value(id).shape;
  }

  isConst(id: number): boolean {
    return this.value(id).data !== undefined;
  }

  constData(id: number): Float32Array | undefined {
    return this.value(id).data;
  }

  /** A float initializer (a fresh name per call). */
  floats(base: string, dims: readonly number[], data: Float32Array): string {
    const name = this.fresh(base);
    this.inits.push(onnxFloatTensor(name, dims, data));
    return name;
  }

  /** An int64 initializer, shared between uses with the same contents. */
  ints(values: readonly (number | bigint)[], dims: readonly number[] = [values.length], base = 'const_i64'): string {
    const key = `i|${dims.join(',')}|${values.join(',')}`;
    let name = this.smallConsts.get(key);
    if (!name) {
      name = this.fresh(base);
      this.inits.push(onnxInt64Tensor(name, dims, values));
      this.smallConsts.set(key, name);
    }
    return name;
  }

  /** A float scalar (or small float tensor) initializer, shared by value. */
  scalar(v: number, dims: readonly number[] = []): string {
    const key = `f|${dims.join(',')}|${Object.is(v, -0) ? '-0' : String(v)}`;
    let name = this.smallConsts.get(key);
    if (!name) {
      name = this.fresh(`const_${String(v).replace(/[^0-9a-zA-Z]/g, '_')}`);
      this.inits.push(onnxFloatTensor(name, dims, Float32Array.of(v)));
      this.smallConsts.set(key, name);
    }
    return name;
  }

  /** Emits one node; returns its output names (fresh names from `base`, or the given ones). */
  emit(op: string, inputs: readonly string[], base: string, attrs: Readonly<Record<string, OnnxAttrValue>> = {}, outputs: number | readonly string[] = 1): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? base : `${base}_${i}`)) : [...outputs];
    this.nodes.push(onnxNode(op, inputs, outs, this.fresh(`${base}/${op}`), attrs));
    return outs;
  }

  emit1(op: string, inputs: readonly string[], base: string, attrs: Readonly<Record<string, OnnxAttrValue>> = {}): string {
    return this.emit(op, inputs, base, attrs)[0];
  }

  // ---- forms (layouts) ----

  setForm(id: number, name: string, perm: Perm): void {
    const list = this.forms.get(id);
    if (list) list.push({ name, perm: [...perm] });
    else this.forms.set(id, [{ name, perm: [...perm] }]);
  }

  /** The form a value was produced in (constants: their plain layout). */
  primary(id: number): Form {
    if (this.isConst(id)) return { name: this.get(id), perm: identityPerm(this.shape(id).length) };
    const f = this.forms.get(id)?.[0];
    if (!f) throw new InternalError(`ONNX export: value "${this.value(id).name}" used before it is produced`);
    return f;
  }

  allForms(id: number): readonly Form[] {
    return this.isConst(id) ? [this.primary(id)] : (this.forms.get(id) ?? [this.primary(id)]);
  }

  /** The ONNX name of value `id` laid out as transpose(value, perm) (default: the IR layout). */
  get(id: number, perm?: Perm): string {
    const v = this.value(id);
    const want = perm ?? identityPerm(v.shape.length);
    if (want.length !== v.shape.length) throw new InternalError(`ONNX export: perm [${want.join(',')}] for "${v.name}" of rank ${v.shape.length}`);
    if (v.data) {
      const key = `${id}|${want.join(',')}`;
      let name = this.constNames.get(key);
      if (!name) {
        name = this.floats(isIdentity(want) ? v.name : `${v.name}_t`, want.map((p) => v.shape[p]), permuteData(v.data, v.shape, want));
        this.constNames.set(key, name);
      }
      return name;
    }
    const list = this.forms.get(id);
    if (!list || list.length === 0) throw new InternalError(`ONNX export: value "${v.name}" used before it is produced`);
    const exact = list.find((f) => permEq(f.perm, want));
    if (exact) return exact.name;
    const from = list[0];
    const finv = invert(from.perm);
    const q = want.map((h) => finv[h]);
    const fromShape = from.perm.map((p) => v.shape[p]);
    const name = this.transposeTensor(from.name, fromShape, q, `${v.name}_${isIdentity(want) ? 'nhwc' : 'nchw'}`);
    this.setForm(id, name, want);
    return name;
  }

  /** transpose(t, q) for a tensor of shape `shape` (-1 = batch); a Reshape when only size-1 axes move. */
  transposeTensor(t: string, shape: readonly number[], q: Perm, base: string): string {
    const moved = q.map((p) => shape[p]);
    const bigIn = shape.map((d, i) => [d, i] as const).filter(([d]) => d !== 1).map(([, i]) => i);
    const bigOut = q.filter((p) => shape[p] !== 1);
    const batchStays = shape[0] !== -1 || q[0] === 0;
    if (batchStays && bigIn.every((v, i) => v === bigOut[i]) && moved.filter((d) => d === -1).length <= 1) {
      return this.emit1('Reshape', [t, this.ints(moved.map((d, i) => (d === -1 && i === 0 ? 0 : d)))], base);
    }
    return this.emit1('Transpose', [t], base, { perm: [...q] });
  }

  /** A parameter reshaped to `dims` (constants: the same data with new dims; others: a Reshape node). */
  reshaped(id: number, dims: readonly number[]): string {
    const data = this.constData(id);
    if (data) return this.floats(`${this.value(id).name}_r`, dims, data);
    return this.emit1('Reshape', [this.get(id), this.ints(dims)], `${this.value(id).name}_r`);
  }

  // ---- reductions, opset-dependent ----

  reduceNode(op: string, x: string, axes: readonly number[], keepdims: boolean, base: string): string {
    const axesAsInput = op === 'ReduceSum' ? this.opset >= 13 : this.opset >= 18;
    if (axesAsInput) return this.emit1(op, [x, this.ints(axes)], base, { keepdims: keepdims ? 1 : 0 });
    return this.emit1(op, [x], base, { axes: [...axes], keepdims: keepdims ? 1 : 0 });
  }

  // ---- activations ----

  activation(x: string, a: Activation, base: string): string {
    const n = `${base}_${a.fn}`;
    switch (a.fn) {
      case 'linear':
        return x;
      case 'relu':
        return this.emit1('Relu', [x], n);
      case 'relu6':
        return this.emit1('Clip', [x, this.scalar(0), this.scalar(6)], n);
      case 'clip':
        return this.emit1('Clip', [x, this.scalar(a.alpha ?? 0), this.scalar(a.beta ?? 6)], n);
      case 'sigmoid':
        return this.emit1('Sigmoid', [x], n);
      case 'tanh':
        return this.emit1('Tanh', [x], n);
      case 'softplus':
        return this.emit1('Softplus', [x], n);
      case 'softsign':
        return this.emit1('Softsign', [x], n);
      case 'exponential':
        return this.emit1('Exp', [x], n);
      case 'elu':
        return this.emit1('Elu', [x], n, { alpha: { float: a.alpha ?? 1 } });
      case 'selu':
        return this.emit1('Selu', [x], n, { alpha: { float: 1.6732632423543772 }, gamma: { float: 1.0507009873554805 } });
      case 'leaky_relu':
        return this.emit1('LeakyRelu', [x], n, { alpha: { float: a.alpha ?? 0.2 } });
      case 'thresholded_relu':
        return this.emit1('ThresholdedRelu', [x], n, { alpha: { float: a.alpha ?? 1 } });
      case 'hard_sigmoid':
        // Keras 3 / tf.keras >= 2.12: relu6(x + 3) / 6; older Keras: the importer's explicit slope/offset.
        return a.alpha !== undefined
          ? this.emit1('HardSigmoid', [x], n, { alpha: { float: a.alpha }, beta: { float: a.beta ?? 0.5 } })
          : this.emit1('HardSigmoid', [x], n, { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
      case 'hard_swish': {
        const hs = this.emit1('HardSigmoid', [x], n, { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
        return this.emit1('Mul', [x, hs], n);
      }
      case 'swish':
        return this.emit1('Mul', [x, this.emit1('Sigmoid', [x], n)], n);
      case 'mish':
        return this.emit1('Mul', [x, this.emit1('Tanh', [this.emit1('Softplus', [x], n)], n)], n);
      case 'gelu': {
        // x * 0.5 * (1 + erf(x / sqrt(2))), Keras's exact gelu.
        const e = this.emit1('Erf', [this.emit1('Mul', [x, this.scalar(Math.SQRT1_2)], n)], n);
        return this.emit1('Mul', [this.emit1('Mul', [x, this.scalar(0.5)], n), this.emit1('Add', [e, this.scalar(1)], n)], n);
      }
      case 'gelu_tanh': {
        // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        const x3 = this.emit1('Mul', [this.emit1('Mul', [x, x], n), x], n);
        const inner = this.emit1('Mul', [this.emit1('Add', [x, this.emit1('Mul', [x3, this.scalar(0.044715)], n)], n), this.scalar(0.7978845608028654)], n);
        const t = this.emit1('Add', [this.emit1('Tanh', [inner], n), this.scalar(1)], n);
        return this.emit1('Mul', [this.emit1('Mul', [x, this.scalar(0.5)], n), t], n);
      }
    }
  }

  // ---- the graph ----

  run(opts: OnnxExportOptions): Uint8Array {
    const g = this.g;
    const inputNames = g.inputs.map((id, i) => opts.inputNames?.[i] ?? this.value(id).name);
    const outputNames = g.outputs.map((id, i) => opts.outputNames?.[i] ?? this.value(id).name);
    if (opts.inputNames && opts.inputNames.length !== g.inputs.length) throw new UsageError(`ONNX export: ${opts.inputNames.length} input names for ${g.inputs.length} inputs`);
    if (opts.outputNames && opts.outputNames.length !== g.outputs.length) throw new UsageError(`ONNX export: ${opts.outputNames.length} output names for ${g.outputs.length} outputs`);
    inputNames.forEach((n) => this.reserve(n, 'input'));
    // Output names are taken by Identity nodes at the end; reserved now so no inner tensor takes them.
    const outNames = outputNames.map((n) => {
      if (opts.outputNames) {
        this.reserve(n, 'output');
        return n;
      }
      return this.fresh(n);
    });
    const dims = (id: number) => this.shape(id).map((d) => (d < 0 ? BATCH_PARAM : d));
    const inputsVi = g.inputs.map((id, i) => {
      this.setForm(id, inputNames[i], identityPerm(this.shape(id).length));
      return onnxValueInfo(inputNames[i], dims(id));
    });
    for (const node of topoSort(g)) {
      try {
        this.translate(node);
      } catch (e) {
        if (e instanceof UnsupportedFeatureError || e instanceof InternalError || e instanceof UsageError) throw e;
        throw new InternalError(`ONNX export: node "${node.name}" (${node.op}): ${(e as Error).message}`, { where: node.name, cause: e });
      }
    }
    const outputsVi = g.outputs.map((id, i) => {
      this.emit('Identity', [this.get(id)], outNames[i], {}, [outNames[i]]);
      return onnxValueInfo(outNames[i], dims(id));
    });
    return onnxModelBytes({
      irVersion: irVersionFor(this.opset),
      opset: this.opset,
      producerName: PRODUCER,
      producerVersion: PRODUCER_VERSION,
      graphName: opts.graphName ?? g.meta.name ?? 'kerasrt',
      docString: g.meta.format ? `exported by kerasrt from ${g.meta.format}` : undefined,
      nodes: this.nodes,
      initializers: this.inits,
      inputs: inputsVi,
      outputs: outputsVi,
    });
  }

  unsupported(node: Node, why: string): never {
    throw new UnsupportedFeatureError(`ONNX export: node "${node.name}" (${node.op}${node.origin ? `, from ${node.origin.className} "${node.origin.layer}"` : ''}): ${why}`, { where: node.name });
  }

  private translate(node: Node): void {
    const h = HANDLERS[node.op] as (x: OnnxExporter, n: Node) => void;
    h(this, node);
  }
}

/** Nodes in dependency order (the IR allows any order). */
function topoSort(g: Graph): Node[] {
  const ready = new Set<number>(g.inputs);
  g.values.forEach((v, id) => {
    if (v?.data) ready.add(id);
  });
  const out: Node[] = [];
  let pending = [...g.nodes];
  while (pending.length > 0) {
    const next: Node[] = [];
    for (const n of pending) {
      if (n.inputs.every((i) => ready.has(i))) {
        out.push(n);
        n.outputs.forEach((o) => ready.add(o));
      } else next.push(n);
    }
    if (next.length === pending.length) throw new InternalError(`ONNX export: the graph has a cycle or a missing value at node "${next[0].name}"`);
    pending = next;
  }
  return out;
}

type Handler<K extends OpKind> = (x: OnnxExporter, n: Node<K>) => void;
type HandlerTable = { readonly [K in OpKind]: Handler<K> };

/** For element-wise n-ary ops: the layout to work in, taken from the first full-rank non-constant input. */
function elementwisePerm(x: OnnxExporter, inputs: readonly number[], rank: number): Perm {
  const vars = inputs.filter((i) => !x.isConst(i));
  if (vars.some((i) => x.shape(i).length !== rank)) return identityPerm(rank);
  const first = vars[0];
  return first === undefined ? identityPerm(rank) : x.primary(first).perm;
}

/** An input of an element-wise op in layout `perm` of the output rank (constants are padded with 1s). */
function elementwiseInput(x: OnnxExporter, id: number, perm: Perm): string {
  const shape = x.shape(id);
  const data = x.constData(id);
  if (data && shape.length < perm.length && !isIdentity(perm)) {
    const padded = [...new Array<number>(perm.length - shape.length).fill(1), ...shape];
    return x.floats(`elementwise_const`, perm.map((p) => padded[p]), permuteData(data, padded, perm));
  }
  return shape.length === perm.length ? x.get(id, perm) : x.get(id);
}

const BINARY_OPS = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', max: 'Max', min: 'Min', pow: 'Pow' } as const;

function convWeightDepthwise(x: OnnxExporter, id: number): string {
  const [KH, KW, C, M] = x.shape(id);
  const data = x.constData(id);
  // ONNX weight [C*M, 1, KH, KW]: out channel c*M + m reads channel c with w[ky, kx, c, m].
  if (data) return x.floats(`${x.valueName(id)}_dw`, [C * M, 1, KH, KW], permuteData(data, [KH, KW, C, M], [2, 3, 0, 1]));
  return x.emit1('Reshape', [x.get(id, [2, 3, 0, 1]), x.ints([C * M, 1, KH, KW])], 'depthwise_w');
}

function rnnNode(x: OnnxExporter, n: Node<'lstm'> | Node<'gru'> | Node<'simple_rnn'>): void {
  const [xid, wid, uid, bid] = n.inputs;
  const [, , F] = x.shape(xid);
  const U = x.shape(uid)[0];
  const w = x.constData(wid);
  const u = x.constData(uid);
  const b = bid === undefined ? undefined : x.constData(bid);
  if (!w || !u || (bid !== undefined && !b)) x.unsupported(n, 'recurrent weights must be constants');
  const a = n.attrs;
  const acts = n.op === 'simple_rnn' ? [a.activation] : n.op === 'lstm' ? [(a as AttrsOf<'lstm'>).recurrentActivation, a.activation, a.activation] : [(a as AttrsOf<'gru'>).recurrentActivation, a.activation];
  const onnxActs = acts.map((ac) => rnnActivation(ac) ?? x.unsupported(n, `activation ${ac.fn} has no ONNX recurrent-op equivalent`));
  // Keras gate blocks (columns of kernel [F, G*U]) in ONNX order: LSTM i,f,c,o -> i,o,f,c; GRU z,r,h as is.
  const order = n.op === 'lstm' ? [0, 3, 1, 2] : n.op === 'gru' ? [0, 1, 2] : [0];
  const G = order.length;
  const gateRows = (m: Float32Array, rows: number): Float32Array => {
    // Keras m [rows, G*U] -> ONNX [G*U, rows] with gate blocks reordered.
    const out = new Float32Array(G * U * rows);
    order.forEach((kg, og) => {
      for (let j = 0; j < U; j++) for (let r = 0; r < rows; r++) out[(og * U + j) * rows + r] = m[r * G * U + kg * U + j];
    });
    return out;
  };
  const W = x.floats(`${n.name}_W`, [1, G * U, F], gateRows(w, F));
  const R = x.floats(`${n.name}_R`, [1, G * U, U], gateRows(u, U));
  let B: string | undefined;
  if (b) {
    const bias = new Float32Array(2 * G * U);
    const resetAfter = n.op === 'gru' && (a as AttrsOf<'gru'>).resetAfter;
    order.forEach((kg, og) => {
      for (let j = 0; j < U; j++) {
        bias[og * U + j] = b[kg * U + j];
        if (resetAfter) bias[G * U + og * U + j] = b[G * U + kg * U + j];
      }
    });
    B = x.floats(`${n.name}_B`, [1, 2 * G * U], bias);
  }
  // Time-major input; go_backwards reverses the sequence first, so outputs come in processed order as in Keras.
  let seq = x.emit1('Transpose', [x.get(xid)], `${n.name}_tnf`, { perm: [1, 0, 2] });
  if (a.goBackwards) seq = x.emit1('Slice', [seq, x.ints([-1]), x.ints([INT64_MIN]), x.ints([0]), x.ints([-1])], `${n.name}_reversed`);
  const inputs = [seq, W, R, ...(B ? [B] : [])];
  const attrs: Record<string, OnnxAttrValue> = { hidden_size: U, activations: onnxActs.map((o) => o.name) };
  const alphas = onnxActs.filter((o) => o.alpha !== undefined).map((o) => o.alpha as number);
  const betas = onnxActs.filter((o) => o.beta !== undefined).map((o) => o.beta as number);
  if (alphas.length) attrs.activation_alpha = { floats: alphas };
  if (betas.length) attrs.activation_beta = { floats: betas };
  if (n.op === 'gru') attrs.linear_before_reset = (a as AttrsOf<'gru'>).resetAfter ? 1 : 0;
  const opType = n.op === 'lstm' ? 'LSTM' : n.op === 'gru' ? 'GRU' : 'RNN';
  const [y, yh] = x.emit(opType, inputs, n.name, attrs, 2);
  let out: string;
  if (a.returnSequences) {
    // Y [T, 1, N, U] -> [N, T, U]
    const t = x.emit1('Squeeze', [y, x.ints([1])], `${n.name}_seq`);
    out = x.emit1('Transpose', [t], `${n.name}_seq`, { perm: [1, 0, 2] });
  } else {
    out = x.emit1('Squeeze', [yh, x.ints([0])], `${n.name}_last`);
  }
  x.setForm(n.outputs[0], out, [0, 1, 2].slice(0, x.shape(n.outputs[0]).length));
}

const HANDLERS: HandlerTable = {
  activation(x, n) {
    const f = x.primary(n.inputs[0]);
    x.setForm(n.outputs[0], x.activation(f.name, n.attrs.activation, n.name), f.perm);
  },
  identity(x, n) {
    for (const f of x.allForms(n.inputs[0])) x.setForm(n.outputs[0], f.name, f.perm);
  },
  training_only(x, n) {
    for (const f of x.allForms(n.inputs[0])) x.setForm(n.outputs[0], f.name, f.perm);
  },
  dense(x, n) {
    const [xi, wi, bi] = n.inputs;
    const rank = x.shape(xi).length;
    let y: string;
    if (rank === 2) {
      y = x.emit1('Gemm', [x.get(xi), x.get(wi), ...(bi !== undefined ? [x.get(bi)] : [])], n.name);
    } else {
      y = x.emit1('MatMul', [x.get(xi), x.get(wi)], n.name);
      if (bi !== undefined) y = x.emit1('Add', [y, x.get(bi)], n.name);
    }
    x.setForm(n.outputs[0], x.activation(y, n.attrs.activation, n.name), identityPerm(rank));
  },
  softmax(x, n) {
    const f = x.primary(n.inputs[0]);
    const rank = f.perm.length;
    const a = n.attrs.axis < 0 ? n.attrs.axis + rank : n.attrs.axis;
    x.setForm(n.outputs[0], x.emit1('Softmax', [f.name], n.name, { axis: invert(f.perm)[a] }), f.perm);
  },
  binary(x, n) {
    const rank = x.shape(n.outputs[0]).length;
    const perm = elementwisePerm(x, n.inputs, rank);
    const ins = n.inputs.map((i) => elementwiseInput(x, i, perm));
    x.setForm(n.outputs[0], x.emit1(BINARY_OPS[n.attrs.fn], ins, n.name), perm);
  },
  prelu(x, n) {
    const rank = x.shape(n.outputs[0]).length;
    const perm = x.isConst(n.inputs[1]) || x.shape(n.inputs[1]).length === rank ? x.primary(n.inputs[0]).perm : identityPerm(rank);
    const ins = n.inputs.map((i) => elementwiseInput(x, i, perm));
    x.setForm(n.outputs[0], x.emit1('PRelu', ins, n.name), perm);
  },
  conv2d(x, n) {
    const [xi, wi, bi] = n.inputs;
    const [KH, KW] = x.shape(wi);
    const a = n.attrs;
    const y = x.emit1('Conv', [x.get(xi, NCHW), x.get(wi, [3, 2, 0, 1]), ...(bi !== undefined ? [x.get(bi)] : [])], n.name, {
      kernel_shape: [KH, KW],
      strides: [...a.strides],
      dilations: [...a.dilations],
      pads: [a.pads[0], a.pads[2], a.pads[1], a.pads[3]],
      group: a.groups,
    });
    x.setForm(n.outputs[0], x.activation(y, a.activation, n.name), NCHW);
  },
  depthwise_conv2d(x, n) {
    const [xi, wi, bi] = n.inputs;
    const [KH, KW, C] = x.shape(wi);
    const a = n.attrs;
    const y = x.emit1('Conv', [x.get(xi, NCHW), convWeightDepthwise(x, wi), ...(bi !== undefined ? [x.get(bi)] : [])], n.name, {
      kernel_shape: [KH, KW],
      strides: [...a.strides],
      dilations: [...a.dilations],
      pads: [a.pads[0], a.pads[2], a.pads[1], a.pads[3]],
      group: C,
    });
    x.setForm(n.outputs[0], x.activation(y, a.activation, n.name), NCHW);
  },
  conv2d_transpose(x, n) {
    const [xi, wi, bi] = n.inputs;
    const [KH, KW, CO] = x.shape(wi);
    const a = n.attrs;
    const [pt, pb, pl, pr] = a.pads;
    const crop = [pt, pl, pb, pr].map((p) => Math.max(p, 0));
    const grow = [pt, pl, pb, pr].map((p) => Math.max(-p, 0));
    const needGrow = grow.some((p) => p > 0);
    // ONNX ConvTranspose weight [CI, CO, KH, KW] from Keras [KH, KW, CO, CI].
    let y = x.emit1('ConvTranspose', [x.get(xi, NCHW), x.get(wi, [3, 2, 0, 1]), ...(bi !== undefined && !needGrow ? [x.get(bi)] : [])], n.name, {
      kernel_shape: [KH, KW],
      strides: [...a.strides],
      dilations: [...a.dilations],
      pads: crop,
    });
    if (needGrow) {
      // Negative pads add zero rows/columns, which still get the bias (Keras 'valid' with k < s, output_padding).
      y = x.emit1('Pad', [y, x.ints([0, 0, grow[0], grow[1], 0, 0, grow[2], grow[3]]), x.scalar(0)], n.name, { mode: 'constant' });
      if (bi !== undefined) y = x.emit1('Add', [y, x.reshaped(bi, [1, CO, 1, 1])], n.name);
    }
    x.setForm(n.outputs[0], x.activation(y, a.activation, n.name), NCHW);
  },
  pool2d(x, n) {
    const a = n.attrs;
    const attrs: Record<string, OnnxAttrValue> = {
      kernel_shape: [...a.kernel],
      strides: [...a.strides],
      pads: [a.pads[0], a.pads[2], a.pads[1], a.pads[3]],
    };
    if (a.type === 'avg') attrs.count_include_pad = 0;
    x.setForm(n.outputs[0], x.emit1(a.type === 'max' ? 'MaxPool' : 'AveragePool', [x.get(n.inputs[0], NCHW)], n.name, attrs), NCHW);
  },
  upsample2d(x, n) {
    const a = n.attrs;
    const scales = x.floats(`${n.name}_scales`, [4], Float32Array.of(1, 1, a.scale[0], a.scale[1]));
    const attrs: Record<string, OnnxAttrValue> =
      a.mode === 'nearest'
        ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
        : { mode: 'linear', coordinate_transformation_mode: 'half_pixel' };
    x.setForm(n.outputs[0], x.emit1('Resize', [x.get(n.inputs[0], NCHW), '', scales], n.name, attrs), NCHW);
  },
  reduce(x, n) {
    const f = x.primary(n.inputs[0]);
    const rank = f.perm.length;
    const finv = invert(f.perm);
    const axes = n.attrs.axes.map((a) => (a < 0 ? a + rank : a));
    if (axes.length === 0) {
      x.setForm(n.outputs[0], f.name, f.perm);
      return;
    }
    const op = { mean: 'ReduceMean', sum: 'ReduceSum', max: 'ReduceMax', min: 'ReduceMin', prod: 'ReduceProd' }[n.attrs.type];
    const y = x.reduceNode(op, f.name, axes.map((a) => finv[a]).sort((p, q) => p - q), n.attrs.keepDims, n.name);
    if (n.attrs.keepDims) {
      x.setForm(n.outputs[0], y, f.perm);
      return;
    }
    // Remaining tensor axes, in tensor order, relabelled as axes of the (smaller) output value.
    const kept = identityPerm(rank).filter((c) => !axes.includes(c));
    x.setForm(n.outputs[0], y, f.perm.filter((c) => !axes.includes(c)).map((c) => kept.indexOf(c)));
  },
  batchnorm(x, n) {
    const [xi, gi, bi, mi, vi] = n.inputs;
    const rank = x.shape(xi).length;
    const axis = n.attrs.axis < 0 ? n.attrs.axis + rank : n.attrs.axis;
    const params = [gi, bi, mi, vi].map((i) => x.get(i));
    const f = x.primary(xi);
    let perm: Perm | undefined;
    if (rank >= 2 && invert(f.perm)[axis] === 1) perm = f.perm;
    else if (rank === 4 && axis === 3) perm = NCHW;
    else if (axis === 1) perm = identityPerm(rank);
    if (perm) {
      const y = x.emit1('BatchNormalization', [x.get(xi, perm), ...params], n.name, { epsilon: { float: n.attrs.epsilon } });
      x.setForm(n.outputs[0], y, perm);
      return;
    }
    // Any other axis: (x - mean) / sqrt(var + eps) * gamma + beta with the parameters broadcast along it.
    const dims = x.shape(xi).map((d, i) => (i === axis ? d : 1));
    const [g, b, m, v] = [gi, bi, mi, vi].map((i) => x.reshaped(i, dims));
    const d = x.emit1('Sub', [x.get(xi), m], n.name);
    const s = x.emit1('Sqrt', [x.emit1('Add', [v, x.scalar(n.attrs.epsilon)], n.name)], n.name);
    const y = x.emit1('Add', [x.emit1('Mul', [x.emit1('Div', [d, s], n.name), g], n.name), b], n.name);
    x.setForm(n.outputs[0], y, identityPerm(rank));
  },
  layernorm(x, n) {
    const [xi, gi, bi] = n.inputs;
    const shape = x.shape(xi);
    const rank = shape.length;
    const axes = [...new Set(n.attrs.axes.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
    const eps = n.attrs.epsilon;
    const trailing = axes.every((a, i) => a === rank - axes.length + i);
    if (x.opset >= 17 && trailing) {
      const pdims = shape.slice(axes[0]);
      const y = x.emit1('LayerNormalization', [x.get(xi), x.reshaped(gi, pdims), x.reshaped(bi, pdims)], n.name, { axis: axes[0], epsilon: { float: eps } });
      x.setForm(n.outputs[0], y, identityPerm(rank));
      return;
    }
    const dims = shape.map((d, i) => (axes.includes(i) ? d : 1));
    const xn = x.get(xi);
    const mean = x.reduceNode('ReduceMean', xn, axes, true, n.name);
    const d = x.emit1('Sub', [xn, mean], n.name);
    const variance = x.reduceNode('ReduceMean', x.emit1('Mul', [d, d], n.name), axes, true, n.name);
    const s = x.emit1('Sqrt', [x.emit1('Add', [variance, x.scalar(eps)], n.name)], n.name);
    const y = x.emit1('Add', [x.emit1('Mul', [x.emit1('Div', [d, s], n.name), x.reshaped(gi, dims)], n.name), x.reshaped(bi, dims)], n.name);
    x.setForm(n.outputs[0], y, identityPerm(rank));
  },
  reshape(x, n) {
    const out = x.shape(n.outputs[0]);
    const keepBatch = n.attrs.shape.length > 0 && n.attrs.shape[0] === -1;
    // Dim 0 of a batch-keeping reshape copies the input's (ONNX 0, allowzero = 0); the rest is concrete.
    if (out.slice(1).some((d) => d === 0) || (!keepBatch && out.some((d) => d === 0))) x.unsupported(n, 'a reshape to a zero-size dim');
    if (!keepBatch && out.some((d) => d < 0)) x.unsupported(n, 'a symbolic dim outside the batch');
    const target = out.map((d, i) => (i === 0 && keepBatch ? 0 : d));
    x.setForm(n.outputs[0], x.emit1('Reshape', [x.get(n.inputs[0]), x.ints(target)], n.name), identityPerm(out.length));
  },
  transpose(x, n) {
    // No node: every form of the input is a form of the output (with the perm composed).
    const pinv = invert(n.attrs.perm);
    for (const f of x.allForms(n.inputs[0])) x.setForm(n.outputs[0], f.name, f.perm.map((p) => pinv[p]));
  },
  pad(x, n) {
    const f = x.primary(n.inputs[0]);
    const pads = [...f.perm.map((c) => n.attrs.pads[c][0]), ...f.perm.map((c) => n.attrs.pads[c][1])];
    x.setForm(n.outputs[0], x.emit1('Pad', [f.name, x.ints(pads), x.scalar(n.attrs.value)], n.name, { mode: 'constant' }), f.perm);
  },
  slice(x, n) {
    const f = x.primary(n.inputs[0]);
    const shape = x.shape(n.inputs[0]);
    const finv = invert(f.perm);
    const starts: number[] = [];
    const ends: number[] = [];
    const axes: number[] = [];
    shape.forEach((d, c) => {
      const b = n.attrs.begin[c];
      const s = n.attrs.size[c];
      if (d < 0) return; // the symbolic batch: kept whole
      const end = s === -1 ? d : b + s;
      if (b === 0 && end === d) return;
      starts.push(b);
      ends.push(end);
      axes.push(finv[c]);
    });
    if (axes.length === 0) {
      x.setForm(n.outputs[0], f.name, f.perm);
      return;
    }
    x.setForm(n.outputs[0], x.emit1('Slice', [f.name, x.ints(starts), x.ints(ends), x.ints(axes)], n.name), f.perm);
  },
  tile(x, n) {
    const f = x.primary(n.inputs[0]);
    x.setForm(n.outputs[0], x.emit1('Tile', [f.name, x.ints(f.perm.map((c) => n.attrs.reps[c]))], n.name), f.perm);
  },
  concat(x, n) {
    const rank = x.shape(n.outputs[0]).length;
    const perm = elementwisePerm(x, n.inputs, rank);
    const axis = n.attrs.axis < 0 ? n.attrs.axis + rank : n.attrs.axis;
    const y = x.emit1('Concat', n.inputs.map((i) => x.get(i, perm)), n.name, { axis: invert(perm)[axis] });
    x.setForm(n.outputs[0], y, perm);
  },
  dot(x, n) {
    const [ai, bi] = n.inputs;
    const sa = x.shape(ai);
    const sb = x.shape(bi);
    const a0 = n.attrs.axes[0] < 0 ? n.attrs.axes[0] + sa.length : n.attrs.axes[0];
    const a1 = n.attrs.axes[1] < 0 ? n.attrs.axes[1] + sb.length : n.attrs.axes[1];
    let A = x.get(ai);
    let B = x.get(bi);
    if (n.attrs.normalize) {
      // Keras 3 ops.normalize: x * min(rsqrt(sum(x^2)), 1 / 1e-7) along the contracted axis.
      const l2 = (t: string, axis: number): string => {
        const ss = x.reduceNode('ReduceSum', x.emit1('Mul', [t, t], n.name), [axis], true, n.name);
        const inv = x.emit1('Min', [x.emit1('Reciprocal', [x.emit1('Sqrt', [ss], n.name)], n.name), x.scalar(1e7)], n.name);
        return x.emit1('Mul', [t, inv], n.name);
      };
      A = l2(A, a0);
      B = l2(B, a1);
    }
    const freeA = sa.map((_, i) => i).filter((i) => i !== 0 && i !== a0);
    const freeB = sb.map((_, i) => i).filter((i) => i !== 0 && i !== a1);
    const K = sa[a0];
    const FA = sizeOf(freeA.map((i) => sa[i]));
    const FB = sizeOf(freeB.map((i) => sb[i]));
    // A -> [N, FA, K], B -> [N, K, FB], MatMul -> [N, FA, FB], then the Keras output shape.
    const ta = x.transposeTensor(A, sa, [0, ...freeA, a0], `${n.name}_a`);
    const tb = x.transposeTensor(B, sb, [0, a1, ...freeB], `${n.name}_b`);
    const ra = x.emit1('Reshape', [ta, x.ints([0, FA, K])], `${n.name}_a`);
    const rb = x.emit1('Reshape', [tb, x.ints([0, K, FB])], `${n.name}_b`);
    const m = x.emit1('MatMul', [ra, rb], n.name);
    const out = x.shape(n.outputs[0]);
    x.setForm(n.outputs[0], x.emit1('Reshape', [m, x.ints([0, ...out.slice(1)])], n.name), identityPerm(out.length));
  },
  embedding(x, n) {
    const [ii, ti] = n.inputs;
    // Keras casts indices to int; ONNX Cast float -> int64 truncates toward zero as well.
    const idx = x.emit1('Cast', [x.get(ii)], `${n.name}_indices`, { to: 7 });
    x.setForm(n.outputs[0], x.emit1('Gather', [x.get(ti), idx], n.name, { axis: 0 }), identityPerm(x.shape(n.outputs[0]).length));
  },
  simple_rnn: rnnNode,
  lstm: rnnNode,
  gru: rnnNode,
};

/**
 * Writes `graph` as ONNX ModelProto bytes. Inputs and outputs keep kerasrt's layout (NHWC for images) and a
 * symbolic batch dim "N" where the IR has -1. Throws UnsupportedFeatureError naming the node for what ONNX
 * cannot express here (non-constant recurrent weights, recurrent activations outside ONNX's list).
 */
export function exportOnnx(graph: Graph, opts: OnnxExportOptions = {}): Uint8Array {
  const opset = opts.opset ?? 13;
  if (!Number.isInteger(opset) || opset < ONNX_EXPORT_MIN_OPSET || opset > ONNX_EXPORT_MAX_OPSET) {
    throw new UsageError(`ONNX export: opset ${opset} is not supported (${ONNX_EXPORT_MIN_OPSET} to ${ONNX_EXPORT_MAX_OPSET})`);
  }
  return new OnnxExporter(graph, opset).run(opts);
}
