import { spawnSync } from 'child_process';
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
