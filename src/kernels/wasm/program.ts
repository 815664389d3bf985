// The planner-facing encoder for wasm programs: pack weights, append steps with float32 arena offsets, finish()
// (lay out linear memory and grow it once), then run() any number of times -- one wasm call per prediction.
//
//   const k = loadWasmKernels();
//   const prog = new WasmProgram(k, { arenaFloats: 1024 });
//   const w = prog.packDenseWeights(kernel, 784, 10);       // [K, N] row-major, packed once
//   const b = prog.constant(bias);
//   prog.dense({ x: 0, w, bias: b, y: 784, rows: 1, activation: { fn: 'relu' } });
//   prog.softmax({ x: 784, y: 784, rows: 1, n: 10 });
//   prog.finish();
//   prog.arena.set(input, 0); prog.run(); const out = prog.arena.subarray(784, 794);
//
// Step record format and opcodes: ./step-encoding.ts (shared with the AssemblyScript interpreter).

import { ShapeError, UnsupportedFeatureError, UsageError, InternalError } from '../../core/errors.js';
import type { Activation, ActivationName } from '../../ops/activation-fns.js';
import type { BinaryFn } from '../../ops/binary.js';
import type { WasmKernels } from './loader.js';
import * as E from './step-encoding.js';
import { F_POOL, OP_CONV2D_WINOGRAD, OP_CONV2D_WINOGRAD_F4, POOL_MAX_2X2 } from './step-encoding-ext.js';
import { winogradApplies, winogradKernel, winogradMatrices, type WinogradSize, type WinogradTile } from './winograd.js';

/**
 * How a constant gets into linear memory: its stored size in floats (padded to CONST_PAD) and a writer that
 * fills exactly that many floats at dst[at..] when finish() lays the program out. Big weights are packed by
 * their writer straight into linear memory: packing into a JS array first, then copying it in, cost deep-mnist
 * one more 13 MB allocation and copy at compile time.
 */
export interface ConstantSource {
  readonly stored: number;
  write(dst: Float32Array, at: number): void;
  /** The same floats as write() gives, made by the kernel module itself when it exports the packing (as/pack.ts). */
  readonly packing?: PanelPacking | WinogradPacking;
}

/** A row-major [K, N] kernel to pack into column panels (as/pack.ts packPanelRows). */
interface PanelPacking {
  readonly kind: 'panels';
  readonly kernel: Float32Array;
  readonly K: number;
  readonly N: number;
}

/** An HWIO kernel to transform and pack for Winograd F(m x m, r x r) (as/pack.ts winogradPack). */
interface WinogradPacking {
  readonly kind: 'winograd';
  readonly kernel: Float32Array;
  readonly r: number;
  readonly t: number;
  /** G, t x r, row-major. */
  readonly G: Float64Array;
  readonly cin: number;
  readonly cout: number;
}

/** Floats of the staging buffer a panel packing moves its rows through (a block of rows of 256 KiB). */
const STAGE_FLOATS = 1 << 16;

/** Bytes of staging a wasm-side packing needs (see finish()). */
function stagingBytes(p: PanelPacking | WinogradPacking): number {
  if (p.kind === 'panels') return 4 * Math.min(p.K, Math.max(1, Math.floor(STAGE_FLOATS / p.N))) * p.N;
  return 4 * p.kernel.length + 16 * p.t * p.r + 64;
}

/** A constant stored in the program's constant region (zero-padded to CONST_PAD floats). */
export class WasmConstant {
  /** @internal byte address, set by finish(). */
  address = -1;
  constructor(
    /** @internal */ readonly owner: WasmProgram,
    /** @internal what is stored and how to write it. */ readonly source: ConstantSource,
    /** Logical length in floats (before padding). */ readonly length: number,
  ) {}
}

/** A [K, N] dense kernel (or a conv kernel seen as [kh*kw*cin, cout]) packed into column panels. */
export class PackedWeights extends WasmConstant {
  constructor(owner: WasmProgram, source: ConstantSource, readonly K: number, readonly N: number) {
    super(owner, source, K * N);
  }
}

/** An r x r conv kernel transformed for Winograd F(m x m, r x r): t*t packed [cin, cout] matrices. */
export class WinogradWeights extends WasmConstant {
  constructor(owner: WasmProgram, source: ConstantSource, readonly r: WinogradSize, readonly cin: number, readonly cout: number, readonly m: WinogradTile = 2) {
    super(owner, source, winogradMatrices(r, m).t ** 2 * packedSize(cin, cout));
  }
}

/** A depthwise kernel [kh, kw, cin, multiplier], stored as is. */
export class DepthwiseWeights extends WasmConstant {
  constructor(owner: WasmProgram, source: ConstantSource, readonly kh: number, readonly kw: number, readonly cin: number, readonly multiplier: number) {
    super(owner, source, kh * kw * cin * multiplier);
  }
}

/** A float32 offset into the program's arena, or a constant. Outputs are always arena offsets. */
export type Operand = number | WasmConstant;

export type Pair = readonly [number, number];
export type Pads = readonly [number, number, number, number];
export type BinaryMode = 'full' | 'row' | 'scalar';
export type ConvMethod = 'im2col' | 'direct' | 'winograd' | 'auto';

export interface DenseStep {
  readonly x: Operand;
  readonly w: PackedWeights;
  readonly bias?: WasmConstant;
  readonly y: number;
  /** Rows of x (product of all dims but the last). */
  readonly rows: number;
  readonly activation?: Activation;
}

