// `npm run fuzz`: the long fuzzing run. Every parser (legacy Keras HDF5, .keras zip, TF.js layers JSON,
// .npy, IDX, ONNX, frozen GraphDef, TF.js graph JSON) is fuzzed with fast-check in capped workers (test/hostile/fuzz-runner.ts), in rounds of fresh
// seeds, for --time seconds per parser. Each failure (untyped error, error not naming the file, an input
// over 2 s, a worker out of memory) is saved to test/hostile/findings/<target>-<hash>.json, which the hostile
// corpus replays as a case from then on: fix the bug, keep the finding.
//
//   npm run fuzz -- [--time 60] [--target h5|keras-zip|tfjs-json|npy|idx|onnx|graphdef|tfjs-graph] [--seed N] [--round 20] [--out DIR]
//
// Compiles first (like scripts/run-tests.mjs) into --out (default dist).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const outDir = opt('--out', 'dist');
const timeS = Number(opt('--time', '60'));
const roundS = Number(opt('--round', '20'));
const baseSeed = Number(opt('--seed', String(Date.now() % 1e9)));

if (!resolve(outDir).startsWith(process.cwd())) {
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(join(outDir, 'node_modules'))) symlinkSync(resolve('node_modules'), join(outDir, 'node_modules'));
}
for (const cmd of [['scripts/build-wasm.mjs'], ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--outDir', outDir]]) {
  const r = spawnSync(process.execPath, cmd, { stdio: 'inherit' });
  if (r.status !== 0 && cmd[0].includes('build-wasm')) process.exit(r.status ?? 1);
}
const load = (p) => import(pathToFileURL(join(resolve(outDir), p)).href);
const { TARGET_NAMES, TARGETS } = await load('test/hostile/fuzz-targets.js');
const { fuzzTarget } = await load('test/hostile/fuzz-runner.js');

const targets = opt('--target') ? [opt('--target')] : TARGET_NAMES;
const findingsDir = resolve('test/hostile/findings');
const totals = new Map();
let findings = 0;

function save(target, seed, failure) {
  if (!failure.input) {
    console.log(`  ${target}: failure without a recoverable input: ${failure.reason}`);
    return;
  }
  const files = Object.fromEntries(Object.entries(failure.input.files).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  const hash = createHash('sha1').update(JSON.stringify(files)).digest('hex').slice(0, 10);
  mkdirSync(findingsDir, { recursive: true });
  const path = join(findingsDir, `${target}-${hash}.json`);
  const finding = {
    target, format: TARGETS[target].format, parser: failure.input.parser, main: failure.input.main, reason: failure.reason, seed,
    found: new Date().toISOString(), expect: ['KerasrtError', 'ok'], files,
  };
  writeFileSync(path, JSON.stringify(finding, null, 1));
  findings++;
  console.log(`  saved ${path}: ${failure.reason}`);
}

console.log(`fuzzing ${targets.join(', ')} for ${timeS} s each (rounds of ${roundS} s, seeds from ${baseSeed})`);
await Promise.all(
  targets.map(async (target) => {
    let left = timeS * 1000;
    let round = 0;
    while (left > 0) {
      const seed = baseSeed + round++;
      const timeMs = Math.min(left, roundS * 1000);
      const r = await fuzzTarget(target, { timeMs, seed });
      totals.set(target, (totals.get(target) ?? 0) + r.runs);
      console.log(`${target} seed ${seed}: ${r.runs} executions${r.failure ? ' - FAILURE' : ''}`);
      if (r.failure) save(target, seed, r.failure);
      left -= timeMs;
    }
  }),
);
for (const t of targets) console.log(`${t.padEnd(10)} ${totals.get(t) ?? 0} executions`);
console.log(`total ${[...totals.values()].reduce((a, b) => a + b, 0)} executions, ${findings} findings`);
process.exitCode = findings === 0 ? 0 : 1;
