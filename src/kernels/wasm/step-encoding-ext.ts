// Extensions of the wasm program format (./step-encoding.ts): opcodes that the wasm kernels implement but other
// engines of the same step records need not (the native addon, for one). A planner emits them only for an engine
// that declares them (ProgramFeatures in ./backend.ts). Same rules as step-encoding.ts: plain `export const`
// lines, valid TypeScript and AssemblyScript, imported by both sides; field indices come from step-encoding.ts.
//
//  opcode                 fields used (besides F_OP, F_ACT, F_ALPHA, F_BETA)
//  OP_CONV2D_WINOGRAD     conv fields, F_SCRATCH, F_MC        NHWC conv, 3x3 or 5x5 kernel, stride 1, dilation 1:
//                         Winograd F(2x2, 3x3) / F(2x2, 5x5) over blocks of F_MC output tiles (F_MC % 4 == 0)
//  OP_CONV2D_WINOGRAD_F4  the same fields; 3x3 kernel only: Winograd F(4x4, 3x3) (m = 4, t = 6)
//
// OP_CONV2D_WINOGRAD (m = 2 outputs per tile side, r = kh = kw in {3, 5}; OP_CONV2D_WINOGRAD_F4: m = 4, r = 3;
// t = m + r - 1 either way): F_W holds t*t packed
// [cin, cout] matrices (the transformed kernel U_e = (G g G^T)[e] for e = i*t + j, each in the panel layout of
// step-encoding.ts, one after another). F_SCRATCH holds, each region starting 64-byte aligned: the zero-padded
// image [HP, WP, cinP] (HP = m*ceil(oh/m) + r - 1, WP = m*ceil(ow/m) + r - 1, cinP = cin rounded up to 4), then
// V [t*t, F_MC, cinP], then M [t*t, F_MC, coutP] (coutP = cout rounded up to 8), then 256 floats of temp.

//
// F_POOL (word 30, 0 in the base format) on OP_CONV2D_DIRECT and OP_CONV2D_WINOGRAD_F4: POOL_MAX_2X2 fuses a 2x2 /
// stride-2 / valid max pool of the conv's output (after its activation, which must be linear, relu or relu6) into
// the conv: F_Y then holds [batch, floor(oh / 2), floor(ow / 2), cout], F_OH / F_OW stay the conv's. Same
// values as the conv step followed by OP_MAXPOOL (NaN skipped, the 2x2 window's pmax order of as/pool.ts).
// OP_CONV2D_DIRECT takes it for cout % 8 == 0, OP_CONV2D_WINOGRAD_F4 for cout % 4 == 0.

/** First opcode number of the extensions (the base format uses 1..10). */
export const OP_EXT_FIRST = 64;
export const OP_CONV2D_WINOGRAD = 64;
export const OP_CONV2D_WINOGRAD_F4 = 65;

/** Step word of the fused pool (conv steps; 0: none). */
export const F_POOL = 30;
/** F_POOL: 2x2 / stride-2 / valid max pool after the activation. */
export const POOL_MAX_2X2 = 1;
