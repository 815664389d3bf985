// LayersModel (functional) and Sequential: Keras's model API over the IR. The model's layers emit one IR
// graph whose weight constants share the Variables' arrays; training runs that graph through the Executor
// (src/train/executor.ts), prediction compiles it with the inference pipeline (Model -> Session), exactly as a
// loaded model file would be compiled.

import { UsageError } from '../core/errors.js';
import { sizeOf, tensor, type Shape } from '../core/tensor.js';
import type { ImportedModel, LayerInfo } from '../formats/types.js';
import { GraphBuilder } from '../ir/builder.js';
import { producers } from '../ir/graph.js';
import { Model as InferenceModel } from '../runtime/model.js';
import type { BackendName } from '../runtime/backends.js';
import type { Session } from '../runtime/session.js';
import { type Callback, type CallbackModel, type Logs } from './callbacks.js';
import { gatherRows, inputArrays, sliceRows, targetArray, type InputData, type TargetData } from './data.js';
import { Executor, type TrainGraph } from './executor.js';
import type { TrainingBehaviour } from './grads/types.js';
import { selectKernels, type KernelsName } from './kernels/index.js';
import type { TrainKernels } from './kernels/types.js';
import { InputLayer } from './layers/core.js';
import { Layer, SymbolicTensor, type EmitContext, type LayerCall } from './layers/base.js';
import { logitsCrossentropy, resolveLoss, type Loss } from './losses.js';
import { resolveMetric, type Metric } from './metrics.js';
import { resolveOptimizer, type Optimizer } from './optimizers.js';
import { ProgressBar, formatLogs, stdoutSink, type ProgressSink } from './progress.js';
import { deriveSeed, makeRandom, shuffleInPlace, type Random } from './random.js';
import { Variable } from './variable.js';

export interface ModelOptions {
  readonly name?: string;
  /** Seeds weight initialisation, dropout and shuffling (default 1): same seed, same run. */
  readonly seed?: number;
}

export interface CompileOptions {
  readonly optimizer: string | Optimizer;
  readonly loss: string | Loss;
  readonly metrics?: readonly (string | Metric)[];
  /** Training kernels: 'auto' (wasm SIMD when available), 'wasm', 'js'. */
  readonly kernels?: KernelsName;
}

export interface FitOptions {
  readonly batchSize?: number;
  readonly epochs?: number;
  /** 0 silent, 1 progress bar (plain lines when not a TTY), 2 one line per epoch. Default 1. */
  readonly verbose?: 0 | 1 | 2;
  readonly validationData?: readonly [InputData, TargetData];
  /** Fraction of the data (the last samples, before shuffling, as Keras takes it) held out for validation. */
  readonly validationSplit?: number;
  readonly shuffle?: boolean;
  readonly callbacks?: readonly Callback[];
  readonly initialEpoch?: number;
  /** Where progress goes (default: process.stdout). */
  readonly progress?: ProgressSink;
}

export interface EvaluateOptions {
  /** Samples per loss / metric update (the mean is over all samples either way). Default 32. */
  readonly batchSize?: number;
}

export interface PredictOptions {
  /** Samples per run of the compiled plan (default 64, the Session's). */
  readonly batchSize?: number;
}

/** What fit returns: per-epoch logs, as Keras's History. */
export class History {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};
  /** Seconds each epoch took (training and validation). */
  readonly epochSeconds: number[] = [];
  record(epoch: number, logs: Logs, seconds: number): void {
    this.epoch.push(epoch);
    this.epochSeconds.push(seconds);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}

interface Compiled {
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  readonly metrics: Metric[];
  readonly kernels: TrainKernels;
}

interface Structure {
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  /** Every layer call, inputs first, in an order where producers come before consumers. */
  readonly calls: LayerCall[];
  /** Unique layers in call order (InputLayers included). */
  readonly layers: Layer[];
}