/** NHWC conv2d; the attribute names match Conv2dAttrs so `{ ...attrs, x, xShape, w, bias, y }` works. */
export interface Conv2dStep {
  readonly x: Operand;
  /** [batch, H, W, C]. */
  readonly xShape: readonly number[];
  /** From packConv2dWeights (im2col / direct), or packWinogradWeights (method 'winograd'). */
  readonly w: PackedWeights | WinogradWeights;
  /** Kernel height and width (w.K must equal kh * kw * C). */
  readonly kernelSize: Pair;
  readonly bias?: WasmConstant;
  readonly y: number;
  readonly strides?: Pair;
  readonly dilations?: Pair;
  /** [top, bottom, left, right]. */
  readonly pads?: Pads;
  readonly groups?: number;
  readonly activation?: Activation;
  /** Which kernel; 'auto' (default) decides by shape (see chooseConvMethod) and by the kind of weights. */
  readonly method?: ConvMethod;
  /** im2col: output rows per block (default: a block of about 192 KiB). Winograd: tiles per block (multiple of 4). */
  readonly im2colRows?: number;
  /**
   * 'max2x2': a 2x2 / stride-2 / valid max pool of the conv's output (after the activation) fused into the step
   * (F_POOL), y then being [batch, floor(oh / 2), floor(ow / 2), cout]. Direct (cout % 8 == 0) and Winograd
   * F(4x4, 3x3) (cout % 4 == 0) only, with a linear, relu or relu6 activation.
   */
  readonly pool?: 'max2x2';
}

export interface DepthwiseConv2dStep {
  readonly x: Operand;
  readonly xShape: readonly number[];
  readonly w: DepthwiseWeights;
  readonly bias?: WasmConstant;
  readonly y: number;
  readonly strides?: Pair;
  readonly dilations?: Pair;
  readonly pads?: Pads;
  readonly activation?: Activation;
}

/** Mirrors Pool2dAttrs. */
export interface Pool2dStep {
  readonly type: 'max' | 'avg';
  readonly x: Operand;
  readonly xShape: readonly number[];
  readonly y: number;
  readonly kernel: Pair;
  readonly strides?: Pair;
  readonly pads?: Pads;
  readonly activation?: Activation;
}

export interface SoftmaxStep {
  readonly x: Operand;
  readonly y: number;
  readonly rows: number;
  /** Length of the last axis. */
  readonly n: number;
}

export interface BinaryStep {
  readonly fn: BinaryFn;
  readonly a: Operand;
  readonly b: Operand;
  readonly y: number;
  readonly rows: number;
  readonly cols: number;
  /** 'full' [rows, cols] (default), 'row' [cols] repeated per row, 'scalar' one value. */
  readonly aMode?: BinaryMode;
  readonly bMode?: BinaryMode;
  readonly activation?: Activation;
}

export interface ActivationStep {
  readonly x: Operand;
  readonly y: number;
  readonly n: number;
  readonly activation: Activation;
}

export interface CopyStep {
  readonly x: Operand;
  readonly y: number;
  readonly n: number;
}

export interface WasmProgramOptions {
  /** Arena size in float32 elements; every arena offset a step uses must stay inside it. */
  readonly arenaFloats: number;
}

/** Memory layout after finish(): byte addresses and sizes of each region. */
export interface WasmProgramLayout {
  readonly program: number;
  readonly programBytes: number;
  readonly constants: number;
  readonly constantBytes: number;
  readonly scratch: number;
  readonly scratchBytes: number;
  readonly arena: number;
  readonly arenaBytes: number;
}

// ---- activation table (one place: activation name -> code) ----

const ACT_CODES: Record<ActivationName, number> = {
  linear: E.ACT_LINEAR,
  relu: E.ACT_RELU,
  relu6: E.ACT_RELU6,
  clip: E.ACT_CLIP,
  leaky_relu: E.ACT_LEAKY_RELU,
  elu: E.ACT_ELU,
  selu: E.ACT_SELU,
  sigmoid: E.ACT_SIGMOID,
  tanh: E.ACT_TANH,
  hard_sigmoid: E.ACT_HARD_SIGMOID,
  swish: E.ACT_SWISH,
  hard_swish: E.ACT_HARD_SWISH,
  softsign: E.ACT_SOFTSIGN,
  exponential: E.ACT_EXPONENTIAL,
  thresholded_relu: E.ACT_THRESHOLDED_RELU,
  gelu_tanh: E.ACT_GELU_TANH,
  softplus: E.ACT_SOFTPLUS,
  gelu: E.ACT_GELU,
  mish: E.ACT_MISH,
};

/** The activation code and float parameters the wasm side reads (defaults as in activation-fns.ts). */
export function encodeActivation(a: Activation | undefined): { code: number; alpha: number; beta: number } {
  if (!a) return { code: E.ACT_LINEAR, alpha: 0, beta: 0 };
  switch (a.fn) {
    case 'clip':
      return { code: E.ACT_CLIP, alpha: a.alpha ?? 0, beta: a.beta ?? 6 };
    case 'leaky_relu':
      return { code: E.ACT_LEAKY_RELU, alpha: a.alpha ?? 0.2, beta: 0 };
    case 'elu':
      return { code: E.ACT_ELU, alpha: a.alpha ?? 1, beta: 0 };
    case 'thresholded_relu':
      // x > theta is decided in float32 inside wasm: store the largest float32 <= theta so that the comparison
      // gives the reference's float64 answer for every float32 x.
      return { code: E.ACT_THRESHOLDED_RELU, alpha: f32AtMost(a.alpha ?? 1), beta: 0 };
    case 'hard_sigmoid':
      return a.alpha !== undefined
        ? { code: E.ACT_HARD_SIGMOID_LINEAR, alpha: a.alpha, beta: a.beta ?? 0.5 }
        : { code: E.ACT_HARD_SIGMOID, alpha: 0, beta: 0 };
    default: {
      const code = ACT_CODES[a.fn];
      if (code === undefined) throw new UnsupportedFeatureError(`wasm: unknown activation ${String(a.fn)}`);
      return { code, alpha: 0, beta: 0 };
    }
  }
}

