// A Keras-style model summary: layer (type), output shape, parameter count, connections; then totals.

import type { ImportedModel } from '../formats/types.js';

function fmtShape(s: readonly number[]): string {
  return `(${['None', ...s.slice(1).map(String)].join(', ')}${s.length === 1 ? ',' : ''})`;
}

export function summarize(m: ImportedModel): string {
  const rows = m.layers.map((l) => [
    `${l.name} (${l.className})`,
    l.outputShapes.map((s) => (s[0] === -1 ? fmtShape(s) : `(${s.join(', ')})`)).join(', ') || '-',
    l.params.toLocaleString('en-US'),
    l.inbound.join(', '),
  ]);
  const head = ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const showConn = rows.some((r) => r[3] !== '');
  const cols = showConn ? 4 : 3;
  const widths = head.slice(0, cols).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
  const line = (cells: string[]) => cells.slice(0, cols).map((c, i) => c.padEnd(widths[i])).join('').trimEnd();
  const total = m.layers.reduce((a, l) => a + l.params, 0);
  const width = widths.reduce((a, b) => a + b, 0);
  return [
    `Model: ${m.file} (${m.format}${m.graph.meta['keras_version'] ? `, keras ${m.graph.meta['keras_version']}` : ''})`,
    '='.repeat(width),
    line(head),
    '='.repeat(width),
    ...rows.map(line),
    '='.repeat(width),
    `Total params: ${total.toLocaleString('en-US')}`,
  ].join('\n');
}
