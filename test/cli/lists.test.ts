import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../src/cli/main';
import { readManifests } from '../../src/cli/manifests';

// Lists are applied item by item, as kubectl apply flattens them (cli-runtime's
// FlattenListVisitor over apimachinery's unstructured decoding).

function file(content: string, name = 'list.yaml'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lists-'));
  fs.writeFileSync(path.join(dir, name), content);
  return path.join(dir, name);
}

const deny = (name: string) => ({ metadata: { name, namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });

describe('flattened as kubectl apply flattens them', () => {
  test('kind: List, a typed NetworkPolicyList as kubectl get -o yaml prints it, and lists in lists; each item mapped to its file', () => {
    const list = file(JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'nested' } }] },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
      ],
    }), 'list.json');
    const typed = file([
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicyList',
      'metadata: {resourceVersion: "42"}',
      'items:',
      // As the API server lists them: the items carry no kind or apiVersion of their own.
      `- ${JSON.stringify(deny('one'))}`,
      `- ${JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...deny('two') })}`,
    ].join('\n'));
    const result = readManifests([list, typed]);
    expect(result.problems).toEqual([]);
    // A nested list's items are queued after the items of the list that holds it, as kubectl does.
    expect(result.objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
      'v1 Namespace a', 'v1 Namespace b', 'v1 Namespace nested',
      'networking.k8s.io/v1 NetworkPolicy one', 'networking.k8s.io/v1 NetworkPolicy two',
    ]);
    expect(result.objects.map((o) => result.sources.get(o))).toEqual([list, list, list, typed, typed]);
  });

  test('a top-level list with items: null is an empty list; the list object itself is never an object of its own', () => {
    const result = readManifests([file('apiVersion: v1\nkind: List\nitems: null\n---\napiVersion: v1\nkind: List\nitems: []\n')]);
    expect(result).toMatchObject({ problems: [], objects: [] });
  });
});

describe('what kubectl would refuse or misread is a problem naming the file, the line and the item', () => {
  test('an item that is not an object', () => {
    const list = file('apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n- just a string\n- [1, 2]\n');
    expect(readManifests([list]).problems).toEqual([
      `${list}:1: items[1] of List is the string "just a string", not an object; kubectl refuses it`,
      // describeValue words it (util/plain-object.ts): "a list of 2", or with the entries counted.
      expect.stringMatching(/^.*list\.yaml:1: items\[2\] of List is a list of 2\b.*, not an object; kubectl refuses it$/),
    ]);
  });

  test('items that are not a list, at the top and nested', () => {
    const list = file('apiVersion: v1\nkind: List\nitems: {a: 1}\n---\napiVersion: v1\nkind: List\nitems:\n- kind: NetworkPolicyList\n  items: null\n');
    expect(readManifests([list]).problems).toEqual([
      `${list}:1: the "items" of List is a plain object, not a list; kubectl refuses it`,
      `${list}:8: items[0]: the "items" of NetworkPolicyList is null, not a list; kubectl refuses it`,
    ]);
  });

  test('an object of another kind with an "items" field: kubectl would apply its items and drop the object', () => {
    const policy = file(JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...deny('p'), items: [] }));
    const problems = readManifests([policy]).problems;
    expect(problems).toEqual([`${policy}:1: NetworkPolicy shop/p has an "items" field: kubectl apply reads any object with "items" as a list, ` +
      'applies its items and drops the object itself; remove "items" (or make it a kind: List)']);
  });
});

test('explain sees a default deny given inside a NetworkPolicyList', async () => {
  const manifests = file([
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web, namespace: shop}',
    'spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: nginx}]}}}',
    '---',
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicyList',
    'items:',
    `- ${JSON.stringify(deny('default-deny'))}`,
  ].join('\n'));
  const out: string[] = [];
  const code = await runCli(['explain', manifests, '--from', '10.0.0.1', '--to', 'shop/web', '--port', '80'], { out: (t) => out.push(t), err: () => undefined });
  expect(code).toBe(1);
  expect(out[0]).toMatch(/^DENIED/);
});
