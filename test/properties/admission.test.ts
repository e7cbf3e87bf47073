/**
 * Property: a policy mutated the way hand-written YAML goes wrong (a list written as a map or the
 * map of its first entry — the missing "-" —, a map as a list, a scalar of the wrong type, the
 * booleans and numbers YAML 1.1 reads from unquoted yes/no/on/off and digits) never makes the model
 * more permissive than the same estate without that policy: the model refuses the object (the API
 * server would), or, when the mutated object is still one the cluster admits, its verdicts are no
 * more open than without it. Run over Kubernetes, Cilium and Calico estates.
 */
import * as fc from 'fast-check';
import { NetworkModel, PodEndpoint } from '../../src';

type Json = any;

const namespaces = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { env: 'production' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { env: 'staging' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
];
const PODS: PodEndpoint[] = [
  { namespace: 'prod', name: 'web', labels: { app: 'web' }, ip: '10.0.1.1', ports: [{ port: 80, name: 'http' }] },
  { namespace: 'prod', name: 'api', labels: { app: 'api', tier: 'backend' }, ip: '10.0.1.2', ports: [{ port: 8080, name: 'http' }] },
  { namespace: 'prod', name: 'db', labels: { app: 'db', tier: 'data' }, ip: '10.0.1.3', ports: [{ port: 5432, name: 'pg' }] },
  { namespace: 'other', name: 'web', labels: { app: 'web' }, ip: '10.0.2.1', ports: [{ port: 80, name: 'http' }] },
  { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.0.3.1', ports: [{ port: 53, name: 'dns', protocol: 'UDP' }] },
];
const PROBES = PODS.flatMap((from) => PODS.filter((to) => to !== from).flatMap((to) =>
  [[80, 'TCP'], [8080, 'TCP'], [5432, 'TCP'], [53, 'UDP'], [9999, 'TCP']].map(([port, protocol]) =>
    ({ from: `${from.namespace}/${from.name}`, to: `${to.namespace}/${to.name}`, port: port as number, protocol: protocol as string }))));

const knp = (name: string, spec: Json, namespace = 'prod') => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace, labels: { owner: 'team-a' } }, spec });
const KUBERNETES = [
  knp('deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
  knp('dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] }),
  knp('web-to-api', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'http' }] }] }),
  knp('api-in', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } }], ports: [{ protocol: 'TCP', port: 8080 }] }] }),
  knp('db-in', { podSelector: { matchLabels: { tier: 'data' } }, ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'backend' } }, namespaceSelector: { matchLabels: { env: 'production' } } }], ports: [{ port: 5432, endPort: 5433 }] }] }),
  knp('api-out', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.2.0/24'] } }] }] }),
];
const cnp = (name: string, spec: Json) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'prod' }, spec });
const CILIUM = [
  knp('deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
  cnp('dns', { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }] }),
  cnp('web-to-api', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'api' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] }),
  cnp('api-in', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] }),
  cnp('db', { endpointSelector: { matchLabels: { tier: 'data' } }, ingress: [{ fromEndpoints: [{ matchLabels: { tier: 'backend' } }] }], ingressDeny: [{ fromEntities: ['world'] }] }),
];
const calico = (name: string, spec: Json) => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: 'prod' }, spec });
const CALICO = [
  { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100, defaultAction: 'Pass' } },
  { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'no-db-from-other' }, spec: { tier: 'security', order: 10, selector: "tier == 'data'", types: ['Ingress'], ingress: [{ action: 'Deny', source: { namespaceSelector: "env == 'staging'" } }] } },
  knp('deny-all', { podSelector: {}, policyTypes: ['Ingress'] }),
  calico('api-in', { order: 100, selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "app == 'web'" }, destination: { ports: [8080] } }] }),
  calico('db-in', { order: 200, selector: "tier == 'data'", ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "tier in {'backend'}" }, destination: { ports: ['5432:5433'] } }] }),
];

/** Every path to a value inside an object's metadata and spec (where mutations happen). */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) {
    return [...here, ...value.flatMap((v, i) => paths(v, [...prefix, i]))];
  }
  if (value !== null && typeof value === 'object') {
    return [...here, ...Object.keys(value).flatMap((k) => paths(value[k], [...prefix, k]))];
  }
  return here;
}

/** How YAML goes wrong, as the value it produces from the value it replaces (undefined: not applicable). */
/**
 * Fields that take a number or a string (IntOrString): a Kubernetes port, a Calico port entry and
 * protocol. Between those two types there is no type change to make.
 */
