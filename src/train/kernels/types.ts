// The contract between the training ops (src/train/grads/) and the number crunching: GEMM and the conv2d
// forward/backward pair, on plain Float32Arrays. Two implementations: js.ts (im2col + blocked GEMM in JS,
// the oracle for the other) and wasm.ts (the same algorithms in WebAssembly SIMD, src/train/wasm/as/).

/** Geometry of an NHWC conv2d with an HWIO kernel (groups = 1). */
export interface ConvGeometry {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly kh: number;
  readonly kw: number;
  readonly co: number;
  readonly oh: number;
  readonly ow: number;
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** [top, bottom, left, right]. */
  readonly pads: readonly [number, number, number, number];
}

/** Geometry of an NHWC pooling window. */
export interface PoolGeometry {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly kh: number;
  readonly kw: number;
  readonly oh: number;
  readonly ow: number;
  readonly strides: readonly [number, number];
  /** [top, bottom, left, right]. */
  readonly pads: readonly [number, number, number, number];
}

export interface TrainKernels {
  readonly name: 'js' | 'wasm';
  /**
   * C[M, N] = op(A) . op(B), or C += op(A) . op(B) when `accumulate`. All row-major and contiguous:
   * A is [M, K] ([K, M] when transA), B is [K, N] ([N, K] when transB).
   */
  gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, A: Float32Array, B: Float32Array, C: Float32Array, accumulate: boolean): void;
  /** y[n, oh, ow, co] = conv(x, w) + bias, then relu when `relu` (no other activation). */
  conv2dForward(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | undefined, y: Float32Array, relu: boolean): void;
  /**
   * Gradients of a conv2d from dy [n, oh, ow, co]: dx (overwritten; skipped when null), dw (overwritten),
   * db (overwritten; skipped when null). With `reluOutput` (the forward's relu output), dy is first masked
   * by reluOutput > 0 (the relu gradient); dy may be overwritten.
   */
  conv2dBackward(g: ConvGeometry, x: Float32Array, w: Float32Array, dy: Float32Array, dx: Float32Array | null, dw: Float32Array, db: Float32Array | null, reluOutput: Float32Array | null): void;
  /**
   * Max pooling: y and, per output, the flat index into x of the window's first maximum; -1 where no cell is
   * above -Inf (NaN and -Inf only: y is -Inf, and no input gets the gradient).
   */
  maxPool2dForward(g: PoolGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void;
  /** dx = 0, then dx[argmax[i]] += dy[i] where argmax[i] >= 0. */
  maxPool2dBackward(dy: Float32Array, argmax: Int32Array, dx: Float32Array): void;
}
