/**
 * NetworkModel at estate scale: 2,000 pods in 100 namespaces under 1,000 policies.
 * `model-bench.ts` prints one JSON line: index build, evaluations per second, full matrix time.
 */
import { NetworkModel } from '../src';

const NAMESPACES = 100;
const PODS_PER_NAMESPACE = 20;
const POLICIES_PER_NAMESPACE = 10;
const APPS = ['frontend', 'api', 'worker', 'cache', 'postgres'];

function namespacePolicies(ns: string, i: number): any[] {
  const policy = (name: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });
  const app = (a: string) => ({ matchLabels: { app: a } });
  const peerNs = `ns-${(i + 1) % NAMESPACES}`;
  return [
    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('allow-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }] }),
    policy('frontend', { podSelector: app('frontend'), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 80, protocol: 'TCP' }] }] }),
    policy('frontend-out', { podSelector: app('frontend'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: app('api') }], ports: [{ port: 8080, protocol: 'TCP' }] }] }),
    policy('api', { podSelector: app('api'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: app('frontend') }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': peerNs } }, podSelector: app('worker') }], ports: [{ port: 8080, protocol: 'TCP' }] }] }),
    policy('api-out', { podSelector: app('api'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['postgres', 'cache'] }] } }], ports: [{ port: 5432, protocol: 'TCP' }, { port: 6379, protocol: 'TCP' }] }] }),
    policy('worker-out', { podSelector: app('worker'), policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: app('api') }], ports: [{ port: 8080, protocol: 'TCP' }] }, { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } }], ports: [{ port: 443, protocol: 'TCP' }] }] }),
    policy('cache', { podSelector: app('cache'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: app('api') }], ports: [{ port: 6379, protocol: 'TCP' }] }] }),
    policy('postgres', { podSelector: app('postgres'), policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: app('api') }], ports: [{ port: 5432, protocol: 'TCP' }] }] }),
    policy('metrics', { podSelector: { matchExpressions: [{ key: 'metrics', operator: 'Exists' }] }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }], ports: [{ port: 9090, protocol: 'TCP' }] }] }),
  ].slice(0, POLICIES_PER_NAMESPACE);
}

/**
 * Guardrails as a platform team writes them: no pod reaches the metadata endpoint; every tenth
 * namespace is a tenant no other namespace reaches (save through the Admin allow of monitoring);
 * where namespaces say nothing, nothing reaches the internet (the internet as networks, 47 CIDRs).
 */
function clusterGuardrails(): any[] {
  const cnp = (name: string, tier: string, priority: number, spec: any) =>
    ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec: { tier, priority, ...spec } });
  const ns = (name: string) => ({ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
  const internet = ['0.0.0.0/5', '8.0.0.0/7', '11.0.0.0/8', '12.0.0.0/6', '16.0.0.0/4', '32.0.0.0/3', '64.0.0.0/2', '128.0.0.0/2', '192.0.0.0/9',
    '192.128.0.0/11', '192.160.0.0/13', '192.169.0.0/16', '192.170.0.0/15', '192.172.0.0/14', '192.176.0.0/12', '192.192.0.0/10', '193.0.0.0/8',
    '194.0.0.0/7', '196.0.0.0/6', '200.0.0.0/5', '208.0.0.0/4', '224.0.0.0/3'];
  const out = [
    cnp('no-metadata', 'Admin', 10, { subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }] }),
    cnp('monitoring', 'Admin', 20, {
      subject: { namespaces: {} },
      ingress: [{
        action: 'Accept',
        from: [{ pods: { namespaceSelector: ns('monitoring').namespaces, podSelector: { matchLabels: { app: 'prometheus' } } } }],
        protocols: [{ tcp: { destinationPort: { number: 9090 } } }],
      }],
    }),
    cnp('baseline-internet', 'Baseline', 10, { subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: internet }] }] }),
  ];
  for (let i = 0; i < NAMESPACES; i += 10) {
    out.push(cnp(`tenant-${i}`, 'Admin', 100 + i, {
      subject: ns(`ns-${i}`),
      ingress: [{
        action: 'Deny',
        from: [{
          namespaces: {
            matchExpressions: [
              { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [`ns-${i}`] },
            ],
          },
        }],
      }],
    }));
  }
  return out;
}