const INT_OR_STRING = (path: (string | number)[]) => {
  const [last, parent] = [path[path.length - 1], path[path.length - 2]];
  return last === 'port' || last === 'protocol' || last === 'notProtocol' || ((parent === 'ports' || parent === 'notPorts') && typeof last === 'number');
};

const MUTATIONS: Record<string, (v: Json, path: (string | number)[]) => Json | undefined> = {
  'list as a map': (v) => (Array.isArray(v) ? Object.fromEntries(v.map((e, i) => [`item${i}`, e])) : undefined),
  'missing "-": the list is its first entry': (v) => (Array.isArray(v) && v.length > 0 ? v[0] : undefined),
  'map as a list': (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? [v] : undefined),
  'scalar as a list': (v) => (v !== null && typeof v !== 'object' ? [v] : undefined),
  'a string as the boolean YAML 1.1 reads from yes': (v) => (typeof v === 'string' ? true : undefined),
  'a string as the boolean YAML 1.1 reads from off': (v) => (typeof v === 'string' ? false : undefined),
  // A port may be a number or a name (IntOrString): a number there is not a type change.
  'a string as a number': (v, path) => (typeof v === 'string' && !INT_OR_STRING(path) ? 443 : undefined),
  'a number as a string': (v, path) => (typeof v === 'number' && !INT_OR_STRING(path) ? String(v) : undefined),
  'a number as the octal YAML 1.1 reads': (v) => (typeof v === 'number' ? true : undefined),
  'a map or list as a string': (v) => (v !== null && typeof v === 'object' ? 'x' : undefined),
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

function mutate(obj: Json, path: (string | number)[], mutation: string): Json | undefined {
  const copy = structuredClone(obj);
  let parent = copy;
  path.slice(0, -1).forEach((k) => { parent = parent[k]; });
  const key = path[path.length - 1];
  const value = MUTATIONS[mutation](parent[key], path);
  if (value === undefined) {
    return undefined;
  }
  parent[key] = value;
  return copy;
}

function verdicts(objects: Json[]): boolean[] | 'refused' {
  let model: NetworkModel;
  try {
    model = NetworkModel.fromManifests([...namespaces, ...objects]);
    PODS.forEach((p) => model.addPod(p));
  } catch {
    return 'refused';
  }
  return PROBES.map((p) => model.evaluate(p).allowed);
}

describe.each([['Kubernetes', KUBERNETES], ['Cilium', CILIUM], ['Calico', CALICO]] as [string, Json[]][])('%s estate', (_engine, estate) => {
  test('the estate itself is admitted and its verdicts mix allowed and denied', () => {
    const all = verdicts(estate);
    expect(all).not.toBe('refused');
    expect((all as boolean[]).some((v) => v)).toBe(true);
    expect((all as boolean[]).some((v) => !v)).toBe(true);
  });

  test('a mutated policy is refused, or no more permissive than the estate without it', () => {
    const outcomes = { refused: 0, admitted: 0 };
    const candidates = estate.map((obj) => paths({ metadata: obj.metadata, spec: obj.spec }));
    fc.assert(fc.property(fc.nat(estate.length - 1), fc.nat(), fc.constantFrom(...MUTATION_NAMES), (index, pick, mutation) => {
      const objPaths = candidates[index];
      const path = objPaths[pick % objPaths.length];
      const mutated = mutate(estate[index], path, mutation);
      fc.pre(mutated !== undefined);
      const withMutated = verdicts(estate.map((o, i) => (i === index ? mutated : o)));
      if (withMutated === 'refused') {
        outcomes.refused++;
        return;
      }
      outcomes.admitted++;
      const without = verdicts(estate.filter((_, i) => i !== index));
      expect(without).not.toBe('refused');
      const opened = PROBES.filter((_, i) => withMutated[i] && !(without as boolean[])[i]);
      // A message that names the flow, the object and the mutation, should this ever fail.
      expect({ object: estate[index].metadata.name, path: path.join('.'), mutation, opened }).toEqual({ object: estate[index].metadata.name, path: path.join('.'), mutation, opened: [] });
    }), { numRuns: Number(process.env.PROPERTY_RUNS ?? 300), seed: Number(process.env.PROPERTY_SEED ?? 17) });
    // The mutations must mostly produce refused objects (that is the point of admission).
    expect(outcomes.refused).toBeGreaterThan(outcomes.admitted);
  });
});
