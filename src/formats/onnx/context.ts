// What an ONNX op translator sees. ONNX images are NCHW and the IR is NHWC, so every IR value carries the
// permutation that relates it to the ONNX ("logical") tensor: stored = transpose(logical, perm). Spatial ops
// want channels-last and produce it; element-wise ops keep whatever layout they get; axis-taking ops map
// their axes through perm; the rest ask for the logical layout, and only then is a transpose inserted.

import { UnsupportedFeatureError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import type { GraphBuilder } from '../../ir/builder.js';
import type { AttrsOf, OpKind } from '../../ops/registry.js';
import { hostFloat32, hostTranspose, type HostTensor } from '../graphdef/host.js';
import type { OnnxAttribute, OnnxNode, OnnxTensor } from './schema.js';

export type OnnxValue =
  | { readonly kind: 'tensor'; readonly id: number; readonly perm: readonly number[] | null }
  | { readonly kind: 'host'; readonly t: HostTensor }
  /** An omitted optional input (empty name). */
  | { readonly kind: 'none' };

export const NONE: OnnxValue = { kind: 'none' };

export function plain(id: number): OnnxValue {
  return { kind: 'tensor', id, perm: null };
}

/** Channels-last permutation for a rank: [0, 2, 3, ..., r-1, 1]. */
export function channelsLast(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

export function invertPerm(p: readonly number[]): number[] {
  const inv = new Array<number>(p.length);
  p.forEach((v, i) => (inv[v] = i));
  return inv;
}

export function isIdentityPerm(p: readonly number[] | null): boolean {
  return p === null || p.every((v, i) => v === i);
}

export function samePerm(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (isIdentityPerm(a) && isIdentityPerm(b)) return true;
  return a !== null && b !== null && a.length === b.length && a.every((v, i) => v === b[i]);
}

export interface OnnxImportState {
  readonly b: GraphBuilder;
  readonly file: string;
  readonly opset: number;
  readonly constants: WeakMap<HostTensor, number>;
  /** IR id -> ids of the same tensor in other layouts ("logical", "cl"), so a layout change is made once. */
  readonly layouts: Map<string, number>;
  readonly limits: Limits;
}

/** Stored axis of logical axis `a` (negative counts from the end). */
export function storedAxis(perm: readonly number[] | null, a: number, rank: number): number {
  const ax = a < 0 ? a + rank : a;
  return perm === null ? ax : perm.indexOf(ax);
}

const utf8 = new TextDecoder('utf-8');

/** AttributeProto.AttributeType values. */
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

export class OnnxNodeContext {
  params = 0;
  added = 0;
  private plainUsed = false;
  readonly label: string;

  constructor(
    readonly state: OnnxImportState,
    readonly node: OnnxNode,
    readonly inputs: readonly OnnxValue[],
    readonly inputNames: readonly string[],
  ) {
    this.label = node.name || node.output?.[0] || node.opType;
  }

  get b(): GraphBuilder {
    return this.state.b;
  }

  get opset(): number {
    return this.state.opset;
  }

  fail(reason: string): never {
    throw new UnsupportedFeatureError(`${this.node.opType} "${this.label}": ${reason}`, { file: this.state.file, where: this.label });
  }

  has(i: number): boolean {
    const v = this.inputs[i];
    return v !== undefined && v.kind !== 'none';
  }

  isHost(i: number): boolean {
    return this.inputs[i]?.kind === 'host';
  }

  value(i: number): OnnxValue {
    const v = this.inputs[i];
    if (!v || v.kind === 'none') return this.fail(`input ${i} is missing`);
    return v;
  }

  host(i: number): HostTensor {
    const v = this.value(i);
    if (v.kind !== 'host') return this.fail(`input ${i} ("${this.inputNames[i]}") must be a constant (an initializer or computed from constants)`);
    return v.t;
  }

  /** Rank of input i. */
  rank(i: number): number {
    return this.rankOf(this.value(i));
  }

  rankOf(v: OnnxValue): number {
    if (v.kind === 'none') return this.fail('an input is missing');
    return v.kind === 'host' ? v.t.shape.length : this.b.shape(v.id).length;
  }

  /** The ONNX shape of input i (IR conventions: dim 0 may be -1). */
  logicalShape(i: number): number[] {
    return this.logicalShapeOf(this.value(i));
  }

  logicalShapeOf(v: OnnxValue): number[] {
    if (v.kind === 'none') return this.fail('an input is missing');
    if (v.kind === 'host') return [...v.t.shape];
    const s = this.b.shape(v.id);
    if (v.perm === null) return [...s];
    const out = new Array<number>(s.length);
    v.perm.forEach((p, k) => (out[p] = s[k]));
    return out;
  }

  /** The perm of a tensor input (null = logical layout). */
  perm(i: number): readonly number[] | null {
    return this.permOf(this.value(i));
  }

  permOf(v: OnnxValue): readonly number[] | null {
    return v.kind === 'tensor' && !isIdentityPerm(v.perm) ? v.perm : null;
  }

  /** The IR value as stored, whatever its layout (for layout-agnostic ops). */
  stored(i: number): number {
    return this.storedOf(this.value(i), this.inputNames[i]);
  }

  storedOf(v: OnnxValue, name: string): number {
    if (v.kind === 'none') return this.fail('an input is missing');
    return v.kind === 'tensor' ? v.id : this.constant(v.t, name);
  }

  /** Input i in the ONNX layout. */
  logical(i: number): number {
    return this.logicalOf(this.value(i), this.inputNames[i]);
  }

  logicalOf(v: OnnxValue, name: string): number {
    if (v.kind === 'none') return this.fail('an input is missing');
    if (v.kind === 'host') return this.constant(v.t, name);
    if (isIdentityPerm(v.perm)) return v.id;
    return this.relayout(v.id, invertPerm(v.perm!), 'logical');
  }

  /** Input i as channels-last (NCHW -> NHWC for rank 4). */
  channelsLast(i: number): number {
    const v = this.value(i);
    const cl = channelsLast(this.rank(i));
    if (v.kind === 'tensor' && samePerm(v.perm, cl)) return v.id;
    return this.relayout(this.logical(i), cl, 'cl');
  }

  private relayout(id: number, perm: readonly number[], tag: string): number {
    const key = `${id}:${perm.join(',')}`;
    const cached = this.state.layouts.get(key);
    if (cached !== undefined) return cached;
    const out = this.add('transpose', [id], { perm }, `to_${tag}`);
    this.state.layouts.set(key, out);
    // The way back is free: transposing `out` by the inverse gives `id` again.
    this.state.layouts.set(`${out}:${invertPerm(perm).join(',')}`, id);
    return out;
  }

  /** A host tensor as an IR constant (stored once). */
  constant(t: HostTensor, name: string): number {
    if (t.dtype === 'string') this.fail(`string constant "${name}" cannot be used as a tensor`);
    const cached = this.state.constants.get(t);
    if (cached !== undefined) return cached;
    const id = this.b.constant(name, t.shape, hostFloat32(t));
    this.state.constants.set(t, id);
    this.params += t.data.length;
    return id;
  }

  /** A host tensor laid out like a tensor with `perm` (after left-padding its rank to `rank`). */
  constantLike(t: HostTensor, perm: readonly number[] | null, rank: number, name: string): number {
    if (perm === null || t.shape.length > rank) return this.constant(t, name);
    const padded = { ...t, shape: [...new Array<number>(rank - t.shape.length).fill(1), ...t.shape] };
    return this.constant(hostTranspose(padded, perm), name);
  }

  add<K extends OpKind>(op: K, inputs: readonly number[], attrs: AttrsOf<K>, suffix?: string): number {
    // The node's main op gets the source name; helpers (layout transposes, ...) get a suffix.
    const name = suffix === undefined && !this.plainUsed ? this.label : `${this.label}/${suffix ?? op}`;
    if (suffix === undefined) this.plainUsed = true;
    this.added++;
    return this.b.add1(op, inputs, attrs, { name, origin: { layer: this.label, className: this.node.opType } });
  }

  attribute(name: string): OnnxAttribute | undefined {
    return this.node.attribute?.find((a) => a.name === name);
  }

  int(name: string, dflt?: number): number {
    const a = this.attribute(name);
    if (a?.i !== undefined) return a.i;
    if (a?.type === ATTR_INT) return 0; // a zero some writers leave out of the bytes
    if (dflt !== undefined) return dflt;
    return this.fail(`attribute "${name}" is missing`);
  }

  float(name: string, dflt?: number): number {
    const a = this.attribute(name);
    if (a?.f !== undefined) return a.f;
    if (a?.type === ATTR_FLOAT) return 0;
    if (dflt !== undefined) return dflt;
    return this.fail(`attribute "${name}" is missing`);
  }

  ints(name: string, dflt?: readonly number[]): number[] | undefined {
    const a = this.attribute(name);
    if (a?.ints !== undefined) return [...a.ints];
    if (a?.type === ATTR_INTS) return [];
    return dflt ? [...dflt] : undefined;
  }

  floats(name: string): number[] | undefined {
    const a = this.attribute(name);
    return a?.floats ? [...a.floats] : undefined;
  }

  str(name: string, dflt: string): string {
    const a = this.attribute(name);
    return a?.s !== undefined ? utf8.decode(a.s) : dflt;
  }

  tensorAttr(name: string): OnnxTensor | undefined {
    return this.attribute(name)?.t;
  }
}
