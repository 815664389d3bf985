// `kerasrt bench --quick` smoke test: the command runs, prints the table, and writes a JSON report of the
// documented shape (every path, every kerasrt back end, outputs checked) and an SVG. Speed is not checked.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/command.js';
import { BACKEND_NAMES } from '../../src/runtime/backends.js';
import type { BenchReport } from '../../bench/founding-bench.js';

function capture(): Io & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (l) => outLines.push(l), err: (l) => errLines.push(l), tty: false };
}

test('bench --quick writes a JSON report of the documented shape and an SVG chart', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kerasrt-bench-'));
  try {
    const io = capture();
    const code = await main(['bench', '--quick', '--models', 'beginner', '--out', dir, '--trained', join(dir, 'none')], io);
    assert.equal(code, 0, io.errLines.join('\n'));
    const files = await readdir(dir);
    const json = files.find((f) => /^bench-.*\.json$/.test(f));
    const svg = files.find((f) => /^bench-.*\.svg$/.test(f));
    assert.ok(json && svg, `files written: ${files.join(', ')}`);
    assert.match(await readFile(join(dir, svg), 'utf8'), /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\n$/);

    const report = JSON.parse(await readFile(join(dir, json), 'utf8')) as BenchReport;
    assert.equal(report.tool, 'kerasrt bench');
    assert.equal(report.quick, true);
    assert.equal(report.protocol.calls, 1000);
    assert.equal(report.protocol.loops, 1);
    assert.equal(typeof report.machine.cores, 'number');
    assert.deepEqual(report.models.map((m) => m.name), ['beginner']);

    const m = report.models[0];
    assert.equal(m.weights, 'fixed-seed');
    assert.equal(m.params, 7850);
    assert.ok(m.referenceAccuracy.images > 0);
    assert.deepEqual(m.study2017.map((s) => s.msPer10000), [3787, 3242, 2711, 2588, 578, null, 577, 576]);

    const ids = m.rows.map((r) => r.id);
    for (const id of ['tfjs-cpu-predict', 'tfjs-cpu-execute', 'tfjs-cpu-raw', 'tfjs-wasm-predict', 'tfjs-wasm-execute', 'tfjs-wasm-raw', 'ort-1t', 'ort-2t']) {
      assert.ok(ids.includes(id), `row ${id} missing (have ${ids.join(', ')})`);
    }
    for (const b of BACKEND_NAMES.filter((n) => n !== 'auto')) assert.ok(ids.includes(`kerasrt-${b}`), `kerasrt back end ${b} has no row`);

    for (const r of m.rows) {
      assert.ok(r.status === 'ok' || r.status === 'n/a' || r.status === 'alias', `${r.id}: ${r.status} ${r.reason ?? ''}`);
      if (r.status === 'n/a') {
        assert.match(r.reason ?? '', /^n\/a \(/);
        continue;
      }
      if (r.status === 'alias') {
        assert.match(r.reason ?? '', /^= kerasrt /);
        continue;
      }
      for (const k of ['msPer10000', 'usP50', 'usP99', 'usMean', 'maxAbsDiff'] as const) {
        assert.ok(typeof r[k] === 'number' && Number.isFinite(r[k]), `${r.id}.${k} = ${r[k]}`);
      }
      assert.ok((r.usP99 as number) >= (r.usP50 as number), `${r.id}: p99 < p50`);
      assert.ok((r.timedCalls as number) >= 1 && (r.timedCalls as number) <= 1000);
      assert.ok((r.checkedImages as number) > 0, `${r.id}: no output checked`);
      assert.equal(r.agrees, true, `${r.id}: max |diff| ${r.maxAbsDiff} from the reference`);
      assert.ok(r.gc && typeof r.gc.count === 'number');
      assert.deepEqual(Object.keys(r.batch ?? {}).sort(), ['1', '1000', '64']);
      const b1 = r.batch?.['1'];
      assert.ok(b1 && typeof b1.imagesPerSec === 'number' && b1.imagesPerSec > 0);
    }
    const ort = m.rows.find((r) => r.id === 'ort-1t');
    if (ort?.status === 'ok') assert.equal(ort.timeVsOrt1t, 1);
    const ref = m.rows.find((r) => r.id === 'kerasrt-reference');
    assert.equal(ref?.status, 'ok');
    assert.equal(ref?.maxAbsDiff, 0);

    // Beginner: Dense 784 -> 10, 7840 multiply-adds per image.
    assert.equal(m.flopsPerImage, 2 * 784 * 10);
    const wasmRow = m.rows.find((r) => r.id === 'kerasrt-wasm-relaxed' || r.id === 'kerasrt-wasm-simd');
    if (wasmRow?.status === 'ok') assert.ok((wasmRow.gflops as number) > 0, 'no GFLOP/s on the wasm row');
    // Load + compile and heap growth for each compiled back end measured.
    const compiled = m.rows.filter((r) => r.status === 'ok' && /^kerasrt-(wasm-simd|wasm-relaxed|native)$/.test(r.id)).map((r) => r.id.slice('kerasrt-'.length));
    assert.deepEqual(m.steadyErrors, []);
    assert.deepEqual(m.loadCompile.map((l) => l.backend).sort(), [...compiled].sort());
    assert.deepEqual(m.heap.map((h) => h.backend).sort(), [...compiled].sort());
    for (const l of m.loadCompile) assert.ok(l.loadMs > 0 && l.compileMs > 0 && l.importMs > 0, JSON.stringify(l));
    for (const h of m.heap) assert.equal(h.calls, report.protocol.heapCalls);
    // Head to head at batch 64: every listed path that ran, one rate per round, the median among them.
    const hh = ['ort-1t', 'ort-2t', 'kerasrt-native', 'kerasrt-wasm-threads'].filter((id) => m.rows.some((r) => r.id === id && r.status === 'ok'));
    if (hh.length >= 2) {
      assert.ok(m.headToHead, 'no head-to-head measurement');
      assert.equal(m.headToHead.batch, 64);
      assert.deepEqual(m.headToHead.paths.map((x) => x.id).sort(), [...hh].sort());
      for (const x of m.headToHead.paths) {
        assert.equal(x.imagesPerSec.length, report.protocol.headToHeadRounds);
        assert.ok(x.imagesPerSec.every((v) => v > 0) && x.imagesPerSec.includes(x.median), `${x.id}: ${x.imagesPerSec} median ${x.median}`);
      }
    }

    const table = io.outLines.join('\n');
    assert.match(table, /Targets \(p50 per call/);
    assert.match(table, /beginner, fastest kerasrt path: .* \(target <= 0\.1x\): (met|NOT met)/);
    assert.match(table, /ms\/10000/);
    if (m.headToHead) assert.match(table, /batch 64 head to head \(3 interleaved rounds/);
    assert.match(table, /2017 Python: Keras predict\s+3,787/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bench refuses unknown models and paths that match nothing (usage errors, exit 2)', async () => {
  let io = capture();
  assert.equal(await main(['bench', '--models', 'resnet'], io), 2);
  assert.match(io.errLines.join('\n'), /unknown model "resnet"/);
  io = capture();
  assert.equal(await main(['bench', '--quick', '--paths', 'no-such-path'], io), 2);
  assert.match(io.errLines.join('\n'), /matches no path/);
});
