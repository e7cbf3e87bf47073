/**
 * The estate of the `matrix` / `diff` benchmark (issue 18), written as YAML files the way a
 * cluster's manifests look: one file per namespace, each with its `Namespace`, 50 `apps/v1`
 * Deployments and 20 `networking.k8s.io/v1` NetworkPolicies (default deny, DNS, and 18 allows of
 * the shapes real estates use: pod selectors, other namespaces by label, the `metrics` named port,
 * port ranges, the internet but private ranges, matchExpressions), plus kube-system (kube-dns),
 * monitoring (Prometheus) and ingress-nginx, which the policies name.
 *
 * Deterministic: each namespace draws from a generator seeded by its index alone, so the same size
 * gives the same files on every run, and the `changed` variant differs from `base` only in the
 * policies it edits on purpose (see `CHANGES`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';

export const WORKLOADS_PER_NAMESPACE = 50;
export const POLICIES_PER_NAMESPACE = 20;

export type MatrixEstateVariant = 'base' | 'changed';

export interface MatrixEstateOptions {
  /** `changed` widens one policy to all ports, adds one allow and removes one, so a diff has real changes. */
  readonly variant?: MatrixEstateVariant;
}

/** What was written, system namespaces included. */
export interface MatrixEstateSummary {
  readonly namespaces: number;
  readonly workloads: number;
  readonly policies: number;
  readonly files: number;
  readonly bytes: number;
}

/** The edits of the `changed` variant, by namespace index (modulo the namespaces there are). */
const CHANGES = {
  /** `allow-monitoring-scrape` loses its ports: Prometheus reaches every port of the pods it scrapes. */
  widen: 0,
  /** `allow-gateway-egress` is added: the gateway reaches api, which lets it in already. */
  add: 1,
  /** `allow-backend-to-redis` is removed. */
  remove: 2,
};

const TEAMS = ['payments', 'search', 'catalog', 'identity', 'growth', 'platform', 'data', 'fulfilment'];
const ENVS = ['prod', 'staging', 'dev'];
/** Names every team uses, as real estates reuse them across namespaces; the rest of the 50 are numbered. */
const COMMON_APPS = ['frontend', 'gateway', 'api', 'checkout', 'cart', 'catalog', 'search', 'payments', 'orders', 'inventory',
  'shipping', 'users', 'auth', 'notifications', 'recommendations', 'reviews', 'worker', 'scheduler', 'postgres', 'redis'];
const NUMBERED_APPS = WORKLOADS_PER_NAMESPACE - COMMON_APPS.length;
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];

/** Park and Miller's minimal standard generator: exact in doubles (products stay under 2^53), so the same sequence everywhere. */
function generator(seed: number): () => number {
  let state = 1 + (seed % 2147483646);
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

function numbered(k: number): string {
  return `svc-${String(k).padStart(2, '0')}`;
}

function tierOf(app: string): string {
  if (app === 'frontend' || app === 'gateway') {
    return 'web';
  }
  if (app === 'postgres' || app === 'redis') {
    return 'data';
  }
  return app === 'worker' || app === 'scheduler' ? 'worker' : 'backend';
}

interface Namespace {
  readonly name: string;
  readonly team: string;
  readonly env: string;
}

function namespaceAt(i: number): Namespace {
  const team = TEAMS[i % TEAMS.length];
  return { name: `${team}-${String(i).padStart(3, '0')}`, team, env: ENVS[Math.floor(i / TEAMS.length) % ENVS.length] };
}

function namespaceObject(name: string, labels: Record<string, string>): any {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

function deployment(namespace: string, name: string, labels: Record<string, string>, selector: Record<string, string>, containers: any[]): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: selector },
      template: { metadata: { labels }, spec: { containers } },
    },
  };
}

function policy(namespace: string, name: string, spec: any): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

const app = (name: string) => ({ matchLabels: { app: name } });
const appIn = (...names: string[]) => ({ matchExpressions: [{ key: 'app', operator: 'In', values: names }] });
const tcp = (port: number | string, endPort?: number) => ({ protocol: 'TCP', port, ...(endPort !== undefined ? { endPort } : {}) });
const namespaceNamed = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

