import { ApiObject, Chart, Testing } from 'cdk8s';
import { CalicoGlobalDeny, ClusterCni, Linter, NetworkModel, Peer, PolicyEngine, Port, ZeroTrustNamespace } from '../../../src';

/**
 * egress-to-metadata agrees with the model: an allowance that includes 169.254.169.254 is not
 * reported when another object denies the address for the pods it selects (a CalicoGlobalDeny, a
 * Cilium egressDeny), as `explain` then says DENIED. It used to read each object alone.
 */

const jsonsOf = (chart: Chart) => chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
const metadataFindings = (objects: any[], cni: ClusterCni) => new Linter({ cni }).lint(objects).filter((f) => f.rule === 'egress-to-metadata');

/** What the model says of a pod of `namespace` (no labels) reaching the metadata endpoint on HTTP. */
function modelAllowsMetadata(objects: any[], namespace: string): boolean {
  const model = NetworkModel.fromManifests(objects);
  model.addPod({ namespace, name: 'client' });
  return model.evaluate({ from: `${namespace}/client`, to: '169.254.169.254', port: 80 }).allowed;
}

describe('egress-to-metadata and denies elsewhere (Calico)', () => {
  const estate = (deny?: (chart: Chart) => void) => {
    const chart = new Chart(Testing.app(), 'c');
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine: PolicyEngine.CALICO });
    zt.allowEgress(Peer.ipBlock('0.0.0.0/0'));
    deny?.(chart);
    // As hand-written manifests: the lint judges content alone, so this is what it sees of any estate.
    return jsonsOf(chart).map((o) => {
      delete o.metadata.annotations?.['cdk8s-netpol.io/generated'];
      return o;
    });
  };

  test('a user\'s egress to 0.0.0.0/0 is not reported next to a CalicoGlobalDeny of the endpoint (the model denies it); it is without one, '
    + 'or next to a deny of another port or of other pods', () => {
    const denied = estate((chart) => new CalicoGlobalDeny(chart, 'deny'));
    expect(modelAllowsMetadata(denied, 'production')).toBe(false);
    expect(metadataFindings(denied, ClusterCni.CALICO)).toEqual([]);
    const open = [
      estate(),
      estate((chart) => new CalicoGlobalDeny(chart, 'deny', { ports: [Port.tcp(22)] })),
      estate((chart) => new CalicoGlobalDeny(chart, 'deny', { selector: 'app == \'batch\'' })),
    ];
    for (const objects of open) {
      expect(modelAllowsMetadata(objects, 'production')).toBe(true);
      expect(metadataFindings(objects, ClusterCni.CALICO).map((f) => f.name)).toEqual(['allow-egress']);
    }
  });
});

describe('egress-to-metadata and denies elsewhere (Cilium)', () => {
  const allowWorld = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'world', namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'api' } }, egress: [{ toCIDR: ['0.0.0.0/0'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] },
  };
  const denyMetadata = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: 'no-metadata' },
    spec: { endpointSelector: {}, egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] },
  };

  test('a clusterwide egressDeny of the endpoint closes another policy\'s world egress; Kubernetes policies alone (which cannot deny) build no model', () => {
    expect(metadataFindings([allowWorld], ClusterCni.CILIUM).map((f) => f.name)).toEqual(['world']);
    expect(metadataFindings([allowWorld, denyMetadata], ClusterCni.CILIUM)).toEqual([]);
    const open = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'open', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
    };
    const added = jest.spyOn(NetworkModel.prototype, 'addManifest');
    try {
      expect(metadataFindings([open], ClusterCni.KUBERNETES)).toHaveLength(1);
      expect(added).not.toHaveBeenCalled();
    } finally {
      added.mockRestore();
    }
  });
});