/** A model input: an InputLayer's output (Keras's `keras.Input`). */
export function input(shape: readonly number[], options: { name?: string } = {}): SymbolicTensor {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new UsageError(`input: shape must be whole numbers >= 0 (per sample, no batch), got [${shape.join(', ')}]`);
  const layer = new InputLayer([-1, ...shape], options.name);
  return layer.applyMulti([])[0];
}

// InputLayer has no inputs; applyMulti on it must not demand any.
InputLayer.prototype.applyMulti = function (this: InputLayer): SymbolicTensor[] {
  const outputs: SymbolicTensor[] = [];
  const call: LayerCall = { layer: this, inputs: [], outputs, index: this.calls.length };
  outputs.push(new SymbolicTensor(this.batchShape, call, 0, this));
  this.calls.push(call);
  return outputs;
};

function collect(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[]): Structure {
  const calls: LayerCall[] = [];
  const seen = new Set<LayerCall>();
  const inputIds = new Set(inputs.map((t) => t.id));
  const visit = (t: SymbolicTensor, path: string[]): void => {
    const call = t.call;
    if (!call) throw new UsageError(`${t} has no producing call`);
    if (seen.has(call)) return;
    if (call.layer instanceof InputLayer) {
      if (!inputIds.has(t.id)) throw new UsageError(`the model's outputs depend on input "${call.layer.name ?? 'input'}", which is not among the model inputs`);
    } else {
      if (call.inputs.length === 0) throw new UsageError(`layer ${call.layer.name ?? call.layer.className} was called without inputs`);
      for (const i of call.inputs) visit(i, [...path, call.layer.name ?? call.layer.className]);
    }
    seen.add(call);
    calls.push(call);
  };
  for (const t of inputs) {
    if (!(t.layer instanceof InputLayer)) throw new UsageError(`model inputs must come from input(), got ${t}`);
    visit(t, []);
  }
  for (const t of outputs) visit(t, []);
  const layers: Layer[] = [];
  for (const c of calls) if (!layers.includes(c.layer)) layers.push(c.layer);
  return { inputs: [...inputs], outputs: [...outputs], calls, layers };
}

/** Keras default names: the class stem, then stem_1, stem_2, ... (names given by the user are kept). */
function assignNames(layers: readonly Layer[]): void {
  const used = new Set(layers.map((l) => l.name).filter((n): n is string => n !== undefined));
  const counters = new Map<string, number>();
  for (const l of layers) {
    if (l.name !== undefined) continue;
    const stem = l.defaultNameStem;
    let k = counters.get(stem) ?? 0;
    let name = k === 0 ? stem : `${stem}_${k}`;
    while (used.has(name)) name = `${stem}_${++k}`;
    counters.set(stem, k + 1);
    used.add(name);
    l.name = name;
  }
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name as string)) throw new UsageError(`two layers are named "${l.name}"`);
    names.add(l.name as string);
  }
}

export class LayersModel implements CallbackModel {
  name: string;
  readonly seed: number;
  stopTraining = false;
  protected structure?: Structure;
  private compiled?: Compiled;
  private trainGraphCache?: TrainGraph;
  private executorCache?: Executor;
  private sessionCache?: { version: number; session: Session; backend?: BackendName; maxBatch?: number };
  /** Bumped whenever weights change, so the inference session is rebuilt. */
  private version = 0;
  private readonly dropoutRandom: Random;
  private readonly shuffleRandom: Random;

  constructor(
    args: { readonly inputs?: SymbolicTensor | readonly SymbolicTensor[]; readonly outputs?: SymbolicTensor | readonly SymbolicTensor[] } & ModelOptions,
    readonly className: 'Functional' | 'Sequential' = 'Functional',
  ) {
    this.name = args.name ?? (className === 'Sequential' ? 'sequential' : 'functional');
    this.seed = args.seed ?? 1;
    this.dropoutRandom = makeRandom(deriveSeed(this.seed, 'dropout'));
    this.shuffleRandom = makeRandom(deriveSeed(this.seed, 'shuffle'));
    if (args.inputs !== undefined && args.outputs !== undefined) {
      const ins = args.inputs instanceof SymbolicTensor ? [args.inputs] : [...args.inputs];
      const outs = args.outputs instanceof SymbolicTensor ? [args.outputs] : [...args.outputs];
      this.setStructure(ins, outs);
    }
  }

