import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { NetworkModel } from '../../src';
import { EstateConnectivity } from '../../src/analysis/connectivity/estate-connectivity';
import { Segment } from '../../src/analysis/connectivity/pair-connectivity';
import { formatRange, normalizeRanges } from '../../src/analysis/connectivity/port-ranges';
import { diffModels } from '../../src/analysis/report/diff';
import { INTERNET_PROBE, METADATA_PROBE, cellRanges, connectivityMatrix } from '../../src/analysis/report/matrix';
import { runCli } from '../../src/cli/main';

/**
 * Exact connectivity agrees with single probes: for random estates of each engine (pods with named
 * container ports; policies with numbered ports, ranges, named ports, every protocol, deny rules,
 * Calico orders and Pass), every random probe's `evaluate` verdict is its membership in the pair's
 * allowed segments (`_segments`), in the matrix cell's allowed ranges, in what a diff from the
 * policy-free estate closes, and `cdk8s-netpol explain`'s exit code on the same objects (two probes
 * per estate); the estate-wide computation gives every pair the answer of the pair alone. Ports are drawn near the bounds the policies name, where
 * an off-by-one would show.
 */

/** The value an arbitrary generates. */
type V<A> = A extends fc.Arbitrary<infer T> ? T : never;

const NAMESPACES = ['a', 'b'];
const APPS = ['web', 'api', 'db'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const NAMED = [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }];
const BASE_PORTS = [1, 53, 80, 443, 5432, 8080, 8443, 9090, 65535];

const app = fc.constantFrom(...APPS);
const protocol = fc.constantFrom(...PROTOCOLS);
const portRange = fc.tuple(fc.constantFrom(...BASE_PORTS), fc.integer({ min: 0, max: 300 }))
  .map(([p, w]) => ({ port: p, end: Math.min(65535, p + w) }));

// Pods carry apps no policy names (cache, batch), live in a namespace no policy names (c), and come in
// replicas: endpoints the estate-wide computation groups.
const pods = fc.uniqueArray(fc.record({
  namespace: fc.constantFrom(...NAMESPACES, 'c'), app: fc.constantFrom(...APPS, 'cache', 'batch'), replica: fc.constantFrom(0, 1), ports: fc.subarray(NAMED),
}), { minLength: 2, maxLength: 7, selector: (p) => `${p.namespace}/${p.app}-${p.replica}` });

// --- Kubernetes NetworkPolicy --------------------------------------------------------------
const k8sPort = fc.oneof(
  fc.record({ protocol, port: fc.constantFrom(...BASE_PORTS) }),
  fc.tuple(protocol, portRange).map(([p, r]) => ({ protocol: p, port: r.port, ...(r.end > r.port ? { endPort: r.end } : {}) })),
  fc.constantFrom(...NAMED).map((n) => ({ protocol: n.protocol, port: n.name })),
);
const k8sPeer = fc.oneof(
  app.map((a) => ({ podSelector: { matchLabels: { app: a } } })),
  app.map((a) => ({ podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: [a] }] } })),
  fc.constantFrom(...NAMESPACES).map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })),
  fc.constant({ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] } }),
  // Ranges the matrix shows as rows and columns of their own (nested, partly excepted).
  fc.constantFrom({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { ipBlock: { cidr: '10.1.0.0/16' } }, { ipBlock: { cidr: '198.51.100.0/24' } }),
);
const k8sRule = fc.record({ peers: fc.array(k8sPeer, { maxLength: 2 }), ports: fc.array(k8sPort, { maxLength: 3 }) });
const k8sPolicy = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  subject: fc.option(app, { nil: undefined }),
  types: fc.constantFrom<string[]>(['Ingress'], ['Egress'], ['Ingress', 'Egress']),
  ingress: fc.array(k8sRule, { maxLength: 2 }),
  egress: fc.array(k8sRule, { maxLength: 2 }),
});
function k8sManifest(p: V<typeof k8sPolicy>, i: number): any {
  const rule = (key: 'from' | 'to') => (r: V<typeof k8sRule>) => ({ ...(r.peers.length ? { [key]: r.peers } : {}), ...(r.ports.length ? { ports: r.ports } : {}) });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `np-${i}`, namespace: p.namespace },
    spec: {
      podSelector: p.subject ? { matchLabels: { app: p.subject } } : {},
      policyTypes: p.types,
      ...(p.types.includes('Ingress') ? { ingress: p.ingress.map(rule('from')) } : {}),
      ...(p.types.includes('Egress') ? { egress: p.egress.map(rule('to')) } : {}),
    },
  };
}

