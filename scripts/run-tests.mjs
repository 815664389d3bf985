// Runs the whole suite with Node's own test runner over the compiled tests in dist/test.
// Builds first (tsc is incremental enough here), so `npm test` on a fresh clone after `npm ci` is one step.
// Usage: node scripts/run-tests.mjs [substring ...]   (only test files whose path contains a substring)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

// --out DIR compiles into another folder (several people testing at once must not share dist/).
// A type error fails the run, but the tests still run so every failure is seen at once.
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 ? args.splice(outAt, 2)[1] : 'dist';
// Compiled tests outside the repo must still resolve packages: link node_modules beside them.
if (!resolve(outDir).startsWith(process.cwd())) {
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(join(outDir, 'node_modules'))) symlinkSync(resolve('node_modules'), join(outDir, 'node_modules'));
}
const tscArgs = ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--outDir', outDir];
// The wasm kernels, inference and training (each skipped in ~50 ms when its sources are unchanged), then
// TypeScript: both generate modules that the compiled code imports, so a filtered run after a checkout works.
for (const script of ['scripts/build-wasm.mjs', 'scripts/build-train-wasm.mjs']) {
  const wasm = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (wasm.status !== 0) process.exit(wasm.status ?? 1);
}
const build = spawnSync(process.execPath, tscArgs, { stdio: 'inherit' });
if (build.status !== 0) console.error('\ntype check failed (tests still run below; the run will fail)\n');

function collect(dir) {
  let out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(collect(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const filters = args;
const files = collect(join(outDir, 'test')).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(build.status !== 0 ? 1 : (run.status ?? 1));
