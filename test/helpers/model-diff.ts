// Model-level comparisons for e2e tests: max |a - b| with where it happened, and a printable table.

import assert from 'node:assert/strict';

export interface Diff {
  /** max |got - want| over finite pairs (Infinity when a non-finite value does not match). */
  readonly maxAbs: number;
  /** Flat index of the worst element. */
  readonly at: number;
  readonly got: number;
  readonly want: number;
  /** max(1, max |want|): the scale a relative tolerance applies to. */
  readonly scale: number;
}

export function diff(got: ArrayLike<number>, want: ArrayLike<number>): Diff {
  assert.equal(got.length, want.length, `length ${got.length} vs expected ${want.length}`);
  let maxAbs = 0;
  let at = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isFinite(w)) scale = Math.max(scale, Math.abs(w));
    let d: number;
    if (Number.isNaN(g) || Number.isNaN(w)) d = Number.isNaN(g) && Number.isNaN(w) ? 0 : Infinity;
    else if (!Number.isFinite(g) || !Number.isFinite(w)) d = g === w ? 0 : Infinity;
    else d = Math.abs(g - w);
    if (d > maxAbs || (d === Infinity && maxAbs !== Infinity)) {
      maxAbs = d;
      at = i;
    }
  }
  return { maxAbs, at, got: got[at], want: want[at], scale };
}

/** Flat index -> multi-index for a row-major shape. */
export function unravel(index: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(0);
  let r = index;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = Math.max(1, shape[i]);
    out[i] = r % d;
    r = Math.floor(r / d);
  }
  return out;
}

/**
 * Asserts max |got - want| <= tol * max(1, max |want|) and returns the diff. The message names the case,
 * the worst element's index (in `shape`, batch first) and both values.
 */
export function assertMaxDiff(what: string, got: ArrayLike<number>, want: ArrayLike<number>, shape: readonly number[], tol: number): Diff {
  const d = diff(got, want);
  if (!(d.maxAbs <= tol * d.scale)) {
    assert.fail(
      `${what}: max |kerasrt - expected| = ${d.maxAbs.toExponential(3)} > ${tol} * ${d.scale.toPrecision(4)} ` +
        `at [${unravel(d.at, shape).join(', ')}] of [${shape.join(', ')}]: kerasrt ${d.got}, expected ${d.want}`,
    );
  }
  return d;
}

/** Renders rows as a Markdown table (so it can be quoted as is). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function fmtExp(x: number | undefined): string {
  if (x === undefined) return '-';
  return x === 0 ? '0' : x.toExponential(1);
}
