// How `kerasrt bench` shows its results: the terminal table in the study's unit (ms per 10000), the JSON
// file, and a hand-written SVG bar chart (log scale: the paths span four orders of magnitude).

import type { BenchReport, HeadToHead, ModelReport, PathRow } from './founding-bench.js';

// ---- number formatting ----

function fixed(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x >= 1000) return Math.round(x).toLocaleString('en-US');
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function rate(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(0)}k`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(x >= 100 ? 0 : 1);
}

function sci(x: number | undefined): string {
  if (x === undefined) return '-';
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return 'inf';
  return x.toExponential(1);
}

function ratio(x: number | null | undefined): string {
  if (x === null || x === undefined) return '-';
  return `${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2)}x`;
}

// ---- the table ----

/** Wraps a long note at about 120 columns; continuation lines are indented two more than the first. */
function wrap(text: string, width = 120): string {
  const indent = /^ */.exec(text)?.[0] ?? '';
  const out: string[] = [];
  let line = indent;
  for (const w of text.trim().split(/ +/)) {
    if (line.trim() !== '' && line.length + 1 + w.length > width) {
      out.push(line);
      line = `${indent}    ${w}`;
    } else line = line.trim() === '' ? `${line}${w}` : `${line} ${w}`;
  }
  out.push(line);
  return out.join('\n');
}

const HEAD = ['path', 'ms/10000', 'µs p50', 'µs p99', 'img/s b1', 'img/s bM', 'img/s bN', 'max|diff|', 'vs ORT-1t', 'GFLOP/s', 'GC n/ms'];

function rowCells(r: PathRow, mid: string, large: string): string[] {
  if (r.status !== 'ok') return [r.label, r.reason ?? r.status];
  const b = r.batch ?? {};
  const cell = (k: string) => (b[k]?.skipped ? 'skipped' : rate(b[k]?.imagesPerSec));
  const ms = `${fixed(r.msPer10000 ?? NaN)}${r.extrapolated ? '*' : ''}`;
  const gc = r.gc ? `${r.gc.count}/${r.gc.ms.toFixed(r.gc.ms >= 10 ? 0 : 1)}` : '-';
  const diff = `${sci(r.maxAbsDiff)}${r.agrees === false ? ' !' : ''}`;
  return [
    r.label,
    ms,
    fixed(r.usP50 ?? NaN),
    fixed(r.usP99 ?? NaN),
    cell('1'),
    cell(mid),
    cell(large),
    diff,
    ratio(r.timeVsOrt1t),
    r.gflops === undefined ? '-' : r.gflops.toFixed(r.gflops >= 10 ? 0 : r.gflops >= 1 ? 1 : 2),
    gc,
  ];
}

function modelTitle(m: ModelReport): string {
  const arch: Record<string, string> = {
    beginner: 'softmax regression: Dense(10) + softmax',
    expert: 'CNN: Conv 32 3x3, pool, Conv 32 3x3, pool, Dense 128, Dense 10',
    'deep-mnist': 'CNN: Conv 32 5x5, pool, Conv 64 5x5, pool, Dense 1024, Dense 10',
  };
  const w = m.weights === 'trained' ? `trained weights (${m.weightsSource})` : `fixed-seed weights (${m.weightsSource.split(';')[0]})`;
  const acc = `${(m.referenceAccuracy.accuracy * 100).toFixed(1)}% correct on the ${m.referenceAccuracy.images} checked images`;
  return `${m.name} — ${arch[m.name] ?? ''}, ${m.params.toLocaleString('en-US')} params — ${w} — reference: ${acc}`;
}

/** The terminal table: one block per model, then the notes. */
export function formatTable(report: BenchReport): string {
  const p = report.protocol;
  const large = String(p.largeBatch);
  const lines: string[] = [];
  lines.push(`kerasrt bench${report.quick ? ' --quick' : ''}: ${p.calls} sequential single-sample predictions on the real MNIST test images, ${p.loops} loop${p.loops > 1 ? 's' : ''}, warm-up up to ${p.warmUpMax} calls`);
  const mc = report.machine;
  lines.push(`${mc.cpu}, ${mc.cores} cores, ${mc.memoryGiB} GiB, Node ${mc.node}; ${Object.entries(report.peers).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const busy = Math.max(mc.loadAverage.start, mc.loadAverage.end);
  const pk = mc.wasmPeakGflops;
  if (pk.simd !== undefined || pk.relaxed !== undefined) {
    lines.push(`wasm SIMD register multiply-add peak on this core: ${[pk.relaxed !== undefined ? `${pk.relaxed.toFixed(1)} GFLOP/s relaxed (FMA)` : '', pk.simd !== undefined ? `${pk.simd.toFixed(1)} GFLOP/s plain (mul + add)` : ''].filter(Boolean).join(', ')}`);
  }
  lines.push(`load average (1 min) at start ${mc.loadAverage.start.toFixed(2)}, at end ${mc.loadAverage.end.toFixed(2)}${busy > mc.cores / 2 ? ` — the machine was busy (other processes on ${mc.cores} cores): timings are noisy, ratios within this run still compare like with like` : ''}`);
  const mid = String(p.midBatch);
  const head = HEAD.map((h) => (h === 'img/s bN' ? `img/s b${large}` : h === 'img/s bM' ? `img/s b${mid}` : h));
  for (const m of report.models) {
    lines.push('');
    lines.push(modelTitle(m));
    const body = m.rows.map((r) => rowCells(r, mid, large));
    const study = m.study2017.map((s) => [`${s.label}`, s.msPer10000 === null ? '-' : fixed(s.msPer10000), ...Array<string>(HEAD.length - 2).fill('')]);
    const all = [head, ...body, ...study];
    const w = head.map((_, i) => Math.max(...all.filter((r) => r.length > 2 || i === 0).map((r) => (r[i] ?? '').length)));
    const fmt = (cells: string[]) => {
      if (cells.length === 2) return `  ${cells[0].padEnd(w[0])}  ${cells[1]}`;
      return `  ${cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')}`.trimEnd();
    };
    lines.push(fmt(head));
    lines.push(`  ${'-'.repeat(w.reduce((a, b) => a + b + 2, -2))}`);
    for (const r of body) lines.push(fmt(r));
    if (study.length) {
      lines.push('  study, 2017 laptop (printed for comparison, not measured here):');
      for (const r of study) lines.push(fmt(r));
    }
    const ort = m.rows.find((r) => r.id === 'ort-1t' && r.status === 'ok');
    if (ort && m.ort1tP50EarlierUs !== null) {
      lines.push(`  (onnxruntime-node 1 thread p50 measured earlier on this machine: ${m.ort1tP50EarlierUs} µs; this run: ${fixed(ort.usP50 ?? NaN)} µs)`);
    }
    const slow = m.rows.filter((r) => r.extrapolated).map((r) => `${r.label} ${r.timedCalls}`);
    if (slow.length) lines.push(wrap(`  * slow paths, fewer calls timed per loop (ms/10000 scaled from them): ${slow.join(', ')}`));
    const skipped = m.rows.flatMap((r) => Object.entries(r.batch ?? {}).filter(([, s]) => s.skipped).map(([b, s]) => `${r.label} b${b} (${s.skipped})`));
    if (skipped.length) lines.push(wrap(`  batches skipped (over the time or memory budget): ${skipped.join(', ')}`));
    for (const r of m.rows) if (r.status === 'error') lines.push(`  ${r.label}: ERROR ${r.reason}`);
    const bad = m.rows.filter((r) => r.agrees === false);
    for (const r of bad) lines.push(`  ! ${r.label}: outputs differ from kerasrt's reference by ${sci(r.maxAbsDiff)} (> ${p.agreeTolerance})`);
    lines.push(...steadyLines(m, p.heapCalls));
    if (m.headToHead) lines.push(...headToHeadLines(m.headToHead));
  }
  lines.push('', ...targetLines(report));
  lines.push('');
  lines.push(`Columns: ms/10000 = mean wall time of a loop of 10000 sequential calls (the study's unit${p.calls !== 10000 ? `; scaled from ${p.calls} here` : ''}); µs p50/p99 per call;`);
  lines.push(`img/s at batch 1 (the sequential loops), ${mid} and ${large}; max|diff| = largest |output - kerasrt reference| over the checked`);
  lines.push('images (single calls and batch rows; "!" above the tolerance); vs ORT-1t = time relative to onnxruntime-node 1 thread');
  lines.push('(below 1x is faster); GFLOP/s = the model\'s conv + dense multiply-add flops per image over the p50 call time;');
  lines.push('GC n/ms = V8 garbage collections during the timed loops and their total pause.');
  lines.push(wrap(`Protocol: ${p.notes.join('; ')}. Timer pair overhead: ${p.timerOverheadNs} ns per call.`));
  const hows = new Map<string, Set<string>>();
  for (const m of report.models) {
    for (const r of m.rows) {
      if (r.status !== 'ok') continue;
      const labels = hows.get(r.how) ?? new Set<string>();
      labels.add(r.label);
      hows.set(r.how, labels);
    }
  }
  lines.push('Paths:');
  for (const [how, labels] of hows) lines.push(wrap(`  ${[...labels].join(', ')}: ${how}`));
  lines.push(wrap('  TF.js back ends: cpu = plain JavaScript kernels; wasm = XNNPACK compiled to WebAssembly with SIMD, one thread in Node.'));
  return lines.join('\n');
}

