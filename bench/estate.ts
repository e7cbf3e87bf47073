/**
 * The benchmark estate: N namespaces, one chart each, each holding the seven policies of the seed
 * scenario (default deny, DNS, three tiers, Prometheus scrape, external HTTPS), written several
 * ways: with cdk8s-netpol's constructs (`netpol`; `netpol-unchecked` with the synth-time lint and
 * proofs off; `service-graph` with the tiers as a ServiceGraph; `netpol-cilium`, `netpol-calico`
 * for the other engines), as hand-written
 * `KubeNetworkPolicy` objects (`hand-written`, and `hand-wrapped` grouped under one plain
 * construct per intent, a control for the tree's shape), and with cdk8s-plus-28's
 * `NetworkPolicy` API (`cdk8s-plus`).
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
// The generated Kubernetes classes cdk8s-plus-28 ships: what `cdk8s import k8s` would give a user.
import { IntOrString, KubeNetworkPolicy, NetworkPolicySpec } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { AllowPrometheusScrape, ExternalHttpsEgress, Peer, PolicyEngine, PolicyProofs, Port, ServiceGraph, ThreeTierApp, ZeroTrustNamespace } from '../src';

export const VARIANTS = ['netpol', 'netpol-unchecked', 'service-graph', 'hand-written', 'hand-wrapped', 'cdk8s-plus', 'netpol-cilium', 'netpol-calico'] as const;
export type Variant = typeof VARIANTS[number];

export function namespaceName(i: number): string {
  return `team-${i}`;
}

/** Builds the estate of `n` namespaces in `app` the way `variant` writes it. */
export function buildEstate(app: App, variant: Variant, n: number): void {
  if (variant === 'netpol-unchecked') {
    // The synth-time lint and proofs off: what they cost is `netpol` minus this.
    app.node.setContext('cdk8s-netpol/lint', false);
    app.node.setContext('cdk8s-netpol/proofs', false);
  }
  for (let i = 0; i < n; i++) {
    const ns = namespaceName(i);
    const chart = new Chart(app, ns);
    switch (variant) {
      case 'netpol':
      case 'netpol-unchecked': netpolNamespace(chart, ns, PolicyEngine.KUBERNETES); break;
      case 'netpol-cilium': netpolNamespace(chart, ns, PolicyEngine.CILIUM); break;
      case 'netpol-calico': netpolNamespace(chart, ns, PolicyEngine.CALICO); break;
      case 'service-graph': graphNamespace(chart, ns); break;
      case 'hand-written': handWrittenNamespace(chart, ns); break;
      case 'hand-wrapped': handWrappedNamespace(chart, ns); break;
      case 'cdk8s-plus': plusNamespace(chart, ns); break;
    }
  }
}

function netpolNamespace(chart: Chart, namespace: string, engine: PolicyEngine): void {
  new ZeroTrustNamespace(chart, 'zt', { namespace, engine });
  new ThreeTierApp(chart, 'shop', { namespace, engine });
  new AllowPrometheusScrape(chart, 'allow-prometheus-scrape', { namespace, engine });
  new ExternalHttpsEgress(chart, 'allow-external-https', { namespace, engine, selector: { app: 'api' } });
}

/**
 * The same seven policies with the three tiers written as a ServiceGraph: who calls whom. The
 * api's internet egress stays an ExternalHttpsEgress, as in the other variants, so that every
 * variant writes the same specs (checked before measuring); the graph's own promise that the api
 * reaches no internet is accepted for it. A graph written from scratch would say
 * `api.allowTo(Peer.internet(), Port.tcp(443))` instead.
 */
function graphNamespace(chart: Chart, namespace: string): void {
  new ZeroTrustNamespace(chart, 'zt', { namespace });
  const graph = new ServiceGraph(chart, 'shop', { namespace });
  const frontend = graph.workload('frontend', { ports: [Port.tcp(80)] });
  const api = graph.workload('api', { ports: [Port.tcp(8080)] });
  const database = graph.workload('database', { labels: { app: 'postgres' }, ports: [Port.tcp(5432)], allowDns: false });
  frontend.allowFrom(Peer.namespace('ingress-nginx'));
  frontend.calls(api);
  api.calls(database);
  PolicyProofs.accept(graph, 'no-api-to-internet', 'the api reaches the internet through the ExternalHttpsEgress below');
  new AllowPrometheusScrape(chart, 'allow-prometheus-scrape', { namespace });
  new ExternalHttpsEgress(chart, 'allow-external-https', { namespace, selector: { app: 'api' } });
}

const DNS_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const tcp = (port: number) => ({ port: IntOrString.fromNumber(port), protocol: 'TCP' });
const DNS_PORTS = [{ port: IntOrString.fromNumber(53), protocol: 'UDP' }, tcp(53)];

/** The seven policies as a careful engineer writes them by hand, spec for spec what the constructs emit. */
export function handWrittenSpecs(): Record<string, NetworkPolicySpec> {
  return {
    'default-deny': { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    'allow-dns': { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [DNS_PEER], ports: DNS_PORTS }] },
    'shop-frontend': {
      podSelector: { matchLabels: { app: 'frontend' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [tcp(80)] }],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [tcp(8080)] },
        { to: [DNS_PEER], ports: DNS_PORTS },
      ],
    },
    'shop-api': {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [tcp(8080)] }],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'postgres' } } }], ports: [tcp(5432)] },
        { to: [DNS_PEER], ports: DNS_PORTS },
      ],
    },
    'shop-database': {
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [tcp(5432)] }],
    },
    'allow-prometheus-scrape': {
      podSelector: { matchLabels: { metrics: 'enabled' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }],
        ports: [tcp(9090)],
      }],
    },
    'allow-external-https': {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Egress'],
      egress: [{
        to: [
          { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } },
          {
            ipBlock: {
              cidr: '::/0',
              except: ['fc00::/7', 'fe80::/10', '64:ff9b:1::/48', '64:ff9b::a00:0/104', '64:ff9b::6440:0/106', '64:ff9b::a9fe:0/112', '64:ff9b::ac10:0/108', '64:ff9b::c0a8:0/112'],
            },
          },
        ],
        ports: [tcp(443)],
      },
      { to: [DNS_PEER], ports: DNS_PORTS }],
    },
  };
}

