// The GraphDef driver shared by frozen .pb files and TF.js graph models: orders the nodes, resolves the
// Keras learning-phase Switch/Merge for inference, folds shape arithmetic at import time, and calls the
// translator table (ops.ts) for the rest. Inputs/outputs are chosen by node name, with defaults worked out
// by a probe translation of the whole graph (see chooseOutputs).

import { KerasrtError, LimitExceededError, ModelFormatError, UnsupportedLayerError, UsageError } from '../../core/errors.js';
import { checkCount, checkTensorShape, resolveLimits, type Limits } from '../../core/limits.js';
import { GraphBuilder } from '../../ir/builder.js';
import type { FormatName, ImportedModel, LayerInfo } from '../types.js';
import { ValueShapeGuard } from '../value-guard.js';
import { DEAD, hostValue, tensorValue, TfNodeContext, type TfImportState, type TfValue } from './context.js';
import { foldError, hostScalar, withHostLimits, type HostTensor } from './host.js';
import { TF_OPS } from './ops.js';
import type { TfNode } from './schema.js';
import { decodeTfTensor, dtypeName, hostDtypeOf, tfShapeDims } from './tensor.js';

export interface GraphImportOptions {
  /** Input node names (Placeholders), in the order predict() takes them. Default: the placeholders the outputs need. */
  readonly inputs?: readonly string[];
  /** Output node names ("name" or "name:port"). Default: see graphEndpoints(). */
  readonly outputs?: readonly string[];
  /** Shapes for inputs whose non-batch dims the file leaves unknown (use -1 for the batch). */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Safety limits (core/limits.ts); anything not given keeps its default. */
  readonly limits?: Partial<Limits>;
}

/** A TF graph ready to translate: nodes, plus Const values supplied from outside (TF.js weight shards). */
export interface TfGraphSource {
  readonly nodes: readonly TfNode[];
  readonly file: string;
  readonly format: Extract<FormatName, 'graphdef' | 'tfjs-graph'>;
  readonly weights?: ReadonlyMap<string, HostTensor>;
  readonly meta?: Readonly<Record<string, string>>;
}

export interface Endpoint {
  readonly name: string;
  readonly op: string;
  /** IR shape (dim 0 -1 = the batch); undefined when unknown. */
  readonly shape?: readonly number[];
  /** Why it is not a default endpoint, or what it needs. */
  readonly note?: string;
}

/** What `kerasrt inspect` lists: every placeholder, the default outputs, and other dangling nodes. */
export interface GraphEndpoints {
  readonly inputs: readonly Endpoint[];
  readonly outputs: readonly Endpoint[];
  readonly other: readonly Endpoint[];
}

interface Ref {
  readonly node: string;
  readonly port: number;
  readonly control: boolean;
}

/** "name", "name:1", "^name" (control), and the function-body form "name:out:1". */
export function parseRef(s: string): Ref {
  const control = s.startsWith('^');
  const body = control ? s.slice(1) : s;
  const parts = body.split(':');
  if (parts.length >= 2 && /^\d+$/.test(parts[parts.length - 1])) {
    return { node: parts.length === 2 ? parts[0] : parts.slice(0, -2).join(':'), port: Number(parts[parts.length - 1]), control };
  }
  return { node: body, port: 0, control };
}

const LEARNING_PHASE = /(^|\/)keras_learning_phase$/;

function isPlaceholder(n: TfNode): boolean {
  return n.op === 'Placeholder' || n.op === 'PlaceholderWithDefault' || n.op === 'PlaceholderV2';
}

function isLearningPhase(n: TfNode): boolean {
  return isPlaceholder(n) && (LEARNING_PHASE.test(n.name) || (n.attr?.['dtype']?.type === 10 && /learning_phase/.test(n.name)));
}

/** A node whose translation failed (probe mode only), with the reason. */
interface Failed {
  readonly failed: KerasrtError;
}

type Result = readonly TfValue[] | 'dead' | Failed;

class GraphIndex {
  readonly byName = new Map<string, TfNode>();
  readonly position = new Map<string, number>();

