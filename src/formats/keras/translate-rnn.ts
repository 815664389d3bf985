// Translators for SimpleRNN, LSTM and GRU (both reset_after forms). Keras 1 files may store the gates as
// separate arrays (LSTM: W_i U_i b_i W_c U_c b_c W_f U_f b_f W_o U_o b_o; GRU: W_z U_z b_z W_r U_r b_r
// W_h U_h b_h); they are joined into Keras 2's fused [F, G*U] layout (LSTM gates i, f, c, o; GRU z, r, h).

import type { Activation } from '../../ops/activation-fns.js';
import type { RecurrentConfig } from './config-types.js';
import type { LayerContext } from './layer-context.js';
import { single, type Translator } from './translate-core.js';

interface RnnSpec {
  readonly units: number;
  readonly features: number;
  readonly activation: Activation;
  readonly recurrentActivation: Activation;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
}

function elementwise(ctx: LayerContext, spec: RecurrentConfig['activation'], what: string): Activation {
  const plan = ctx.activation(spec);
  if (plan.kind === 'softmax') ctx.unsupported(`${what} softmax is not supported in recurrent layers`);
  return ctx.fusable(plan);
}

function rnnSpec(ctx: LayerContext, cfg: RecurrentConfig, x: number): RnnSpec {
  const r = ctx.r;
  const xs = ctx.shape(x);
  if (xs.length !== 3) ctx.fail(`needs a [batch, time, features] input, got rank ${xs.length}`);
  if (r.bool(cfg.return_state, 'return_state', false)) ctx.unsupported('return_state=True is not supported');
  if (r.bool(cfg.stateful, 'stateful', false)) ctx.unsupported('stateful=True is not supported (state would persist between predictions)');
  if (r.bool(cfg.time_major, 'time_major', false)) ctx.unsupported('time_major=True is not supported');
  // Keras 1 and Keras 2 before tf.keras defaulted to hard_sigmoid; configs always spell it out.
  const defaultRecurrent = ctx.dialect.major >= 3 ? 'sigmoid' : 'hard_sigmoid';
  return {
    units: r.int(cfg.units ?? cfg.output_dim, 'units', undefined, 1),
    features: xs[2],
    activation: elementwise(ctx, cfg.activation ?? 'tanh', 'activation'),
    recurrentActivation: elementwise(ctx, cfg.recurrent_activation ?? cfg.inner_activation ?? defaultRecurrent, 'recurrent_activation'),
    useBias: r.bool(cfg.use_bias, 'use_bias', true),
    returnSequences: r.bool(cfg.return_sequences, 'return_sequences', false),
    goBackwards: r.bool(cfg.go_backwards, 'go_backwards', false),
  };
}

/** Joins per-gate matrices [rows, U] (in the target gate order) into one [rows, G*U] matrix. */
function joinGates(parts: readonly Float32Array[], rows: number, units: number): Float32Array {
  const g = parts.length;
  const out = new Float32Array(rows * g * units);
  for (let r = 0; r < rows; r++) parts.forEach((p, k) => out.set(p.subarray(r * units, (r + 1) * units), (r * g + k) * units));
  return out;
}

/**
 * The fused [kernel, recurrent_kernel, bias?] constants. `gates` are the Keras 1 gate letters in the fused
 * order; Keras 1 stores them in `storedOrder`.
 */
function rnnWeights(ctx: LayerContext, s: RnnSpec, gates: readonly string[], biasShape: readonly number[]): number[] {
  const { features: f, units: u } = s;
  const g = gates.length;
  if (g > 1 && ctx.weightCount() === 3 * g) {
    const specs = gates.flatMap((k) => [
      { role: `W_${k}`, shape: [f, u] },
      { role: `U_${k}`, shape: [u, u] },
      { role: `b_${k}`, shape: [u] },
    ]);
    // Keras 1 LSTM stores i, c, f, o; match by name when named, else by that stored order.
    const stored = gates.length === 4 ? ['i', 'c', 'f', 'o'] : [...gates];
    const storedSpecs = stored.flatMap((k) => specs.filter((sp) => sp.role.endsWith(`_${k}`)));
    const w = new Map(ctx.weights(storedSpecs).map((l) => [l.role, l.data]));
    const pick = (p: string): Float32Array[] => gates.map((k) => w.get(`${p}_${k}`) as Float32Array);
    return [
      ctx.constant('kernel', [f, g * u], joinGates(pick('W'), f, u)),
      ctx.constant('recurrent_kernel', [u, g * u], joinGates(pick('U'), u, u)),
      ctx.constant('bias', [g * u], joinGates(pick('b'), 1, u)),
    ];
  }
  const specs = [
    { role: 'kernel', shape: [f, g * u] },
    { role: 'recurrent_kernel', shape: [u, g * u] },
    ...(s.useBias ? [{ role: 'bias', shape: biasShape }] : []),
  ];
  return ctx.weightConstants(specs);
}

export const simpleRnn: Translator<RecurrentConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const s = rnnSpec(ctx, cfg, x);
  const w = rnnWeights(ctx, s, ['h'], [s.units]);
  return [ctx.add('simple_rnn', [x, ...w], { activation: s.activation, returnSequences: s.returnSequences, goBackwards: s.goBackwards })];
};

export const lstm: Translator<RecurrentConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const s = rnnSpec(ctx, cfg, x);
  const w = rnnWeights(ctx, s, ['i', 'f', 'c', 'o'], [4 * s.units]);
  return [
    ctx.add('lstm', [x, ...w], { activation: s.activation, recurrentActivation: s.recurrentActivation, returnSequences: s.returnSequences, goBackwards: s.goBackwards }),
  ];
};

export const gru: Translator<RecurrentConfig> = (ctx, cfg, inputs) => {
  const x = single(ctx, inputs);
  const s = rnnSpec(ctx, cfg, x);
  // reset_after appeared in Keras 2.1.3 (default False); tf.keras 2 and Keras 3 default to True and write it.
  const resetAfter = ctx.r.bool(cfg.reset_after, 'reset_after', false);
  const w = rnnWeights(ctx, s, ['z', 'r', 'h'], resetAfter ? [2, 3 * s.units] : [3 * s.units]);
  return [
    ctx.add('gru', [x, ...w], {
      activation: s.activation,
      recurrentActivation: s.recurrentActivation,
      returnSequences: s.returnSequences,
      goBackwards: s.goBackwards,
      resetAfter,
    }),
  ];
};