function main(): void {
  const manifests: any[] = [];
  for (let i = 0; i < NAMESPACES; i++) {
    manifests.push(...namespacePolicies(`ns-${i}`, i));
  }
  const start = process.hrtime.bigint();
  const model = NetworkModel.fromManifests(manifests);
  for (let i = 0; i < NAMESPACES; i++) {
    for (let p = 0; p < PODS_PER_NAMESPACE; p++) {
      const app = APPS[p % APPS.length];
      model.addPod({
        namespace: `ns-${i}`,
        name: `${app}-${p}`,
        labels: { app, ...(p % 2 === 0 ? { metrics: 'enabled' } : {}) },
        ip: `10.${i}.${Math.floor(p / 250)}.${(p % 250) + 1}`,
      });
    }
  }
  const pods = model.podIds;
  // The first evaluation builds the index.
  model.evaluate({ from: pods[0], to: pods[1], port: 8080 });
  const indexed = process.hrtime.bigint();

  // Single evaluations: pseudo-random pairs over warm caches, as a test suite issues them.
  const EVALUATIONS = 200_000;
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % pods.length;
  const pairs = Array.from({ length: 1000 }, () => [pods[next()], pods[next()]]);
  let allowedSingles = 0;
  const evalStart = process.hrtime.bigint();
  for (let k = 0; k < EVALUATIONS; k++) {
    const [from, to] = pairs[k % pairs.length];
    if (model.evaluate({ from, to, port: 8080 }).allowed) {
      allowedSingles++;
    }
  }
  const evalEnd = process.hrtime.bigint();

  // The full pod x pod matrix on one port.
  let allowed = 0;
  const matrixStart = process.hrtime.bigint();
  for (const from of pods) {
    for (const to of pods) {
      if (model.evaluate({ from, to, port: 8080 }).allowed) {
        allowed++;
      }
    }
  }
  const matrixEnd = process.hrtime.bigint();

  // The same estate with cluster-wide guardrails around the NetworkPolicies (ClusterNetworkPolicy,
  // Admin and Baseline tiers): the cost they add to single evaluations and to the full matrix.
  const guardrails = clusterGuardrails();
  const clustered = NetworkModel.fromManifests([...manifests, ...guardrails]);
  for (const id of pods) {
    const pod = model._pod(id)!;
    clustered.addPod(pod);
  }
  clustered.evaluate({ from: pods[0], to: pods[1], port: 8080 });
  let clusterAllowedSingles = 0;
  const clusterEvalStart = process.hrtime.bigint();
  for (let k = 0; k < EVALUATIONS; k++) {
    const [from, to] = pairs[k % pairs.length];
    if (clustered.evaluate({ from, to, port: 8080 }).allowed) {
      clusterAllowedSingles++;
    }
  }
  const clusterEvalEnd = process.hrtime.bigint();
  let clusterAllowed = 0;
  const clusterMatrixStart = process.hrtime.bigint();
  for (const from of pods) {
    for (const to of pods) {
      if (clustered.evaluate({ from, to, port: 8080 }).allowed) {
        clusterAllowed++;
      }
    }
  }
  const clusterMatrixEnd = process.hrtime.bigint();

  // Many Calico policies in one namespace (5,000, each with its own order and selectors): the
  // build must stay linear in them (a quadratic one once took seconds; measured here, not in a test).
  const calico = Array.from({ length: 5000 }, (_, i) => ({
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: `p${i}`, namespace: 'a' },
    spec: { order: i, selector: `app == "x${i}"`, ingress: [{ action: 'Allow', source: { selector: `app == "y${i}"` } }] },
  }));
  const calicoStart = process.hrtime.bigint();
  const calicoModel = NetworkModel.fromManifests(calico);
  calicoModel.addPod({ namespace: 'a', name: 'a', labels: { app: 'x1' } });
  calicoModel.addPod({ namespace: 'a', name: 'b', labels: { app: 'y1' } });
  if (!calicoModel.evaluate({ from: 'a/b', to: 'a/a', port: 80 }).allowed) {
    throw new Error('the Calico build benchmark decided wrongly');
  }
  const calicoEnd = process.hrtime.bigint();
  console.log(JSON.stringify({
    pods: pods.length,
    namespaces: NAMESPACES,
    policies: manifests.length,
    indexMs: Number(indexed - start) / 1e6,
    evaluationsPerSecond: Math.round(EVALUATIONS / (Number(evalEnd - evalStart) / 1e9)),
    allowedSingles,
    matrixCells: pods.length * pods.length,
    matrixAllowed: allowed,
    matrixMs: Number(matrixEnd - matrixStart) / 1e6,
    clusterPolicies: guardrails.length,
    clusterEvaluationsPerSecond: Math.round(EVALUATIONS / (Number(clusterEvalEnd - clusterEvalStart) / 1e9)),
    clusterAllowedSingles,
    clusterMatrixAllowed: clusterAllowed,
    clusterMatrixMs: Number(clusterMatrixEnd - clusterMatrixStart) / 1e6,
    calicoPolicies: calico.length,
    calicoBuildMs: Number(calicoEnd - calicoStart) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }));
}

main();