  constructor(
    readonly src: TfGraphSource,
    readonly limits: Limits,
  ) {
    checkCount(src.nodes.length, limits, 'maxNodes', 'graph nodes', { file: src.file, where: 'nodes' });
    src.nodes.forEach((n, i) => {
      if (!n.name) throw new ModelFormatError(`node ${i} (${n.op}) has no name`, { file: src.file });
      if (this.byName.has(n.name)) throw new ModelFormatError(`two nodes are named "${n.name}"`, { file: src.file, where: n.name });
      this.byName.set(n.name, n);
      this.position.set(n.name, i);
    });
  }

  node(name: string, from?: string): TfNode {
    const n = this.byName.get(name);
    if (!n) throw new ModelFormatError(`node "${name}" does not exist${from ? ` (input of "${from}")` : ''}`, { file: this.src.file, where: from ?? name });
    return n;
  }

  refs(n: TfNode): Ref[] {
    return (n.input ?? []).map(parseRef);
  }

  /** Nodes in dependency order (post-order DFS from `targets`), without recursion. */
  order(targets: readonly string[]): string[] {
    const state = new Map<string, 1 | 2>();
    const out: string[] = [];
    for (const t of targets) {
      if (state.has(t)) continue;
      const stack: { name: string; next: number; refs: Ref[] }[] = [{ name: t, next: 0, refs: this.refs(this.node(t)) }];
      state.set(t, 1);
      while (stack.length) {
        const top = stack[stack.length - 1];
        if (top.next < top.refs.length) {
          const r = top.refs[top.next++];
          const s = state.get(r.node);
          if (s === 2) continue;
          if (s === 1) {
            throw new UnsupportedLayerError(this.src.format, this.node(r.node).op, r.node, 'the graph has a cycle (a tf.while_loop); only acyclic inference graphs are supported', { file: this.src.file });
          }
          state.set(r.node, 1);
          stack.push({ name: r.node, next: 0, refs: this.refs(this.node(r.node, top.name)) });
        } else {
          state.set(top.name, 2);
          out.push(top.name);
          stack.pop();
        }
      }
    }
    return out;
  }
}

function stripPort(name: string): string {
  return name.replace(/:0$/, '');
}

interface Translation {
  readonly b: GraphBuilder;
  readonly results: Map<string, Result>;
  readonly layers: LayerInfo[];
  /** Placeholders each node depends on. */
  readonly needs: Map<string, ReadonlySet<string>>;
}

class Translator {
  readonly state: TfImportState;
  readonly results = new Map<string, Result>();
  readonly layers: LayerInfo[] = [];
  readonly needs = new Map<string, ReadonlySet<string>>();
  /** IR value id -> the source node that made it (for the "Connected to" column). */
  private readonly owner = new Map<number, string>();
  /** Every IR value's shape against the limits, node by node (shape bombs). */
  private readonly guard: ValueShapeGuard;

  constructor(
    readonly ix: GraphIndex,
    /** Placeholder name -> graph input id. */
    readonly inputIds: ReadonlyMap<string, number>,
    readonly strict: boolean,
    b: GraphBuilder,
    /** Why a placeholder could not become an input (probe mode). */
    private readonly inputErrors?: ReadonlyMap<string, KerasrtError>,
  ) {
    this.state = { b, file: ix.src.file, format: ix.src.format, constants: new WeakMap(), limits: ix.limits };
    this.guard = new ValueShapeGuard(b, ix.limits, ix.src.file);
    for (const [name, id] of inputIds) this.owner.set(id, name);
  }

  run(order: readonly string[]): Translation {
    for (const name of order) {
      const n = this.ix.node(name);
      try {
        this.results.set(name, this.evaluate(n));
        this.guard.check(name);
      } catch (e) {
        // The probe tolerates what kerasrt cannot translate (training ops, a loss subgraph), never a broken
        // or hostile file: a corrupt constant or a limit ends the import instead of moving the outputs.
        if (this.strict || !(e instanceof KerasrtError) || e instanceof ModelFormatError || e instanceof LimitExceededError) throw e;
        this.results.set(name, { failed: e });
      }
    }
    return { b: this.state.b, results: this.results, layers: this.layers, needs: this.needs };
  }

  /** The value at a ref, or 'dead' / a failure. */
  private lookup(r: Ref, from: TfNode): TfValue | 'dead' | Failed {
    const res = this.results.get(r.node);
    if (res === undefined) throw new ModelFormatError(`internal order error at "${r.node}"`, { file: this.state.file });
    if (res === 'dead' || 'failed' in res) return res;
    const v = res[r.port];
    if (v === undefined) {
      const src = this.ix.node(r.node);
      throw new UnsupportedLayerError(this.state.format, src.op, src.name, `output ${r.port} (used by "${from.name}") is not supported`, { file: this.state.file });
    }
    return v;
  }