/** The largest float32 that is <= v. */
function f32AtMost(v: number): number {
  const f = Math.fround(v);
  if (f <= v || !Number.isFinite(v)) return f;
  const b = new Float32Array([f]);
  const i = new Int32Array(b.buffer);
  i[0] += f > 0 ? -1 : 1;
  return b[0];
}

const BIN_CODES: Record<BinaryFn, number> = {
  add: E.BIN_ADD,
  sub: E.BIN_SUB,
  mul: E.BIN_MUL,
  div: E.BIN_DIV,
  max: E.BIN_MAX,
  min: E.BIN_MIN,
  pow: E.BIN_POW,
};

const MODE_CODES: Record<BinaryMode, number> = { full: E.BCAST_FULL, row: E.BCAST_ROW, scalar: E.BCAST_SCALAR };

// ---- weight packing ----

/** Floats the packed form of a [K, N] kernel takes (see step-encoding.ts). */
export function packedSize(K: number, N: number): number {
  const rem = N % E.PANEL;
  const wide = Math.floor(N / E.PANEL) + (rem > E.PANEL_TAIL ? 1 : 0);
  const narrow = rem > 0 && rem <= E.PANEL_TAIL ? 1 : 0;
  return K * (wide * E.PANEL + narrow * E.PANEL_TAIL);
}

/**
 * Packs a row-major [K, N] kernel into 8-wide (and one 4-wide tail) k-major column panels, zero-padded, into
 * `out` at `at` (a new array of the padded size when not given). The reference layout: the engines pack with
 * their own compiled code at finish() (as/pack.ts, native pack.cc; tested equal to this bit for bit), so this
 * runs only for an engine without that, and in tests.
 */
export function packPanels(kernel: Float32Array, K: number, N: number, out = constantArray(packedSize(K, N)), at = 0): Float32Array {
  if (kernel.length !== K * N) throw new ShapeError(`wasm packPanels: kernel has ${kernel.length} floats, [${K}, ${N}] needs ${K * N}`);
  if (at + packedSize(K, N) > out.length) throw new ShapeError(`wasm packPanels: ${out.length - at} floats left in the output, [${K}, ${N}] packed needs ${packedSize(K, N)}`);
  let o = at;
  for (let col = 0; col < N; ) {
    const width = N - col > E.PANEL_TAIL ? E.PANEL : E.PANEL_TAIL;
    const cols = Math.min(width, N - col);
    for (let k = 0; k < K; k++, o += width) {
      let j = 0;
      for (; j < cols; j++) out[o + j] = kernel[k * N + col + j];
      for (; j < width; j++) out[o + j] = 0;
    }
    col += width;
  }
  return out;
}

/** Output size of a window op along one axis. */
function outDim(inSize: number, k: number, s: number, d: number, padA: number, padB: number): number {
  return Math.floor((inSize + padA + padB - (d * (k - 1) + 1)) / s) + 1;
}

/**
 * The default conv kernel choice between the two GEMM paths. The wasm kernels ('wasm'): im2col for pointwise
 * convs (the input is the matrix), the direct path otherwise: it reads each window row as one contiguous span
 * of a zero-padded copy and beats im2col at every measured shape, thin inputs included (docs/kernels.md:
 * 28x28x1 3x3 -> 32: 20.5 vs 22.2 us; 5x5: 36.8 vs 47.4 us; 32x32x3 -> 32: 46.9 vs 55.4 us). 'base': the
 * rule for other engines of the step format (the native addon), whose direct kernel is per tap: im2col for
 * pointwise and thin (cin < 8) inputs.
 */
export function chooseConvMethod(inC: number, kh: number, kw: number, engine: 'wasm' | 'base' = 'wasm'): 'im2col' | 'direct' {
  if (kh === 1 && kw === 1) return 'im2col';
  return engine === 'base' && inC < 8 ? 'im2col' : 'direct';
}

/** Output tiles per Winograd block (default): 4 tiles keep V and M in L1 for cin, cout <= 64. */
export const WINOGRAD_TILES = 4;

/** Scratch bytes of a Winograd conv step (layout in step-encoding-ext.ts, OP_CONV2D_WINOGRAD). */
export function winogradScratchBytes(r: number, cin: number, cout: number, oh: number, ow: number, tiles = WINOGRAD_TILES, m = 2): number {
  const t = m + r - 1;
  const al = (n: number) => Math.ceil(n / 64) * 64;
  const cinP = Math.ceil(cin / 4) * 4;
  const coutP = Math.ceil(cout / 8) * 8;
  const HP = m * Math.ceil(oh / m) + r - 1;
  const WP = m * Math.ceil(ow / m) + r - 1;
  return al(4 * HP * WP * cinP) + al(4 * t * t * tiles * cinP) + al(4 * t * t * tiles * coutP) + 1024 + 64;
}

type Addr = { readonly region: 'arena'; readonly offset: number } | { readonly region: 'const'; readonly c: WasmConstant } | { readonly region: 'scratch' | 'zero' };

interface Step {
  readonly words: (number | Addr)[];
  readonly floats: Map<number, number>;
  readonly describe: string;
}

const IM2COL_BLOCK_BYTES = 192 * 1024;

/** One compiled program on one kernel instance. Build (steps, constants) -> finish() -> run() repeatedly. */
export class WasmProgram {
  private readonly steps: Step[] = [];
  private readonly constants: WasmConstant[] = [];
  private scratchBytes = 0;
  private zeroFloats = 0;
  private finished = false;
  private programAddr = 0;
  private stepCount = 0;
  private arenaAddr = 0;
  private arenaView: Float32Array | undefined;
  private readonly runFn: (program: number, steps: number) => number;
  readonly arenaFloats: number;
  private layoutInfo: WasmProgramLayout | undefined;

