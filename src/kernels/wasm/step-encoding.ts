// The wasm program format, defined once and shared: compiled by tsc for the encoder (program.ts) AND imported by
// the AssemblyScript interpreter (as/run.ts). Keep this file plain `export const NAME = <int literal>;` lines so
// it stays valid in both languages (no imports, no types, no enums).
//
// A program is an array of fixed-size step records in wasm linear memory: STEP_WORDS little-endian 32-bit words
// (STEP_BYTES bytes) per step. Word F_OP holds the opcode; words F_ACT..F_BETA the fused activation (on every
// op that computes values); the other words are operands. All addresses are BYTE offsets into linear memory
// (the encoder turns the planner's float32 arena offsets and constant handles into them); 0 means "none" where a
// field is optional (bias). Dimensions are element counts. Words marked (f32) hold float32 bit patterns.
//
//  opcode                 fields used (besides F_OP, F_ACT, F_ALPHA, F_BETA)
//  OP_COPY                F_X, F_Y, F_N                       y[0..n) = x[0..n)   (memmove semantics)
//  OP_ACTIVATION          F_X, F_Y, F_N                       y = act(x), in place allowed
//  OP_DENSE               F_X, F_W, F_B, F_Y, F_M, F_K, F_N   y[M,N] = act(x[M,K] . W + b); W packed (see below)
//  OP_CONV2D_IM2COL       conv fields (below), F_SCRATCH, F_MC          NHWC / HWIO conv, im2col blocks + GEMM
//  OP_CONV2D_DIRECT       conv fields (below), F_SCRATCH, F_ZERO        NHWC / HWIO conv, indirect (no copies)
//  OP_DEPTHWISE_CONV2D    conv fields (below), F_MULT                   NHWC, kernel [kh, kw, cin, mult]
//  OP_MAXPOOL, OP_AVGPOOL F_X, F_Y, F_BATCH, F_IH, F_IW, F_IC, F_OH, F_OW, F_KH, F_KW, F_SH, F_SW, F_PT, F_PL
//                         (F_DH, F_DW ignored; avg divides by the count of non-padded cells; act applied after)
//  OP_SOFTMAX             F_X, F_Y, F_M (rows), F_N (row length)        softmax over the last axis, in place ok
//  OP_BINARY              F_X (a), F_W (b), F_Y, F_M (rows), F_N (cols), F_FN, F_AMODE, F_BMODE
//                         y[r, c] = act(a[.] (fn) b[.]); a mode/b mode: BCAST_FULL [rows, cols],
//                         BCAST_ROW [cols] repeated on every row, BCAST_SCALAR one value.
//
//  conv fields: F_X, F_W, F_B, F_Y, F_BATCH, F_IH, F_IW, F_IC, F_OH, F_OW, F_OC, F_KH, F_KW, F_SH, F_SW,
//               F_DH, F_DW, F_PT (pad top), F_PL (pad left). Bottom/right pads are implied by F_OH/F_OW.
//               Groups are not supported in wasm (the planner maps groups == cin to depthwise, else JS).
//
// Packed dense / conv weights (OP_DENSE, OP_CONV2D_*): the [K, N] kernel (a conv's HWIO kernel is [kh*kw*cin,
// cout]) is cut into column panels: floor(N / 8) panels of 8 columns, then, for the remaining r = N mod 8
// columns, one more 8-wide panel if r > 4 or one 4-wide panel if 1 <= r <= 4 (zero-padded). Each panel is
// stored k-major: panel p occupies K * width floats, element (k, j) at k * width + j. Panels follow one
// another. This matches the 4x8 / 1x8 / 4x4 / 1x4 register tiles of as/gemm.ts (a v128 pair per k-row).
//
// Bias vectors and any other constant the kernels read as v128 are zero-padded to a multiple of 16 floats.
// OP_CONV2D_IM2COL needs F_SCRATCH to hold F_MC * (kh*kw*cin + 4) floats (F_MC rows of the im2col matrix per
// block, each with 4 floats of slack for whole-vector copies);
// OP_CONV2D_DIRECT needs F_SCRATCH to hold 5 * kh*kw int32 (4 row pointers and one tap offset per tap) and
// F_ZERO to point at >= cin zeros (the wasm kernel copies each padded image into scratch instead and needs
// max(16 * kh*kw, 4 * kh*kw*cin) + 64 + 4 * HP*WP*cin + 64 bytes, HP = (oh-1)*sh + (kh-1)*dh + 1, WP likewise).
//
// Opcodes only some engines implement (the wasm kernels do) are in ./step-encoding-ext.ts.

/** Words per step record. */
export const STEP_WORDS = 32;
/** Bytes per step record. */
export const STEP_BYTES = 128;

// ---- opcodes ----
export const OP_COPY = 1;
export const OP_ACTIVATION = 2;
export const OP_DENSE = 3;
export const OP_CONV2D_IM2COL = 4;
export const OP_CONV2D_DIRECT = 5;
export const OP_DEPTHWISE_CONV2D = 6;
export const OP_MAXPOOL = 7;
export const OP_AVGPOOL = 8;
export const OP_SOFTMAX = 9;
export const OP_BINARY = 10;