  private evaluate(n: TfNode): Result {
    const refs = this.ix.refs(n);
    const data: TfValue[] = [];
    const names: string[] = [];
    const needs = new Set<string>();
    let dead = false;
    for (const r of refs) {
      const v = this.lookup(r, n);
      if (v !== 'dead' && 'failed' in v) return { failed: v.failed };
      for (const p of this.needs.get(r.node) ?? []) needs.add(p);
      if (r.control) {
        if (v === 'dead') dead = true;
        continue;
      }
      if (v === 'dead' || v.kind === 'dead') dead = true;
      data.push(v === 'dead' ? DEAD : v);
      names.push(r.node);
    }
    this.needs.set(n.name, needs);
    if (n.op === 'Merge') return this.merge(data);
    if (dead) return 'dead';

    if (isPlaceholder(n)) return this.placeholder(n, data, needs);
    if (n.op === 'Const') return [hostValue(this.ix.src.weights?.get(n.name) ?? this.constValue(n))];
    if (n.op === 'Switch') return this.switchOp(n, data);
    if (n.op === 'NoOp') return [];

    const entry = TF_OPS[n.op];
    if (!entry) {
      throw new UnsupportedLayerError(this.state.format, n.op, n.name, 'no translation for this op', { file: this.state.file });
    }
    const cx = new TfNodeContext(this.state, n, data, names);
    let out: TfValue[];
    try {
      if (entry.fold && data.every((v) => v.kind === 'host')) {
        const r = entry.fold(cx);
        out = (Array.isArray(r) ? r : [r]).map((t: HostTensor) => hostValue(t));
      } else if (entry.translate) {
        const r = entry.translate(cx);
        out = Array.isArray(r) ? [...(r as TfValue[])] : [r as TfValue];
      } else {
        out = cx.fail('is only supported on constants (it feeds shape arithmetic), but an input is computed from the model input');
      }
    } catch (e) {
      throw foldError(e, `${n.op} "${n.name}"`, { file: this.state.file, where: n.name });
    }
    this.record(n, cx, data, out);
    return out;
  }

  private record(n: TfNode, cx: TfNodeContext, data: readonly TfValue[], out: readonly TfValue[]): void {
    if (cx.added === 0) return;
    const shapes: number[][] = [];
    for (const v of out) {
      if (v.kind !== 'tensor') continue;
      if (!data.some((d) => d.kind === 'tensor' && d.id === v.id)) this.owner.set(v.id, n.name);
      shapes.push([...this.state.b.shape(v.id)]);
    }
    const inbound = new Set<string>();
    for (const d of data) if (d.kind === 'tensor') inbound.add(this.owner.get(d.id) ?? '?');
    this.layers.push({ name: n.name, className: n.op, outputShapes: shapes, params: cx.params, inbound: [...inbound] });
  }

  private constValue(n: TfNode): HostTensor {
    const t = n.attr?.['value']?.tensor;
    if (!t) throw new ModelFormatError(`Const "${n.name}" has no value`, { file: this.state.file, where: n.name });
    return decodeTfTensor(t, n.name, this.state.file, this.state.limits);
  }

  private placeholder(n: TfNode, data: readonly TfValue[], needs: Set<string>): Result {
    const id = this.inputIds.get(n.name);
    if (id !== undefined) {
      needs.add(n.name);
      this.layers.push({ name: n.name, className: n.op, outputShapes: [[...this.state.b.shape(id)]], params: 0, inbound: [] });
      return [tensorValue(id)];
    }
    if (isLearningPhase(n)) {
      // Inference: learning phase 0. A PlaceholderWithDefault keeps its (constant) default.
      const d = data[0];
      return [d && d.kind === 'host' ? d : hostValue(hostScalar('bool', 0))];
    }
    if (n.op === 'PlaceholderWithDefault' && data[0]) return [data[0]];
    const why = this.inputErrors?.get(n.name);
    if (why) throw why;
    throw new UsageError(`placeholder "${n.name}" is needed by the outputs but is not one of the inputs`, { file: this.state.file, where: n.name });
  }

