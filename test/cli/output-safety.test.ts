import { execFileSync } from 'child_process';
import * as fs from 'fs';
// The module itself, not the namespace `import * as` builds: its functions can be spied on.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import nodeFs = require('fs');
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../src/cli/main';

// Output safety: --out never overwrites an input and never leaves a truncated file; text from
// manifests cannot forge lines or send escapes to the terminal.

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function folder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-out-safety-'));
}

const APP = [
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: w, image: nginx, ports: [{containerPort: 80}]}]}}}',
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: shop}\nspec: {selector: {matchLabels: {app: db}}, template: {metadata: {labels: {app: db}}, spec: {containers: [{name: d, image: pg, ports: [{containerPort: 5432}]}]}}}',
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: shop}\nspec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]}',
].join('\n---\n');

afterEach(() => jest.restoreAllMocks());

describe('--out never overwrites an input', () => {
  test('matrix --out naming a file of an input folder is refused before anything is written', async () => {
    const dir = folder();
    const input = path.join(dir, 'app.yaml');
    fs.writeFileSync(input, APP);
    const result = await run('matrix', dir, '--out', input);
    expect(result.code).toBe(2);
    expect(result.err).toBe(`cdk8s-netpol matrix: --out ${input} is the input file ${input}: writing would overwrite it; write the report elsewhere`);
    expect(fs.readFileSync(input, 'utf8')).toBe(APP);
  });

  test('through a symbolic link, a hard link or another spelling of the path', async () => {
    const dir = folder();
    const input = path.join(dir, 'app.yaml');
    fs.writeFileSync(input, APP);
    fs.symlinkSync(input, path.join(dir, 'soft.md'));
    fs.linkSync(input, path.join(dir, 'hard.md'));
    for (const out of [path.join(dir, 'soft.md'), path.join(dir, 'hard.md'), path.join(dir, '.', 'sub', '..', 'app.yaml')]) {
      const result = await run('matrix', input, '--out', out);
      expect([result.code, result.err]).toEqual([2, expect.stringMatching(/is the input file .*app\.yaml: writing would overwrite it/)]);
    }
    expect(fs.readFileSync(input, 'utf8')).toBe(APP);
  });

  test('diff --out naming the old or the new input is refused', async () => {
    const dir = folder();
    const before = path.join(dir, 'before.yaml');
    const after = path.join(dir, 'after.yaml');
    fs.writeFileSync(before, APP);
    fs.writeFileSync(after, APP.replace('port: 5432', 'port: 5433'));
    for (const out of [before, after]) {
      const result = await run('diff', before, after, '--out', out);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(/^cdk8s-netpol diff: --out .* is the input file/);
    }
    expect(fs.readFileSync(before, 'utf8')).toBe(APP);
  });

  test('--out in a folder that does not exist is said before the matrix is computed', async () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'app.yaml'), APP);
    const out = path.join(dir, 'missing', 'r.md');
    const result = await run('matrix', path.join(dir, 'app.yaml'), '--out', out);
    expect([result.code, result.err]).toEqual([2, `cdk8s-netpol matrix: --out ${out}: the folder ${path.dirname(out)} does not exist`]);
  });
});

