// Reading typed values out of a Keras layer config: every read checks the runtime type (the JSON came from a
// file) and fails with a ModelFormatError naming the file and the layer. Also the version-dependent bits:
// which Keras wrote the file (hard_sigmoid changed in Keras 2.12), data formats, padding modes, activations.

import { ModelFormatError, UnsupportedFeatureError } from '../../core/errors.js';
import type { Activation, ActivationName } from '../../ops/activation-fns.js';
import type { ActivationSpec, DTypeSpec, IntOrTuple, Json, ShapeSpec } from './config-types.js';

/** Which Keras (or TF.js) wrote the file, as far as the file says. */
export interface KerasDialect {
  /** The keras_version string as found ("2.1.6-tf", "3.1.1", "tfjs-layers 0.7.5"), or "" when unknown. */
  readonly kerasVersion: string;
  readonly major: number;
  readonly minor: number;
  /** Written by TF.js itself (its activations follow Keras 2.x). */
  readonly tfjs: boolean;
  /** "tensorflow", "theano", ... or "" when unknown (Keras 1 weights-only files say nothing). */
  readonly backend: string;
  /**
   * hard_sigmoid as clip(0.2x + 0.5, 0, 1) (Keras 1, Keras <= 2.11, tf.keras <= 2.11, TF.js) rather than
   * relu6(x + 3) / 6 (Keras 3, tf.keras >= 2.12).
   */
  readonly oldHardSigmoid: boolean;
}

export function makeDialect(kerasVersion: string | undefined, backend: string | undefined, keras3Style: boolean): KerasDialect {
  const v = kerasVersion ?? '';
  const tfjs = v.startsWith('tfjs');
  const m = /(\d+)\.(\d+)/.exec(v);
  const major = m ? Number(m[1]) : keras3Style ? 3 : NaN;
  const minor = m ? Number(m[2]) : 0;
  const old = tfjs || (Number.isNaN(major) ? !keras3Style : major < 2 || (major === 2 && minor <= 11));
  return { kerasVersion: v, major, minor, tfjs, backend: backend ?? '', oldHardSigmoid: old };
}

/** Does a config look like Keras 3 (module / registered_name keys)? */
export function looksKeras3(model: { readonly module?: unknown; readonly registered_name?: unknown }): boolean {
  return model.module !== undefined || model.registered_name !== undefined;
}