  private switchOp(n: TfNode, data: readonly TfValue[]): Result {
    const pred = data[1];
    if (!pred || pred.kind !== 'host') {
      throw new UnsupportedLayerError(this.state.format, n.op, n.name, 'the branch condition is computed at run time; only conditions known at import time (the Keras learning phase) are supported', { file: this.state.file });
    }
    const taken = pred.t.data[0] !== 0;
    return taken ? [DEAD, data[0]] : [data[0], DEAD];
  }

  private merge(data: readonly TfValue[]): Result {
    const i = data.findIndex((v) => v.kind !== 'dead');
    if (i < 0) return 'dead';
    return [data[i], hostValue(hostScalar('int', i))];
  }
}

/** The shape a placeholder gets as a graph input. */
function inputShape(n: TfNode, src: TfGraphSource, options: GraphImportOptions): number[] {
  const given = options.inputShapes?.[n.name];
  const fail = (why: string): never => {
    throw new UnsupportedLayerError(src.format, n.op, n.name, `${why}; pass inputShapes: { "${n.name}": [-1, ...] }`, { file: src.file });
  };
  const dt = n.attr?.['dtype']?.type;
  const kind = dt === undefined ? 'float' : hostDtypeOf(dt);
  if (kind !== 'float' && kind !== 'int') {
    throw new UnsupportedLayerError(src.format, n.op, n.name, `inputs of ${dtypeName(dt)} are not supported (the runtime is float32)`, { file: src.file });
  }
  const shape = given ? [...given] : (tfShapeDims(n.attr?.['shape']?.shape) ?? tfShapeDims(n.attr?.['_output_shapes']?.list?.shape?.[0]));
  if (!shape) return fail('its shape is unknown');
  if (shape.slice(1).some((d) => d < 0)) return fail(`its shape [${shape.join(', ')}] has unknown dims besides the batch`);
  return shape;
}

/** Graph inputs for `names`; with strict off, a placeholder that cannot be an input is recorded in `errors`. */
function makeInputs(ix: GraphIndex, names: readonly string[], options: GraphImportOptions, b: GraphBuilder, errors?: Map<string, KerasrtError>): Map<string, number> {
  const ids = new Map<string, number>();
  for (const name of names) {
    const n = ix.node(name);
    try {
      const shape = inputShape(n, ix.src, options);
      checkTensorShape(shape, ix.limits, `input "${name}"`, { file: ix.src.file, where: name });
      ids.set(name, b.input(name, shape));
    } catch (e) {
      if (!errors || !(e instanceof KerasrtError)) throw e;
      errors.set(name, e);
    }
  }
  return ids;
}

/** Translates every node, tolerating failures, to see what the graph offers. */
function probe(ix: GraphIndex, options: GraphImportOptions): { t: Translation; placeholders: string[]; inputErrors: Map<string, KerasrtError> } {
  const placeholders = ix.src.nodes.filter((n) => isPlaceholder(n) && !isLearningPhase(n)).map((n) => n.name);
  const b = new GraphBuilder({}, ix.src.file);
  const inputErrors = new Map<string, KerasrtError>();
  const ids = makeInputs(ix, placeholders, options, b, inputErrors);
  const tr = new Translator(ix, ids, false, b, inputErrors);
  return { t: tr.run(ix.order(ix.src.nodes.map((n) => n.name))), placeholders: [...ids.keys()], inputErrors };
}

function tensorShape(t: Translation, name: string): number[] | undefined {
  const r = t.results.get(name);
  if (!r || r === 'dead' || 'failed' in r) return undefined;
  const v = r[0];
  return v && v.kind === 'tensor' ? [...t.b.shape(v.id)] : undefined;
}

/**
 * Default outputs: the translatable nodes computed from the inputs that nothing translatable consumes. Sinks
 * that collapse to a scalar (accuracy, loss) are skipped, and so is every node that needs a placeholder only
 * such sinks need (the labels): an `accuracy` subgraph fed by `y_` leaves `y` as the output.
 */
