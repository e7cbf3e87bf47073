/**
 * Synthesizes every example app (examples/<name>/main.ts) into dist/examples/<name>/, all in
 * this one process: `cdk8s.App` writes to $CDK8S_OUTDIR when no outdir is given, so each
 * example runs unchanged, exactly as `cdk8s synth` would run it in its own folder.
 *
 * Beside the YAML it writes the network policy report (netpol-report.md and .html): one for the
 * folder when one App wrote it all, else one per App (the rule is at `synthExample`): an example
 * that runs several Apps (one per engine, one per stage of a demo) describes several clusters.
 *
 * Run with `npx projen synth-examples` (ts-node with tsconfig-paths, so that the examples'
 * `import ... from 'cdk8s-netpol'` resolves to src/).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { evaluatedPolicyCni } from '../src/analysis/kinds';
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

/**
 * Runs `run` and returns the YAML files each cdk8s App wrote below `outdir`, one list per App in
 * the order they synthesized: `App.prototype.synth` is wrapped meanwhile, so the examples run
 * unchanged. Apps that wrote nothing are left out.
 */
function yamlFilesPerApp(outdir: string, run: () => void): string[][] {
  const yamlFiles = () => listFiles(outdir).filter((f) => f.endsWith('.yaml'));
  const perApp: string[][] = [];
  const synth = App.prototype.synth;
  App.prototype.synth = function (this: App): void {
    const before = new Set(yamlFiles());
    synth.call(this);
    perApp.push(yamlFiles().filter((f) => !before.has(f)));
  };
  try {
    run();
  } finally {
    App.prototype.synth = synth;
  }
  return perApp.filter((files) => files.length > 0);
}

/**
 * Synthesizes one example and writes its reports. Which report(s):
 *
 * - One report of the whole folder when the example is one cluster: one App wrote every file.
 * - One report per App when it ran several Apps (multi-engine's one App per engine, star-wars's
 *   one App per stage): each App is a cluster (or a cluster state) of its own, so their files
 *   never apply together. Each report sits in a folder named after the App's (first) file, and
 *   the folder's netpol-report.md/.html is an index of them.
 * - One report per file, likewise, when a single App wrote Cilium and Calico policies (a cluster
 *   runs one CNI, so no report can hold both).
 */
function synthExample(name: string): string[] {
  const outdir = path.join(OUT_DIR, name);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  process.env.CDK8S_OUTDIR = outdir;
  // The example is a script, not a module: requiring it runs it once, ending in app.synth().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const perApp = yamlFilesPerApp(outdir, () => require(path.join(EXAMPLES_DIR, name, 'main.ts')));
  // The reports beside the YAML, from what was written: netpol-report.md and .html.
  const manifests = readManifests([outdir]);
  if (manifests.problems.length > 0) {
    throw new Error(`examples/${name} wrote unreadable manifests: ${manifests.problems.join('; ')}`);
  }
  const cnis = new Set(manifests.objects.map(evaluatedPolicyCni).filter((cni) => cni === 'Cilium' || cni === 'Calico'));
  const groups = perApp.length > 1 ? perApp
    : cnis.size > 1 ? listFiles(outdir).filter((f) => f.endsWith('.yaml')).map((f) => [f])
      : [];
  if (groups.length === 0) {
    Report.fromManifests(manifests.objects, { title: `Network policy report: examples/${name}` }).writeTo(outdir);
    return listFiles(outdir);
  }
  for (const files of groups) {
    const objects = readManifests(files.map((f) => path.join(outdir, f))).objects;
    Report.fromManifests(objects, { title: `Network policy report: examples/${name}/${files.join(', ')}` })
      .writeTo(path.join(outdir, reportFolder(files[0])));
  }
  const title = `Network policy reports: examples/${name}`;
  const why = perApp.length > 1
    ? 'Its files are written by separate apps, each for a cluster (or a cluster state) of its own, so each has a report of its own:'
    : 'Its files are for clusters of different network plugins (one cluster runs one), so each has a report of its own:';
  const label = (files: string[]) => files.join(', ');
  fs.writeFileSync(path.join(outdir, 'netpol-report.md'), [`# ${title}`, '', why, '',
    ...groups.map((files) => `- [${label(files)}](${reportFolder(files[0])}/netpol-report.md) ([HTML](${reportFolder(files[0])}/netpol-report.html))`), ''].join('\n'));
  fs.writeFileSync(path.join(outdir, 'netpol-report.html'), `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><h1>${title}</h1><p>${why}</p><ul>${groups.map((files) => `<li><a href="${reportFolder(files[0])}/netpol-report.html">${label(files)}</a></li>`).join('')}</ul></body></html>\n`);
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
