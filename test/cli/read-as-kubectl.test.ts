import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../src/cli/main';
import { readManifests } from '../../src/cli/manifests';

// The CLI reads YAML as kubectl apply does (go-yaml v2, YAML 1.1, through sigs.k8s.io/yaml), so
// that it judges the objects the API server receives. The expected values below are what
// go-yaml v2's resolve() and sigs.k8s.io/yaml produce for the same text.

function file(content: string, name = 'm.yaml'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-kubectl-yaml-'));
  fs.writeFileSync(path.join(dir, name), content);
  return path.join(dir, name);
}

/** The one object of a document `v: <text>` as the CLI reads it, and the problems. */
function read(yaml: string): { objects: any[]; problems: string[] } {
  const result = readManifests([file(yaml)]);
  return { objects: result.objects, problems: result.problems };
}

function value(scalar: string): unknown {
  const { objects, problems } = read(`kind: K\nv: ${scalar}\n`);
  expect(problems).toEqual([]);
  return objects[0].v;
}

/** Each scalar of `expected` read as the value of a key, against the value kubectl gives it. */
function expectValues(expected: Record<string, unknown>): void {
  const actual = Object.fromEntries(Object.keys(expected).map((scalar) => [scalar, value(scalar)]));
  expect(actual).toEqual(expected);
}

describe('plain scalars resolve as go-yaml v2 resolves them', () => {
  test('integers in any base Go reads, with underscores; floats where no integer syntax fits', () => {
    expectValues({
      '0443': 291,
      '0x1BB': 443,
      '0X1bb': 443,
      '0o17': 15,
      '0b101': 5,
      '-0b101': -5,
      '+0443': 291,
      '-0x10': -16,
      '1_000': 1000,
      '0_443': 291,
      '0x_1B_B': 443,
      '08': 8,
      '09.5': 9.5,
      '1e3': 1000,
      '.5': 0.5,
      '+.5': 0.5,
      '1.': 1,
      '-0': 0,
      '99999999999999999999': 1e20,
    });
  });

  test('booleans: y, yes, on, true and n, no, off, false, in the cases go-yaml v2 lists', () => {
    expectValues(Object.fromEntries([
      ...['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE'].map((w) => [w, true]),
      ...['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE'].map((w) => [w, false]),
    ]));
  });

  test('nulls, and what stays a string', () => {
    expectValues(Object.fromEntries([
      ...['~', 'null', 'Null', 'NULL', ''].map((w) => [w, null]),
      // Sexagesimal numbers and timestamps are YAML 1.1 types go-yaml v2 leaves as text; then case
      // variants its table does not hold, and what no number syntax reads (1e400 overflows: text).
      ...['1:20', '190:20:30', '2001-12-14', '2001-12-14T21:59:43.10Z', 'yES', 'tRUE', 'oN', 'nULL', 'Yess',
        '0x', '0b', '0b12', '1e400', '1_0x', '_1', '-1-', '.', '.5_0', '0o8', '1.2.3'].map((w) => [w, w]),
    ]));
  });

  test('explicit tags: resolved under the tag or refused as go-yaml refuses them; quoted and block scalars are strings', () => {
    expect(read('kind: K\na: "0443"\nb: \'yes\'\nc: |-\n  on\nd: >-\n  0x1BB\n').objects[0]).toMatchObject({ a: '0443', b: 'yes', c: 'on', d: '0x1BB' });
    const { objects } = read('kind: K\na: !!str 0443\nb: !!int "0443"\nc: ! 0443\nd: !custom 0443\ne: !!float 1\nf: !!binary aGVsbG8=\ng: !!bool "yes"\n');
    expect(objects[0]).toMatchObject({ a: '0443', b: 291, c: 291, d: '0443', e: 1, f: 'hello', g: true });
    expect(read('kind: K\na: !!int abc\n').problems[0]).toMatch(/m\.yaml:2: !!str `abc` cannot be read as !!int/);
    expect(read('kind: K\na: !!binary "not base64!"\n').problems[0]).toMatch(/m\.yaml:2: a !!binary value is not valid base64/);
  });

  test('a %YAML 1.2 directive does not change how kubectl reads the document', () => {
    expect(read('%YAML 1.2\n---\nkind: K\nv: 0443\nw: yes\n').objects[0]).toMatchObject({ v: 291, w: true });
  });

  test('.nan and .inf cannot be carried by JSON: kubectl refuses the document, and so does the CLI', () => {
    for (const scalar of ['.nan', '.Inf', '-.INF', '+.inf']) {
      expect(read(`kind: K\nv: ${scalar}\n`).problems[0]).toMatch(/m\.yaml:2: .*which JSON cannot carry: kubectl refuses the document/);
    }
  });
});

