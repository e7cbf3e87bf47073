import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/main';

const FLOWS = path.resolve(__dirname, '..', 'fixtures', 'flows');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function tempDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-replay-'));
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** The Star Wars demo's deathstar policy (as Cilium's L3/L4 example, with the demo's pods). */
const STAR_WARS = [
  {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'deathstar', namespace: 'default' },
    spec: {
      endpointSelector: { matchLabels: { org: 'empire', class: 'deathstar' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { org: 'empire' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    },
  },
];

const policies = () => tempDir({ 'policies.yaml': STAR_WARS.map((o) => stringify(o)).join('---\n') });

describe('cdk8s-netpol replay', () => {
  test('a flow the policies would deny: exit 1, the pair with its policy and reasons; the summary on stderr', async () => {
    const result = await run('replay', policies(), '--flows', path.join(FLOWS, 'hubble-star-wars.jsonl'));
    expect(result.code).toBe(1);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe('DENIED       default/xwing -> default/deathstar on TCP/80 (2 record(s), 1 distinct flow(s), ' +
      'seen 2026-11-30T09:00:02.310Z .. 2026-11-30T09:00:02.310Z)');
    expect(lines[1]).toBe('  isolated by: CiliumNetworkPolicy default/deathstar');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}ingress of default\/deathstar-8464cdd4d9-4vq9w: denied, isolated by CiliumNetworkPolicy default\/deathstar/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}observed at: .*hubble-star-wars\.jsonl:4$/));
    expect(lines).toContainEqual(expect.stringMatching(/^note: .*: 3 record\(s\) not replayed: replies/));
    expect(result.err).toBe('replayed 6 distinct flow(s) of 1 file(s): 5 allowed, 1 denied (1 workload pair(s) and port(s)), 0 not evaluated');
  });

  test('nothing denied: exit 0', async () => {
    const ship = (pod: string, labels: string[]) => ({ namespace: 'default', pod_name: pod, labels: labels.map((l) => `k8s:${l}`) });
    const landing = JSON.stringify({
      flow: {
        verdict: 'FORWARDED',
        is_reply: false,
        l4: { TCP: { destination_port: 80 } },
        IP: { source: '10.0.0.1', destination: '10.0.0.2' },
        source: ship('tiefighter', ['org=empire', 'class=tiefighter']),
        destination: ship('deathstar-1', ['org=empire', 'class=deathstar']),
      },
    });
    const flows = tempDir({ 'ok.jsonl': `${landing}\n` });
    const result = await run('replay', policies(), '--flows', path.join(flows, 'ok.jsonl'));
    expect(result.code).toBe(0);
    expect(result.err).toBe('replayed 1 distinct flow(s) of 1 file(s): 1 allowed, 0 denied (0 workload pair(s) and port(s)), 0 not evaluated');
  });

  test('--format json: the FlowReplayResult', async () => {
    const result = await run('replay', policies(), '--flows', path.join(FLOWS, 'hubble-star-wars.jsonl'), '--format', 'json');
    const json = JSON.parse(result.out);
    expect(json).toMatchObject({ flows: 6, allowed: 5, deniedFlows: 1, unevaluated: [] });
    expect(json.denied[0]).toMatchObject({ from: 'default/xwing', to: 'default/deathstar', port: 'TCP/80', isolatedBy: ['CiliumNetworkPolicy default/deathstar'] });
  });

  test('--include-dropped replays the flows the cluster dropped', async () => {
    const result = await run('replay', policies(), '--flows', path.join(FLOWS, 'hubble-star-wars.jsonl'), '--include-dropped', '--format', 'json');
    expect(JSON.parse(result.out).denied[0].count).toBe(3);
  });

  test('several flow files, each in its own format; a flow that cannot be evaluated exits 1', async () => {
    const result = await run('replay', policies(), '--flows', path.join(FLOWS, 'calico-whisker-stars.sse'), path.join(FLOWS, 'stars.csv'));
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^UNEVALUATED {2}client\/client -> network PUBLIC NETWORK on TCP\/443: its server network PUBLIC NETWORK has no address/m);
    expect(result.out).toMatch(/^UNEVALUATED {2}management-ui\/management-ui -> stars\/frontend on TCP\/80: its client .* is not a pod or workload of the manifests/m);
    expect(result.err).toMatch(/ of 2 file\(s\): /);
  });

  test('malformed flow lines: exit 2 naming file and line; --skip-malformed replays the rest and says what it skipped', async () => {
    const flows = tempDir({ 'bad.csv': 'shop/web,shop/api,8080,TCP\nshop/web,shop/api,http,TCP\n' });
    const refused = await run('replay', policies(), '--flows', path.join(flows, 'bad.csv'));
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^cdk8s-netpol replay: 1 malformed line\(s\) in .*bad\.csv; nothing is guessed: fix them, or skip them \(--skip-malformed\):\n {2}.*bad\.csv:2: port "http" is not a port/);
    const skipped = await run('replay', policies(), '--flows', path.join(flows, 'bad.csv'), '--skip-malformed');
    expect(skipped.out).toMatch(/^note: .*bad\.csv: 1 malformed line\(s\) skipped \(the first: .*bad\.csv:2: port "http" is not a port/m);
  });

  test('input with no flow to replay exits 2: a gate that checked nothing does not pass', async () => {
    const flows = tempDir({ 'dropped.jsonl': `${JSON.stringify({ flow: { verdict: 'DROPPED', l4: { TCP: { destination_port: 80 } } } })}\n` });
    const result = await run('replay', policies(), '--flows', path.join(flows, 'dropped.jsonl'));
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^cdk8s-netpol replay: no flow to replay in .*dropped\.jsonl \(1 line\(s\)\): nothing was checked\n {2}.*1 record\(s\) not replayed: flows the cluster dropped/);
  });

  test('a named pipe is read as it comes (--flows <(hubble observe ...))', async () => {
    const dir = tempDir({});
    const fifo = path.join(dir, 'flows.pipe');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', 'cat "$0" > "$1"', path.join(FLOWS, 'hubble-star-wars.jsonl'), fifo]);
    const result = await run('replay', policies(), '--flows', fifo);
    writer.kill();
    expect(result.err).toMatch(/^replayed 6 distinct flow\(s\) of 1 file\(s\)/m);
  });

  test('--flows-format overrides the detection', async () => {
    const result = await run('replay', policies(), '--flows', path.join(FLOWS, 'stars.csv'), '--flows-format', 'hubble');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/stars\.csv:1: not JSON/);
  });

  test('usage errors exit 2: no --flows, a missing file, an unknown format', async () => {
    expect((await run('replay', policies())).err).toMatch(/required option '--flows <files\.\.\.>' not specified/);
    const missing = await run('replay', policies(), '--flows', '/nonexistent.jsonl');
    expect(missing).toMatchObject({ code: 2, err: 'cdk8s-netpol replay: /nonexistent.jsonl: no such file' });
    expect((await run('replay', policies(), '--flows', 'x', '--flows-format', 'pcap')).code).toBe(2);
  });

  test('manifests the API server would refuse: exit 2, as for the other commands', async () => {
    const dir = tempDir({ 'bad.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: a}\nspec: {podSelector: {}, polcyTypes: [Ingress]}\n' });
    const result = await run('replay', dir, '--flows', path.join(FLOWS, 'stars.csv'));
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^cdk8s-netpol replay: .*bad\.yaml: .*polcyTypes/);
  });

  test('names read from flows reach the terminal with control characters escaped', async () => {
    const line = JSON.stringify({
      flow: {
        verdict: 'FORWARDED',
        is_reply: false,
        l4: { TCP: { destination_port: 80 } },
        IP: { source: '10.0.0.1', destination: '10.0.0.2' },
        source: { namespace: 'default', pod_name: 'x\u001b[2Jwing', labels: ['k8s:org=alliance'] },
        destination: { namespace: 'default', pod_name: 'deathstar-1', labels: ['k8s:org=empire', 'k8s:class=deathstar'] },
      },
    });
    const flows = tempDir({ 'evil.jsonl': `${line}\n` });
    const result = await run('replay', policies(), '--flows', path.join(flows, 'evil.jsonl'));
    expect(result.out).not.toContain('\u001b');
    expect(result.out).toContain('x\\u001b[2Jwing');
  });
});

