import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../src/cli/main';

// An object the API server would refuse (analysis/admission/) is never evaluated: explain, matrix
// and diff exit 2 naming the file, the object and the field, as `kubectl apply` fails on it.
// Before, `from:` written as a map (a missing "-") read as "from anyone", and the verdict was ALLOWED.

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n';
const PODS = `---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
  labels:
    app: web
spec:
  containers:
    - name: web
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: prod
  labels:
    app: db
spec:
  containers:
    - name: db
      ports:
        - containerPort: 5432
`;
/** Only api may reach db, but the "-" before podSelector is missing: the API server refuses the policy. */
const MISSING_DASH = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
  namespace: prod
spec:
  podSelector:
    matchLabels:
      app: db
  ingress:
    - from:
        podSelector:
          matchLabels:
            app: api
`;
const SOUND = MISSING_DASH.replace('        podSelector:\n          matchLabels:\n            app: api', '        - podSelector:\n            matchLabels:\n              app: api');

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-refused-'));
  Object.entries(files).forEach(([name, text]) => fs.writeFileSync(path.join(dir, name), text));
  return dir;
}

describe('a policy the API server would refuse', () => {
  const broken = folder({ 'namespace.yaml': NAMESPACE + PODS, 'policy.yaml': MISSING_DASH });
  const sound = folder({ 'namespace.yaml': NAMESPACE + PODS, 'policy.yaml': SOUND });
  const refusal = /policy\.yaml: NetworkPolicy prod\/db would be refused by the API server \(kubectl apply fails\), so it is not evaluated: spec\.ingress\[0\]\.from must be a list \(a "-" is missing\?\), got a map/;

  test('the sound policy: explain decides (web is denied)', async () => {
    const result = await run('explain', sound, '--from', 'prod/web', '--to', 'prod/db', '--port', '5432');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^DENIED/);
  });

  test('explain exits 2 naming the file, the object and the field; no verdict', async () => {
    const result = await run('explain', broken, '--from', 'prod/web', '--to', 'prod/db', '--port', '5432');
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toMatch(refusal);
  });

  test('matrix and diff exit 2 the same way', async () => {
    const matrix = await run('matrix', broken);
    expect(matrix.code).toBe(2);
    expect(matrix.err).toMatch(refusal);
    const diff = await run('diff', sound, broken);
    expect(diff.code).toBe(2);
    expect(diff.err).toMatch(refusal);
  });

  test('lint reports it as api-server-rejects (exit 1)', async () => {
    const result = await run('lint', broken);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/api-server-rejects +NetworkPolicy prod\/db: spec\.ingress\[0\]\.from must be a list/);
  });

  test('a label value YAML 1.1 reads as a boolean (unquoted yes) is refused, not matched as "yes"', async () => {
    const yes = folder({ 'namespace.yaml': NAMESPACE + PODS, 'policy.yaml': SOUND.replace('app: api', 'app: yes') });
    const result = await run('explain', yes, '--from', 'prod/web', '--to', 'prod/db', '--port', '5432');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/spec\.ingress\[0\]\.from\[0\]\.podSelector\.matchLabels\.app must be a string, got a boolean true \(unquoted yes/);
  });
});
