// What a GraphDef op translator sees: its node, its inputs (IR values or import-time constants), attribute
// readers, and helpers that add IR nodes named and tagged after the source node.

import { UnsupportedFeatureError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import type { GraphBuilder } from '../../ir/builder.js';
import type { AttrsOf, OpKind } from '../../ops/registry.js';
import { hostFloat32, type HostTensor } from './host.js';
import type { TfAttr, TfNode, TfShape } from './schema.js';
import { tfShapeDims } from './tensor.js';

/** A TF tensor during translation: an IR value, a constant known at import time, or an untaken branch. */
export type TfValue =
  | { readonly kind: 'tensor'; readonly id: number }
  | { readonly kind: 'host'; readonly t: HostTensor }
  | { readonly kind: 'dead' };

export const DEAD: TfValue = { kind: 'dead' };

export function tensorValue(id: number): TfValue {
  return { kind: 'tensor', id };
}

export function hostValue(t: HostTensor): TfValue {
  return { kind: 'host', t };
}

/** Shared by every node of one import: the builder and the cache of materialised constants. */
export interface TfImportState {
  readonly b: GraphBuilder;
  readonly file: string;
  readonly format: string;
  /** Host tensor -> IR constant id, so a weight used twice is stored once. */
  readonly constants: WeakMap<HostTensor, number>;
  readonly limits: Limits;
}

const utf8 = new TextDecoder('utf-8');

export class TfNodeContext {
  /** Weight values this node turned into IR constants (for the parameter count). */
  params = 0;
  /** IR nodes added so far for this source node. */
  added = 0;
  private plainUsed = false;

  constructor(
    readonly state: TfImportState,
    readonly node: TfNode,
    readonly inputs: readonly TfValue[],
    /** Producing node name per input, for constant names and error messages. */
    readonly inputNames: readonly string[],
  ) {}

  get b(): GraphBuilder {
    return this.state.b;
  }

  get name(): string {
    return this.node.name;
  }

  /** An UnsupportedFeatureError naming this node. */
  fail(reason: string): never {
    throw new UnsupportedFeatureError(`${this.node.op} "${this.node.name}": ${reason}`, { file: this.state.file, where: this.node.name });
  }

  arity(min: number, max = min): void {
    if (this.inputs.length < min || this.inputs.length > max) {
      this.fail(`expects ${min === max ? min : `${min}..${max}`} inputs, has ${this.inputs.length}`);
    }
  }

  isHost(i: number): boolean {
    return this.inputs[i]?.kind === 'host';
  }

  /** Input i as a constant known at import time (shape arithmetic, weights). */
  host(i: number): HostTensor {
    const v = this.inputs[i];
    if (!v) this.fail(`input ${i} is missing`);
    if (v.kind !== 'host') this.fail(`input ${i} ("${this.inputNames[i]}") must be known at import time (a constant), but it is computed from the model input`);
    return v.t;
  }

  /** Input i as an IR value; constants become IR constants (stored once). */
  tensor(i: number): number {
    const v = this.inputs[i];
    if (!v) this.fail(`input ${i} is missing`);
    if (v.kind === 'tensor') return v.id;
    if (v.kind === 'dead') this.fail(`input ${i} is an untaken branch`);
    return this.constant(v.t, this.inputNames[i] ?? `${this.name}/const`);
  }

  /** A host tensor as an IR constant (float32). */
  constant(t: HostTensor, name: string): number {
    if (t.dtype === 'string') this.fail(`string constant "${name}" cannot be used as a tensor`);
    const cached = this.state.constants.get(t);
    if (cached !== undefined) return cached;
    const id = this.b.constant(name, t.shape, hostFloat32(t));
    this.state.constants.set(t, id);
    this.params += t.data.length;
    return id;
  }

  /** Static shape of input i (IR shape for tensors: dim 0 may be -1). */
  shape(i: number): readonly number[] {
    const v = this.inputs[i];
    if (!v || v.kind === 'dead') this.fail(`input ${i} is missing`);
    return v.kind === 'host' ? v.t.shape : this.b.shape(v.id);
  }

  /** Adds one IR node named after this source node (a suffix tells helper nodes apart). */
  add<K extends OpKind>(op: K, inputs: readonly number[], attrs: AttrsOf<K>, suffix?: string): number {
    // The node's main op gets the source name; helpers (layout transposes, ...) get a suffix.
    const name = suffix === undefined && !this.plainUsed ? this.name : `${this.name}/${suffix ?? op}`;
    if (suffix === undefined) this.plainUsed = true;
    this.added++;
    return this.b.add1(op, inputs, attrs, { name, origin: { layer: this.name, className: this.node.op } });
  }

  attr(name: string): TfAttr | undefined {
    return this.node.attr?.[name];
  }

  int(name: string, dflt?: number): number {
    const a = this.attr(name);
    if (a?.i !== undefined) return a.i;
    if (dflt !== undefined) return dflt;
    return this.fail(`attribute "${name}" is missing`);
  }

  float(name: string, dflt?: number): number {
    const a = this.attr(name);
    if (a?.f !== undefined) return a.f;
    if (dflt !== undefined) return dflt;
    return this.fail(`attribute "${name}" is missing`);
  }

  bool(name: string, dflt = false): boolean {
    return this.attr(name)?.b ?? dflt;
  }

  str(name: string, dflt?: string): string {
    const a = this.attr(name);
    if (a?.s !== undefined) return utf8.decode(a.s);
    if (dflt !== undefined) return dflt;
    return this.fail(`attribute "${name}" is missing`);
  }

  ints(name: string, dflt?: readonly number[]): number[] {
    const a = this.attr(name);
    if (a?.list) return [...(a.list.i ?? [])];
    if (dflt !== undefined) return [...dflt];
    return this.fail(`attribute "${name}" is missing`);
  }

  strs(name: string): string[] {
    return (this.attr(name)?.list?.s ?? []).map((s) => utf8.decode(s));
  }

  type(name: string): number | undefined {
    return this.attr(name)?.type;
  }

  shapeAttr(name: string): number[] | undefined {
    const s: TfShape | undefined = this.attr(name)?.shape;
    return s ? tfShapeDims(s) : undefined;
  }
}