/** The 50 Deployments of an application namespace. */
function workloadsOf(ns: Namespace, random: () => number): any[] {
  const names = [...COMMON_APPS, ...Array.from({ length: NUMBERED_APPS }, (_, k) => numbered(k + 1))];
  return names.map((name) => {
    const tier = tierOf(name);
    const metrics = random() < 0.6;
    const labels: Record<string, string> = { app: name, tier, ...(metrics ? { metrics: 'enabled' } : {}) };
    const image = `registry.example.com/${ns.team}/${name}:1.${Math.floor(random() * 40)}.0`;
    let ports: any[];
    if (name === 'postgres' || name === 'redis') {
      ports = [{ name, containerPort: name === 'postgres' ? 5432 : 6379, protocol: 'TCP' }];
    } else {
      ports = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }];
      // Some only number their ports: an admin port no policy names.
      if (random() < 0.2) {
        ports.push({ containerPort: 8081, protocol: 'TCP' });
      }
    }
    const containers: any[] = [{ name, image, ports }];
    if (metrics) {
      if (tier === 'data') {
        // The data tier exports metrics from a sidecar: the named port `metrics` is another number there.
        containers.push({
          name: 'exporter',
          image: `registry.example.com/exporters/${name}-exporter:0.15.0`,
          ports: [{ name: 'metrics', containerPort: name === 'postgres' ? 9187 : 9121, protocol: 'TCP' }],
        });
      } else {
        ports.push({ name: 'metrics', containerPort: 9090, protocol: 'TCP' });
      }
    }
    return deployment(ns.name, name, labels, { app: name }, containers);
  });
}

/** The 20 NetworkPolicies of an application namespace (one more or one fewer where `changed` says). */
function policiesOf(ns: Namespace, i: number, count: number, random: () => number, changed: Set<keyof typeof CHANGES>): any[] {
  // Orders of each namespace call the api of the next one's team, which lets them in.
  const partner = namespaceAt((i + 1) % count);
  const caller = namespaceAt((i + count - 1) % count);
  const picked = new Set<string>();
  // Distinct services: a policy of a service towards itself is not what the shapes below stand for.
  const pick = (): string => {
    let name: string;
    do {
      name = numbered(1 + Math.floor(random() * NUMBERED_APPS));
    } while (picked.has(name));
    picked.add(name);
    return name;
  };
  const p = (name: string, spec: any) => policy(ns.name, name, spec);
  const policies = [
    p('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    p('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: namespaceNamed('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }],
    }),
    p('allow-ingress-nginx-to-frontend', {
      podSelector: app('frontend'),
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: namespaceNamed('ingress-nginx'), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
        ports: [tcp('http')],
      }],
    }),
    p('allow-frontend-to-gateway', { podSelector: app('gateway'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: app('frontend') }], ports: [tcp(8080)] }] }),
    p('allow-web-to-api', {
      podSelector: app('api'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: appIn('frontend', 'gateway') }], ports: [tcp(8080)] }],
    }),
    p('allow-api-to-backends', {
      podSelector: appIn('checkout', 'cart', 'catalog', 'search', 'orders'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: app('api') }], ports: [tcp(8080)] }],
    }),
    p('allow-backend-to-postgres', {
      podSelector: app('postgres'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend', 'worker'] }] } }], ports: [tcp(5432)] }],
    }),
    p('allow-backend-to-redis', {
      podSelector: app('redis'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: appIn('api', 'cart', 'checkout', 'users') }], ports: [tcp(6379)] }],
    }),
    p('allow-monitoring-scrape', {
      podSelector: { matchExpressions: [{ key: 'metrics', operator: 'Exists' }] },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: namespaceNamed('monitoring'), podSelector: app('prometheus') }],
        ...(changed.has('widen') ? {} : { ports: [tcp('metrics')] }),
      }],
    }),
    p('allow-partner-orders-to-api', {
      podSelector: app('api'),
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchLabels: { team: caller.team }, matchExpressions: [{ key: 'env', operator: 'In', values: [caller.env, 'staging'] }] },
          podSelector: app('orders'),
        }],
        ports: [tcp(8080)],
      }],
    }),
    p('allow-frontend-egress', { podSelector: app('frontend'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: appIn('gateway', 'api') }], ports: [tcp(8080)] }] }),
    p('allow-backend-egress-data', {
      podSelector: { matchLabels: { tier: 'backend' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { tier: 'data' } } }], ports: [tcp(5432), tcp(6379)] }],
    }),
    p('allow-worker-egress', {
      podSelector: { matchLabels: { tier: 'worker' } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ namespaceSelector: {}, podSelector: app('api') }], ports: [tcp(8080)] },
        { to: [{ podSelector: { matchLabels: { tier: 'backend' } } }], ports: [tcp(8000, 8999)] },
      ],
    }),
    p('allow-egress-internet-https', {
      podSelector: appIn('payments', 'notifications', 'shipping'),
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } }], ports: [tcp(443)] }],
    }),
    p('allow-orders-to-partner-api', {
      podSelector: app('orders'),
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { team: partner.team } }, podSelector: app('api') }], ports: [tcp(8080)] }],
    }),
  ];
  // Five allows among the numbered services, drawn per namespace: service-to-service ingress (one
  // over a port range), ingress from the tiers by matchExpressions, and egress to node ports.
  const [a, b, c, d, e] = [pick(), pick(), pick(), pick(), pick()];
  policies.push(
    p(`allow-to-${a}`, { podSelector: app(a), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: appIn(b, c) }], ports: [tcp(8080)] }] }),
    p(`allow-to-${b}-range`, { podSelector: app(b), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: app(d) }], ports: [tcp(8080, 8090)] }] }),
    p(`allow-backend-to-${c}`, {
      podSelector: app(c),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }, { key: 'metrics', operator: 'Exists' }] } }] }],
    }),
    p(`allow-${d}-egress`, { podSelector: app(d), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: appIn(a, b, c) }], ports: [tcp(8080), tcp('http')] }] }),
    p(`allow-${e}-egress-nodeports`, {
      podSelector: app(e),
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [tcp(30000, 32767)] }],
    }),
  );
  if (changed.has('add')) {
    policies.push(p('allow-gateway-egress', { podSelector: app('gateway'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: app('api') }], ports: [tcp(8080)] }] }));
  }
  return changed.has('remove') ? policies.filter((o) => o.metadata.name !== 'allow-backend-to-redis') : policies;
}

