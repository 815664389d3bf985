// Vector math for the kernels: the multiply-add used by every inner loop, exp/expm1/tanh/sigmoid on f32x4,
// and the activation table (codes from ../step-encoding.ts, semantics from src/ops/activation-fns.ts).
// Activations use plain mul/add (never relaxed FMA) so both builds give identical activation results.

import {
  ACT_LINEAR, ACT_RELU, ACT_RELU6, ACT_CLIP, ACT_LEAKY_RELU, ACT_ELU, ACT_SELU, ACT_SIGMOID, ACT_TANH,
  ACT_HARD_SIGMOID, ACT_HARD_SIGMOID_LINEAR, ACT_SWISH, ACT_HARD_SWISH, ACT_SOFTSIGN, ACT_EXPONENTIAL,
  ACT_THRESHOLDED_RELU, ACT_GELU_TANH, ACT_SOFTPLUS, ACT_GELU, ACT_MISH,
} from "../step-encoding";

/** 16 bytes of scratch for tails that go through a full vector. */
export const TMP4: usize = memory.data(16, 16);

/** c + a * b: one fused f32x4.relaxed_madd in the relaxed build, mul + add (two roundings) otherwise. */
// @ts-ignore: decorator
@inline export function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

// @ts-ignore: decorator
@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/**
 * Tiny inputs never reach the exp / tanh polynomials. Subnormal operands and results (a subnormal x, or r * r
 * of a tiny r) take the CPU's slow path (microcode assists) and WebAssembly has no flush-to-zero mode, so tanh
 * on subnormal inputs took 2.8x its normal time, sigmoid and softmax 2.3x (bench/denormals.ts, AMD EPYC), for
 * results that are plain: below EXP_TINY exp(x) rounds to 1, below TANH_TINY tanh(x) rounds to x (x^3 / 3 is
 * under half an ulp of x). Where the sign of exp's argument is known (sigmoid, softmax, tanh) the flush is
 * free: the range clamp stops at -EXP_TINY or starts at +EXP_TINY, whose exp also rounds to 1.
 */
const EXP_TINY: f32 = 1.0 / <f32>(1 << 26); // 2^-26: 1 + x rounds to 1 (half an ulp of 1 is 2^-25 below it)
const TANH_TINY: f32 = 1.0 / <f32>(1 << 12); // 2^-12: x^2 / 3 <= 2^-24 / 3, under half an ulp relative (2^-25)

/**
 * exp on each lane, Cephes expf polynomial (about 1-2 ulp), of x clamped to [lo, hi]. Range reduction
 * n = round(x log2 e) with the scale 2^n applied as two halves, so results down to the float32 denormals and
 * up to +Inf come out right. NaN in -> NaN out (pmin/pmax keep NaN in their first operand).
 */
// @ts-ignore: decorator
@inline function vexpIn(x0: v128, lo: f32, hi: f32): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, splat(lo)), splat(hi));
  const fx = f32x4.nearest(f32x4.mul(x, splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(fx, splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, splat(-2.12194440e-4)));
  const z = f32x4.mul(r, r);
  let y = splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), r), splat(1.0));
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/** exp of any x: |x| < EXP_TINY is flushed to 0 first (the same result, 1). */
export function vexp(x: v128): v128 {
  return vexpIn(v128.andnot(x, f32x4.lt(f32x4.abs(x), splat(EXP_TINY))), -104.0, 89.0);
}

/** exp of x <= 0 (or NaN), as in softmax and sigmoid: (-EXP_TINY, 0] clamps to -EXP_TINY, same result. */
export function vexpNeg(x: v128): v128 {
  return vexpIn(x, -104.0, -EXP_TINY);
}

/**
 * exp(x) - 1 without cancellation near 0: Taylor series to x^8 for |x| < 0.5, exp(x) - 1 beyond. Not flushed
 * here: its result for a tiny x is x itself; its callers (elu, selu) pass daz(x).
 */