/** Load + compile from the file (fresh processes) and heap growth, one line per back end. */
function steadyLines(m: ModelReport, heapCalls: number): string[] {
  const out: string[] = [];
  for (const l of m.loadCompile) {
    out.push(
      `  load + compile, kerasrt ${l.backend} (${l.file.endsWith('model.json') ? 'model.json' : l.file}, median of ${l.starts} fresh process${l.starts > 1 ? 'es' : ''}): ` +
        `${fixed(l.loadMs + l.compileMs)} ms (load ${fixed(l.loadMs)} + compile ${fixed(l.compileMs)}); first predict ${fixed(l.firstPredictMs)} ms; ` +
        `import kerasrt ${fixed(l.importMs)} ms; again in a warm process ${fixed(l.warmLoadCompileMs)} ms`,
    );
  }
  for (const h of m.heap) {
    out.push(`  heap over ${h.calls.toLocaleString('en-US')} predictions, kerasrt ${h.backend}: heapUsed ${signedBytes(h.heapUsedDelta)}, external ${signedBytes(h.externalDelta)}, ${h.gcDuringLoop} GC during the loop`);
  }
  for (const e of m.steadyErrors) out.push(`  load/heap check failed: ${e}`);
  if (m.heap.length && m.heap.some((h) => h.calls !== heapCalls)) out.push('  (heap checks ran fewer calls than the protocol)');
  return out.map((l) => wrap(l));
}

