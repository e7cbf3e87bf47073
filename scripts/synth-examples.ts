/**
 * Synthesizes every example app (examples/<name>/main.ts) into dist/examples/<name>/, all in
 * this one process: `cdk8s.App` writes to $CDK8S_OUTDIR when no outdir is given, so each
 * example runs unchanged, exactly as `cdk8s synth` would run it in its own folder.
 *
 * Run with `npx projen synth-examples` (ts-node with tsconfig-paths, so that the examples'
 * `import ... from 'cdk8s-netpol'` resolves to src/).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Report } from '../src/analysis/report';
import { readManifests } from '../src/cli/manifests';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLES_DIR = path.join(ROOT, 'examples');
const OUT_DIR = path.join(ROOT, 'dist', 'examples');

/** Names of the example folders that hold a main.ts, sorted. */
function exampleNames(): string[] {
  return fs.readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(EXAMPLES_DIR, entry.name, 'main.ts')))
    .map((entry) => entry.name)
    .sort();
}

/** Every file below `dir`, relative to it. */
function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => entry.isDirectory()
    ? listFiles(path.join(dir, entry.name)).map((f) => path.join(entry.name, f))
    : [entry.name]).sort();
}

function synthExample(name: string): string[] {
  const outdir = path.join(OUT_DIR, name);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  process.env.CDK8S_OUTDIR = outdir;
  // The example is a script, not a module: requiring it runs it once, ending in app.synth().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(EXAMPLES_DIR, name, 'main.ts'));
  // The reports beside the YAML, from what was written: netpol-report.md and .html.
  const manifests = readManifests([outdir]);
  if (manifests.problems.length > 0) {
    throw new Error(`examples/${name} wrote unreadable manifests: ${manifests.problems.join('; ')}`);
  }
  Report.fromManifests(manifests.objects, { title: `Network policy report: examples/${name}` }).writeTo(outdir);
  return listFiles(outdir);
}

function main(): number {
  const names = exampleNames();
  if (names.length === 0) {
    console.error(`synth-examples: no examples found (no ${EXAMPLES_DIR}/<name>/main.ts)`);
    return 1;
  }
  const failed: string[] = [];
  for (const name of names) {
    try {
      const files = synthExample(name);
      const outdir = path.relative(ROOT, path.join(OUT_DIR, name));
      console.log(`${name}: ${files.length === 0 ? 'no files written' : files.map((f) => path.join(outdir, f)).join(', ')}`);
    } catch (error) {
      // Keep going: one broken example should not hide the state of the others.
      const details = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`${name}: FAILED (examples/${name}/main.ts threw)\n${details}\n`);
      failed.push(name);
    }
  }
  if (failed.length > 0) {
    console.error(`synth-examples: ${failed.length} of ${names.length} examples failed: ${failed.join(', ')}`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
