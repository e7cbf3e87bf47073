import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ClusterCni, FlowLog, FlowReplay } from '../../src';
import { runCli } from '../../src/cli/main';
import { fileObjects } from '../support/examples';

// examples/observed-traffic: the flows, the program generated from them, and what the guide shows.

const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'observed-traffic');
const FLOWS = path.join(EXAMPLE, 'flows', 'hubble.jsonl');

test('main.ts is what `cdk8s-netpol generate --flows flows/hubble.jsonl --chart observed-traffic --out main.ts` writes, unedited', async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-generate-')), 'main.ts');
  const err: string[] = [];
  const code = await runCli(['generate', '--flows', FLOWS, '--chart', 'observed-traffic', '--out', out], { out: () => undefined, err: (t) => err.push(t) });
  expect(code).toBe(0);
  const written = fs.readFileSync(out, 'utf8').split(`${EXAMPLE}${path.sep}`).join('').split(out).join('main.ts');
  expect(written).toBe(fs.readFileSync(path.join(EXAMPLE, 'main.ts'), 'utf8'));
  expect(err).toEqual([
    `wrote ${out}`,
    '3 workload(s) in 1 namespace(s), 4 dependency line(s) from 7 distinct flow(s)',
    'left out 1 flow(s): DNS to kube-dns (the DNS rules of the ZeroTrustNamespace and the graph allow it), e.g. shop/web -> kube-system/coredns UDP/53',
  ]);
});

test('the guide shows main.ts as it is', () => {
  const guide = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'guides', 'from-observed-traffic.md'), 'utf8');
  expect(guide).toContain(`\`\`\`ts\n${fs.readFileSync(path.join(EXAMPLE, 'main.ts'), 'utf8')}\`\`\``);
});

test('replaying the flows against what the example synthesizes denies none; against the hand-written policies, two dependencies', () => {
  const generated = FlowReplay.fromManifests(fileObjects('observed-traffic', 'observed-traffic.k8s.yaml'), { cni: ClusterCni.KUBERNETES })
    .replay([FlowLog.fromFile(FLOWS)]);
  expect(generated).toMatchObject({ flows: 7, allowed: 7, deniedFlows: 0, denied: [], unevaluated: [] });
});
