// Layers: the Keras-shaped building blocks. A layer knows its Keras config (what config.json holds), builds
// its variables once its input shape is known, and emits the IR nodes of one call, exactly as the Keras
// importer would translate the same layer (so a saved and re-imported model gives the same graph).
// Functional wiring: layer.apply(symbolicTensor) records a call and returns the output's SymbolicTensor.

import { ShapeError, UsageError } from '../../core/errors.js';
import { shapeToString, type Shape } from '../../core/tensor.js';
import type { GraphBuilder } from '../../ir/builder.js';
import type { Origin } from '../../ir/graph.js';
import type { TrainingBehaviour } from '../grads/types.js';
import type { Random } from '../random.js';
import { Variable } from '../variable.js';

/** A JSON value as Keras configs hold them. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };
export type JsonObject = { readonly [k: string]: Json };

/** One call of a layer on symbolic inputs. */
export interface LayerCall {
  readonly layer: Layer;
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** Which call of the layer this is (Keras's node index). */
  readonly index: number;
}

/** A tensor in a model under construction: its shape (dim 0 = -1, the batch) and where it comes from. */
export class SymbolicTensor {
  private static nextId = 0;
  readonly id = SymbolicTensor.nextId++;
  constructor(
    readonly shape: Shape,
    /** The call producing it; for a model input, the InputLayer's (only) call. */
    readonly call: LayerCall | undefined,
    readonly outputIndex: number,
    readonly layer: Layer,
  ) {}

  toString(): string {
    return `SymbolicTensor(${shapeToString(this.shape)} from ${this.layer.name ?? this.layer.className})`;
  }
}

/** What a layer gets while emitting IR nodes. */
export interface EmitContext {
  readonly b: GraphBuilder;
  /**
   * The constant value id standing for a variable (shared data: optimizer updates reach the graph), optionally
   * seen in another shape of the same size (Conv1D's [k, cin, cout] kernel as conv2d's [1, k, cin, cout]).
   */
  variable(v: Variable, shape?: readonly number[]): number;
  /** Marks the node producing `valueId` with a training-only behaviour (dropout, batch statistics). */
  behaviour(valueId: number, b: TrainingBehaviour): void;
  /** Node name for the layer's main node (the layer name), or with a suffix for helper nodes. */
  nodeName(suffix?: string): string;
  readonly origin: Origin;
}

export interface LayerArgs {
  /** The layer name; models give unnamed layers Keras's default names (dense, dense_1, ...). */
  readonly name?: string;
  /** Per-sample input shape, for the first layer of a Sequential model (Keras's input_shape). */
  readonly inputShape?: readonly number[];
  /** Frozen layers keep their variables as they are (default true). */
  readonly trainable?: boolean;
}

export abstract class Layer {
  /** The Keras class name (Dense, Conv2D, ...). */
  abstract readonly className: string;
  name: string | undefined;
  readonly inputShape?: readonly number[];
  trainable: boolean;
  /** Keras weight order (kernel, bias; gamma, beta, moving_mean, moving_variance). */
  variables: Variable[] = [];
  /** Input shapes (batch -1) of the first call; set by build. */
  buildShapes: Shape[] | undefined;
  readonly calls: LayerCall[] = [];

  constructor(args: LayerArgs = {}) {
    this.name = args.name;
    this.inputShape = args.inputShape;
    this.trainable = args.trainable ?? true;
  }

  /** Default name stem, Keras's to_snake_case of the class name: Conv2D -> conv2d, MaxPooling2D -> max_pooling2d. */
  get defaultNameStem(): string {
    return this.className.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  }

  get built(): boolean {
    return this.buildShapes !== undefined;
  }

  /** Output shapes (batch -1) for input shapes; throws ShapeError naming the layer. */
  abstract outputShapes(inputs: readonly Shape[]): Shape[];

  /** Creates variables for the given input shapes (layers without weights need not override). */
  protected createVariables(_inputs: readonly Shape[], _random: Random): void {}

  /** Emits the IR nodes of one call; returns the output value ids. */
  abstract emit(ctx: EmitContext, inputs: readonly number[]): number[];

  /** The layer's own Keras 3 config entries (after name / trainable / dtype, which the base writes). */
  protected abstract configEntries(): Record<string, Json>;

  /** Whether the layer is a merge layer (its call takes a list). */
  get takesList(): boolean {
    return false;
  }

  /** Keras 3 writes a build_config for layers built from an input shape; Dropout & co. are built at construction. */
  get hasBuildConfig(): boolean {
    return true;
  }

  build(inputs: readonly Shape[], random: Random): void {
    if (this.built) return;
    if (this.name === undefined) throw new UsageError(`a ${this.className} layer must be named (or added to a model) before it is built`);
    this.createVariables(inputs, random);
    this.buildShapes = inputs.map((s) => [...s]);
  }

  protected addVariable(name: string, shape: Shape, data: Float32Array, trainable = true): Variable {
    const v = new Variable(`${this.name}/${name}`, shape, data, trainable);
    this.variables.push(v);
    return v;
  }

  /** Number of weight values (trainable and not), as Keras's summary counts them. */
  countParams(): number {
    return this.variables.reduce((n, v) => n + v.data.length, 0);
  }

  /** The Keras 3 config (config.json form): name, trainable, dtype, then the layer's own entries. */
  kerasConfig(): JsonObject {
    return { name: this.name ?? this.defaultNameStem, trainable: this.trainable, dtype: 'float32', ...this.configEntries() };
  }

  /** Calls the layer on symbolic tensors (functional API); returns its output. */
  apply(input: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor {
    const outs = this.applyMulti(input);
    if (outs.length !== 1) throw new UsageError(`layer ${this.name ?? this.className} has ${outs.length} outputs: use applyMulti`);
    return outs[0];
  }

  applyMulti(input: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor[] {
    const inputs = input instanceof SymbolicTensor ? [input] : [...input];
    if (inputs.length === 0) throw new UsageError(`layer ${this.name ?? this.className} called with no inputs`);
    const shapes = this.outputShapes(inputs.map((t) => t.shape));
    const outputs: SymbolicTensor[] = [];
    const call: LayerCall = { layer: this, inputs, outputs, index: this.calls.length };
    shapes.forEach((s, i) => outputs.push(new SymbolicTensor(s, call, i, this)));
    this.calls.push(call);
    return outputs;
  }

  protected shapeError(message: string): ShapeError {
    return new ShapeError(`layer ${this.name ?? this.className} (${this.className}): ${message}`, { where: this.name });
  }

  protected single(inputs: readonly Shape[]): Shape {
    if (inputs.length !== 1) throw this.shapeError(`takes one input, got ${inputs.length}`);
    return inputs[0];
  }
}

/** Keras 3's serialized form of an object inside a config (initializers, dtype policies). */
export function kerasObject(module: string, className: string, config: JsonObject): JsonObject {
  return { module, class_name: className, config, registered_name: null };
}
