// Keras activation names -> what the IR does with them: nothing (linear), an element-wise function that ops
// can fuse, or a softmax node (never fused). The same mapping the Keras importer applies to Keras 3 files.

import { UsageError } from '../../core/errors.js';
import type { Activation, ActivationName } from '../../ops/activation-fns.js';
import type { EmitContext } from './base.js';

export type KerasActivation =
  | 'linear'
  | 'relu'
  | 'relu6'
  | 'sigmoid'
  | 'hard_sigmoid'
  | 'tanh'
  | 'softplus'
  | 'softsign'
  | 'elu'
  | 'selu'
  | 'gelu'
  | 'swish'
  | 'silu'
  | 'exponential'
  | 'leaky_relu'
  | 'mish'
  | 'hard_silu'
  | 'hard_swish'
  | 'softmax';

export type ActivationPlan = { readonly kind: 'none' } | { readonly kind: 'fn'; readonly act: Activation } | { readonly kind: 'softmax' };

const FNS: Readonly<Record<string, ActivationName>> = {
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  hard_sigmoid: 'hard_sigmoid',
  tanh: 'tanh',
  softplus: 'softplus',
  softsign: 'softsign',
  elu: 'elu',
  selu: 'selu',
  gelu: 'gelu',
  swish: 'swish',
  silu: 'swish',
  exponential: 'exponential',
  leaky_relu: 'leaky_relu',
  mish: 'mish',
  hard_silu: 'hard_swish',
  hard_swish: 'hard_swish',
};

export function planActivation(name: string | undefined): ActivationPlan {
  if (name === undefined || name === 'linear' || name === null) return { kind: 'none' };
  if (name === 'softmax') return { kind: 'softmax' };
  const fn = Object.prototype.hasOwnProperty.call(FNS, name) ? FNS[name] : undefined;
  if (fn === undefined) throw new UsageError(`unknown activation "${name}" (known: linear, softmax, ${Object.keys(FNS).join(', ')})`);
  return { kind: 'fn', act: fn === 'leaky_relu' ? { fn, alpha: 0.2 } : { fn } };
}

export function fusable(plan: ActivationPlan): Activation {
  return plan.kind === 'fn' ? plan.act : { fn: 'linear' };
}

/** y, or a softmax node after it when the activation is softmax (which no op fuses). */
export function softmaxAfter(ctx: EmitContext, y: number, act: KerasActivation): number {
  return planActivation(act).kind === 'softmax' ? ctx.b.add1('softmax', [y], { axis: -1 }, { name: ctx.nodeName('softmax'), origin: ctx.origin }) : y;
}