export function isJsonObject(v: unknown): v is { readonly [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Type-checked reads of one layer's config; failures name the file and the layer. */
export class ConfigReader {
  constructor(
    readonly file: string,
    readonly layer: string,
    readonly className: string,
  ) {}

  fail(message: string): never {
    throw new ModelFormatError(`layer "${this.layer}" (${this.className}): ${message}`, { file: this.file, where: this.layer });
  }

  unsupported(message: string): never {
    throw new UnsupportedFeatureError(`layer "${this.layer}" (${this.className}): ${message}`, { file: this.file, where: this.layer });
  }

  num(v: unknown, what: string, dflt?: number): number {
    if ((v === undefined || v === null) && dflt !== undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${what} must be a number, got ${JSON.stringify(v)}`);
    return v;
  }

  int(v: unknown, what: string, dflt?: number, min = 0): number {
    const n = this.num(v, what, dflt);
    if (!Number.isInteger(n) || n < min) this.fail(`${what} must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  }

  bool(v: unknown, what: string, dflt: boolean): boolean {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') this.fail(`${what} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  str(v: unknown, what: string, dflt?: string): string {
    if ((v === undefined || v === null) && dflt !== undefined) return dflt;
    if (typeof v !== 'string') this.fail(`${what} must be a string, got ${JSON.stringify(v)}`);
    return v;
  }

  /** An int or an n-tuple of ints (Keras accepts both for kernel_size, strides, ...). */
  tuple(v: IntOrTuple | null | undefined, n: number, what: string, dflt?: number, min = 1): number[] {
    if ((v === undefined || v === null) && dflt !== undefined) return new Array<number>(n).fill(dflt);
    if (typeof v === 'number') return new Array<number>(n).fill(this.int(v, what, undefined, min));
    if (!Array.isArray(v) || v.length !== n) this.fail(`${what} must be a number or a list of ${n}, got ${JSON.stringify(v)}`);
    return (v as readonly unknown[]).map((x, i) => this.int(x, `${what}[${i}]`, undefined, min));
  }

  intList(v: unknown, what: string, min = -Infinity): number[] {
    if (!Array.isArray(v)) this.fail(`${what} must be a list of whole numbers, got ${JSON.stringify(v)}`);
    return (v as readonly unknown[]).map((x, i) => {
      const n = this.num(x, `${what}[${i}]`);
      if (!Number.isInteger(n) || n < min) this.fail(`${what}[${i}] must be a whole number${min > -Infinity ? ` >= ${min}` : ''}, got ${x}`);
      return n;
    });
  }

  /** A number or a list of numbers. */
  numList(v: unknown, what: string): number[] {
    if (typeof v === 'number') return [this.num(v, what)];
    if (!Array.isArray(v)) this.fail(`${what} must be a number or a list of numbers, got ${JSON.stringify(v)}`);
    return (v as readonly unknown[]).map((x, i) => this.num(x, `${what}[${i}]`));
  }

  /** A Keras shape spec; `null` dims are kept as null. */
  shapeSpec(v: unknown, what: string): (number | null)[] {
    if (!Array.isArray(v)) this.fail(`${what} must be a list, got ${JSON.stringify(v)}`);
    return (v as readonly unknown[]).map((d, i) => (d === null ? null : this.int(d, `${what}[${i}]`)));
  }

  /** channels_last / channels_first from data_format (Keras 2+) or dim_ordering (Keras 1: tf / th). */
  dataFormat(cfg: { readonly data_format?: string | null; readonly dim_ordering?: string }): 'channels_last' | 'channels_first' {
    const df = cfg.data_format;
    if (df !== undefined && df !== null) {
      if (df === 'channels_last' || df === 'channels_first') return df;
      this.fail(`unknown data_format "${String(df)}"`);
    }
    const dim = cfg.dim_ordering;
    if (dim === 'th') return 'channels_first';
    if (dim === undefined || dim === 'tf' || dim === 'default') return 'channels_last';
    return this.fail(`unknown dim_ordering "${String(dim)}"`);
  }

  /** 'same' / 'valid' / 'causal' from padding (Keras 2+) or border_mode (Keras 1). */
  paddingMode(cfg: { readonly padding?: unknown; readonly border_mode?: string }, allowCausal: boolean): 'same' | 'valid' | 'causal' {
    const p = cfg.padding ?? cfg.border_mode ?? 'valid';
    if (p === 'same' || p === 'valid') return p;
    if (p === 'causal' && allowCausal) return p;
    if (p === 'full') this.unsupported('border_mode "full" (Theano-only) is not supported');
    return this.fail(`unknown padding "${String(p)}"`);
  }

  /** Computation stays float32 whatever the policy; refuse policies whose weights are not float32/float64. */
  checkDtype(dtype: DTypeSpec | undefined): void {
    if (dtype === undefined || dtype === null) return;
    const name = typeof dtype === 'string' ? dtype : isJsonObject(dtype.config) && typeof dtype.config.name === 'string' ? dtype.config.name : undefined;
    if (name === undefined) this.fail(`unreadable dtype ${JSON.stringify(dtype)}`);
    const ok = ['float32', 'float64', 'mixed_float16', 'mixed_bfloat16', 'int32', 'int64', 'uint8', 'int8', 'int16', 'bool'];
    if (!ok.includes(name)) this.unsupported(`dtype policy "${name}" is not supported (kerasrt computes in float32)`);
  }
}

/** What an activation turns into: nothing, an element-wise function, or a softmax node. */
export type ActivationPlan = { readonly kind: 'none' } | { readonly kind: 'fn'; readonly act: Activation } | { readonly kind: 'softmax' };

const SIMPLE: Readonly<Record<string, ActivationName>> = {
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softplus: 'softplus',
  softsign: 'softsign',
  elu: 'elu',
  selu: 'selu',
  gelu: 'gelu',
  swish: 'swish',
  silu: 'swish',
  exponential: 'exponential',
  mish: 'mish',
  hard_silu: 'hard_swish',
  hard_swish: 'hard_swish',
};

/** The activation name of a config value: a string, or a Keras 3 serialized built-in function. */
function activationName(spec: ActivationSpec | undefined, r: ConfigReader): string {
  if (spec === undefined || spec === null) return 'linear';
  if (typeof spec === 'string') return spec;
  if (isJsonObject(spec)) {
    const cfg = spec.config;
    if (typeof cfg === 'string') return cfg;
    if (typeof spec.registered_name === 'string') return spec.registered_name;
  }
  return r.unsupported(`custom activation ${JSON.stringify(spec)} (only Keras built-in activations are supported)`);
}

export function parseActivation(spec: ActivationSpec | undefined, r: ConfigReader, dialect: KerasDialect): ActivationPlan {
  const name = activationName(spec, r);
  switch (name) {
    case 'linear':
    case 'None':
      return { kind: 'none' };
    case 'softmax':
      return { kind: 'softmax' };
    case 'hard_sigmoid':
      return { kind: 'fn', act: dialect.oldHardSigmoid ? { fn: 'hard_sigmoid', alpha: 0.2, beta: 0.5 } : { fn: 'hard_sigmoid' } };
    case 'leaky_relu':
      return { kind: 'fn', act: { fn: 'leaky_relu', alpha: 0.2 } };
    case 'gelu_new':
      return { kind: 'fn', act: { fn: 'gelu_tanh' } };
  }
  const fn = Object.prototype.hasOwnProperty.call(SIMPLE, name) ? SIMPLE[name] : undefined;
  if (fn === undefined) return r.unsupported(`activation "${name}" is not supported`);
  return { kind: 'fn', act: { fn } };
}

/** A Keras shape spec with a batch dim in front, checked: only the batch may be unknown. */
export function batchShape(spec: readonly (number | null)[], r: ConfigReader, what: string): number[] {
  return spec.map((d, i) => {
    if (d === null) {
      if (i === 0) return -1;
      return r.unsupported(`${what} [${spec.map((x) => (x === null ? 'None' : x)).join(', ')}] has an unknown dim ${i}; kerasrt needs every dim but the batch fixed`);
    }
    return d;
  });
}

export function shapeSpecToString(s: ShapeSpec): string {
  return `[${s.map((d) => (d === null ? 'None' : String(d))).join(', ')}]`;
}