  constructor(readonly kernels: WasmKernels, options: WasmProgramOptions) {
    if (!Number.isInteger(options.arenaFloats) || options.arenaFloats < 0) throw new UsageError(`WasmProgram: arenaFloats must be a whole number, got ${options.arenaFloats}`);
    this.arenaFloats = options.arenaFloats;
    this.runFn = kernels.exports.run;
  }

  // ---- constants ----

  /** Stores a constant (bias, binary operand, ...). The data is copied. */
  constant(data: Float32Array): WasmConstant {
    return this.addConstant(new WasmConstant(this, copied(data), data.length));
  }

  /** Packs a row-major [K, N] dense kernel for OP_DENSE. */
  packDenseWeights(kernel: Float32Array, K: number, N: number): PackedWeights {
    checkDims('packDenseWeights', { K, N });
    // Packed by finish(), into linear memory: the kernel (a graph constant, never written) is read then.
    const n = packedSize(K, N);
    const write = (dst: Float32Array, at: number) => zeroTail(packPanels(kernel, K, N, dst, at), at, n, paddedLength(n));
    return this.addConstant(new PackedWeights(this, { stored: paddedLength(n), write, packing: { kind: 'panels', kernel, K, N } }, K, N));
  }

  /** Packs an HWIO conv kernel [kh, kw, cin, cout] (it is [kh*kw*cin, cout] row-major) for the conv2d steps. */
  packConv2dWeights(kernel: Float32Array, kh: number, kw: number, cin: number, cout: number): PackedWeights {
    checkDims('packConv2dWeights', { kh, kw, cin, cout });
    return this.packDenseWeights(kernel, kh * kw * cin, cout);
  }

  /**
   * Transforms and packs an HWIO kernel [r, r, cin, cout] for the Winograd conv F(m x m, r x r): m = 2 with
   * r = 3 or 5, m = 4 with r = 3.
   */
  packWinogradWeights(kernel: Float32Array, r: number, cin: number, cout: number, m: WinogradTile = 2): WinogradWeights {
    checkDims('packWinogradWeights', { r, cin, cout });
    if (!((r === 3 || r === 5) && (m === 2 || (m === 4 && r === 3)))) throw new UnsupportedFeatureError(`wasm Winograd conv: F(${m}x${m}, ${r}x${r}) (only F(2x2, 3x3), F(4x4, 3x3), F(2x2, 5x5))`);
    const { t, G } = winogradMatrices(r, m);
    const ps = packedSize(cin, cout);
    const n = t * t * ps;
    const write = (dst: Float32Array, at: number) => {
      winogradKernel(kernel, r, cin, cout, m).forEach((mat, e) => packPanels(mat, cin, cout, dst, at + e * ps));
      zeroTail(dst, at, n, paddedLength(n));
    };
    const packing: WinogradPacking = { kind: 'winograd', kernel, r, t, G: Float64Array.from(G.flat()), cin, cout };
    return this.addConstant(new WinogradWeights(this, { stored: paddedLength(n), write, packing }, r, cin, cout, m));
  }

  /** Stores a depthwise kernel [kh, kw, cin, multiplier]. */
  depthwiseWeights(kernel: Float32Array, kh: number, kw: number, cin: number, multiplier: number): DepthwiseWeights {
    checkDims('depthwiseWeights', { kh, kw, cin, multiplier });
    if (kernel.length !== kh * kw * cin * multiplier) throw new ShapeError(`wasm depthwiseWeights: kernel has ${kernel.length} floats, needs ${kh * kw * cin * multiplier}`);
    return this.addConstant(new DepthwiseWeights(this, copied(kernel), kh, kw, cin, multiplier));
  }

  // ---- steps ----

  dense(s: DenseStep): void {
    const { K, N } = this.ownWeights(s.w, 'dense');
    checkDims('dense', { rows: s.rows });
    this.checkBias(s.bias, N, 'dense');
    const st = this.step(E.OP_DENSE, s.activation, `dense ${s.rows}x${K} . ${K}x${N}`);
    this.set(st, E.F_X, this.input(s.x, s.rows * K, 'dense x'));
    this.set(st, E.F_W, constAddr(s.w));
    if (s.bias) this.set(st, E.F_B, constAddr(s.bias));
    this.set(st, E.F_Y, this.output(s.y, s.rows * N, 'dense y'));
    this.set(st, E.F_M, s.rows);
    this.set(st, E.F_K, K);
    this.set(st, E.F_N, N);
  }