function headToHeadLines(h: HeadToHead): string[] {
  const k = (x: number) => (x >= 1e4 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));
  const parts = h.paths.map((x) => `${x.label} ${k(x.median)} [${k(Math.min(...x.imagesPerSec))}-${k(Math.max(...x.imagesPerSec))}]`);
  return [wrap(`  batch ${h.batch} head to head (${h.rounds} interleaved rounds of ${h.msPerRound} ms per path; median img/s [min-max]): ${parts.join(', ')}`)];
}

function signedBytes(b: number): string {
  const a = Math.abs(b);
  const s = a >= 1024 * 1024 ? `${(a / 1024 / 1024).toFixed(1)} MiB` : a >= 1024 ? `${(a / 1024).toFixed(1)} KiB` : `${a} B`;
  return `${b < 0 ? '-' : '+'}${s}`;
}

/** The issue's targets (docs/kernels.md), checked against this run's figures: p50 per call, same run. */
export function targetLines(report: BenchReport): string[] {
  const out = ['Targets (p50 per call against onnxruntime-node 1 thread, this run):'];
  const model = (n: string) => report.models.find((m) => m.name === n);
  const ok = (r: PathRow | undefined): r is PathRow => r !== undefined && r.status === 'ok' && r.usP50 !== undefined;
  const ort = (m: ModelReport) => m.rows.find((r) => r.id === 'ort-1t' && ok(r));
  const kerasrt = (m: ModelReport, only?: (r: PathRow) => boolean) =>
    m.rows.filter((r) => r.family === 'kerasrt' && ok(r) && (only ? only(r) : true)).sort((a, b) => (a.usP50 as number) - (b.usP50 as number))[0];
  const wasm = (r: PathRow) => r.id.includes('wasm');
  const verdict = (x: number, limit: number) => (x <= limit ? 'met' : 'NOT met');
  const vs = (name: string, limit: number, what: string, only?: (r: PathRow) => boolean) => {
    const m = model(name);
    const o = m && ort(m);
    const k = m && kerasrt(m, only);
    if (!m || !o || !k) return;
    const x = (k.usP50 as number) / (o.usP50 as number);
    out.push(`  ${name}, ${what}: ${k.label} ${fixed(k.usP50 as number)} µs vs ${fixed(o.usP50 as number)} µs = ${x.toFixed(2)}x (target <= ${limit}x): ${verdict(x, limit)}`);
  };
  vs('beginner', 0.1, 'fastest kerasrt path');
  const b = model('beginner') && kerasrt(model('beginner') as ModelReport);
  if (b) out.push(`  beginner, its p99 / p50: ${((b.usP99 as number) / (b.usP50 as number)).toFixed(2)} (target <= 3): ${verdict((b.usP99 as number) / (b.usP50 as number), 3)}`);
  vs('expert', 0.8, 'fastest kerasrt path');
  vs('expert', 0.8, 'WebAssembly alone', wasm);
  vs('deep-mnist', 1.5, 'WebAssembly alone', wasm);
  const e = model('expert');
  if (e) {
    // Throughput: the head-to-head medians (interleaved rounds) when measured, else the table's mid batch. Against
    // onnxruntime-node's fastest configuration here (its default uses every core) and against 1 thread.
    const mid = String(report.protocol.midBatch);
    const h = e.headToHead;
    const cands: { id: string; label: string; family: string; rate: number }[] = h
      ? h.paths.map((x) => ({ id: x.id, label: x.label, family: x.family, rate: x.median }))
      : e.rows.filter((r) => r.batch?.[mid]?.imagesPerSec).map((r) => ({ id: r.id, label: r.label, family: r.family, rate: r.batch?.[mid]?.imagesPerSec as number }));
    const src = h ? `head to head, median of ${h.rounds} rounds` : 'table';
    const best = (xs: typeof cands) => [...xs].sort((a, b) => b.rate - a.rate)[0];
    const fastest = best(cands.filter((x) => x.family === 'ort'));
    const one = cands.find((x) => x.id === 'ort-1t');
    for (const [what, only] of [['fastest kerasrt path', undefined], ['WebAssembly alone', (x: { id: string }) => x.id.includes('wasm')]] as const) {
      const k = best(cands.filter((x) => x.family === 'kerasrt' && (only ? only(x) : true)));
      for (const o of fastest === one ? [fastest] : [fastest, one]) {
        if (!o || !k) continue;
        const x = k.rate / o.rate;
        out.push(`  expert batch-${mid} throughput (${src}), ${what}: ${k.label} ${k.rate.toFixed(0)} img/s vs ${o.label} ${o.rate.toFixed(0)} = ${x.toFixed(2)}x (target >= 1x): ${x >= 1 ? 'met' : 'NOT met'}`);
      }
    }
  }
  const d = model('deep-mnist');
  for (const l of d?.loadCompile ?? []) {
    const ms = l.loadMs + l.compileMs;
    out.push(`  deep-mnist load + compile, kerasrt ${l.backend}: ${fixed(ms)} ms (target <= 50 ms): ${verdict(ms, 50)}`);
  }
  for (const m of report.models) {
    for (const h of m.heap) {
      const grows = h.heapUsedDelta > 64 * 1024 || h.externalDelta > 64 * 1024;
      out.push(`  ${m.name} heap over ${h.calls.toLocaleString('en-US')} predictions, kerasrt ${h.backend}: ${signedBytes(h.heapUsedDelta)} heap, ${h.gcDuringLoop} GC (target: no growth): ${grows ? 'NOT met' : 'met'}`);
    }
  }
  return out;
}

