import { Chart, Testing } from 'cdk8s';
import { AllowPrometheusScrape, ExternalHttpsEgress, Peer, PolicyEngine, Port, ThreeTierApp, ZeroTrustNamespace } from '../src';
import { synthValid } from './support/manifests';
import { isGenerated } from '../src/util/mark';

// Every foundation construct, rendered by every engine: schema-valid, pinned by a snapshot, and
// governing the same pods in the same directions under the same names as its Kubernetes rendering.
const CONSTRUCTS: Record<string, (chart: Chart, engine: PolicyEngine) => void> = {
  ZeroTrustNamespace: (chart, engine) => {
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', allowSameNamespace: true, engine });
    zt.allowIngress(Peer.podsInNamespace('monitoring', { app: 'prometheus' }), Port.tcp(9100));
    zt.allowEgress(Peer.kubeApiServer({ cidrs: ['10.96.0.1/32'] }), Port.tcp(443));
  },
  ThreeTierApp: (chart, engine) => new ThreeTierApp(chart, 'shop', { namespace: 'production', engine }),
  AllowPrometheusScrape: (chart, engine) => new AllowPrometheusScrape(chart, 'scrape', { namespace: 'production', ports: [Port.tcp(9090), Port.named('metrics')], engine }),
  ExternalHttpsEgress: (chart, engine) => new ExternalHttpsEgress(chart, 'egress', { namespace: 'production', selector: { app: 'api' }, engine }),
};
const KIND: Record<PolicyEngine, string> = {
  [PolicyEngine.KUBERNETES]: 'NetworkPolicy',
  [PolicyEngine.CILIUM]: 'CiliumNetworkPolicy',
  [PolicyEngine.CALICO]: 'NetworkPolicy',
};

function synth(name: string, engine: PolicyEngine): any[] {
  const chart = new Chart(Testing.app(), 'test');
  CONSTRUCTS[name](chart, engine);
  return synthValid(chart);
}

/** Which directions a policy governs, whatever the engine's spelling. */
function governed(policy: any): string[] {
  if (policy.apiVersion === 'cilium.io/v2') {
    return ['ingress', 'egress'].filter((d) => policy.spec[d] !== undefined).map((d) => (d === 'ingress' ? 'Ingress' : 'Egress'));
  }
  return policy.spec.policyTypes ?? policy.spec.types;
}

describe.each(Object.keys(CONSTRUCTS))('%s', (name) => {
  const kubernetes = synth(name, PolicyEngine.KUBERNETES);

  test.each([PolicyEngine.CILIUM, PolicyEngine.CALICO])('renders for %s like for Kubernetes', (engine) => {
    const objects = synth(name, engine);
    expect(objects.every((o) => o.kind === KIND[engine])).toBe(true);
    expect(objects.map((o) => `${o.metadata.namespace}/${o.metadata.name} ${governed(o)}`))
      .toEqual(kubernetes.map((o) => `${o.metadata.namespace}/${o.metadata.name} ${governed(o)}`));
    const description = (o: any) => o.metadata.annotations['cdk8s-netpol.io/description'];
    expect(objects.map(description)).toEqual(kubernetes.map(description));
    // Every object carries the mark of generated objects, a digest of its own spec.
    expect(objects.every((o) => isGenerated(o))).toBe(true);
    expect(objects).toMatchSnapshot();
  });
});
