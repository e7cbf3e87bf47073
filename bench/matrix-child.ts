/**
 * One measured `cdk8s-netpol matrix` or `diff`, in a process of its own so that peak RSS belongs
 * to it alone: `matrix-child.ts matrix <dir> --format md|json --out FILE` or
 * `matrix-child.ts diff <old> <new> --out FILE` prints one JSON line.
 *
 * The measured path is the CLI's, in process (`runCli`): reading the YAML, the admission checks,
 * the model and the report, and writing --out. What it would print is dropped, but for the first
 * lines of standard error, which say why a run failed.
 */
import * as fs from 'fs';
import { runCli } from '../src/cli/main';

const USAGE = 'usage: matrix-child.ts matrix <dir> --format md|json --out FILE | matrix-child.ts diff <old> <new> --out FILE';

/** Counted from the files' text, after the clock stopped: parsing them again would be measured as peak RSS. */
function countKinds(dir: string): { workloads: number; policies: number } {
  let workloads = 0;
  let policies = 0;
  for (const file of fs.readdirSync(dir)) {
    const text = fs.readFileSync(`${dir}/${file}`, 'utf8');
    workloads += text.match(/^kind: Deployment$/gm)?.length ?? 0;
    policies += text.match(/^kind: NetworkPolicy$/gm)?.length ?? 0;
  }
  return { workloads, policies };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const command = args[0];
  const outAt = args.indexOf('--out');
  const out = outAt < 0 ? undefined : args[outAt + 1];
  // The folders: what is neither an option nor an option's value (every option here takes one).
  const dirs = args.slice(1).filter((a, k, all) => !a.startsWith('--') && !(all[k - 1] ?? '').startsWith('--'));
  if ((command !== 'matrix' && command !== 'diff') || out === undefined || dirs.length !== (command === 'diff' ? 2 : 1)) {
    throw new Error(`${USAGE}; got ${JSON.stringify(args).slice(0, 200)}`);
  }
  const errors: string[] = [];
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const exitCode = await runCli(args, {
    out: () => undefined,
    err: (text) => {
      if (errors.length < 5) {
        errors.push(text);
      }
    },
  });
  const end = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpuStart);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const outputBytes = fs.existsSync(out) ? fs.statSync(out).size : null;
  // A refused input may be a folder that is not there: nothing to count.
  const counted = exitCode === 0 ? countKinds(dirs[0]) : { workloads: null, policies: null };
  console.log(JSON.stringify({
    command,
    format: command === 'diff' ? 'md' : args[args.indexOf('--format') + 1] ?? 'md',
    exitCode,
    wallMs: Number(end - start) / 1e6,
    // User + system CPU of the process (GC threads included): steadier than wall time on a busy machine.
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb,
    outputBytes,
    workloads: counted.workloads,
    policies: counted.policies,
    ...(command === 'diff' && exitCode === 0 ? { policiesAfter: countKinds(dirs[1]).policies } : {}),
    // Standard error but "wrote FILE": why a run failed, or the warnings it gave.
    messages: errors.filter((e) => e !== `wrote ${out}`),
  }));
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 1;
});