  conv2d(s: Conv2dStep): void {
    const [batch, H, W, C] = nhwc(s.xShape, 'conv2d');
    const [kh, kw] = s.kernelSize;
    if ((s.groups ?? 1) !== 1) throw new UnsupportedFeatureError(`wasm conv2d: groups = ${s.groups} (only 1; depthwise has its own step)`);
    if (s.w instanceof WinogradWeights || s.method === 'winograd') return this.conv2dWinograd(s, [batch, H, W, C]);
    const { K, N } = this.ownWeights(s.w, 'conv2d');
    if (K !== kh * kw * C) throw new ShapeError(`wasm conv2d: packed kernel has K = ${K}, expected ${kh}*${kw}*${C}`, { op: 'conv2d' });
    const g = this.window('conv2d', [batch, H, W, C], kh, kw, s.strides, s.dilations, s.pads);
    this.checkBias(s.bias, N, 'conv2d');
    const method = s.method === undefined || s.method === 'auto' ? chooseConvMethod(C, kh, kw) : s.method;
    const M = batch * g.oh * g.ow;
    if (s.pool && method !== 'direct') throw new UnsupportedFeatureError(`wasm conv2d/${method}: no fused pool (direct and Winograd F(4x4) have it)`);
    this.checkPool(s, g, N, 8);
    const st = this.step(method === 'direct' ? E.OP_CONV2D_DIRECT : E.OP_CONV2D_IM2COL, s.activation,
      `conv2d/${method} ${batch}x${H}x${W}x${C} k${kh}x${kw} -> ${g.oh}x${g.ow}x${N}${s.pool ? ' +maxpool2x2' : ''}`);
    this.setWindow(st, s.x, s.y, [batch, H, W, C], g, N, kh, kw, 'conv2d', s.pool);
    this.set(st, E.F_W, constAddr(s.w));
    if (s.bias) this.set(st, E.F_B, constAddr(s.bias));
    if (method === 'direct') {
      this.set(st, E.F_SCRATCH, { region: 'scratch' });
      this.set(st, E.F_ZERO, { region: 'zero' });
      // Pointer table (16 bytes per tap), then the zero-padded image (see as/conv.ts conv2dDirect).
      const HP = (g.oh - 1) * g.sh + (kh - 1) * g.dh + 1;
      const WP = (g.ow - 1) * g.sw + (kw - 1) * g.dw + 1;
      this.scratchBytes = Math.max(this.scratchBytes, Math.max(16 * kh * kw, 4 * K) + 64 + 4 * HP * WP * C + 64);
      this.zeroFloats = Math.max(this.zeroFloats, C);
    } else {
      const mc = Math.max(1, Math.min(M, s.im2colRows ?? Math.max(4, Math.floor(IM2COL_BLOCK_BYTES / (4 * (K + 4)) / 4) * 4)));
      this.set(st, E.F_SCRATCH, { region: 'scratch' });
      this.set(st, E.F_MC, mc);
      const pointwise = kh === 1 && kw === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0 && g.oh === H && g.ow === W;
      if (!pointwise) this.scratchBytes = Math.max(this.scratchBytes, 4 * mc * (K + 4));
    }
  }

  private conv2dWinograd(s: Conv2dStep, x: [number, number, number, number]): void {
    const [batch, H, W, C] = x;
    const [kh, kw] = s.kernelSize;
    const w = s.w;
    if (!(w instanceof WinogradWeights) || w.owner !== this) throw new UsageError("wasm conv2d/winograd: w must come from this program's packWinogradWeights()");
    if (!winogradApplies(kh, kw, s.strides, s.dilations)) throw new UnsupportedFeatureError(`wasm conv2d/winograd: needs a 3x3 or 5x5 kernel, unit strides and dilations (got k${kh}x${kw}, strides ${s.strides ?? [1, 1]}, dilations ${s.dilations ?? [1, 1]})`);
    if (w.r !== kh || w.cin !== C) throw new ShapeError(`wasm conv2d/winograd: weights are for k${w.r} cin ${w.cin}, the step has k${kh} cin ${C}`, { op: 'conv2d' });
    const N = w.cout;
    const g = this.window('conv2d', x, kh, kw, s.strides, s.dilations, s.pads);
    this.checkBias(s.bias, N, 'conv2d');
    const tb = s.im2colRows ?? WINOGRAD_TILES;
    if (!Number.isInteger(tb) || tb < 4 || tb % 4 !== 0) throw new UsageError(`wasm conv2d/winograd: tiles per block must be a positive multiple of 4, got ${tb}`);
    if (s.pool && w.m !== 4) throw new UnsupportedFeatureError('wasm conv2d/winograd: a fused pool needs F(4x4, 3x3)');
    this.checkPool(s, g, N, 4);
    const st = this.step(w.m === 4 ? OP_CONV2D_WINOGRAD_F4 : OP_CONV2D_WINOGRAD, s.activation,
      `conv2d/winograd F(${w.m}x${w.m},${kh}x${kw}) ${batch}x${H}x${W}x${C} -> ${g.oh}x${g.ow}x${N}${s.pool ? ' +maxpool2x2' : ''}`);
    this.setWindow(st, s.x, s.y, x, g, N, kh, kw, 'conv2d', s.pool);
    this.set(st, E.F_W, constAddr(w));
    if (s.bias) this.set(st, E.F_B, constAddr(s.bias));
    this.set(st, E.F_SCRATCH, { region: 'scratch' });
    this.set(st, E.F_MC, tb);
    this.scratchBytes = Math.max(this.scratchBytes, winogradScratchBytes(kh, C, N, g.oh, g.ow, tb, w.m));
  }

  depthwiseConv2d(s: DepthwiseConv2dStep): void {
    const [batch, H, W, C] = nhwc(s.xShape, 'depthwise_conv2d');
    if (!(s.w instanceof DepthwiseWeights) || s.w.owner !== this) throw new UsageError('wasm depthwiseConv2d: w must come from this program\'s depthwiseWeights()');
    const { kh, kw, cin, multiplier } = s.w;
    if (cin !== C) throw new ShapeError(`wasm depthwise_conv2d: kernel has ${cin} input channels, x has ${C}`, { op: 'depthwise_conv2d' });
    const OC = C * multiplier;
    const g = this.window('depthwise_conv2d', [batch, H, W, C], kh, kw, s.strides, s.dilations, s.pads);
    this.checkBias(s.bias, OC, 'depthwise_conv2d');
    const st = this.step(E.OP_DEPTHWISE_CONV2D, s.activation, `depthwise_conv2d ${batch}x${H}x${W}x${C} k${kh}x${kw} m${multiplier}`);
    this.setWindow(st, s.x, s.y, [batch, H, W, C], g, OC, kh, kw, 'depthwise_conv2d');
    this.set(st, E.F_W, constAddr(s.w));
    if (s.bias) this.set(st, E.F_B, constAddr(s.bias));
    this.set(st, E.F_MULT, multiplier);
  }

