import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The CLI as a process, as a pipeline runs it: exit codes and output streams.
const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'lint');

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src', 'cli', 'bin.ts'), ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('cdk8s-netpol as a process', () => {
  test('lint with errors exits 1 and prints JSON to stdout', () => {
    const result = cli('lint', '--format', 'json', path.join(FIXTURES, 'missing-dns-egress', 'positive.yaml'));
    expect(result.code).toBe(1);
    const findings = JSON.parse(result.out);
    expect(findings.map((f: any) => Object.keys(f).sort())).toEqual([['kind', 'message', 'name', 'namespace', 'rule', 'severity']]);
    expect(findings[0]).toMatchObject({ rule: 'missing-dns-egress', severity: 'error', kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny' });
    expect(result.err).toMatch(/^1 error\(s\), 0 warning\(s\)/);
  });

  test('matrix --format jsonl --out /dev/stdout streams into a pipe (it names no file: "pipe:[...]"), exit 0', () => {
    const result = cli('matrix', '--format', 'jsonl', '--out', '/dev/stdout', path.join(FIXTURES, 'missing-dns-egress', 'negative.yaml'));
    expect([result.code, result.err.trim()]).toEqual([0, 'wrote /dev/stdout']);
    const lines = result.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].format).toBe('cdk8s-netpol/connectivity-v1');
    expect(lines.length).toBe(1 + lines[0].sources);
  });

  test('clean input exits 0', () => {
    expect(cli('lint', path.join(FIXTURES, 'missing-dns-egress', 'negative.yaml')).code).toBe(0);
  });

  test('broken YAML exits 2 with the file and line; unknown kinds are counted, not fatal', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-bin-'));
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'kind: A\nmetadata: [\n');
    const broken = cli('lint', path.join(dir, 'broken.yaml'));
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/broken.yaml(:\d+)?: is not valid YAML/);
    fs.writeFileSync(path.join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n');
    const unknown = cli('lint', '--format', 'json', path.join(dir, 'svc.yaml'));
    expect(unknown.code).toBe(0);
    expect(JSON.parse(unknown.out)).toEqual([]);
    expect(unknown.err).toMatch(/skipped 1 object\(s\) of kinds the tools do not read \(v1 Service x1\)/);
  });

  test('cluster-scoped findings have namespace null in JSON', () => {
    const result = cli('lint', '--format', 'json', path.join(FIXTURES, 'calico-deny-without-order', 'positive.yaml'));
    expect(JSON.parse(result.out)[0].namespace).toBeNull();
  });

  test('unusable input exits 2', () => {
    const result = cli('lint', path.join(FIXTURES, 'does-not-exist'));
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/no such file or folder/);
  });
});

describe('the process never prints a raw stack trace', () => {
  /** A module loaded before the CLI that makes the linter fail as no command foresees. */
  function failingLinter(): string {
    const preload = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-bin-')), 'fail.js');
    fs.writeFileSync(preload, `require(${JSON.stringify(path.join(ROOT, 'src', 'analysis', 'lint', 'linter'))}).Linter.prototype.lint = () => { ` +
      'throw new Error("boom\\n    at forged (stack.js:1:1)\\u001b[31m"); };\n');
    return preload;
  }

  function cliWith(preload: string, env: Record<string, string>, ...args: string[]) {
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', preload, path.join(ROOT, 'src', 'cli', 'bin.ts'), ...args], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env },
    });
    return { code: result.status, out: result.stdout, err: result.stderr };
  }

  test('an unexpected exception: one line, exit 2; the stack only with CDK8S_NETPOL_DEBUG=1', () => {
    const preload = failingLinter();
    const file = path.join(FIXTURES, 'missing-dns-egress', 'negative.yaml');
    const plain = cliWith(preload, { CDK8S_NETPOL_DEBUG: '' }, 'lint', file);
    expect(plain.code).toBe(2);
    expect(plain.err.split('\n').filter((l) => l !== '')).toEqual([
      'cdk8s-netpol: internal error: boom\\n    at forged (stack.js:1:1)\\x1b[31m (run with CDK8S_NETPOL_DEBUG=1 for the stack trace, and please report ' +
      'it at https://github.com/cdk8s-netpol/cdk8s-netpol/issues)',
    ]);
    const debug = cliWith(preload, { CDK8S_NETPOL_DEBUG: '1' }, 'lint', file);
    expect(debug.code).toBe(2);
    expect(debug.err).toMatch(/^cdk8s-netpol: internal error: Error: boom\n[^]*\n +at Command\.<anonymous> \(.*src\/cli\/main\.ts/);
  });

  test('standard output closed by its reader (| head): no EPIPE stack, the command\'s exit code', async () => {
    // Many findings, so that the CLI writes after the reader has gone.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-bin-'));
    const policy = (i: number) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-${i}, namespace: ns${i}}\n` +
      'spec: {podSelector: {}, egress: []}\n';
    fs.writeFileSync(path.join(dir, 'many.yaml'), Array.from({ length: 300 }, (_, i) => policy(i)).join('---\n'));
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src', 'cli', 'bin.ts'), 'lint', dir], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader goes before the first line is written.
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(err).not.toMatch(/EPIPE|Error|\n {4}at /);
    expect(err).toMatch(/^\d+ error\(s\), \d+ warning\(s\) in 300 object\(s\) of 1 file\(s\)\n$/);
    expect(code).toBe(1);
    // It awaits a child process (ts-node's cold start): the 5 s default is too short on a loaded machine.
  }, 60_000);
});
