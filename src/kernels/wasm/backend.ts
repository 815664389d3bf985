// The WebAssembly back ends ("wasm-simd", "wasm-relaxed"): the plan is encoded once as a wasm program over an
// arena in linear memory, so a prediction is one call into wasm. Steps wasm has no kernel for run as JS
// kernels bound to the same arena, between wasm segments (kerasrt inspect shows which).

import type { ActivationAttrs } from '../../ops/activation.js';
import type { BinaryAttrs } from '../../ops/binary.js';
import type { Conv2dAttrs } from '../../ops/conv2d.js';
import type { DenseAttrs } from '../../ops/dense.js';
import type { DepthwiseConv2dAttrs } from '../../ops/depthwise-conv2d.js';
import type { Pool2dAttrs } from '../../ops/pool2d.js';
import type { SoftmaxAttrs } from '../../ops/softmax.js';
import type { ExecutionPlan, PlanStep, Slot } from '../../planner/plan.js';
import { FUSED, type Backend, type Executor } from '../abi.js';
import { jsKernelName, pickJsKernel } from '../js/backend.js';
import { loadWasmKernels, type WasmKernels, type WasmVariant } from './loader.js';
import { chooseConvMethod, WasmProgram, type BinaryMode, type Operand } from './program.js';
import { fuseConvPools, MAXPOOL_SUFFIX } from './fuse-pool.js';
import { winogradApplies } from './winograd.js';

type Partial = Omit<PlanStep, 'kernel'>;

const ALIAS = new Set(['reshape', 'identity', 'training_only']);

function binaryMode(s: Slot, out: Slot): BinaryMode | undefined {
  const cols = out.shape.at(-1) ?? 1;
  if (s.size === out.size) return 'full';
  if (s.size === 1) return 'scalar';
  const dims = s.shape.filter((d, i) => !(d === 1 && i < s.shape.length - 1));
  if (s.size === cols && dims.length === 1) return 'row';
  return undefined;
}

/** Opcodes beyond the base set that an engine interpreting the step records implements. */
export interface ProgramFeatures {
  /** OP_CONV2D_WINOGRAD, F(2x2, 3x3) and F(2x2, 5x5) (the wasm kernels have it; other engines may not). Default false. */
  readonly winograd?: boolean;
  /** OP_CONV2D_WINOGRAD_F4, F(4x4, 3x3). Default false. */
  readonly winogradF4?: boolean;
  /** The engine's OP_CONV2D_DIRECT reads window rows contiguously (wasm), so it wins over im2col for thin inputs too. */
  readonly contiguousDirect?: boolean;
  /** F_POOL on OP_CONV2D_DIRECT and OP_CONV2D_WINOGRAD_F4: a 2x2 max pool fused into the conv (fuse-pool.ts). Default false. */
  readonly fusedMaxPool?: boolean;
}

/**
 * The conv kernel for a step: Winograd for 3x3 / 5x5 stride-1 convs with enough channels (when the engine has
 * it), else im2col / direct by chooseConvMethod. Thresholds measured with the wasm kernels (bench/conv-profile.ts,
 * docs/kernels.md "Conv kernels"): F(4x4, 3x3) beats direct from 8 in / 8 out channels (14x14x32 -> 32:
 * 41 vs 69 us; 28x28x8 -> 16: 32.5 vs 40.6 us; 28x28x4 -> 8: a tie); F(2x2, 5x5) from 16 / 16 (14x14x32 -> 64:
 * 225 vs 380 us; 28x28x8 -> 16: a tie); F(2x2, 3x3), for engines without F4, from 32 / 16 (14x14x32 -> 32:
 * 57.5 vs 69 us; 16x16x16 -> 16: 25.9 vs 24.3 us).
 */
export function chooseConvKernel(cin: number, cout: number, kh: number, kw: number, a: Pick<Conv2dAttrs, 'strides' | 'dilations' | 'groups'>, features: ProgramFeatures = {}): string {
  if (winogradApplies(kh, kw, a.strides, a.dilations, a.groups)) {
    if (kh === 3 && features.winogradF4 && cin >= 8 && cout >= 8) return 'wasm.conv2d.winograd4';
    if (kh === 3 && features.winograd && cin >= 32 && cout >= 16) return 'wasm.conv2d.winograd';
    if (kh === 5 && features.winograd && cin >= 16 && cout >= 16) return 'wasm.conv2d.winograd';
  }
  return `wasm.conv2d.${chooseConvMethod(cin, kh, kw, features.contiguousDirect ? 'wasm' : 'base')}`;
}

