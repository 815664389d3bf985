// What a translator sees of the model being built: the graph builder with node naming and origin filled in,
// typed config reads, the layer's weights (matched, shape-checked, turned into constants once even when the
// layer is shared), and activation helpers.

import type { Activation } from '../../ops/activation-fns.js';
import type { AttrsOf, OpKind } from '../../ops/registry.js';
import type { Shape } from '../../core/tensor.js';
import { ModelFormatError } from '../../core/errors.js';
import type { GraphBuilder } from '../../ir/builder.js';
import type { Origin } from '../../ir/graph.js';
import { ConfigReader, parseActivation, type ActivationPlan, type KerasDialect } from './config-read.js';
import type { ActivationSpec } from './config-types.js';
import { matchWeights, type LoadedWeight, type RawWeight, type WeightSpec } from './weights.js';

/** State shared by all layers of one import. */
export interface ImportState {
  readonly b: GraphBuilder;
  readonly file: string;
  readonly dialect: KerasDialect;
  rawWeights(path: readonly string[]): readonly RawWeight[];
  /** Loaded weights per layer path key, so shared layers read and check them once. */
  readonly loaded: Map<string, LoadedWeight[]>;
  /** Constant value ids per layer path key + role. */
  readonly constants: Map<string, number>;
  /** Parameter count per layer path key (sum of its stored weights). */
  readonly params: Map<string, number>;
}

export class LayerContext {
  readonly r: ConfigReader;
  readonly origin: Origin;
  /** The path key: enclosing model names and the layer name, joined by "/". */
  readonly key: string;
  private usedWeights = false;

  constructor(
    private readonly st: ImportState,
    /** Enclosing nested-model names, outermost first, then the layer's own name. */
    readonly path: readonly string[],
    readonly className: string,
    /** How many times this layer was called before (shared layers): names the nodes apart. */
    readonly callIndex: number,
  ) {
    this.key = path.join('/');
    this.r = new ConfigReader(st.file, this.layerName, className);
    this.origin = { layer: this.key, className };
  }

  get layerName(): string {
    return this.path[this.path.length - 1];
  }

  get b(): GraphBuilder {
    return this.st.b;
  }

  get dialect(): KerasDialect {
    return this.st.dialect;
  }

  /** Base name of this call's nodes. */
  get nodeName(): string {
    return this.callIndex === 0 ? this.key : `${this.key}#${this.callIndex}`;
  }

  shape(id: number): Shape {
    return this.st.b.shape(id);
  }

  /** Adds a single-output node named after the layer (plus `/suffix` for helper nodes). */
  add<K extends OpKind>(op: K, inputs: readonly number[], attrs: AttrsOf<K>, suffix?: string): number {
    return this.st.b.add1(op, inputs, attrs, { name: suffix ? `${this.nodeName}/${suffix}` : this.nodeName, origin: this.origin });
  }

  fail(message: string): never {
    return this.r.fail(message);
  }

  unsupported(message: string): never {
    return this.r.unsupported(message);
  }

  /** Number of weights the file stores for this layer. */
  weightCount(): number {
    return this.st.rawWeights(this.path).length;
  }

  /** Names of the stored weights, for layers whose expected set depends on them (Keras 1 RNNs). */
  weightNames(): string[] {
    return this.st.rawWeights(this.path).map((w) => w.name);
  }

  /** Shapes of the stored weights, in file order. */
  weightShapes(): (readonly number[])[] {
    return this.st.rawWeights(this.path).map((w) => w.shape);
  }

  /** Matches, checks and reads the layer's weights (once per layer, even when shared). */
  weights(specs: readonly WeightSpec[]): LoadedWeight[] {
    this.usedWeights = true;
    const hit = this.st.loaded.get(this.key);
    if (hit && hit.length === specs.length && hit.every((w, i) => w.role === specs[i].role)) return hit;
    const raw = this.st.rawWeights(this.path);
    const loaded = matchWeights(raw, specs, this.layerName, this.className, this.st.file);
    this.st.loaded.set(this.key, loaded);
    this.st.params.set(this.key, raw.reduce((a, w) => a + w.shape.reduce((p, d) => p * d, 1), 0));
    return loaded;
  }

  /** A constant owned by this layer, created once per role (shared layers reuse it). */
  constant(role: string, shape: Shape, data: Float32Array): number {
    const k = `${this.key}\u0000${role}`;
    const hit = this.st.constants.get(k);
    if (hit !== undefined) return hit;
    const id = this.st.b.constant(`${this.key}/${role}`, shape, data);
    this.st.constants.set(k, id);
    return id;
  }

  /** weights() then one constant per weight, in the stored shape. */
  weightConstants(specs: readonly WeightSpec[]): number[] {
    return this.weights(specs).map((w) => this.constant(w.role, w.shape, w.data));
  }

  /** Throws if the file stores weights this layer's translator never asked for. */
  checkWeightsUsed(): void {
    if (this.usedWeights) return;
    const n = this.weightCount();
    if (n > 0) {
      throw new ModelFormatError(`layer "${this.layerName}" (${this.className}): the file stores ${n} weight(s) (${this.weightNames().join(', ')}) but this layer takes none`, {
        file: this.st.file,
        where: this.layerName,
      });
    }
    this.st.params.set(this.key, 0);
  }

  activation(spec: ActivationSpec | undefined): ActivationPlan {
    return parseActivation(spec, this.r, this.st.dialect);
  }

  /** The activation to fuse into an op (softmax cannot be fused: it is applied by `finish`). */
  fusable(plan: ActivationPlan): Activation {
    return plan.kind === 'fn' ? plan.act : { fn: 'linear' };
  }

  /** Adds what `fusable` left out: a softmax over the last axis. */
  finish(x: number, plan: ActivationPlan): number {
    return plan.kind === 'softmax' ? this.add('softmax', [x], { axis: -1 }, 'softmax') : x;
  }

  /** An activation as its own node (identity for linear, so the layer always has a node). */
  applyActivation(x: number, plan: ActivationPlan, suffix?: string): number {
    switch (plan.kind) {
      case 'none':
        return this.add('identity', [x], {}, suffix);
      case 'softmax':
        return this.add('softmax', [x], { axis: -1 }, suffix);
      case 'fn':
        return this.add('activation', [x], { activation: plan.act }, suffix);
    }
  }

  /** A scalar or per-channel constant for element-wise arithmetic. */
  scalarConstant(role: string, values: readonly number[]): number {
    return this.constant(role, [values.length], Float32Array.from(values));
  }
}