  protected setStructure(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[]): void {
    if (inputs.length === 0 || outputs.length === 0) throw new UsageError('a model needs at least one input and one output');
    const s = collect(inputs, outputs);
    assignNames(s.layers);
    const random = makeRandom(deriveSeed(this.seed, 'init'));
    for (const c of s.calls) c.layer.build(c.inputs.map((t) => t.shape), random);
    this.structure = s;
    this.trainGraphCache = undefined;
    this.executorCache = undefined;
    this.sessionCache = undefined;
  }

  /** The structure, building it first where the model builds lazily (Sequential). */
  protected built(): Structure {
    if (!this.structure) throw new UsageError(`model "${this.name}" has no inputs yet`);
    return this.structure;
  }

  get inputs(): readonly SymbolicTensor[] {
    return this.built().inputs;
  }

  get outputs(): readonly SymbolicTensor[] {
    return this.built().outputs;
  }

  /** Layers in Keras order (a Sequential model's list leaves out its InputLayer, as Keras does). */
  get layers(): readonly Layer[] {
    const all = this.built().layers;
    return this.className === 'Sequential' ? all.filter((l) => !(l instanceof InputLayer)) : all;
  }

  /** Every layer call in dependency order (for serialisation). */
  get layerCalls(): readonly LayerCall[] {
    return this.built().calls;
  }

  getLayer(name: string): Layer {
    const l = this.built().layers.find((x) => x.name === name);
    if (!l) throw new UsageError(`model "${this.name}" has no layer "${name}"`);
    return l;
  }

  /** All variables (trainable and not), layer by layer in Keras weight order. */
  get variables(): Variable[] {
    return this.built().layers.flatMap((l) => l.variables);
  }

  get trainableVariables(): Variable[] {
    return this.built().layers.filter((l) => l.trainable).flatMap((l) => l.variables.filter((v) => v.trainable));
  }

  /** Per-sample input shapes (no batch dim). */
  get inputShapes(): Shape[] {
    return this.built().inputs.map((t) => t.shape.slice(1));
  }

  get outputShapes(): Shape[] {
    return this.built().outputs.map((t) => t.shape.slice(1));
  }

  countParams(): number {
    return this.variables.reduce((n, v) => n + v.data.length, 0);
  }

  getWeights(): Float32Array[] {
    return this.variables.map((v) => v.data.slice());
  }

  setWeights(weights: readonly ArrayLike<number>[]): void {
    const vars = this.variables;
    if (weights.length !== vars.length) throw new UsageError(`setWeights: the model has ${vars.length} weights, got ${weights.length}`);
    vars.forEach((v, i) => v.assign(weights[i]));
    this.version++;
  }

  /** Marks the weights as changed (after editing variables directly). */
  weightsChanged(): void {
    this.version++;
  }

  // ---- the IR graph ----