function chooseOutputs(ix: GraphIndex, t: Translation, placeholders: readonly string[]): { outputs: string[]; other: Endpoint[] } {
  const live = new Set<string>();
  for (const n of ix.src.nodes) if (!isPlaceholder(n) && tensorShape(t, n.name) && (t.needs.get(n.name)?.size ?? 0) > 0) live.add(n.name);
  const consumers = new Map<string, string[]>();
  for (const n of ix.src.nodes) {
    for (const r of ix.refs(n)) if (!r.control) consumers.set(r.node, [...(consumers.get(r.node) ?? []), n.name]);
  }
  const dead = (name: string) => t.results.get(name) === 'dead';
  // A node feeding an untaken branch (a Switch, the learning-phase cond's inputs) is not an output either.
  const frontier = (region: ReadonlySet<string>) =>
    [...region].filter(
      (name) => ix.node(name).op !== 'Switch' && !(consumers.get(name) ?? []).some((c) => region.has(c) || dead(c)) && (tensorShape(t, name)?.length ?? 0) > 0,
    );
  const regionFor = (keep: ReadonlySet<string>) => new Set([...live].filter((name) => [...(t.needs.get(name) ?? [])].every((p) => keep.has(p))));

  const sinks = frontier(live);
  let keep = new Set<string>(sinks.flatMap((s) => [...(t.needs.get(s) ?? [])]));
  if (keep.size === 0) keep = new Set(placeholders.filter((p) => frontier(regionFor(new Set([p]))).length > 0));
  const outputs = frontier(regionFor(keep)).sort((a, b) => ix.position.get(a)! - ix.position.get(b)!);

  const other: Endpoint[] = [];
  for (const n of ix.src.nodes) {
    if (outputs.includes(n.name) || isPlaceholder(n) || n.op === 'Const' || n.op === 'NoOp') continue;
    if ((consumers.get(n.name) ?? []).length > 0) continue;
    const r = t.results.get(n.name);
    const note = r === undefined ? 'not reached' : r === 'dead' ? 'only in an untaken branch' : 'failed' in r ? r.failed.message : `needs ${[...(t.needs.get(n.name) ?? [])].join(', ') || 'no input'}`;
    other.push({ name: n.name, op: n.op, shape: tensorShape(t, n.name), note });
  }
  return { outputs, other };
}

/**
 * Default outputs stop where translation stops: a node kerasrt cannot translate (an unsupported op) computed
 * from the inputs the chosen outputs use, with nothing after it that needs another placeholder, lies on the
 * inference path past those outputs: they would be an earlier layer's values, not the model's. Refused with
 * the node's own error instead. Evaluation and training nodes lead to something that needs a placeholder the
 * outputs do not (the labels: an accuracy subgraph's ArgMax of the predictions meets ArgMax of the labels)
 * and stay tolerated. A node that failed only because its input did is not the cause and is skipped.
 */
function refuseOutputsBeforeFailure(ix: GraphIndex, t: Translation, outputs: readonly string[]): void {
  if (outputs.length === 0) return;
  const used = new Set(outputs.flatMap((o) => [...(t.needs.get(o) ?? [])]));
  // Placeholders upstream of every node and the consumers of each, on the file's graph (translation aside).
  const upstream = new Map<string, Set<string>>();
  const consumers = new Map<string, string[]>();
  for (const name of ix.order(ix.src.nodes.map((n) => n.name))) {
    const n = ix.node(name);
    const ps = new Set<string>(isPlaceholder(n) ? [name] : []);
    for (const r of ix.refs(n)) {
      for (const p of upstream.get(r.node) ?? []) ps.add(p);
      const list = consumers.get(r.node);
      if (list) list.push(name);
      else consumers.set(r.node, [name]);
    }
    upstream.set(name, ps);
  }
  const leadsOutside = (from: string): boolean => {
    const seen = new Set<string>();
    const todo = [...(consumers.get(from) ?? [])];
    while (todo.length > 0) {
      const c = todo.pop() as string;
      if (seen.has(c)) continue;
      seen.add(c);
      if ([...(upstream.get(c) ?? [])].some((p) => !used.has(p))) return true;
      todo.push(...(consumers.get(c) ?? []));
    }
    return false;
  };
  for (const n of ix.src.nodes) {
    const r = t.results.get(n.name);
    if (r === undefined || r === 'dead' || !('failed' in r)) continue;
    const needs = t.needs.get(n.name);
    if (!needs || needs.size === 0 || ![...needs].every((p) => used.has(p))) continue;
    if (ix.refs(n).some((ref) => { const up = t.results.get(ref.node); return up !== undefined && up !== 'dead' && 'failed' in up; })) continue;
    if (leadsOutside(n.name)) continue;
    const e = r.failed;
    e.message += ` (it is computed from the model's inputs after ${outputs.map((o) => `"${o}"`).join(', ')}, so those cannot stand in for the outputs; name the outputs explicitly to stop before it)`;
    throw e;
  }
}