// --- Cilium ----------------------------------------------------------------------------------
const ciliumPort = fc.oneof(
  fc.record({ port: fc.constantFrom(...BASE_PORTS).map(String), protocol: fc.constantFrom('TCP', 'UDP', 'SCTP', 'ANY') }),
  fc.tuple(portRange, fc.constantFrom('TCP', 'UDP', 'ANY')).map(([r, p]) => ({ port: String(r.port), ...(r.end > r.port ? { endPort: r.end } : {}), protocol: p })),
  fc.constantFrom(...NAMED).map((n) => ({ port: n.name, protocol: n.protocol })),
);
const ciliumRule = fc.record({
  peer: fc.oneof(app.map((a) => ({ kind: 'endpoints', app: a })), fc.constantFrom({ kind: 'entities', entity: 'world' }, { kind: 'entities', entity: 'cluster' }, { kind: 'all' })),
  ports: fc.array(ciliumPort, { maxLength: 2 }),
  http: fc.boolean(),
});
const ciliumPolicy = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  subject: fc.option(app, { nil: undefined }),
  ingress: fc.array(ciliumRule, { maxLength: 2 }),
  egress: fc.array(ciliumRule, { maxLength: 2 }),
  ingressDeny: fc.array(ciliumRule, { maxLength: 1 }),
  egressDeny: fc.array(ciliumRule, { maxLength: 1 }),
}).filter((p) => p.ingress.length + p.egress.length + p.ingressDeny.length + p.egressDeny.length > 0);
function ciliumManifest(p: V<typeof ciliumPolicy>, i: number): any {
  const section = (direction: 'ingress' | 'egress', deny: boolean) => (r: V<typeof ciliumRule>) => {
    const from = direction === 'ingress';
    const peer = r.peer.kind === 'endpoints' ? { [from ? 'fromEndpoints' : 'toEndpoints']: [{ matchLabels: { app: (r.peer as any).app } }] }
      : r.peer.kind === 'entities' ? { [from ? 'fromEntities' : 'toEntities']: [(r.peer as any).entity] } : { [from ? 'fromEntities' : 'toEntities']: ['all'] };
    // HTTP rules: allow rules, one TCP port without a range (the model refuses L7 on ranges).
    const httpPort = !deny && r.http && r.ports.length === 1 && r.ports[0].protocol === 'TCP' && !('endPort' in r.ports[0]) && /^[0-9]+$/.test(r.ports[0].port);
    const ports = r.ports.length ? { toPorts: [{ ports: r.ports, ...(httpPort ? { rules: { http: [{ method: 'GET' }] } } : {}) }] } : {};
    return { ...peer, ...ports };
  };
  const spec: any = { endpointSelector: p.subject ? { matchLabels: { app: p.subject } } : {} };
  for (const [key, direction, deny] of [['ingress', 'ingress', false], ['egress', 'egress', false], ['ingressDeny', 'ingress', true], ['egressDeny', 'egress', true]] as const) {
    if (p[key].length > 0) {
      spec[key] = p[key].map(section(direction, deny));
    }
  }
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: `cnp-${i}`, namespace: p.namespace }, spec };
}