describe('map keys become strings as sigs.k8s.io/yaml makes them', () => {
  test('booleans, integers in any base and floats', () => {
    const { objects, problems } = read('kind: K\nlabels: {on: a, n: b, 0443: c, 0x10: d, 1.5: e, 1e6: f, 2001-12-14: g, "yes": h}\n');
    expect(problems).toEqual([]);
    expect(objects[0].labels).toEqual({ 'true': 'a', 'false': 'b', '291': 'c', '16': 'd', '1.5': 'e', '1e+06': 'f', '2001-12-14': 'g', 'yes': 'h' });
    // A key named __proto__ is data, not a prototype.
    const proto = read('kind: K\nlabels: {__proto__: x}\n').objects[0].labels;
    expect([Object.getPrototypeOf(proto), Object.keys(proto)]).toEqual([Object.prototype, ['__proto__']]);
  });

  test('a null, list or map key is refused, as kubectl refuses it', () => {
    expect(read('kind: K\nm: {~: a}\n').problems[0]).toMatch(/m\.yaml:2: a map key is null/);
    expect(read('kind: K\nm: {[a]: b}\n').problems[0]).toMatch(/m\.yaml:2: a map key is itself a map or a list/);
  });

  test('one key given twice, also as two spellings of one boolean, is refused: a reviewer could read either value', () => {
    expect(read('kind: K\nmetadata:\n  labels:\n    yes: a\n    on: b\n').problems[0])
      .toMatch(/m\.yaml:5: the key "true" is given twice in one map; kubectl would keep the last silently/);
    expect(read('kind: K\nspec: {port: 80, port: 443}\n').problems[0]).toMatch(/the key "port" is given twice/);
  });

});

describe('merge keys', () => {
  test('resolved: a merge fills what the map does not say; a list of merges, the first wins', () => {
    const { objects } = read([
      'kind: K',
      'base: &base {a: 1, b: 1}',
      'one: {<<: *base, b: 2}',
      'list: {<<: [{a: 3}, {a: 4, c: 4}]}',
      'quoted: {"<<": {a: 5}}',
      'tagged: {!!merge "<<": {a: 6}}',
    ].join('\n'));
    expect(objects[0]).toMatchObject({ one: { a: 1, b: 2 }, list: { a: 3, c: 4 }, quoted: { '<<': { a: 5 } }, tagged: { a: 6 } });
  });

  test('in document order, as go-yaml v2 applies them: a merge after a key overrides it', () => {
    const { objects } = read('kind: K\nanchor: &open {podSelector: {}}\npeer:\n  podSelector: {matchLabels: {app: db}}\n  <<: *open\n');
    expect(objects[0].peer).toEqual({ podSelector: {} });
  });

  test('a merge of something other than maps is refused', () => {
    expect(read('kind: K\na: &x null\nm:\n  <<: [*x]\n').problems[0]).toMatch(/m\.yaml:4: a merge key "<<" needs a map/);
    expect(read('kind: K\nm: {<<: 5}\n').problems[0]).toMatch(/a merge key "<<" needs a map/);
  });
});

