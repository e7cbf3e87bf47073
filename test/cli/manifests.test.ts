import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { knownObjects, readManifests } from '../../src/cli/manifests';

function dir(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-read-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  return root;
}

describe('readManifests', () => {
  test('multi-document YAML, JSON and List objects, with each object\'s file', () => {
    const root = dir({
      'a.yaml': 'kind: A\n---\n---\nkind: B\n',
      'b.json': '{"kind": "List", "items": [{"kind": "C"}, {"kind": "D"}]}',
      'c.txt': 'ignored',
    });
    const result = readManifests([root]);
    expect(result.problems).toEqual([]);
    expect(result.objects.map((o) => o.kind)).toEqual(['A', 'B', 'C', 'D']);
    expect(result.files.map((f) => path.basename(f))).toEqual(['a.yaml', 'b.json']);
    expect(result.sources.get(result.objects[2])).toBe(path.join(root, 'b.json'));
  });

  test('problems name the file and the line', () => {
    const root = dir({ 'bad.yaml': 'kind: A\nmetadata: [\n', 'bin.yaml': 'a\u0000b' });
    const problems = readManifests([path.join(root, 'bad.yaml'), path.join(root, 'bin.yaml'), path.join(root, 'missing.yaml')]).problems;
    expect(problems.join('\n')).toMatch(/bad.yaml(:\d+)?: is not valid YAML/);
    expect(problems).toContain(`${path.join(root, 'bin.yaml')}: is not a text file`);
    expect(problems).toContain(`${path.join(root, 'missing.yaml')}: no such file or folder`);
  });

  test('a file that cannot be read', () => {
    if (process.getuid && process.getuid() === 0) {
      // root reads everything: simulate with a folder named like a file instead.
      const root = dir({});
      fs.mkdirSync(path.join(root, 'x.yaml'));
      expect(readManifests([path.join(root, 'x.yaml')]).problems).toEqual([`no manifest files (.yaml, .yml, .json) in ${path.join(root, 'x.yaml')}`]);
      return;
    }
    const root = dir({ 'x.yaml': 'kind: A' });
    fs.chmodSync(path.join(root, 'x.yaml'), 0);
    expect(readManifests([path.join(root, 'x.yaml')]).problems[0]).toMatch(/cannot be read/);
  });
});

describe('odd input never crashes', () => {
  test('a dangling link inside a folder is passed over', () => {
    const root = dir({ 'a.yaml': 'kind: A' });
    fs.symlinkSync(path.join(root, 'gone.yaml'), path.join(root, '.#a.yaml'));
    expect(readManifests([root])).toMatchObject({ problems: [], objects: [{ kind: 'A' }] });
  });

  test('a YAML alias bomb is refused as data', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]}]`)].join('\n');
    const root = dir({ 'bomb.yaml': bomb });
    expect(readManifests([root]).problems.join()).toMatch(/bomb.yaml:\d+: its aliases expand to too much data/);
  });

  test('an empty folder is a problem: a pipeline pointed at the wrong folder must not pass', () => {
    expect(readManifests([dir({})]).problems[0]).toMatch(/^no manifest files/);
  });
});

test('knownObjects keeps policies, namespaces and workloads and counts the rest', () => {
  const { known, skipped } = knownObjects([
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
    { apiVersion: 'apps/v1', kind: 'Deployment' },
    { apiVersion: 'v1', kind: 'Service' },
    { apiVersion: 'v1', kind: 'Service' },
    null,
  ]);
  expect(known).toHaveLength(2);
  expect([...skipped.entries()]).toEqual([['v1 Service', 2], ['? ?', 1]]);
});
