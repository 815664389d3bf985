// How a hostile case's result is judged, and the counts table the closing note of issue 6 reports.

import type { Category, HostileCase } from './corpus.js';
import type { CaseResult } from './run-case.js';

export const TIME_LIMIT_MS = 2000;

/** Why a result is not what the case demands, or undefined when it is. */
export function judge(c: HostileCase, r: CaseResult): string | undefined {
  switch (r.outcome) {
    case 'timeout':
    case 'oom':
    case 'crash':
      return `${r.outcome}: ${r.message ?? ''}`;
    case 'raw':
      return `untyped ${r.name} escaped: ${r.message?.split('\n').slice(0, 3).join(' | ')}`;
  }
  if (r.ms > TIME_LIMIT_MS) return `took ${r.ms.toFixed(0)} ms`;
  if (r.outcome === 'ok') {
    if (!c.expect.includes('ok')) return `loaded, expected ${c.expect.join(' | ')}`;
    if (c.run && r.nonFinite !== c.run.expectNonFinite) return `outputs ${r.nonFinite ? 'hold' : 'hold no'} NaN/Inf, expected ${c.run.expectNonFinite ? 'NaN/Inf to propagate' : 'finite outputs'}`;
    return undefined;
  }
  if (!c.expect.includes('KerasrtError') && !c.expect.includes(r.name as never)) return `${r.name}: ${r.message} (expected ${c.expect.join(' | ')})`;
  const named = r.file !== undefined && (r.file === c.main || r.file.startsWith(`${c.main}:`) || Object.prototype.hasOwnProperty.call(c.files, r.file));
  if (!named) return `the error does not name the file: ${r.name}: ${r.message}`;
  if (r.net) return `only the importer's safety net caught it (a reader threw untyped): ${r.message}`;
  return undefined;
}

const CATEGORIES: readonly Category[] = [
  'truncation', 'wrong-magic', 'corruption', 'manifest', 'graph', 'shape-bomb', 'zip-bomb', 'deep-nesting', 'proto-keys', 'path-escape', 'refusal', 'nan-inf', 'limits', 'fuzz-finding',
];
const SHORT: Readonly<Record<Category, string>> = {
  truncation: 'trunc', 'wrong-magic': 'magic', corruption: 'corrupt', manifest: 'manif', graph: 'graph', 'shape-bomb': 'shape', 'zip-bomb': 'zipbomb',
  'deep-nesting': 'nest', 'proto-keys': 'proto', 'path-escape': 'path', refusal: 'refuse', 'nan-inf': 'nan', limits: 'limits', 'fuzz-finding': 'fuzz',
};

/** The counts per format and category, then per outcome, as fixed-width text lines. */
export function corpusTable(cases: readonly HostileCase[], results: readonly CaseResult[]): string[] {
  const formats = [...new Set(cases.map((c) => c.format))];
  const cats = CATEGORIES.filter((k) => cases.some((c) => c.category === k));
  const lines: string[] = [];
  const head = ['format'.padEnd(14), ...cats.map((k) => SHORT[k].padStart(8)), 'total'.padStart(7)].join('');
  lines.push(head);
  for (const f of [...formats, 'all']) {
    const mine = cases.filter((c) => f === 'all' || c.format === f);
    lines.push([f.padEnd(14), ...cats.map((k) => String(mine.filter((c) => c.category === k).length).padStart(8)), String(mine.length).padStart(7)].join(''));
  }
  lines.push('');
  const outcomes = new Map<string, number>();
  results.forEach((r) => {
    const k = r.outcome === 'error' ? `${r.name}${r.net ? ' (safety net)' : ''}` : r.outcome;
    outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  });
  lines.push(`outcomes: ${[...outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const heap = Math.max(...results.map((r) => r.heapMb ?? 0));
  lines.push(`time per case: median ${ms[Math.floor(ms.length / 2)].toFixed(1)} ms, max ${ms[ms.length - 1].toFixed(0)} ms; largest heap after a case ${heap.toFixed(0)} MiB`);
  return lines;
}