  /** The IR graph with training information; weight constants share the variables' arrays. */
  trainGraph(): TrainGraph {
    if (this.trainGraphCache) return this.trainGraphCache;
    const s = this.built();
    const b = new GraphBuilder({ format: 'kerasrt', producer: 'kerasrt train' }, this.name);
    const valueOf = new Map<number, number>();
    for (const t of s.inputs) valueOf.set(t.id, b.input(t.layer.name as string, t.shape));
    const varIds = new Map<Variable, number>();
    const variables = new Map<number, Variable>();
    const byValue = new Map<number, TrainingBehaviour>();
    for (const call of s.calls) {
      if (call.layer instanceof InputLayer) continue;
      const layer = call.layer;
      const name = layer.name as string;
      const base = call.index === 0 ? name : `${name}#${call.index}`;
      const ctx: EmitContext = {
        b,
        variable: (v, shape) => {
          let id = varIds.get(v);
          if (id === undefined) {
            id = b.constant(v.path, shape ?? v.shape, v.data);
            varIds.set(v, id);
            variables.set(id, v);
          }
          return id;
        },
        behaviour: (vid, beh) => {
          byValue.set(vid, beh);
        },
        nodeName: (suffix) => (suffix ? `${base}/${suffix}` : base),
        origin: { layer: name, className: layer.className },
      };
      const ins = call.inputs.map((t) => {
        const id = valueOf.get(t.id);
        if (id === undefined) throw new UsageError(`internal: ${t} used before it is computed`);
        return id;
      });
      const outs = layer.emit(ctx, ins);
      outs.forEach((o, i) => valueOf.set(call.outputs[i].id, o));
    }
    const inputIds = s.inputs.map((t) => valueOf.get(t.id) as number);
    const outIds = s.outputs.map((t, i) => {
      const id = valueOf.get(t.id) as number;
      const dup = s.outputs.findIndex((u) => u.id === t.id) !== i;
      if (inputIds.includes(id) || dup) return b.add1('identity', [id], {}, { name: `${t.layer.name}/output_${i}` });
      return id;
    });
    b.setOutputs(outIds);
    const graph = b.finish();
    const prod = producers(graph);
    const behaviours = new Map<number, TrainingBehaviour>();
    for (const [vid, beh] of byValue) {
      const n = prod.get(vid);
      if (n) behaviours.set(n.id, beh);
    }
    // Variables of frozen layers are constants for training.
    const trainable = new Set(this.trainableVariables);
    const varsOut = new Map<number, Variable>();
    for (const [id, v] of variables) varsOut.set(id, trainable.has(v) || !v.trainable ? v : frozen(v));
    this.trainGraphCache = { graph, variables: varsOut, behaviours };
    return this.trainGraphCache;
  }

  /** Keras-style per-layer rows, for summary() and the inference model. */
  layerInfos(): LayerInfo[] {
    const s = this.built();
    return s.layers.map((l) => {
      const calls = s.calls.filter((c) => c.layer === l);
      const inbound = [...new Set(calls.flatMap((c) => c.inputs.map((t) => t.layer.name as string)))];
      return { name: l.name as string, className: l.className, outputShapes: calls.flatMap((c) => c.outputs.map((t) => [...t.shape])), params: l.countParams(), inbound };
    });
  }

  /**
   * The model as an inference model (what load() returns for a file): compile() it for a Session.
   * The weights are copied, so further training does not change it.
   */
  toInferenceModel(): InferenceModel {
    const { graph } = this.trainGraph();
    const values = graph.values.map((v) => (v?.data ? { ...v, data: v.data.slice() } : v));
    return new InferenceModel(this.imported({ ...graph, values }));
  }

  private imported(graph = this.trainGraph().graph): ImportedModel {
    const s = this.built();
    return {
      format: 'kerasrt',
      file: this.name,
      graph,
      layers: this.className === 'Sequential' ? this.layerInfos().filter((l) => l.className !== 'InputLayer') : this.layerInfos(),
      inputNames: s.inputs.map((t) => t.layer.name as string),
      outputNames: s.outputs.map((t) => t.layer.name as string),
    };
  }

  /**
   * The inference session predict() and evaluate() use: the compiled graph with the current weights, plans of
   * up to `maxBatch` samples (default 64). Cached until the weights change.
   */
  session(options: { backend?: BackendName; maxBatch?: number } = {}): Session {
    const c = this.sessionCache;
    if (c && c.version === this.version && c.backend === options.backend && c.maxBatch === options.maxBatch) return c.session;
    c?.session.close();
    const session = new InferenceModel(this.imported()).compile({ backend: options.backend, maxBatch: options.maxBatch });
    this.sessionCache = { version: this.version, session, backend: options.backend, maxBatch: options.maxBatch };
    return session;
  }