function handWrittenNamespace(chart: Chart, namespace: string): void {
  for (const [name, spec] of Object.entries(handWrittenSpecs())) {
    new KubeNetworkPolicy(chart, name, { metadata: { name, namespace }, spec });
  }
}

/**
 * The hand-written objects grouped the way any construct library groups them: one plain
 * construct per intent (zero trust, the three tiers, the scrape, the egress), so the tree has
 * the shape of cdk8s-netpol's. A control: what the tree's shape alone costs in cdk8s core.
 */
function handWrappedNamespace(chart: Chart, namespace: string): void {
  const groups: Record<string, Construct> = {};
  const groupOf: Record<string, string> = {
    'default-deny': 'zt',
    'allow-dns': 'zt',
    'shop-frontend': 'shop',
    'shop-api': 'shop',
    'shop-database': 'shop',
    'allow-prometheus-scrape': 'prom',
    'allow-external-https': 'https',
  };
  for (const [name, spec] of Object.entries(handWrittenSpecs())) {
    const group = groupOf[name];
    groups[group] ??= new Construct(chart, group);
    new KubeNetworkPolicy(groups[group], name, { metadata: { name, namespace }, spec });
  }
}

/** The same intent with cdk8s-plus-28: every selector and peer is a construct of its own. */
function plusNamespace(chart: Chart, namespace: string): void {
  const metadata = (name: string) => ({ name, namespace });
  const deny = { default: kplus.NetworkPolicyTrafficDefault.DENY };
  const pods = (id: string, labels: Record<string, string>) => kplus.Pods.select(chart, id, { labels });
  let dnsPeers = 0;
  const dns = () => kplus.Pods.select(chart, `dns-${++dnsPeers}`, {
    labels: { 'k8s-app': 'kube-dns' },
    namespaces: kplus.Namespaces.select(chart, `kube-system-${dnsPeers}`, { names: ['kube-system'] }),
  });
  const dnsRules = (): kplus.NetworkPolicyRule[] => [{ peer: dns(), ports: [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)] }];

  new kplus.NetworkPolicy(chart, 'default-deny', { metadata: metadata('default-deny'), selector: kplus.Pods.all(chart, 'all'), ingress: deny, egress: deny });
  new kplus.NetworkPolicy(chart, 'allow-dns', { metadata: metadata('allow-dns'), selector: kplus.Pods.all(chart, 'all-dns'), egress: { rules: dnsRules() } });
  new kplus.NetworkPolicy(chart, 'shop-frontend', {
    metadata: metadata('shop-frontend'),
    selector: pods('frontend', { app: 'frontend' }),
    ingress: { rules: [{ peer: kplus.Namespaces.select(chart, 'ingress-nginx', { names: ['ingress-nginx'] }), ports: [kplus.NetworkPolicyPort.tcp(80)] }] },
    egress: { rules: [{ peer: pods('frontend-to-api', { app: 'api' }), ports: [kplus.NetworkPolicyPort.tcp(8080)] }, ...dnsRules()] },
  });
  new kplus.NetworkPolicy(chart, 'shop-api', {
    metadata: metadata('shop-api'),
    selector: pods('api', { app: 'api' }),
    ingress: { rules: [{ peer: pods('api-from-frontend', { app: 'frontend' }), ports: [kplus.NetworkPolicyPort.tcp(8080)] }] },
    egress: { rules: [{ peer: pods('api-to-db', { app: 'postgres' }), ports: [kplus.NetworkPolicyPort.tcp(5432)] }, ...dnsRules()] },
  });
  new kplus.NetworkPolicy(chart, 'shop-database', {
    metadata: metadata('shop-database'),
    selector: pods('db', { app: 'postgres' }),
    ingress: { rules: [{ peer: pods('db-from-api', { app: 'api' }), ports: [kplus.NetworkPolicyPort.tcp(5432)] }] },
    egress: deny,
  });
  new kplus.NetworkPolicy(chart, 'allow-prometheus-scrape', {
    metadata: metadata('allow-prometheus-scrape'),
    selector: pods('metrics', { metrics: 'enabled' }),
    ingress: {
      rules: [{
        peer: kplus.Pods.select(chart, 'prometheus', { labels: { app: 'prometheus' }, namespaces: kplus.Namespaces.select(chart, 'monitoring', { names: ['monitoring'] }) }),
        ports: [kplus.NetworkPolicyPort.tcp(9090)],
      }],
    },
  });
  const https = handWrittenSpecs()['allow-external-https'].egress![0].to!;
  new kplus.NetworkPolicy(chart, 'allow-external-https', {
    metadata: metadata('allow-external-https'),
    selector: pods('https', { app: 'api' }),
    egress: {
      rules: [
        { peer: kplus.NetworkPolicyIpBlock.ipv4(chart, 'internet-v4', https[0].ipBlock!.cidr, https[0].ipBlock!.except), ports: [kplus.NetworkPolicyPort.tcp(443)] },
        { peer: kplus.NetworkPolicyIpBlock.ipv6(chart, 'internet-v6', https[1].ipBlock!.cidr, https[1].ipBlock!.except), ports: [kplus.NetworkPolicyPort.tcp(443)] },
      ],
    },
  });
}