  pool2d(s: Pool2dStep): void {
    const [batch, H, W, C] = nhwc(s.xShape, 'pool2d');
    const [kh, kw] = s.kernel;
    const g = this.window('pool2d', [batch, H, W, C], kh, kw, s.strides, [1, 1], s.pads);
    const st = this.step(s.type === 'max' ? E.OP_MAXPOOL : E.OP_AVGPOOL, s.activation, `${s.type}pool ${batch}x${H}x${W}x${C} k${kh}x${kw}`);
    this.setWindow(st, s.x, s.y, [batch, H, W, C], g, C, kh, kw, 'pool2d');
  }

  softmax(s: SoftmaxStep): void {
    checkDims('softmax', { rows: s.rows, n: s.n });
    const st = this.step(E.OP_SOFTMAX, undefined, `softmax ${s.rows}x${s.n}`);
    this.set(st, E.F_X, this.input(s.x, s.rows * s.n, 'softmax x'));
    this.set(st, E.F_Y, this.output(s.y, s.rows * s.n, 'softmax y'));
    this.set(st, E.F_M, s.rows);
    this.set(st, E.F_N, s.n);
  }

  binary(s: BinaryStep): void {
    checkDims('binary', { rows: s.rows, cols: s.cols });
    const fn = BIN_CODES[s.fn];
    if (fn === undefined) throw new UnsupportedFeatureError(`wasm binary: unknown function ${String(s.fn)}`);
    const am = s.aMode ?? 'full';
    const bm = s.bMode ?? 'full';
    const count = (m: BinaryMode) => (m === 'full' ? s.rows * s.cols : m === 'row' ? s.cols : 1);
    const st = this.step(E.OP_BINARY, s.activation, `binary ${s.fn} ${s.rows}x${s.cols} (${am}, ${bm})`);
    this.set(st, E.F_X, this.input(s.a, count(am), 'binary a'));
    this.set(st, E.F_W, this.input(s.b, count(bm), 'binary b'));
    this.set(st, E.F_Y, this.output(s.y, s.rows * s.cols, 'binary y'));
    this.set(st, E.F_M, s.rows);
    this.set(st, E.F_N, s.cols);
    this.set(st, E.F_FN, fn);
    this.set(st, E.F_AMODE, MODE_CODES[am]);
    this.set(st, E.F_BMODE, MODE_CODES[bm]);
  }

  activation(s: ActivationStep): void {
    checkDims('activation', { n: s.n });
    const st = this.step(E.OP_ACTIVATION, s.activation, `activation ${s.activation.fn} ${s.n}`);
    this.set(st, E.F_X, this.input(s.x, s.n, 'activation x'));
    this.set(st, E.F_Y, this.output(s.y, s.n, 'activation y'));
    this.set(st, E.F_N, s.n);
  }

  copy(s: CopyStep): void {
    checkDims('copy', { n: s.n });
    const st = this.step(E.OP_COPY, undefined, `copy ${s.n}`);
    this.set(st, E.F_X, this.input(s.x, s.n, 'copy x'));
    this.set(st, E.F_Y, this.output(s.y, s.n, 'copy y'));
    this.set(st, E.F_N, s.n);
  }

  // ---- finish / run ----

  /**
   * Lays out [program | constants | zero row | scratch | arena] after whatever the instance already holds,
   * grows linear memory once, and writes the step records and constants. No steps or constants after this.
   */
  finish(): void {
    if (this.finished) throw new UsageError('WasmProgram.finish: already finished');
    const alloc = this.kernels.allocator;
    const programBytes = this.steps.length * E.STEP_BYTES;
    const program = alloc.reserve(programBytes);
    let constantBytes = 0;
    for (const c of this.constants) constantBytes += 4 * c.source.stored;
    const constants = alloc.reserve(constantBytes);
    const zeroBytes = Math.ceil(this.zeroFloats / E.CONST_PAD) * E.CONST_PAD * 4;
    const zero = alloc.reserve(zeroBytes);
    const scratch = alloc.reserve(this.scratchBytes);
    const arenaBytes = this.arenaFloats * 4;
    const arena = alloc.reserve(arenaBytes);
    // Staging for weights packed by the engine's own compiled code (wasm as/pack.ts, native pack.cc), fast from
    // the first call, where the JavaScript loops ran cold once per compile (deep-mnist: ~40 ms of its compile).
    const ex = this.kernels.exports;
    const packedByEngine = (c: WasmConstant) => {
      const p = c.source.packing;
      return p !== undefined && (p.kind === 'panels' ? ex.packPanelRows : ex.winogradPack) !== undefined;
    };
    const stageBytes = Math.max(0, ...this.constants.filter(packedByEngine).map((c) => stagingBytes(c.source.packing!)));
    const stage = stageBytes > 0 ? alloc.reserve(stageBytes) : 0;
    alloc.commit();

    const buf = this.kernels.memory.buffer;
    const f32 = new Float32Array(buf);
    let at = constants;
    for (const c of this.constants) {
      c.address = at;
      if (packedByEngine(c)) packByEngine(this.kernels, c.source, f32, stage, at);
      else c.source.write(f32, at >> 2);
      at += 4 * c.source.stored;
    }
    f32.fill(0, zero >> 2, (zero + zeroBytes) >> 2);
    const words = new Int32Array(buf, program, programBytes >> 2);
    const fwords = new Float32Array(buf, program, programBytes >> 2);
    this.steps.forEach((st, i) => {
      const base = i * E.STEP_WORDS;
      st.words.forEach((w, j) => {
        if (typeof w === 'number') words[base + j] = w;
        else if (w.region === 'arena') words[base + j] = arena + 4 * w.offset;
        else if (w.region === 'const') words[base + j] = w.c.address;
        else if (w.region === 'scratch') words[base + j] = scratch;
        else words[base + j] = zero;
      });
      for (const [j, v] of st.floats) fwords[base + j] = v;
    });
    this.programAddr = program;
    this.stepCount = this.steps.length;
    this.arenaAddr = arena;
    this.layoutInfo = { program, programBytes, constants, constantBytes, scratch, scratchBytes: this.scratchBytes, arena, arenaBytes };
    this.finished = true;
  }

