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
import { modelledPolicyCni } from '../src/analysis/model';
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
  const cnis = new Set(manifests.objects.map(modelledPolicyCni).filter((cni) => cni === 'Cilium' || cni === 'Calico'));
  if (cnis.size <= 1) {
    Report.fromManifests(manifests.objects, { title: `Network policy report: examples/${name}` }).writeTo(outdir);
    return listFiles(outdir);
  }
  // Files for clusters of different CNIs (one cluster runs one): a report per file, each in a
  // folder named after it, and an index of them as the folder's report.
  const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.yaml')).sort();
  for (const file of files) {
    const objects = readManifests([path.join(outdir, file)]).objects;
    Report.fromManifests(objects, { title: `Network policy report: examples/${name}/${file}` }).writeTo(path.join(outdir, reportFolder(file)));
  }
  const title = `Network policy reports: examples/${name}`;
  const why = 'Its files are for clusters of different network plugins (one cluster runs one), so each has a report of its own:';
  fs.writeFileSync(path.join(outdir, 'netpol-report.md'),
    [`# ${title}`, '', why, '', ...files.map((f) => `- [${f}](${reportFolder(f)}/netpol-report.md) ([HTML](${reportFolder(f)}/netpol-report.html))`), ''].join('\n'));
  fs.writeFileSync(path.join(outdir, 'netpol-report.html'), `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><h1>${title}</h1><p>${why}</p><ul>${files.map((f) => `<li><a href="${reportFolder(f)}/netpol-report.html">${f}</a></li>`).join('')}</ul></body></html>\n`);
  return listFiles(outdir);
}

/** "multi-engine-cilium.k8s.yaml" -> "multi-engine-cilium-report". */
function reportFolder(file: string): string {
  return `${file.replace(/(\.k8s)?\.yaml$/, '')}-report`;
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