describe('anchors, aliases and their bound', () => {
  test('an alias to an anchor of another document is an error naming the alias and its line', () => {
    const problems = read('kind: A\nv: &x 1\n---\nkind: B\nv: *x\n').problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/m\.yaml:5: the alias \*x names no anchor before it in this document/);
  });

  test('an alias inside its own anchor is refused', () => {
    expect(read('kind: K\na: &a [*a]\n').problems[0]).toMatch(/m\.yaml:2: the anchor &a contains an alias to itself/);
  });

  test('a billion laughs is refused quickly with go-yaml\'s own bound, ordinary aliases are read', () => {
    const levels = 'abcdefghij'.split('');
    const bomb = ['kind: K', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      ...levels.slice(1).map((k, i) => `${k}: &${k} [${Array(10).fill(`*${levels[i]}`).join(',')}]`)].join('\n');
    const started = Date.now();
    const problems = read(bomb).problems;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/m\.yaml:\d+: its aliases expand to too much data .*kubectl refuses it too \("document contains excessive aliasing"\)/);
    const ordinary = ['kind: K', 'labels: &l {app: web, tier: front}', ...Array.from({ length: 200 }, (_, i) => `k${i}: *l`)].join('\n');
    const read200 = read(ordinary);
    expect(read200.problems).toEqual([]);
    expect(read200.objects[0].k199).toEqual({ app: 'web', tier: 'front' });
    // Each alias is a copy: changing one leaves the others.
    expect(read200.objects[0].k0).not.toBe(read200.objects[0].k1);
  });

  test.each([1_500, 20_000])('nesting is bounded: %i levels are refused with a clear problem, not a crash', (depth) => {
    const problems = read(`kind: K\nv: ${'['.repeat(depth)}${']'.repeat(depth)}\n`).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/m\.yaml:\d+: it nests maps and lists (more than 1000 deep|too deep to be read)/);
  });
});

test('content after "---" on the separator line is refused, as kubectl\'s document splitter refuses it', () => {
  expect(read('kind: A\n--- {kind: B}\n').problems[0]).toMatch(/m\.yaml:2: content after "---" on the separator line/);
  expect(read('kind: A\n--- # a comment\nkind: B\n').objects.map((o) => o.kind)).toEqual(['A', 'B']);
});

describe('verdicts follow what kubectl applies', () => {
  async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  const workloads = ['web', 'db', 'other'].map((name) => [
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: {name: ${name}, namespace: shop}`,
    `spec: {selector: {matchLabels: {app: ${name}}}, template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: c, image: nginx}]}}}`,
  ].join('\n')).join('\n');

  test('port: 0443 is port 291 to kubectl: allowed on 291, denied on 443', async () => {
    const manifests = file(`${workloads}\n---\n${[
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: db, namespace: shop}',
      'spec:',
      '  podSelector: {matchLabels: {app: db}}',
      '  policyTypes: [Ingress]',
      '  ingress:',
      '  - ports: [{port: 0443}]',
    ].join('\n')}\n`);
    const on291 = await run('explain', manifests, '--from', 'shop/web', '--to', 'shop/db', '--port', '291');
    const on443 = await run('explain', manifests, '--from', 'shop/web', '--to', 'shop/db', '--port', '443');
    expect([on291.code, on443.code]).toEqual([0, 1]);
  });

  test('a merge key that sets a peer\'s podSelector narrows the peer, as applied', async () => {
    const manifests = file(`${workloads}\n---\n${[
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: db, namespace: shop}',
      'spec:',
      '  podSelector: {matchLabels: {app: db}}',
      '  policyTypes: [Ingress]',
      '  ingress:',
      '  - from:',
      '    - podSelector:',
      '        <<: {matchLabels: {app: web}}',
    ].join('\n')}\n`);
    const fromWeb = await run('explain', manifests, '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    const fromOther = await run('explain', manifests, '--from', 'shop/other', '--to', 'shop/db', '--port', '5432');
    expect([fromWeb.code, fromOther.code]).toEqual([0, 1]);
  });
});
