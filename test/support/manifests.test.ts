import { expectValidManifests, manifestProblems } from './manifests';

// The validator is the safety net of every other test: prove it catches what the API server rejects.
const policy = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'p', namespace: 'ns', ...metadata },
  spec: { podSelector: {}, policyTypes: ['Ingress'], ...spec },
});

describe('manifest validator', () => {
  test('accepts a valid policy', () => {
    const valid = policy({
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } }, podSelector: { matchLabels: { app: 'a' } } }], ports: [{ protocol: 'TCP', port: 80, endPort: 90 }] }],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }, { ipBlock: { cidr: '::/0', except: ['fc00::/7'] } }], ports: [{ protocol: 'UDP', port: 'dns' }] }],
    });
    expect(manifestProblems([valid])).toEqual([]);
    expect(expectValidManifests([valid])).toHaveLength(1);
  });

  test.each([
    ['an unknown field (typo)', policy({ ingres: [] }), /must NOT have additional properties/],
    ['a wrong type', policy({ policyTypes: 'Ingress' }), /must be array/],
    ['a bad policy type', policy({ policyTypes: ['Ingress', 'Inbound'] }), /policyTypes/],
    ['an empty peer', policy({ ingress: [{ from: [{}] }] }), /must specify a peer/],
    ['ipBlock with a selector', policy({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }), /both ipBlock and another peer/],
    ['a bad CIDR', policy({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] }), /not a valid CIDR/],
    ['except equal to cidr', policy({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }] }] }), /strict subset/],
    ['except outside cidr', policy({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }] }] }), /strict subset/],
    ['except of another family', policy({ ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['fc00::/7'] } }] }] }), /strict subset/],
    ['port 0', policy({ ingress: [{ ports: [{ protocol: 'TCP', port: 0 }] }] }), /out of range/],
    ['port 65536', policy({ ingress: [{ ports: [{ protocol: 'TCP', port: 65536 }] }] }), /out of range/],
    ['ICMP protocol', policy({ ingress: [{ ports: [{ protocol: 'ICMP' }] }] }), /not TCP, UDP or SCTP/],
    ['endPort without port', policy({ ingress: [{ ports: [{ protocol: 'TCP', endPort: 90 }] }] }), /endPort requires a numeric port/],
    ['endPort with a named port', policy({ ingress: [{ ports: [{ protocol: 'TCP', port: 'http', endPort: 90 }] }] }), /endPort requires a numeric port/],
    ['endPort below port', policy({ ingress: [{ ports: [{ protocol: 'TCP', port: 90, endPort: 80 }] }] }), /endPort 80 must be >= port 90/],
    ['a bad port name', policy({ ingress: [{ ports: [{ protocol: 'TCP', port: 'Metrics' }] }] }), /IANA/],
    ['a bad label value', policy({ podSelector: { matchLabels: { app: '-x' } } }), /matchLabels/],
    ['In without values', policy({ podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }), /operator\/values/],
    ['a bad name', policy({}, { name: 'Bad_Name' }), /metadata.name/],
    ['a bad namespace', policy({}, { namespace: 'a.b' }), /metadata.namespace/],
  ])('rejects %s', (_what, manifest, message) => {
    const problems = manifestProblems([manifest]);
    expect(problems.join('\n')).toMatch(message);
    expect(() => expectValidManifests([manifest])).toThrow(/invalid manifests/);
  });

  test('rejects kinds it has no schema for, so that nothing goes unchecked', () => {
    expect(manifestProblems([{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x' } }]))
      .toEqual([expect.stringMatching(/no schema known for cilium.io\/v2 CiliumNetworkPolicy/)]);
  });

  test('checks Namespace names', () => {
    expect(manifestProblems([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production' } }])).toEqual([]);
    expect(manifestProblems([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Prod' } }]).join()).toMatch(/DNS-1123 label/);
  });
});