  // ---- compile / fit / evaluate / predict ----

  compile(options: CompileOptions): void {
    this.built();
    const loss = resolveLoss(options.loss);
    const metrics = (options.metrics ?? []).map((m) => (typeof m === 'string' ? resolveMetric(m, loss) : m));
    const kernels = selectKernels(options.kernels ?? 'auto');
    if (this.outputs.length !== 1) throw new UsageError(`compile: models with ${this.outputs.length} outputs are not supported for training yet (one output only)`);
    this.compiled = { optimizer: resolveOptimizer(options.optimizer), loss, metrics, kernels };
    // As in Keras, changes to layer.trainable take effect at compile.
    this.trainGraphCache = undefined;
    this.executorCache = undefined;
    this.sessionCache = undefined;
  }

  /** Which training kernels compile picked ('wasm' or 'js'). */
  get trainingKernels(): string | undefined {
    return this.compiled?.kernels.name;
  }

  get optimizer(): Optimizer | undefined {
    return this.compiled?.optimizer;
  }

  get loss(): Loss | undefined {
    return this.compiled?.loss;
  }

  get metrics(): readonly Metric[] {
    return this.compiled?.metrics ?? [];
  }

  /** The training executor (built once per compile). */
  executor(): Executor {
    const c = this.requireCompiled();
    this.executorCache ??= new Executor(this.trainGraph(), { kernels: c.kernels, random: () => this.dropoutRandom.uniform() });
    return this.executorCache;
  }

  private requireCompiled(): Compiled {
    if (!this.compiled) throw new UsageError(`model "${this.name}" is not compiled: call compile({ optimizer, loss }) first`);
    return this.compiled;
  }

  /**
   * When the output is a softmax (last axis) and the loss a crossentropy on probabilities, the loss takes the
   * softmax's input (logits) instead, as Keras's TF backend does: the value id of those logits.
   */
  private fusedLogits(): number | undefined {
    const c = this.requireCompiled();
    if (c.loss.fromLogits || (c.loss.name !== 'categorical_crossentropy' && c.loss.name !== 'sparse_categorical_crossentropy')) return undefined;
    const g = this.trainGraph().graph;
    const n = producers(g).get(g.outputs[0]);
    if (!n || n.op !== 'softmax') return undefined;
    const rank = g.values[n.outputs[0]]?.shape.length ?? 0;
    const axis = (n.attrs as { axis: number }).axis;
    return axis === -1 || axis === rank - 1 ? n.inputs[0] : undefined;
  }

  /**
   * One optimisation step on a batch: forward (training mode), loss, backward, update. Returns the batch loss
   * and the predictions (valid until the next step). Building block of fit, usable on its own (e.g. DQN).
   */
  trainOnBatch(x: InputData, y: TargetData): { loss: number; predictions: Float32Array } {
    const c = this.requireCompiled();
    const { arrays, n } = inputArrays(x, this.inputShapes);
    const per = c.loss.sparse ? 1 : sizeOf(this.outputShapes[0]);
    const target = targetArray(y, n, per);
    return this.step(arrays, target, n, c);
  }

  private lossGrad = new Float32Array(0);