export function vexpm1(x: v128): v128 {
  let p = splat(<f32>(1.0 / 40320.0));
  p = f32x4.add(f32x4.mul(p, x), splat(<f32>(1.0 / 5040.0)));
  p = f32x4.add(f32x4.mul(p, x), splat(<f32>(1.0 / 720.0)));
  p = f32x4.add(f32x4.mul(p, x), splat(<f32>(1.0 / 120.0)));
  p = f32x4.add(f32x4.mul(p, x), splat(<f32>(1.0 / 24.0)));
  p = f32x4.add(f32x4.mul(p, x), splat(<f32>(1.0 / 6.0)));
  p = f32x4.add(f32x4.mul(p, x), splat(0.5));
  p = f32x4.add(f32x4.mul(p, x), splat(1.0));
  p = f32x4.mul(p, x);
  const big = f32x4.sub(vexpIn(x, -104.0, 89.0), splat(1.0));
  return v128.bitselect(p, big, f32x4.lt(f32x4.abs(x), splat(0.5)));
}

/** 1 / (1 + exp(-x)) computed from exp(-|x|) so neither side overflows. */
export function vsigmoid(x: v128): v128 {
  const e = vexpNeg(f32x4.neg(f32x4.abs(x)));
  const d = f32x4.add(e, splat(1.0));
  return v128.bitselect(f32x4.div(splat(1.0), d), f32x4.div(e, d), f32x4.ge(x, splat(0.0)));
}

/**
 * tanh: Cephes odd polynomial for |x| < 0.625 (run on 0 below TANH_TINY, where it gives x itself),
 * 1 - 2 / (exp(2|x|) + 1) with the sign restored beyond.
 */
export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const xf = v128.andnot(x, f32x4.lt(ax, splat(TANH_TINY)));
  const s = f32x4.mul(xf, xf);
  let p = splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, s), splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, s), splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, s), splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, s), splat(-3.33332819422e-1));
  // + x, not + xf: a flushed lane gives 0 + x = x.
  p = f32x4.add(f32x4.mul(f32x4.mul(p, s), xf), x);
  // Only |x| >= 0.625 uses this side, so the clamp from EXP_TINY changes no result.
  const e = vexpIn(f32x4.add(ax, ax), EXP_TINY, 89.0);
  let t = f32x4.sub(splat(1.0), f32x4.div(splat(2.0), f32x4.add(e, splat(1.0))));
  t = v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(p, t, f32x4.lt(ax, splat(0.625)));
}

/**
 * Subnormal lanes (|x| < 2^-126) become zero of the same sign; NaN, Inf and normal lanes pass unchanged (NaN
 * compares false). For the activations whose exact result for a subnormal x is itself subnormal (alpha x,
 * x / 2, ...): producing that subnormal takes the CPU's slow path, which made swish 3.0-3.5x, gelu_tanh 2.2-3.2x,
 * hard_swish 2.1x, softsign 1.8x and elu (at times) 2.4x slower on subnormal inputs (bench/denormals.ts), and
 * WebAssembly cannot turn on flush-to-zero. TensorFlow's CPU
 * runtime runs every kernel with FTZ and DAZ on (tensorflow/core/platform/denormal.cc, ScopedFlushDenormal, set
 * on each thread of its pools), so there a subnormal input already reads as +-0 and these activations give +-0:
 * flushing first follows it, at 4 vector operations (4-19% of those activations' normal-input time, measured in
 * docs/robustness.md).
 * Activations that do no arithmetic on x (relu, clip, ...) or whose result for a tiny x is plain (sigmoid 0.5,
 * tanh x, exp 1, softplus log 2) are left alone.
 */
// @ts-ignore: decorator
@inline export function daz(x: v128): v128 {
  const tiny = f32x4.lt(f32x4.abs(x), splat(1.17549435e-38)); // 2^-126, FLT_MIN
  // tiny >>> 1 is the mask without its sign bit, so -0 stays -0 (TensorFlow's DAZ keeps the sign too); a
  // sign-bit constant instead would cost more (V8 builds every v128 constant anew on each use in the loop).
  return v128.andnot(x, i32x4.shr_u(tiny, 1));
}