// ---- word indices inside a step record ----
export const F_OP = 0;
export const F_ACT = 1;
/** (f32) activation parameter: leaky_relu/elu alpha, thresholded_relu theta, clip min, legacy hard_sigmoid slope. */
export const F_ALPHA = 2;
/** (f32) activation parameter: clip max, legacy hard_sigmoid offset. */
export const F_BETA = 3;
export const F_X = 4;
export const F_W = 5;
export const F_B = 6;
export const F_Y = 7;
export const F_SCRATCH = 8;
export const F_M = 9;
export const F_K = 10;
export const F_N = 11;
export const F_BATCH = 12;
export const F_IH = 13;
export const F_IW = 14;
export const F_IC = 15;
export const F_OH = 16;
export const F_OW = 17;
export const F_OC = 18;
export const F_KH = 19;
export const F_KW = 20;
export const F_SH = 21;
export const F_SW = 22;
export const F_DH = 23;
export const F_DW = 24;
export const F_PT = 25;
export const F_PL = 26;
export const F_MC = 27;
export const F_ZERO = 28;
export const F_MULT = 29;
export const F_FN = 27;
export const F_AMODE = 28;
export const F_BMODE = 29;

// ---- activation codes (F_ACT); semantics are those of src/ops/activation-fns.ts ----
export const ACT_LINEAR = 0;
export const ACT_RELU = 1;
export const ACT_RELU6 = 2;
/** alpha = lo, beta = hi. */
export const ACT_CLIP = 3;
/** alpha = slope. */
export const ACT_LEAKY_RELU = 4;
/** alpha. */
export const ACT_ELU = 5;
export const ACT_SELU = 6;
export const ACT_SIGMOID = 7;
export const ACT_TANH = 8;
/** Keras 3 / tf.keras >= 2.12: relu6(x + 3) / 6. */
export const ACT_HARD_SIGMOID = 9;
/** Legacy: clip(alpha * x + beta, 0, 1). */
export const ACT_HARD_SIGMOID_LINEAR = 10;
export const ACT_SWISH = 11;
export const ACT_HARD_SWISH = 12;
export const ACT_SOFTSIGN = 13;
export const ACT_EXPONENTIAL = 14;
/** alpha = theta. */
export const ACT_THRESHOLDED_RELU = 15;
export const ACT_GELU_TANH = 16;
// Scalar-path activations (computed lane by lane in float64 inside wasm; correct but not vectorised):
export const ACT_SOFTPLUS = 17;
export const ACT_GELU = 18;
export const ACT_MISH = 19;
/** One past the last activation code. */
export const ACT_COUNT = 20;

// ---- binary functions (F_FN) and operand modes (F_AMODE, F_BMODE) ----
export const BIN_ADD = 0;
export const BIN_SUB = 1;
export const BIN_MUL = 2;
export const BIN_DIV = 3;
export const BIN_MAX = 4;
export const BIN_MIN = 5;
export const BIN_POW = 6;
export const BCAST_FULL = 0;
export const BCAST_ROW = 1;
export const BCAST_SCALAR = 2;

// ---- tiling constants the encoder must agree with ----
/** Width of a full weight panel (floats). */
export const PANEL = 8;
/** Width of the narrow tail panel (floats). */
export const PANEL_TAIL = 4;
/** Constants are zero-padded to a multiple of this many floats. */
export const CONST_PAD = 16;

// ---- the sum order of every GEMM output (OP_DENSE, OP_CONV2D_IM2COL), shared by all engines ----
// K is cut into nb = ceil(K / KSPLIT_BLOCK) near-equal blocks (block j: floor(K / nb) k-steps, plus one while
// j < K mod nb). When K >= KSPLIT_MIN, each block is summed as KSPLIT_CHAINS chains, chain u over the block's
// k-steps k0 + u, k0 + u + KSPLIT_CHAINS, ... in that order, each from 0 (multiply-add: fused or not as the
// build's fma); below, one chain. Then y = act(((bias + c_00) + c_01) + ... + c_10 + ...): chain sums added in
// block, then chain order (no bias: the first chain sum itself). The order depends on K alone, so a row's bits
// depend neither on how many rows the step has nor on where the row falls in a register tile: batch N gives the
// bits of N batch-1 calls. Multi-row tiles run one chain of one block per pass (a chain's weights stay in cache
// while they sweep the row tiles); one-row kernels run a block's chains together over one contiguous stream of
// weights, so that independent chains hide the FMA latency a single in-order chain would expose.
// An engine may use fewer chains for some steps, decided by K and N only and the same in all its kernels: the
// wasm kernels use 2 for N = 9..12, where their one-row kernel has room for the accumulators of 2 chains only.
/** Chains per block (K >= KSPLIT_MIN). */
export const KSPLIT_CHAINS = 3;
/** Shortest K summed as KSPLIT_CHAINS chains per block: shorter passes would cost multi-row tiles more. */
export const KSPLIT_MIN = 192;
/** Longest block: a chain is then at most 256 k-steps (an 8-wide panel's 8 KiB), as the tiles' old K blocks. */
export const KSPLIT_BLOCK = 768;