  private step(xs: readonly Float32Array[], target: Float32Array, n: number, c: Compiled): { loss: number; predictions: Float32Array } {
    const exec = this.executor();
    const outs = exec.forward(xs.map((a, i) => tensor([n, ...this.inputShapes[i]], a)), true);
    const pred = outs[0].data;
    if (this.lossGrad.length !== pred.length) this.lossGrad = new Float32Array(pred.length);
    const grad = this.lossGrad;
    const logitsId = this.fusedLogits();
    let loss: number;
    let seedId: number;
    if (logitsId !== undefined) {
      const logits = exec.valueOf(logitsId);
      if (!logits) throw new UsageError('internal: logits not computed');
      loss = logitsCrossentropy(logits.data, target, n, c.loss.sparse, grad);
      seedId = logitsId;
    } else {
      loss = c.loss.compute(pred, target, n, grad).loss;
      seedId = this.trainGraph().graph.outputs[0];
    }
    const grads = exec.backward(new Map([[seedId, grad]]));
    const vars: Variable[] = [];
    const gs: Float32Array[] = [];
    for (const [id, v] of this.trainGraph().variables) {
      const g = grads.get(id);
      if (g && v.trainable) {
        vars.push(v);
        gs.push(g);
      }
    }
    c.optimizer.apply(vars, gs);
    this.version++;
    return { loss, predictions: pred };
  }