// --- Calico ----------------------------------------------------------------------------------
const calicoPorts = fc.array(fc.oneof(
  fc.constantFrom(...BASE_PORTS),
  portRange.map((r) => `${r.port}:${r.end}`),
  fc.constantFrom(...NAMED).map((n) => n.name),
), { minLength: 1, maxLength: 3 });
const calicoRule = fc.record({
  action: fc.constantFrom('Allow', 'Deny', 'Pass'),
  protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'),
  ports: fc.option(calicoPorts, { nil: undefined }),
  notPorts: fc.option(calicoPorts, { nil: undefined }),
  peer: fc.option(fc.oneof(app.map((a) => `app == '${a}'`), app.map((a) => `app != '${a}'`), fc.constant('has(app)'), fc.constant("app in {'web', 'api'}")),
    { nil: undefined }),
});
const calicoPolicy = fc.record({
  global: fc.boolean(),
  namespace: fc.constantFrom(...NAMESPACES),
  order: fc.option(fc.integer({ min: 1, max: 3 }).map((n) => n * 100), { nil: undefined }),
  subject: fc.option(app, { nil: undefined }),
  ingress: fc.array(calicoRule, { maxLength: 2 }),
  egress: fc.array(calicoRule, { maxLength: 2 }),
});
function calicoManifest(p: V<typeof calicoPolicy>, i: number): any {
  const rule = (direction: 'ingress' | 'egress') => (r: V<typeof calicoRule>) => {
    const destination = {
      ...(r.ports ? { ports: r.ports } : {}),
      ...(r.notPorts ? { notPorts: r.notPorts } : {}),
      ...(r.peer && direction === 'egress' ? { selector: r.peer } : {}),
    };
    const source = r.peer && direction === 'ingress' ? { source: { selector: r.peer } } : {};
    return { action: r.action, protocol: r.protocol, ...source, ...(Object.keys(destination).length ? { destination } : {}) };
  };
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: p.global ? 'GlobalNetworkPolicy' : 'NetworkPolicy',
    metadata: { name: `cp-${i}`, ...(p.global ? {} : { namespace: p.namespace }) },
    spec: {
      ...(p.order !== undefined ? { order: p.order } : {}),
      selector: p.subject ? `app == '${p.subject}'` : 'all()',
      types: ['Ingress', 'Egress'],
      ingress: p.ingress.map(rule('ingress')),
      egress: p.egress.map(rule('egress')),
    },
  };
}

// --- ClusterNetworkPolicy (with NetworkPolicies, or Calico's policies) ----------------------------
const cnpProtocol = fc.oneof(
  fc.record({ p: fc.constantFrom('tcp', 'udp', 'sctp'), port: fc.constantFrom(...BASE_PORTS) }).map(({ p, port }) => ({ [p]: { destinationPort: { number: port } } })),
  fc.tuple(fc.constantFrom('tcp', 'udp', 'sctp'), portRange).filter(([, r]) => r.end > r.port)
    .map(([p, r]) => ({ [p]: { destinationPort: { range: { start: r.port, end: r.end } } } })),
  fc.constantFrom(...NAMED).map((n) => ({ destinationNamedPort: n.name })),
);
const cnpPeer = (direction: 'ingress' | 'egress') => fc.oneof(
  fc.constantFrom(...NAMESPACES).map((ns) => ({ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })),
  fc.constant({ namespaces: {} }),
  // A pods peer without namespaceSelector: every namespace.
  app.map((a) => ({ pods: { podSelector: { matchLabels: { app: a } } } })),
  fc.tuple(fc.constantFrom(...NAMESPACES), app).map(([ns, a]) => ({
    pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: [a] }] } },
  })),
  ...(direction === 'egress' ? [fc.constantFrom({ networks: ['0.0.0.0/0'] }, { networks: ['198.51.100.0/24', '169.254.169.254/32'] }, { networks: ['::/0'] })] : []),
);
const cnpRule = (direction: 'ingress' | 'egress') => fc.record({
  action: fc.constantFrom('Accept', 'Deny', 'Deny', 'Pass'),
  peers: fc.array(cnpPeer(direction), { minLength: 1, maxLength: 2 }),
  protocols: fc.option(fc.array(cnpProtocol, { minLength: 1, maxLength: 2 }), { nil: undefined }),
});
const clusterPolicy = fc.record({
  tier: fc.constantFrom('Admin', 'Baseline'),
  priority: fc.constantFrom(1, 2, 2),
  subject: fc.oneof(
    fc.constantFrom(...NAMESPACES, 'c').map((ns) => ({ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })),
    app.map((a) => ({ pods: { podSelector: { matchLabels: { app: a } } } })),
  ),
  ingress: fc.array(cnpRule('ingress'), { maxLength: 2 }),
  egress: fc.array(cnpRule('egress'), { maxLength: 2 }),
});
function clusterManifest(p: V<typeof clusterPolicy>, i: number): any {
  const rule = (key: 'from' | 'to') => (r: V<ReturnType<typeof cnpRule>>) => {
    // A named port towards networks is refused by the experimental CRD: keep the numbered ones.
    const protocols = r.peers.some((peer: any) => peer.networks) ? r.protocols?.filter((x: any) => !x.destinationNamedPort) : r.protocols;
    return { action: r.action, [key]: r.peers, ...(protocols && protocols.length > 0 ? { protocols } : {}) };
  };
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: `cnp-${i}` },
    spec: { tier: p.tier, priority: p.priority, subject: p.subject, ingress: p.ingress.map(rule('from')), egress: p.egress.map(rule('to')) },
  };
}

