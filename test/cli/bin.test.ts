import { spawnSync } from 'child_process';
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

  test('clean input exits 0', () => {
    expect(cli('lint', path.join(FIXTURES, 'missing-dns-egress', 'negative.yaml')).code).toBe(0);
  });

  test('unusable input exits 2', () => {
    const result = cli('lint', path.join(FIXTURES, 'does-not-exist'));
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/no such file or folder/);
  });
});