/** The wasm kernel name for a step, or undefined when wasm has none (the step then runs in JS). */
function wasmKernelFor(step: Partial, features: ProgramFeatures): string | undefined {
  const { node, inputs, outputs } = step;
  const constW = inputs[1]?.data !== undefined;
  const constB = inputs[2] === undefined || inputs[2].data !== undefined;
  switch (node.op) {
    case 'dense':
      return constW && constB && inputs[0].data === undefined ? 'wasm.dense' : undefined;
    case 'conv2d': {
      const a = node.attrs as Conv2dAttrs;
      if (!constW || !constB || a.groups !== 1) return undefined;
      const [kh, kw, cin, cout] = inputs[1].shape;
      return chooseConvKernel(cin, cout, kh, kw, a, features);
    }
    case 'depthwise_conv2d':
      return constW && constB ? 'wasm.depthwise_conv2d' : undefined;
    case 'pool2d':
      return 'wasm.pool2d';
    case 'softmax': {
      const ax = (node.attrs as SoftmaxAttrs).axis;
      return ax === -1 || ax === inputs[0].shape.length - 1 ? 'wasm.softmax' : undefined;
    }
    case 'activation':
      return 'wasm.activation';
    case 'binary':
      return binaryMode(inputs[0], outputs[0]) && binaryMode(inputs[1], outputs[0]) ? 'wasm.binary' : undefined;
    default:
      if (ALIAS.has(node.op) && inputs[0].data === undefined) return inputs[0].offset === outputs[0].offset ? 'alias' : 'wasm.copy';
      return undefined;
  }
}

/**
 * Appends the step's wasm record(s). A conv kernel named with MAXPOOL_SUFFIX runs the next step (its pool) too and
 * writes that step's output.
 */
function encode(prog: WasmProgram, step: PlanStep, next: PlanStep | undefined): void {
  const { node, inputs: ins, outputs: outs } = step;
  const fusedPool = step.kernel.endsWith(MAXPOOL_SUFFIX);
  const kernel = fusedPool ? step.kernel.slice(0, -MAXPOOL_SUFFIX.length) : step.kernel;
  const pool = fusedPool ? ('max2x2' as const) : undefined;
  const y = fusedPool ? next!.outputs[0].offset : outs[0].offset;
  const operand = (s: Slot): Operand => (s.data ? prog.constant(s.data) : s.offset);
  const bias = ins[2]?.data ? prog.constant(ins[2].data) : undefined;
  switch (kernel) {
    case 'alias':
    case FUSED:
      return;
    case 'wasm.copy':
      prog.copy({ x: ins[0].offset, y, n: outs[0].size });
      return;
    case 'wasm.dense': {
      const [K, N] = ins[1].shape;
      const w = prog.packDenseWeights(ins[1].data!, K, N);
      prog.dense({ x: ins[0].offset, w, bias, y, rows: K === 0 ? outs[0].size / Math.max(N, 1) : ins[0].size / K, activation: (node.attrs as DenseAttrs).activation });
      return;
    }
    case 'wasm.conv2d.im2col':
    case 'wasm.conv2d.direct': {
      const a = node.attrs as Conv2dAttrs;
      const [kh, kw, cin, cout] = ins[1].shape;
      const w = prog.packConv2dWeights(ins[1].data!, kh, kw, cin, cout);
      const method = kernel === 'wasm.conv2d.im2col' ? 'im2col' : 'direct';
      prog.conv2d({ x: ins[0].offset, xShape: ins[0].shape, w, kernelSize: [kh, kw], bias, y, strides: a.strides, dilations: a.dilations, pads: a.pads, groups: 1, activation: a.activation, method, pool });
      return;
    }
    case 'wasm.conv2d.winograd':
    case 'wasm.conv2d.winograd4': {
      const a = node.attrs as Conv2dAttrs;
      const [kh, kw, cin, cout] = ins[1].shape;
      const w = prog.packWinogradWeights(ins[1].data!, kh, cin, cout, kernel === 'wasm.conv2d.winograd4' ? 4 : 2);
      prog.conv2d({ x: ins[0].offset, xShape: ins[0].shape, w, kernelSize: [kh, kw], bias, y, strides: a.strides, dilations: a.dilations, pads: a.pads, groups: 1, activation: a.activation, method: 'winograd', pool });
      return;
    }
    case 'wasm.depthwise_conv2d': {
      const a = node.attrs as DepthwiseConv2dAttrs;
      const [kh, kw, cin, mult] = ins[1].shape;
      const w = prog.depthwiseWeights(ins[1].data!, kh, kw, cin, mult);
      prog.depthwiseConv2d({ x: ins[0].offset, xShape: ins[0].shape, w, bias, y, strides: a.strides, dilations: a.dilations, pads: a.pads, activation: a.activation });
      return;
    }
    case 'wasm.pool2d': {
      const a = node.attrs as Pool2dAttrs;
      prog.pool2d({ type: a.type, x: ins[0].offset, xShape: ins[0].shape, y, kernel: a.kernel, strides: a.strides, pads: a.pads });
      return;
    }
    case 'wasm.softmax': {
      const n = ins[0].shape.at(-1) ?? 1;
      prog.softmax({ x: ins[0].offset, y, rows: n === 0 ? 0 : ins[0].size / n, n });
      return;
    }
    case 'wasm.activation':
      prog.activation({ x: ins[0].offset, y, n: outs[0].size, activation: (node.attrs as ActivationAttrs).activation });
      return;
    case 'wasm.binary': {
      const cols = outs[0].shape.at(-1) ?? 1;
      prog.binary({
        fn: (node.attrs as BinaryAttrs).fn,
        a: operand(ins[0]),
        b: operand(ins[1]),
        y,
        rows: cols === 0 ? 0 : outs[0].size / cols,
        cols,
        aMode: binaryMode(ins[0], outs[0]),
        bMode: binaryMode(ins[1], outs[0]),
      });
      return;
    }
  }
}