  async fit(x: InputData, y: TargetData, options: FitOptions = {}): Promise<History> {
    const c = this.requireCompiled();
    const batchSize = options.batchSize ?? 32;
    const epochs = options.epochs ?? 1;
    const verbose = options.verbose ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`fit: batchSize must be a whole number >= 1, got ${batchSize}`);
    if (!Number.isInteger(epochs) || epochs < 0) throw new UsageError(`fit: epochs must be a whole number >= 0, got ${epochs}`);
    const { arrays, n: total } = inputArrays(x, this.inputShapes);
    const perY = c.loss.sparse ? 1 : sizeOf(this.outputShapes[0]);
    const targets = targetArray(y, total, perY);
    let n = total;
    let val: readonly [InputData, TargetData] | undefined = options.validationData;
    if (options.validationSplit !== undefined) {
      const split = options.validationSplit;
      if (!(split > 0 && split < 1)) throw new UsageError(`fit: validationSplit must be in (0, 1), got ${split}`);
      if (val) throw new UsageError('fit: give validationData or validationSplit, not both');
      n = Math.floor(total * (1 - split));
      val = [arrays.map((a, i) => sliceRows(a, sizeOf(this.inputShapes[i]), n, total)), sliceRows(targets, perY, n, total)];
    }
    if (n === 0) throw new UsageError('fit: no training samples');
    const sink = options.progress ?? stdoutSink();
    const cbs = options.callbacks ?? [];
    for (const cb of cbs) cb.setModel?.(this);
    const history = new History();
    this.stopTraining = false;
    const perX = this.inputShapes.map(sizeOf);
    const steps = Math.ceil(n / batchSize);
    const order = new Uint32Array(n);
    const xb = perX.map((p) => new Float32Array(batchSize * p));
    const yb = new Float32Array(batchSize * perY);
    await callAll(cbs, (cb) => cb.onTrainBegin?.({}));
    for (let epoch = options.initialEpoch ?? 0; epoch < epochs; epoch++) {
      const t0 = performance.now();
      await callAll(cbs, (cb) => cb.onEpochBegin?.(epoch, {}));
      for (let i = 0; i < n; i++) order[i] = i;
      if (options.shuffle ?? true) shuffleInPlace(order, () => this.shuffleRandom.uniform());
      for (const m of c.metrics) m.reset();
      if (verbose >= 1) sink.write(`Epoch ${epoch + 1}/${epochs}\n`);
      const bar = verbose === 1 ? new ProgressBar(steps, sink) : undefined;
      let lossSum = 0;
      let seen = 0;
      let logs: Logs = {};
      for (let s = 0; s < steps; s++) {
        const from = s * batchSize;
        const to = Math.min(n, from + batchSize);
        const bs = to - from;
        const xs = arrays.map((a, i) => gatherRows(a, perX[i], order, from, to, xb[i]).subarray(0, bs * perX[i]));
        const ys = gatherRows(targets, perY, order, from, to, yb).subarray(0, bs * perY);
        if (cbs.length) await callAll(cbs, (cb) => cb.onBatchBegin?.(s, {}));
        const { loss, predictions } = this.step(xs, ys, bs, c);
        if (!Number.isFinite(loss)) throw new UsageError(`fit: the loss became ${loss} at epoch ${epoch + 1}, step ${s + 1} (learning rate too high?)`);
        lossSum += loss * bs;
        seen += bs;
        for (const m of c.metrics) m.update(predictions, ys, bs);
        logs = { loss: lossSum / seen };
        for (const m of c.metrics) logs[m.name] = m.result();
        bar?.update(s + 1, logs);
        if (cbs.length) await callAll(cbs, (cb) => cb.onBatchEnd?.(s, logs));
      }
      if (val) {
        const v = this.evaluate(val[0], val[1], { batchSize: Math.max(batchSize, 256) });
        for (const [k, value] of Object.entries(v)) logs[`val_${k}`] = value;
      }
      const seconds = (performance.now() - t0) / 1000;
      if (bar) bar.done(steps, logs);
      else if (verbose === 2) sink.write(`${steps}/${steps} - ${seconds.toFixed(0)}s${formatLogs(logs)}\n`);
      await callAll(cbs, (cb) => cb.onEpochEnd?.(epoch, logs));
      // Recorded after the callbacks, as Keras's History (the last callback) sees what they added.
      history.record(epoch, logs, seconds);
      if (this.stopTraining) break;
    }
    await callAll(cbs, (cb) => cb.onTrainEnd?.({}));
    return history;
  }

  /** Predictions of every output, n rows each (inference mode: no dropout, moving statistics). */
  predictOutputs(x: InputData, options: PredictOptions = {}): Float32Array[] {
    const { arrays, n } = inputArrays(x, this.inputShapes);
    return this.session({ maxBatch: options.batchSize }).runBatch(arrays, n);
  }

  /** Predictions of a single-output model, n rows. */
  predict(x: InputData, options: PredictOptions = {}): Float32Array {
    if (this.outputs.length !== 1) throw new UsageError(`predict: the model has ${this.outputs.length} outputs; use predictOutputs`);
    return this.predictOutputs(x, options)[0];
  }

  /** Loss and metrics over a dataset, in inference mode; { loss, <metric>: ... }. */
  evaluate(x: InputData, y: TargetData, options: EvaluateOptions = {}): Logs {
    const c = this.requireCompiled();
    const { arrays, n } = inputArrays(x, this.inputShapes);
    const perY = c.loss.sparse ? 1 : sizeOf(this.outputShapes[0]);
    const targets = targetArray(y, n, perY);
    const perOut = sizeOf(this.outputShapes[0]);
    const batch = options.batchSize ?? 32;
    const pred = this.predict(arrays.length === 1 ? arrays[0] : arrays);
    for (const m of c.metrics) m.reset();
    let lossSum = 0;
    const grad = new Float32Array(batch * perOut);
    for (let from = 0; from < n; from += batch) {
      const to = Math.min(n, from + batch);
      const p = sliceRows(pred, perOut, from, to);
      const t = sliceRows(targets, perY, from, to);
      lossSum += c.loss.compute(p, t, to - from, grad.subarray(0, p.length)).loss * (to - from);
      for (const m of c.metrics) m.update(p, t, to - from);
    }
    const logs: Logs = { loss: n ? lossSum / n : 0 };
    for (const m of c.metrics) logs[m.name] = m.result();
    return logs;
  }

  summary(): string {
    const rows = this.layerInfos()
      .filter((l) => this.className !== 'Sequential' || l.className !== 'InputLayer')
      .map((l) => [`${l.name} (${l.className})`, l.outputShapes.map(kerasShape).join(', '), l.params.toLocaleString('en-US'), l.inbound.join(', ')]);
    const functional = this.className !== 'Sequential';
    const head = ['Layer (type)', 'Output Shape', 'Param #', ...(functional ? ['Connected to'] : [])];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 3);
    const line = (cells: string[]): string => cells.slice(0, head.length).map((c, i) => c.padEnd(widths[i])).join('').trimEnd();
    const width = widths.reduce((a, b) => a + b, 0);
    const total = this.countParams();
    const trainable = this.trainableVariables.reduce((a, v) => a + v.data.length, 0);
    const out = [`Model: "${this.name}"`, '_'.repeat(width), line(head), '='.repeat(width)];
    rows.forEach((r, i) => {
      out.push(line(r));
      out.push(i === rows.length - 1 ? '='.repeat(width) : '_'.repeat(width));
    });
    out.push(`Total params: ${total.toLocaleString('en-US')}`, `Trainable params: ${trainable.toLocaleString('en-US')}`, `Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`);
    return out.join('\n');
  }

  // ---- saving (src/train/save/) ----

  async save(path: string): Promise<void> {
    const { saveModel } = await import('./save/index.js');
    await saveModel(this, path);
  }
}