/**
 * a * b and a / b for the binary ops as TensorFlow's CPU runtime computes them with FTZ and DAZ on (see daz):
 * subnormal operands read as zero of their sign, and a product or quotient below 2^-126 is zero of its sign.
 * The subnormal is never made: the first operand is zeroed instead (keeping its sign, so the result's sign is
 * the usual one). Making it took mul up to 1.5x and div 1.5-1.6x their normal time here, native mul up to 1.8x
 * and div 2.2-2.3x (bench/denormals.ts, docs/robustness.md). The tests make no subnormal either:
 * - mul: (|a| 2^126) |b| < 1. |a| 2^126 is 0, 1 or more, or +Inf (|a| >= 4, where the product is normal), so
 *   the product rounds once, to float32: the test is x86's FTZ one (tininess after rounding). 0 x Inf is NaN,
 *   which keeps the lane (NaN).
 * - div: |a| 2^126 < |b|, the exact quotient below 2^-126 (x86 would keep the few that round up to 2^-126).
 * add / sub / max / min / pow showed no slow path and are left alone.
 */
// @ts-ignore: decorator
@inline export function mulFtz(a: v128, b: v128): v128 {
  a = daz(a);
  b = daz(b);
  const tiny = f32x4.lt(f32x4.mul(f32x4.mul(f32x4.abs(a), splat(85070591730234615865843651857942052864.0)), f32x4.abs(b)), splat(1.0)); // 2^126
  return f32x4.mul(v128.andnot(a, i32x4.shr_u(tiny, 1)), b);
}

// @ts-ignore: decorator
@inline export function divFtz(a: v128, b: v128): v128 {
  a = daz(a);
  b = daz(b);
  const tiny = f32x4.lt(f32x4.mul(f32x4.abs(a), splat(85070591730234615865843651857942052864.0)), f32x4.abs(b)); // 2^126
  return f32x4.div(v128.andnot(a, i32x4.shr_u(tiny, 1)), b);
}

// ---- scalar activations (float64, lane by lane) for the rarely used transcendental ones ----