/** Lists the placeholders, the default outputs and the other dangling nodes (for `kerasrt inspect`). */
export function tfGraphEndpoints(src: TfGraphSource, options: GraphImportOptions = {}): GraphEndpoints {
  const limits = resolveLimits(options.limits);
  return withHostLimits(limits, () => endpoints(new GraphIndex(src, limits), options));
}

function endpoints(ix: GraphIndex, options: GraphImportOptions): GraphEndpoints {
  const src = ix.src;
  const { t, placeholders } = probe(ix, options);
  const { outputs, other } = chooseOutputs(ix, t, placeholders);
  const inputs = src.nodes
    .filter((n) => isPlaceholder(n))
    .map((n): Endpoint => {
      const shape = tensorShape(t, n.name);
      const note = isLearningPhase(n) ? 'Keras learning phase: fixed to 0 (inference)' : shape ? undefined : 'shape unknown or dtype unsupported';
      return { name: n.name, op: n.op, shape, note };
    });
  return { inputs, outputs: outputs.map((name) => ({ name, op: ix.node(name).op, shape: tensorShape(t, name) })), other };
}

/** Translates a TF graph into an ImportedModel. */
export function translateTfGraph(src: TfGraphSource, options: GraphImportOptions = {}): ImportedModel {
  const limits = resolveLimits(options.limits);
  return withHostLimits(limits, () => translate(new GraphIndex(src, limits), options));
}

function translate(ix: GraphIndex, options: GraphImportOptions): ImportedModel {
  const src = ix.src;
  let outputNames = options.outputs?.map(stripPort);
  if (!outputNames || outputNames.length === 0) {
    const { t, placeholders, inputErrors } = probe(ix, options);
    outputNames = chooseOutputs(ix, t, placeholders).outputs;
    refuseOutputsBeforeFailure(ix, t, outputNames);
    if (outputNames.length === 0) {
      // Nothing survived: the first failure (an input that cannot be one, else the first node) is the cause.
      const firstFailed = [...t.results.values()].find((r): r is Failed => r !== 'dead' && 'failed' in r);
      const cause = inputErrors.values().next().value ?? firstFailed?.failed;
      if (cause) throw cause;
      throw new ModelFormatError('found no output: no node computed from a placeholder survives translation; name the outputs explicitly', { file: src.file });
    }
  }
  const outRefs = outputNames.map(parseRef);
  for (const r of outRefs) ix.node(r.node);
  const order = ix.order(outRefs.map((r) => r.node));

  let inputNames = options.inputs?.map(stripPort);
  if (!inputNames || inputNames.length === 0) {
    const needed = new Set(order);
    inputNames = src.nodes.filter((n) => needed.has(n.name) && isPlaceholder(n) && !isLearningPhase(n) && !(n.op === 'PlaceholderWithDefault')).map((n) => n.name);
  }
  for (const name of inputNames) ix.node(name);

  const b = new GraphBuilder({ format: src.format, ...(src.meta ?? {}) }, src.file);
  const ids = makeInputs(ix, inputNames, options, b);
  const tr = new Translator(ix, ids, true, b);
  const t = tr.run(order);

  const outIds = outRefs.map((r, i) => {
    const res = t.results.get(r.node);
    const v = res && res !== 'dead' && !('failed' in res) ? res[r.port] : undefined;
    if (!v || v.kind === 'dead') throw new ModelFormatError(`output "${outputNames![i]}" is never computed (an untaken branch)`, { file: src.file, where: r.node });
    if (v.kind === 'host') {
      throw new UnsupportedLayerError(src.format, ix.node(r.node).op, r.node, 'the output is a constant (it does not depend on any input)', { file: src.file });
    }
    // A graph input used directly as an output still needs a node producing the output value.
    return b.inputs.includes(v.id) ? b.add1('identity', [v.id], {}, { name: `${r.node}/output` }) : v.id;
  });
  b.setOutputs(outIds);
  return { format: src.format, file: src.file, graph: b.finish(), layers: t.layers, inputNames, outputNames };
}