function kerasShape(s: readonly number[]): string {
  const dims = s.map((d) => (d < 0 ? 'None' : String(d)));
  return `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
}

/** A frozen layer's variable, seen as non-trainable by the executor (the same data array). */
function frozen(v: Variable): Variable {
  return new Variable(v.path, v.shape, v.data, false);
}

async function callAll(cbs: readonly Callback[], f: (cb: Callback) => void | Promise<void>): Promise<void> {
  for (const cb of cbs) {
    const r = f(cb);
    if (r instanceof Promise) await r;
  }
}

export class Sequential extends LayersModel {
  private readonly pending: Layer[] = [];
  private inputTensor?: SymbolicTensor;

  constructor(layers: readonly (Layer | SymbolicTensor)[] = [], options: ModelOptions = {}) {
    super({ name: options.name ?? 'sequential', seed: options.seed }, 'Sequential');
    for (const l of layers) this.add(l);
  }

  /** Appends a layer (or, first, an input()). */
  add(layer: Layer | SymbolicTensor): void {
    if (this.structure) throw new UsageError('Sequential.add: the model is already built');
    if (layer instanceof SymbolicTensor) {
      if (this.inputTensor || this.pending.length) throw new UsageError('Sequential.add: an input() can only come first');
      if (!(layer.layer instanceof InputLayer)) throw new UsageError('Sequential.add: only input() tensors can be added, not layer outputs');
      this.inputTensor = layer;
      return;
    }
    if (layer instanceof InputLayer) throw new UsageError('Sequential.add: use input([...]) for the input');
    if (layer.calls.length > 0) throw new UsageError(`Sequential.add: layer ${layer.name ?? layer.className} is already used elsewhere`);
    this.pending.push(layer);
  }

  /** Builds the model for a per-sample input shape (done automatically when the input shape is known). */
  build(inputShape?: readonly number[]): void {
    if (this.structure) return;
    if (this.pending.length === 0) throw new UsageError(`Sequential model "${this.name}" has no layers`);
    let x = this.inputTensor;
    if (!x) {
      const shape = inputShape ?? this.pending[0].inputShape;
      if (!shape) throw new UsageError(`Sequential model "${this.name}" does not know its input shape: start it with input([...]) or give the first layer inputShape`);
      x = input(shape);
    }
    let cur = x;
    for (const l of this.pending) cur = l.apply(cur);
    this.setStructure([x], [cur]);
  }

  protected override built(): Structure {
    if (!this.structure) this.build();
    return super.built();
  }
}

/** Keras's Sequential([...]). */
export function sequential(layers: readonly (Layer | SymbolicTensor)[] = [], options: ModelOptions = {}): Sequential {
  return new Sequential(layers, options);
}

/** Keras's functional Model(inputs, outputs). */
export function model(args: { inputs: SymbolicTensor | readonly SymbolicTensor[]; outputs: SymbolicTensor | readonly SymbolicTensor[] } & ModelOptions): LayersModel {
  return new LayersModel(args, 'Functional');
}