describe('docs/guides/from-observed-traffic.md', () => {
  test('the output shown is what replay prints for examples/observed-traffic\'s hand-written policies', async () => {
    const guide = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'guides', 'from-observed-traffic.md'), 'utf8');
    const shown = /```\n(DENIED[\s\S]*?)\n```/.exec(guide)![1];
    const dir = path.join(__dirname, '..', '..', 'examples', 'observed-traffic');
    expect(guide).toContain('npx cdk8s-netpol replay hand-written/ --flows flows/hubble.jsonl\n');
    const result = await run('replay', path.join(dir, 'hand-written'), '--flows', path.join(dir, 'flows', 'hubble.jsonl'));
    expect(result.code).toBe(1);
    expect(`${result.out}\n${result.err}`.split(`${dir}${path.sep}`).join('')).toBe(shown);
  });
});

describe('cdk8s-netpol replay --evaluate-staged', () => {
  /** The stars demo's frontend, isolated by a staged Calico policy that admits the client namespace only. */
  const STAGED = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'StagedNetworkPolicy',
    metadata: { name: 'frontend', namespace: 'stars' },
    spec: { selector: "role == 'frontend'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { namespaceSelector: "role == 'client'" } }] },
  };

  test('staged policies are not enforced: left out, and said; evaluated as enforced, they deny what they would', async () => {
    const dir = tempDir({
      'staged.yaml': [STAGED, ...['client', 'stars', 'management-ui', 'kube-system'].map((name) => ({
        apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { role: name } },
      }))].map((o) => stringify(o)).join('---\n'),
    });
    const flows = path.join(FLOWS, 'calico-enterprise-stars.flows.jsonl');
    const left = await run('replay', dir, '--flows', flows, '--cni', 'calico', '--format', 'json');
    expect(JSON.parse(left.out)).toMatchObject({ deniedFlows: 0, notes: expect.arrayContaining([expect.stringMatching(/^1 staged policy is not enforced/)]) });
    const staged = await run('replay', dir, '--flows', flows, '--cni', 'calico', '--evaluate-staged');
    expect(staged.code).toBe(1);
    expect(staged.out.split('\n').filter((l) => l.startsWith('DENIED')).map((l) => l.replace(/ \(.*$/, ''))).toEqual([
      'DENIED       stars/backend -> stars/frontend on TCP/80',
      'DENIED       management-ui/management-ui -> stars/frontend on TCP/80',
    ]);
    expect(staged.out).toMatch(/isolated by: Calico NetworkPolicy stars\/frontend/);
  });
});
