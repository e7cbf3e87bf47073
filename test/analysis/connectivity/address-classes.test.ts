import { NetworkModel, Report } from '../../../src';
import { externalAddressClasses } from '../../../src/analysis/connectivity/address-classes';

const policy = (spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec });

describe('the ranges of addresses the policies can tell apart', () => {
  test('nested blocks and excepts cut the family into classes, one address each; /0 cuts nothing', () => {
    const classes = externalAddressClasses([policy({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }, { ipBlock: { cidr: '10.1.0.0/16' } }] }] })], []);
    expect(classes).toEqual([
      // The addresses in no named block, at a documentation address.
      { address: '203.0.113.10', within: [], family: 4 },
      { address: '10.0.0.1', within: ['10.0.0.0/8'], family: 4 },
      { address: '10.1.0.1', within: ['10.1.0.0/16', '10.0.0.0/8'], family: 4 },
    ]);
  });

  test('the classes of the given addresses are theirs: the internet and the metadata endpoint stand for them', () => {
    const objects = [policy({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16', '10.0.0.0/8'] } }] }] })];
    expect(externalAddressClasses(objects, ['203.0.113.10', '169.254.169.254']).map((c) => c.within)).toEqual([['10.0.0.0/8']]);
  });

  test('Cilium bare addresses are host routes; Calico nets; IPv6 gets its own classes; a pod\'s address is never a range\'s', () => {
    const objects = [
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', spec: { endpointSelector: {}, egress: [{ toCIDR: ['192.0.2.7'] }] } },
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', spec: { egress: [{ action: 'Deny', destination: { nets: ['2001:db8:1::/48', '198.51.100.0/24'] } }] } },
    ];
    const classes = externalAddressClasses(objects, ['203.0.113.10'], new Set(['198.51.100.1']));
    expect(classes).toEqual([
      { address: '192.0.2.7', within: ['192.0.2.7/32'], family: 4 },
      { address: '198.51.100.0', within: ['198.51.100.0/24'], family: 4 },
      { address: '2001:db8::10', within: [], family: 6 },
      { address: '2001:db8:1::1', within: ['2001:db8:1::/48'], family: 6 },
    ]);
  });

  test('a range a policy allows is a row and a column of the matrix, exactly: the partner on 443, the internet not at all', () => {
    const model = NetworkModel.fromManifests([policy({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 443 }] }],
      ingress: [{ from: [{ ipBlock: { cidr: '198.51.100.0/24', except: ['198.51.100.128/25'] } }], ports: [{ port: 8443 }] }],
    })]);
    model.addPod({ namespace: 'shop', name: 'api' });
    const matrix = new Report(model).matrix;
    const cell = (from: string, to: string) => matrix.cells.find((c) => c.from === from && c.to === to)?.allowed;
    expect(matrix.destinations.filter((d) => d.kind === 'external').map((d) => d.label)).toEqual(['198.51.100.0/24 (198.51.100.1)', '198.51.100.128/25 (198.51.100.129)']);
    expect(cell('shop/api', '198.51.100.0/24')).toEqual(['TCP/443']);
    expect(cell('shop/api', '198.51.100.128/25')).toEqual(['TCP/443']);
    expect(cell('shop/api', 'internet')).toEqual([]);
    expect(cell('198.51.100.0/24', 'shop/api')).toEqual(['TCP/8443']);
    expect(cell('198.51.100.128/25', 'shop/api')).toEqual([]);
    // Each agrees with explain at the range's address.
    expect(model.evaluate({ from: '198.51.100.129', to: 'shop/api', port: 8443 }).allowed).toBe(false);
    expect(model.evaluate({ from: '198.51.100.1', to: 'shop/api', port: 8443 }).allowed).toBe(true);
  });
});