  /** Runs the whole program: one call into wasm, no allocation. */
  run(): void {
    if (!this.finished) throw new UsageError('WasmProgram.run: call finish() first');
    const r = this.runFn(this.programAddr, this.stepCount);
    if (r !== 0) throw new InternalError(`wasm program: step ${r - 1} has a bad opcode`);
  }

  /**
   * Runs steps [first, first + count): the planner's executor uses this to interleave wasm segments with JS
   * kernels for ops wasm lacks. Still one call into wasm per segment, no allocation.
   */
  runRange(first: number, count: number): void {
    if (!this.finished) throw new UsageError('WasmProgram.runRange: call finish() first');
    if (first < 0 || count < 0 || first + count > this.stepCount) throw new UsageError(`WasmProgram.runRange: [${first}, ${first + count}) outside ${this.stepCount} steps`);
    const r = this.runFn(this.programAddr + first * E.STEP_BYTES, count);
    if (r !== 0) throw new InternalError(`wasm program: step ${first + r - 1} has a bad opcode`);
  }

  /** Number of step records encoded so far. */
  get length(): number {
    return this.steps.length;
  }

  /** The arena as float32 (valid after finish(); re-created if another program grew the memory since). */
  get arena(): Float32Array {
    if (!this.finished) throw new UsageError('WasmProgram.arena: call finish() first');
    const v = this.arenaView;
    if (v && v.buffer === this.kernels.memory.buffer) return v;
    return (this.arenaView = new Float32Array(this.kernels.memory.buffer, this.arenaAddr, this.arenaFloats));
  }

  get layout(): WasmProgramLayout {
    if (!this.layoutInfo) throw new UsageError('WasmProgram.layout: call finish() first');
    return this.layoutInfo;
  }

  /** One line per step, for the CLI and debugging. */
  describe(): string[] {
    return this.steps.map((s, i) => `${i}: ${s.describe}`);
  }

  // ---- internals ----

  private addConstant<C extends WasmConstant>(c: C): C {
    if (this.finished) throw new UsageError('WasmProgram: no constants after finish()');
    this.constants.push(c);
    return c;
  }

  private ownWeights(w: PackedWeights, op: string): { K: number; N: number } {
    if (!(w instanceof PackedWeights) || w.owner !== this) throw new UsageError(`wasm ${op}: w must come from this program's packDenseWeights / packConv2dWeights`);
    return w;
  }

  private checkBias(b: WasmConstant | undefined, n: number, op: string): void {
    if (!b) return;
    if (b.owner !== this) throw new UsageError(`wasm ${op}: bias must come from this program's constant()`);
    if (b.length !== n) throw new ShapeError(`wasm ${op}: bias has ${b.length} values, needs ${n}`, { op });
  }

  private step(op: number, act: Activation | undefined, describe: string): Step {
    if (this.finished) throw new UsageError('WasmProgram: no steps after finish()');
    const words = new Array<number | Addr>(E.STEP_WORDS).fill(0);
    words[E.F_OP] = op;
    const a = encodeActivation(act);
    words[E.F_ACT] = a.code;
    const st: Step = { words, floats: new Map(), describe: act && act.fn !== 'linear' ? `${describe} +${act.fn}` : describe };
    st.floats.set(E.F_ALPHA, a.alpha);
    st.floats.set(E.F_BETA, a.beta);
    this.steps.push(st);
    return st;
  }

  private set(st: Step, field: number, v: number | Addr): void {
    st.words[field] = v;
  }

  private input(x: Operand, floats: number, what: string): Addr {
    if (typeof x === 'number') return this.arenaRange(x, floats, what);
    if (x.owner !== this) throw new UsageError(`wasm ${what}: constant from another program`);
    if (x.length < floats) throw new ShapeError(`wasm ${what}: constant has ${x.length} floats, step reads ${floats}`);
    return constAddr(x);
  }

  private output(y: number, floats: number, what: string): Addr {
    return this.arenaRange(y, floats, what);
  }

  private arenaRange(off: number, floats: number, what: string): Addr {
    if (!Number.isInteger(off) || off < 0 || off + floats > this.arenaFloats) {
      throw new UsageError(`wasm ${what}: arena range [${off}, ${off + floats}) outside the arena of ${this.arenaFloats} floats`);
    }
    return { region: 'arena', offset: off };
  }

  private window(op: string, x: readonly number[], kh: number, kw: number, strides: Pair = [1, 1], dil: Pair = [1, 1], pads: Pads = [0, 0, 0, 0]) {
    checkDims(op, { kh, kw, sh: strides[0], sw: strides[1], dh: dil[0], dw: dil[1] });
    if (pads.some((p) => !Number.isInteger(p) || p < 0)) throw new ShapeError(`wasm ${op}: bad pads [${pads.join(', ')}]`, { op });
    const oh = outDim(x[1], kh, strides[0], dil[0], pads[0], pads[1]);
    const ow = outDim(x[2], kw, strides[1], dil[1], pads[2], pads[3]);
    if (!(oh > 0 && ow > 0)) throw new ShapeError(`wasm ${op}: window ${kh}x${kw} does not fit input [${x.join(', ')}] with pads [${pads.join(', ')}]`, { op });
    return { oh, ow, sh: strides[0], sw: strides[1], dh: dil[0], dw: dil[1], pt: pads[0], pl: pads[2] };
  }