/** kube-system, monitoring and ingress-nginx: what the application namespaces' policies name. */
function systemFiles(): Map<string, any[]> {
  const container = (name: string, image: string, ports: any[]) => ({ name, image, ports });
  const dnsLabels = { 'k8s-app': 'kube-dns' };
  const nginxLabels = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' };
  return new Map([
    ['kube-system', [namespaceObject('kube-system', {}), deployment('kube-system', 'coredns', dnsLabels, dnsLabels, [container('coredns', 'registry.k8s.io/coredns/coredns:v1.11.1', [
      { name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }, { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
    ])])]],
    ['monitoring', [namespaceObject('monitoring', { team: 'platform' }), deployment('monitoring', 'prometheus', { app: 'prometheus' }, { app: 'prometheus' },
      [container('prometheus', 'quay.io/prometheus/prometheus:v2.53.0', [{ name: 'web', containerPort: 9090, protocol: 'TCP' }])])]],
    ['ingress-nginx', [namespaceObject('ingress-nginx', { team: 'platform' }), deployment('ingress-nginx', 'ingress-nginx-controller', nginxLabels,
      nginxLabels, [container('controller', 'registry.k8s.io/ingress-nginx/controller:v1.10.1', [
        { name: 'http', containerPort: 80, protocol: 'TCP' }, { name: 'https', containerPort: 443, protocol: 'TCP' },
      ])])]],
  ]);
}

/**
 * Writes an estate of `workloads` application workloads (a positive multiple of 50: 50 per
 * namespace) into `dir`, which must be empty or absent, and says what it holds.
 */
export function writeMatrixEstate(dir: string, workloads: number, options: MatrixEstateOptions = {}): MatrixEstateSummary {
  if (!Number.isInteger(workloads) || workloads < WORKLOADS_PER_NAMESPACE || workloads % WORKLOADS_PER_NAMESPACE !== 0) {
    throw new Error(`writeMatrixEstate: workloads ${JSON.stringify(workloads)} is not a positive multiple of ${WORKLOADS_PER_NAMESPACE} (${WORKLOADS_PER_NAMESPACE} per namespace)`);
  }
  const variant = options.variant ?? 'base';
  if (variant !== 'base' && variant !== 'changed') {
    throw new Error(`writeMatrixEstate: variant ${JSON.stringify(String(variant)).slice(0, 40)} is not 'base' or 'changed'`);
  }
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) {
    throw new Error(`writeMatrixEstate: ${dir} is not empty: the estate would mix with what is there`);
  }
  const count = workloads / WORKLOADS_PER_NAMESPACE;
  const files = systemFiles();
  for (let i = 0; i < count; i++) {
    const ns = namespaceAt(i);
    const random = generator(0x5eed + i * 7919);
    const changed = new Set(variant === 'changed' ? (Object.keys(CHANGES) as (keyof typeof CHANGES)[]).filter((k) => CHANGES[k] % count === i) : []);
    files.set(ns.name, [
      namespaceObject(ns.name, { team: ns.team, env: ns.env }),
      ...workloadsOf(ns, random),
      ...policiesOf(ns, i, count, random, changed),
    ]);
  }
  const summary = { namespaces: 0, workloads: 0, policies: 0, files: 0, bytes: 0 };
  for (const [name, objects] of files) {
    const text = objects.map((o) => stringify(o)).join('---\n');
    fs.writeFileSync(path.join(dir, `${name}.yaml`), text);
    summary.files++;
    summary.bytes += Buffer.byteLength(text);
    summary.namespaces += objects.filter((o) => o.kind === 'Namespace').length;
    summary.workloads += objects.filter((o) => o.kind === 'Deployment').length;
    summary.policies += objects.filter((o) => o.kind === 'NetworkPolicy').length;
  }
  return summary;
}