type Segment = { readonly first: number; readonly count: number } | (() => void);

/** A plan encoded as one wasm program, plus where each plan step's records are (for profiling and tests). */
export interface EncodedPlan {
  readonly program: WasmProgram;
  /** Per plan step: its records [first, first + count) in the program; count 0 for aliases; undefined for JS steps. */
  readonly stepRecords: readonly ({ readonly first: number; readonly count: number } | undefined)[];
  /** What run() does in order: wasm record ranges and bound JS kernels. */
  readonly segments: readonly Segment[];
}

/** Encodes a plan (kernels already chosen by this back end's chooseKernel) into one program on `kernels`. */
export function encodePlan(plan: ExecutionPlan, kernels: WasmKernels): EncodedPlan {
  const prog = new WasmProgram(kernels, { arenaFloats: Math.max(plan.arenaSize, 16) });
  // Encode wasm steps, remembering where each run of JS steps interrupts the program.
  const marks: ({ wasmFrom: number; wasmTo: number } | { js: PlanStep })[] = [];
  for (const [i, step] of plan.steps.entries()) {
    if (step.kernel === 'alias' || step.kernel === FUSED || step.kernel.startsWith('wasm.')) {
      const from = prog.length;
      encode(prog, step, plan.steps[i + 1]);
      marks.push({ wasmFrom: from, wasmTo: prog.length });
    } else marks.push({ js: step });
  }
  prog.finish();
  const arena = prog.arena;
  const segments: Segment[] = [];
  let open: { first: number; count: number } | undefined;
  for (const m of marks) {
    if ('js' in m) {
      if (open && open.count > 0) segments.push(open);
      open = undefined;
      segments.push(pickJsKernel(m.js).bind(m.js, arena));
    } else {
      if (!open) open = { first: m.wasmFrom, count: 0 };
      open.count += m.wasmTo - m.wasmFrom;
    }
  }
  if (open && open.count > 0) segments.push(open);
  const stepRecords = marks.map((m) => ('js' in m ? undefined : { first: m.wasmFrom, count: m.wasmTo - m.wasmFrom }));
  return { program: prog, stepRecords, segments };
}

/** The wasm kernels have every opcode and flag. */
export const WASM_FEATURES: ProgramFeatures = { winograd: true, winogradF4: true, contiguousDirect: true, fusedMaxPool: true };

export function makeWasmBackend(variant: WasmVariant): Backend {
  return makeProgramBackend(variant === 'relaxed' ? 'wasm-relaxed' : 'wasm-simd', () => loadWasmKernels({ variant }), WASM_FEATURES);
}

/** The kernel choice of the program back ends for an engine with `features`. */
export function chooseProgramKernel(step: Partial, features: ProgramFeatures = {}): string {
  return wasmKernelFor(step, features) ?? jsKernelName(pickJsKernel(step), step);
}

/**
 * A back end that encodes plans as step programs (src/kernels/wasm/step-encoding.ts) and runs them with
 * whatever `load()` returns: a wasm instance, or any engine that interprets the same records over the same
 * memory layout (the native addon does). `features` names the opcodes beyond the base set the engine has.
 */
export function makeProgramBackend(name: string, load: () => WasmKernels, features: ProgramFeatures = {}): Backend {
  return {
    name,
    chooseKernel: (step) => chooseProgramKernel(step, features),
    fuse: features.fusedMaxPool ? fuseConvPools : undefined,
    prepare(plan: ExecutionPlan): Executor {
      return programExecutor(plan, encodePlan(plan, load()));
    },
  };
}

/** The Executor over an encoded plan: input/output views into its arena, run() = its segments in order. */
export function programExecutor(plan: ExecutionPlan, enc: EncodedPlan): Executor {
  const prog = enc.program;
  const arena = prog.arena;
  const segments = enc.segments;
  const view = (s: Slot) => s.data ?? arena.subarray(s.offset, s.offset + s.size);
  const ins = plan.inputs.map(view);
  const outs = plan.outputs.map(view);
  const single = segments.length === 1 && typeof segments[0] !== 'function' ? segments[0] : undefined;
  return {
    inputView: (i) => ins[i],
    outputView: (i) => outs[i],
    run: single
      ? () => prog.runRange(single.first, single.count)
      : () => {
          for (let i = 0; i < segments.length; i++) {
            const s = segments[i];
            if (typeof s === 'function') s();
            else prog.runRange(s.first, s.count);
          }
        },
    dispose() {
      // The instance (and its memory) is released with the executor; nothing shared to free.
    },
  };
}