  /** A fused pool's conditions (Conv2dStep.pool): the kernels' channel multiple, a fast activation, room to pool. */
  private checkPool(s: Conv2dStep, g: ReturnType<WasmProgram['window']>, oc: number, multiple: number): void {
    if (!s.pool) return;
    if (s.pool !== 'max2x2') throw new UnsupportedFeatureError(`wasm conv2d: unknown fused pool ${String(s.pool)}`);
    if (oc % multiple !== 0) throw new UnsupportedFeatureError(`wasm conv2d: a fused pool needs cout % ${multiple} == 0, got ${oc}`);
    const code = encodeActivation(s.activation).code;
    if (code !== E.ACT_LINEAR && code !== E.ACT_RELU && code !== E.ACT_RELU6) {
      throw new UnsupportedFeatureError(`wasm conv2d: a fused pool needs a linear, relu or relu6 activation, got ${s.activation?.fn}`);
    }
    if (g.oh < 2 || g.ow < 2) throw new ShapeError(`wasm conv2d: output ${g.oh}x${g.ow} is too small for a 2x2 pool`, { op: 'conv2d' });
  }

  private setWindow(st: Step, x: Operand, y: number, xs: readonly number[], g: ReturnType<WasmProgram['window']>, oc: number, kh: number, kw: number, op: string,
    pool?: 'max2x2'): void {
    const [batch, H, W, C] = xs;
    this.set(st, E.F_X, this.input(x, batch * H * W * C, `${op} x`));
    if (pool) {
      this.set(st, E.F_Y, this.output(y, batch * (g.oh >> 1) * (g.ow >> 1) * oc, `${op} y (pooled)`));
      this.set(st, F_POOL, POOL_MAX_2X2);
    } else this.set(st, E.F_Y, this.output(y, batch * g.oh * g.ow * oc, `${op} y`));
    const f: [number, number][] = [
      [E.F_BATCH, batch], [E.F_IH, H], [E.F_IW, W], [E.F_IC, C], [E.F_OH, g.oh], [E.F_OW, g.ow], [E.F_OC, oc],
      [E.F_KH, kh], [E.F_KW, kw], [E.F_SH, g.sh], [E.F_SW, g.sw], [E.F_DH, g.dh], [E.F_DW, g.dw], [E.F_PT, g.pt], [E.F_PL, g.pl],
    ];
    for (const [k, v] of f) this.set(st, k, v);
  }
}

/** Output shape [batch, OH, OW, C] of a window op, for planners and tests. */
export function windowOutputShape(xShape: readonly number[], kh: number, kw: number, strides: Pair = [1, 1], dilations: Pair = [1, 1], pads: Pads = [0, 0, 0, 0]): [number, number] {
  return [outDim(xShape[1], kh, strides[0], dilations[0], pads[0], pads[1]), outDim(xShape[2], kw, strides[1], dilations[1], pads[2], pads[3])];
}

function constAddr(c: WasmConstant): Addr {
  return { region: 'const', c };
}

/** Writes a constant through the engine's own packing (as/pack.ts, pack.cc), moving its input through `stage`. */
function packByEngine(k: WasmKernels, src: ConstantSource, f32: Float32Array, stage: number, at: number): void {
  const p = src.packing!;
  if (p.kind === 'panels') {
    const rows = Math.max(1, Math.floor(STAGE_FLOATS / p.N));
    for (let k0 = 0; k0 < p.K; k0 += rows) {
      const k1 = Math.min(p.K, k0 + rows);
      f32.set(p.kernel.subarray(k0 * p.N, k1 * p.N), stage >> 2);
      k.exports.packPanelRows!(stage, at, p.K, p.N, k0, k1);
    }
    zeroTail(f32, at >> 2, packedSize(p.K, p.N), src.stored);
  } else {
    const g = stage + 4 * p.kernel.length + ((16 - ((4 * p.kernel.length) % 16)) % 16);
    const tmp = g + 8 * p.t * p.r;
    f32.set(p.kernel, stage >> 2);
    new Float64Array(f32.buffer, g, p.G.length).set(p.G);
    k.exports.winogradPack!(stage, at, g, tmp, p.r, p.t, p.cin, p.cout);
    zeroTail(f32, at >> 2, p.t * p.t * packedSize(p.cin, p.cout), src.stored);
  }
}

/** Floats a constant of n floats takes, padded to the length the wasm side reads (CONST_PAD). */
function paddedLength(n: number): number {
  return Math.max(E.CONST_PAD, Math.ceil(n / E.CONST_PAD) * E.CONST_PAD);
}

/** A zeroed array for n floats of a constant, padded (see paddedLength). */
function constantArray(n: number): Float32Array {
  return new Float32Array(paddedLength(n));
}

/** Zeroes dst[at + n .. at + stored): the padding after a constant's n floats (memory may hold old bytes). */
function zeroTail(dst: Float32Array, at: number, n: number, stored: number): void {
  dst.fill(0, at + n, at + stored);
}

/** A small constant, copied now (the caller may reuse its array), written as is plus zero padding. */
function copied(data: Float32Array): ConstantSource {
  const own = Float32Array.from(data);
  const stored = paddedLength(own.length);
  const write = (dst: Float32Array, at: number) => {
    dst.set(own, at);
    zeroTail(dst, at, own.length, stored);
  };
  return { stored, write };
}

function nhwc(s: readonly number[], op: string): [number, number, number, number] {
  if (s.length !== 4) throw new ShapeError(`wasm ${op}: xShape must be [batch, H, W, C], got [${s.join(', ')}]`, { op });
  checkDims(op, { batch: s[0], H: s[1], W: s[2], C: s[3] });
  return [s[0], s[1], s[2], s[3]];
}

function checkDims(op: string, dims: Record<string, number>): void {
  for (const [k, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v < (k === 'rows' || k === 'batch' || k === 'n' || k === 'cols' || k === 'K' ? 0 : 1)) {
      throw new ShapeError(`wasm ${op}: ${k} = ${v} is not a valid size`, { op });
    }
  }
}