// ---- SVG chart ----

const COLOURS: Record<string, string> = { tfjs: '#f28e2b', ort: '#4e79a7', kerasrt: '#59a14f', study: '#9c9c9c' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Horizontal bars of ms per 10000 (log scale), one panel per model; the study's rows in grey. */
export function formatSvg(report: BenchReport): string {
  const labelW = 260;
  const plotW = 560;
  const rowH = 18;
  const width = labelW + plotW + 90;
  type Bar = { label: string; ms: number; family: string; star: boolean };
  const panels = report.models.map((m) => {
    const bars: Bar[] = m.rows
      .filter((r) => r.status === 'ok' && r.msPer10000 !== undefined)
      .map((r) => ({ label: r.label, ms: r.msPer10000 as number, family: r.family, star: Boolean(r.extrapolated) }));
    for (const s of m.study2017) if (s.msPer10000 !== null) bars.push({ label: s.label, ms: s.msPer10000, family: 'study', star: false });
    return { m, bars };
  });
  const all = panels.flatMap((p) => p.bars.map((b) => b.ms)).filter((x) => x > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(all.length ? Math.min(...all) : 1)));
  const hi = Math.max(lo * 10, Math.pow(10, Math.ceil(Math.log10(all.length ? Math.max(...all) : 10))));
  const x = (ms: number) => labelW + (plotW * (Math.log10(Math.max(ms, lo)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const out: string[] = [];
  let y = 40;
  const body: string[] = [];
  for (const { m, bars } of panels) {
    body.push(`<text x="10" y="${y}" font-weight="bold">${esc(`${m.name} (${m.weights === 'trained' ? 'trained' : 'fixed-seed'} weights)`)}</text>`);
    y += 10;
    const top = y;
    for (const b of bars) {
      const w = Math.max(1, x(b.ms) - labelW);
      body.push(`<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${esc(b.label)}</text>`);
      body.push(`<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${COLOURS[b.family]}"/>`);
      body.push(`<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 13}">${esc(fixed(b.ms))}${b.star ? '*' : ''}</text>`);
      y += rowH;
    }
    for (let d = lo; d <= hi; d *= 10) {
      body.push(`<line x1="${x(d).toFixed(1)}" y1="${top}" x2="${x(d).toFixed(1)}" y2="${y}" stroke="#ddd"/>`);
    }
    body.push(`<line x1="${labelW}" y1="${top}" x2="${labelW}" y2="${y}" stroke="#444"/>`);
    y += 6;
    for (let d = lo; d <= hi; d *= 10) body.push(`<text x="${x(d).toFixed(1)}" y="${y + 8}" text-anchor="middle" fill="#666">${fixed(d)}</text>`);
    y += 30;
  }
  const legend = Object.entries({ tfjs: 'TF.js', ort: 'onnxruntime-node', kerasrt: 'kerasrt', study: 'study 2017 (other machine)' })
    .map(([k, v], i) => `<rect x="${10 + i * 190}" y="${y}" width="12" height="12" fill="${COLOURS[k]}"/><text x="${26 + i * 190}" y="${y + 11}">${esc(v)}</text>`);
  y += 30;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="10" y="20" font-size="14" font-weight="bold">${esc(`kerasrt bench: ms per 10000 sequential predictions (log scale, shorter is faster)${report.quick ? ', --quick' : ''}`)}</text>`);
  out.push(...body, ...legend);
  out.push(`<text x="10" y="${y - 6}" fill="#666">${esc(`${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}, ${report.date}. * = fewer calls timed, scaled.`)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