test('a failed write leaves the old file as it was, and no temporary file behind; a link is written through', async () => {
  const dir = folder();
  fs.writeFileSync(path.join(dir, 'app.yaml'), APP);
  const out = path.join(dir, 'report.md');
  fs.writeFileSync(out, 'the report of yesterday');
  const write = nodeFs.writeSync;
  // The disk fills up after 20 bytes of the new report.
  jest.spyOn(nodeFs, 'writeSync').mockImplementation(((fd: any, buffer: any, offset: any, length: any) => {
    write(fd, buffer, offset, Math.min(length, 20));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }) as any);
  const result = await run('matrix', path.join(dir, 'app.yaml'), '--out', out);
  expect(result.code).toBe(2);
  expect(result.err).toBe(`cdk8s-netpol matrix: --out ${out} cannot be written (ENOSPC); the old file is left as it was`);
  expect(fs.readFileSync(out, 'utf8')).toBe('the report of yesterday');
  expect(fs.readdirSync(dir).sort()).toEqual(['app.yaml', 'report.md']);

  // Written atomically through a symbolic link: its target is replaced, the link and the target's permissions stay.
  jest.restoreAllMocks();
  fs.writeFileSync(path.join(dir, 'real.md'), 'old');
  fs.chmodSync(path.join(dir, 'real.md'), 0o640);
  fs.symlinkSync(path.join(dir, 'real.md'), path.join(dir, 'link.md'));
  expect((await run('matrix', path.join(dir, 'app.yaml'), '--out', path.join(dir, 'link.md'))).code).toBe(0);
  expect(fs.lstatSync(path.join(dir, 'link.md')).isSymbolicLink()).toBe(true);
  expect(fs.readFileSync(path.join(dir, 'real.md'), 'utf8')).toMatch(/^# Network policy report/);
  expect(fs.statSync(path.join(dir, 'real.md')).mode % 0o1000).toBe(0o640);
});

describe('names from manifests cannot forge lines or reach the terminal as escapes', () => {
  /** Any C0 or C1 control character other than the newlines between output lines. */
  const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

  test('lint text output: one line per finding, whatever the objects are called', async () => {
    const dir = folder();
    const file = path.join(dir, 'p.yaml');
    // Meant to deny all egress, but without policyTypes: one error, on an object whose name forges a second line.
    fs.writeFileSync(file, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n' +
      'metadata: {name: "deny\\nerror   forged-rule   \\x1b[32mall clear\\u202e", namespace: shop}\nspec: {podSelector: {}, egress: []}\n');
    const result = await run('lint', file);
    expect(`${result.out}\n${result.err}`).not.toMatch(RAW_CONTROL);
    expect(`${result.out}\n${result.err}`).toContain('deny\\nerror   forged-rule   \\x1b[32mall clear\\u202e');
    // Every line is a finding about the object: none starts where the name said "error   forged-rule".
    expect(result.out.split('\n').filter((l) => l !== '' && !/^(error|warning) +[a-z-]+ +NetworkPolicy shop\/deny\\n/.test(l))).toEqual([]);
  });

  test('explain: the verdict and its reasons keep their lines', async () => {
    const dir = folder();
    const file = path.join(dir, 'app.yaml');
    fs.writeFileSync(file, APP.replace('metadata: {name: db, namespace: shop}\nspec: {podSelector',
      'metadata: {name: "db\\nALLOWED: every flow\\x1b[0m", namespace: shop}\nspec: {podSelector'));
    const result = await run('explain', file, '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(`${result.out}\n${result.err}`).not.toMatch(RAW_CONTROL);
    expect(`${result.out}\n${result.err}`).toContain('db\\nALLOWED: every flow\\x1b[0m');
    expect(result.out.split('\n').filter((l) => l.startsWith('ALLOWED') || l.startsWith('DENIED'))).toHaveLength(result.out === '' ? 0 : 1);
  });

  test('problem lines on standard error: a file name cannot add a line', async () => {
    const dir = folder();
    const file = path.join(dir, 'bad\nname\u001b[31m.yaml');
    fs.writeFileSync(file, 'kind: A\nmetadata: [\n');
    const result = await run('lint', file);
    expect(result.code).toBe(2);
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.err).toContain('bad\\nname\\x1b[31m.yaml:');
  });
});

test('--out naming a device is written to as it is, never replaced by a regular file; a failing device is reported', async () => {
  // A device node of our own (null: 1,3; full: 1,7), so that a broken write cannot harm the host's /dev.
  if (process.getuid?.() !== 0) {
    return; // creating device nodes needs root; CI runs as root
  }
  const dir = folder();
  fs.writeFileSync(path.join(dir, 'app.yaml'), APP);
  execFileSync('mknod', [path.join(dir, 'null'), 'c', '1', '3']);
  execFileSync('mknod', [path.join(dir, 'full'), 'c', '1', '7']);
  const toNull = await run('matrix', path.join(dir, 'app.yaml'), '--out', path.join(dir, 'null'));
  expect(toNull.code).toBe(0);
  expect(fs.statSync(path.join(dir, 'null')).isCharacterDevice()).toBe(true);
  const toFull = await run('matrix', path.join(dir, 'app.yaml'), '--out', path.join(dir, 'full'));
  expect(toFull.code).toBe(2);
  expect(toFull.err).toContain('cannot be written (ENOSPC)');
  expect(fs.statSync(path.join(dir, 'full')).isCharacterDevice()).toBe(true);
});