// --- Probes ------------------------------------------------------------------------------------
/** Ports where an off-by-one would show: each base port and its neighbours, range ends, and a random one. */
const probePort = fc.oneof(
  fc.constantFrom(...BASE_PORTS).chain((p) => fc.constantFrom(p - 1, p, p + 1).filter((x) => x >= 1 && x <= 65535)),
  portRange.chain((r) => fc.constantFrom(r.end, r.end + 1).filter((x) => x <= 65535)),
  fc.integer({ min: 1, max: 65535 }),
);
const probe = fc.record({ from: fc.nat(), to: fc.nat(), port: probePort, protocol });

/** The pods as v1 Pod manifests: what `explain` reads from a file, and the model from the same objects. */
function podManifests(podList: V<typeof pods>): any[] {
  return podList.map((p) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${p.app}-${p.replica}`, namespace: p.namespace, labels: { app: p.app } },
    spec: { containers: [{ name: 'c', image: 'app', ports: p.ports.map((n) => ({ name: n.name, containerPort: n.port, protocol: n.protocol })) }] },
  }));
}

function build(manifests: any[], podList: V<typeof pods>): NetworkModel {
  return NetworkModel.fromManifests([...manifests, ...podManifests(podList)]);
}

/** `cdk8s-netpol explain` on the same objects, in process: exit 0 when allowed, 1 when denied. */
async function explainExit(file: string, from: string, to: string, port: number, protocolName: string): Promise<number> {
  const err: string[] = [];
  const argv = ['explain', file, '--from', from, '--to', to, '--port', String(port), '--protocol', protocolName];
  const code = await runCli(argv, { out: () => undefined, err: (l) => err.push(l) });
  if (code > 1) {
    throw new Error(`explain exited ${code}: ${err.join('\n')}`);
  }
  return code;
}

function inSegments(segments: readonly Segment[], port: number, protocolName: string): Segment {
  const found = segments.find((s) => s.protocol === protocolName && s.from <= port && port <= s.to);
  if (!found) {
    throw new Error(`no segment holds ${protocolName}/${port}`);
  }
  return found;
}

type Seen = { allowed: number; denied: number };

/** The estate-wide computation (grouped endpoints) gives every pair exactly the answer of the pair computed alone. */
function checkEstate(model: NetworkModel): void {
  const ids = model.podIds;
  const sources = [...ids.map((id) => ({ id, address: id })), { id: 'internet', address: INTERNET_PROBE }];
  const targets = [...sources, { id: 'metadata', address: METADATA_PROBE }];
  const estate = new EstateConnectivity(model, sources, targets);
  sources.forEach((s, i) => {
    const row = estate.row(i);
    targets.forEach((t, j) => {
      if (s.id === t.id && ids.includes(s.id)) {
        expect(row[j]).toBe(-1);
      } else if (ids.includes(s.id) || ids.includes(t.id)) {
        const alone = normalizeRanges(model._segments(s.address, t.address).filter((x) => x.allowed)
          .map((x) => ({ protocol: x.protocol, from: x.from, to: x.to, ...(x.l7 ? { l7: x.l7 } : {}) }))).map((r) => formatRange(r, true)).join(', ');
        expect({ pair: `${s.id} -> ${t.id}`, allowed: estate.results[row[j]].key }).toEqual({ pair: `${s.id} -> ${t.id}`, allowed: alone });
      }
    });
  });
}

async function checkAgreement(manifests: any[], podList: V<typeof pods>, probes: V<typeof probe>[], seen: Seen): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-exact-'));
  try {
    await checkIn(dir, manifests, podList, probes, seen);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function checkIn(dir: string, manifests: any[], podList: V<typeof pods>, probes: V<typeof probe>[], seen: Seen): Promise<void> {
  const model = build(manifests, podList);
  const file = path.join(dir, 'estate.yaml');
  fs.writeFileSync(file, [...manifests, ...podManifests(podList)].map((o) => stringify(o)).join('---\n'));
  let explained = 0;
  const ids = model.podIds;
  const matrix = connectivityMatrix(model);
  // The ranges the policies name are endpoints too, evaluated at one address each.
  const ranges = matrix.destinations.filter((d) => d.kind === 'external');
  const ends = [...ids, INTERNET_PROBE, METADATA_PROBE, ...ranges.map((r) => r.address!)];
  const cells = new Map(matrix.cells.map((c) => [`${c.from} ${c.to}`, c]));
  // Every pod reaches every port before the policies: what the diff closes is what they deny.
  const diff = diffModels(build([], podList), model);
  checkEstate(model);
  // A pair's closed ports may come in several changes, one per cause.
  const closed = new Map<string, string[]>();
  for (const c of diff.closed) {
    closed.set(`${c.from} ${c.to}`, [...(closed.get(`${c.from} ${c.to}`) ?? []), ...c.ports]);
  }
  expect(diff.opened).toEqual([]);
  for (const p of probes) {
    const from = ends[p.from % ends.length];
    const to = ends[p.to % ends.length];
    if (from === to || (!ids.includes(from) && !ids.includes(to)) || from === METADATA_PROBE) {
      continue;
    }
    const verdict = model._explain({ from, to, port: p.port, protocol: p.protocol });
    const segment = inSegments(model._segments(from, to), p.port, p.protocol);
    const where = `${from} -> ${to} on ${p.protocol}/${p.port}`;
    expect({ where, allowed: segment.allowed }).toEqual({ where, allowed: verdict.allowed });
    expect({ where, l7: segment.l7 }).toEqual({ where, l7: verdict.allowed ? verdict.sides.find((s) => s.l7 !== undefined)?.l7 : undefined });
    verdict.allowed ? seen.allowed++ : seen.denied++;
    if (explained++ < 2) {
      // The command line reads the same objects from YAML: its exit code is the verdict.
      expect({ where, explain: await explainExit(file, from, to, p.port, p.protocol) }).toEqual({ where, explain: verdict.allowed ? 0 : 1 });
    }
    const idOf = (end: string) => (end === INTERNET_PROBE ? 'internet' : end === METADATA_PROBE ? 'metadata' : ranges.find((r) => r.address === end)?.id ?? end);
    const fromId = idOf(from);
    const toId = idOf(to);
    const cell = cells.get(`${fromId} ${toId}`);
    if (cell !== undefined) {
      const inCell = cellRanges(cell).some((r) => r.protocol === p.protocol && r.from <= p.port && p.port <= r.to);
      expect({ where, matrix: inCell }).toEqual({ where, matrix: verdict.allowed });
    }
    const closedPorts = closed.get(`${fromId} ${toId}`) ?? [];
    const isClosed = closedPorts.some((text) => {
      if (text === 'all ports') {
        return true;
      }
      const m = /^(\w+)\/(\d+)(?:-(\d+))?/.exec(text)!;
      return m[1] === p.protocol && Number(m[2]) <= p.port && p.port <= Number(m[3] ?? m[2]);
    });
    // Denied ports are closed; ports now restricted by L7 rules are closed "(now HTTP rules only)".
    expect({ where, closedByDiff: isClosed }).toEqual({ where, closedByDiff: !verdict.allowed || segment.l7 !== undefined });
  }
}

const RUNS = 120;

describe('matrix, diff and evaluate agree on every probe (random estates)', () => {
  test.each([
    ['Kubernetes', fc.array(k8sPolicy, { maxLength: 4 }).map((ps) => ps.map(k8sManifest))],
    ['Cilium', fc.array(ciliumPolicy, { minLength: 1, maxLength: 3 }).map((ps) => ps.map(ciliumManifest))],
    ['Calico', fc.array(calicoPolicy, { minLength: 1, maxLength: 3 }).map((ps) => ps.map(calicoManifest))],
    ['ClusterNetworkPolicy with NetworkPolicies', fc.tuple(fc.array(clusterPolicy, { minLength: 1, maxLength: 3 }), fc.array(k8sPolicy, { maxLength: 2 }))
      .map(([cs, ks]) => [...cs.map(clusterManifest), ...ks.map(k8sManifest)])],
    ['ClusterNetworkPolicy under Calico', fc.tuple(fc.array(clusterPolicy, { minLength: 1, maxLength: 3 }), fc.array(calicoPolicy, { minLength: 1, maxLength: 2 }))
      .map(([cs, ps]) => [...cs.map(clusterManifest), ...ps.map(calicoManifest)])],
  ] as const)('%s', async (_engine, policies) => {
    const seen = { allowed: 0, denied: 0 };
    await fc.assert(fc.asyncProperty(policies, pods, fc.array(probe, { minLength: 10, maxLength: 30 }), async (manifests, podList, probes) => {
      await checkAgreement(manifests as any[], podList, probes, seen);
    }), { numRuns: RUNS });
    // Both verdicts were exercised, many times.
    expect(seen.allowed).toBeGreaterThan(100);
    expect(seen.denied).toBeGreaterThan(100);
  });
});