function softplus(x: f64): f64 {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function erf(x: f64): f64 {
  // The same Numerical Recipes erfc approximation as src/ops/activation-fns.ts (|err| < 1.2e-7).
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

function actScalar(x: f64, code: i32): f64 {
  if (code == ACT_SOFTPLUS) return softplus(x);
  if (code == ACT_GELU) return 0.5 * x * (1 + erf(x / Math.SQRT2));
  if (code == ACT_MISH) return x * Math.tanh(softplus(x));
  return x;
}

function actLanes(v: v128, code: i32): v128 {
  v = f32x4.replace_lane(v, 0, <f32>actScalar(<f64>f32x4.extract_lane(v, 0), code));
  v = f32x4.replace_lane(v, 1, <f32>actScalar(<f64>f32x4.extract_lane(v, 1), code));
  v = f32x4.replace_lane(v, 2, <f32>actScalar(<f64>f32x4.extract_lane(v, 2), code));
  v = f32x4.replace_lane(v, 3, <f32>actScalar(<f64>f32x4.extract_lane(v, 3), code));
  return v;
}

/**
 * Applies activation `code` (with its parameters) to four lanes. The ones whose result for a subnormal x would
 * be subnormal run on daz(x) (see there): TensorFlow's +-0 instead of a slow subnormal product.
 */
export function actv(x: v128, code: i32, alpha: f32, beta: f32): v128 {
  const zero = splat(0.0);
  switch (code) {
    case ACT_LINEAR: return x;
    // pmax(x, 0) = x < 0 ? 0 : x exactly as the reference: NaN stays NaN, -0 stays -0.
    case ACT_RELU: return f32x4.pmax(x, zero);
    case ACT_RELU6: return f32x4.pmin(f32x4.pmax(x, zero), splat(6.0));
    case ACT_CLIP: return f32x4.pmin(f32x4.pmax(x, splat(alpha)), splat(beta));
    case ACT_LEAKY_RELU: {
      x = daz(x);
      return v128.bitselect(f32x4.mul(x, splat(alpha)), x, f32x4.lt(x, zero));
    }
    case ACT_ELU: {
      x = daz(x);
      return v128.bitselect(x, f32x4.mul(vexpm1(x), splat(alpha)), f32x4.gt(x, zero));
    }
    case ACT_SELU: {
      x = daz(x);
      const scale: f32 = 1.0507009873554805;
      const sa: f32 = <f32>(1.0507009873554805 * 1.6732632423543772);
      return v128.bitselect(f32x4.mul(x, splat(scale)), f32x4.mul(vexpm1(x), splat(sa)), f32x4.gt(x, zero));
    }
    case ACT_SIGMOID: return vsigmoid(x);
    case ACT_TANH: return vtanh(x);
    case ACT_HARD_SIGMOID:
      return f32x4.div(f32x4.pmin(f32x4.pmax(f32x4.add(x, splat(3.0)), zero), splat(6.0)), splat(6.0));
    case ACT_HARD_SIGMOID_LINEAR:
      x = daz(x);
      return f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(x, splat(alpha)), splat(beta)), zero), splat(1.0));
    case ACT_SWISH:
      x = daz(x);
      return f32x4.mul(x, vsigmoid(x));
    case ACT_HARD_SWISH:
      x = daz(x);
      // x * (clamp / 6) rather than (x * clamp) / 6: no overflow near FLT_MAX (the reference works in float64).
      return f32x4.mul(x, f32x4.div(f32x4.pmin(f32x4.pmax(f32x4.add(x, splat(3.0)), zero), splat(6.0)), splat(6.0)));
    case ACT_SOFTSIGN:
      x = daz(x);
      return f32x4.div(x, f32x4.add(f32x4.abs(x), splat(1.0)));
    case ACT_EXPONENTIAL: return vexp(x);
    case ACT_THRESHOLDED_RELU:
      return v128.bitselect(x, zero, v128.or(f32x4.gt(x, splat(alpha)), f32x4.ne(x, x)));
    case ACT_GELU_TANH: {
      x = daz(x);
      const x3 = f32x4.mul(f32x4.mul(x, x), x);
      // 0.5 x (1 + tanh(u)) = x sigmoid(2u): no cancellation in 1 + tanh(u) for negative x.
      const u2 = f32x4.mul(f32x4.add(x, f32x4.mul(x3, splat(0.044715))), splat(<f32>(2 * 0.7978845608028654)));
      return f32x4.mul(x, vsigmoid(u2));
    }
    // gelu and mish give a subnormal too (0.5 x, 0.6 x); softplus gives log 2 either way.
    default: return actLanes(daz(x), code);
  }
}

/** dst[0..n) = act(src[0..n)); src == dst allowed. The tail goes through one full vector in TMP4. */
export function actRow(src: usize, dst: usize, n: i32, code: i32, alpha: f32, beta: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(dst + off, actv(v128.load(src + off), code, alpha, beta));
  }
  if (i < n) {
    const rem = n - i;
    v128.store(TMP4, splat(0.0));
    for (let j = 0; j < rem; j++) store<f32>(TMP4 + (<usize>j << 2), load<f32>(src + (<usize>(i + j) << 2)));
    v128.store(TMP4, actv(v128.load(TMP4), code, alpha, beta));
    for (let j = 0; j < rem; j++) store<f32>(dst + (<usize>(i + j) << 2), load<f32>(TMP4 + (<usize>j << 2)));
  }
}

/** Stores the first `lanes` (1..4) lanes of v at p. */
export function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes >= 4) { v128.store(p, v); return; }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}
