import { expectValidManifests, manifestProblems } from './manifests';
import { sharedPart } from './shared';

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
    ['an unknown field (typo)', policy({ ingres: [] }), /must NOT have additional properties|unknown field "ingres"/],
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
    expect(manifestProblems([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } }]))
      .toEqual([expect.stringMatching(/no schema known for example.com\/v1 Widget/)]);
  });

  test('checks Namespace names', () => {
    expect(manifestProblems([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production' } }])).toEqual([]);
    expect(manifestProblems([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Prod' } }]).join()).toMatch(/DNS-1123 label/);
  });

  describe('Cilium and Calico', () => {
    const cnp = (spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'a', namespace: 'b' }, spec: { endpointSelector: {}, ...spec } });
    const calico = (spec: Record<string, unknown>, kind = 'NetworkPolicy') => ({
      apiVersion: 'projectcalico.org/v3',
      kind,
      metadata: kind === 'NetworkPolicy' ? { name: 'a', namespace: 'b' } : { name: 'a' },
      spec: { order: 1000, selector: 'all()', types: ['Ingress'], ...spec },
    });

    test('accepts valid objects of every kind', () => {
      expect(manifestProblems([
        cnp({ ingress: [{}], egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }] }),
        cnp({ egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }], toPorts: [{ ports: [{ port: '8000', endPort: 8100, protocol: 'TCP' }] }] }] }),
        calico({ ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80, '8000:8100', 'http'] } }] }),
        calico({ types: ['Egress'], order: 100, egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }] }, 'GlobalNetworkPolicy'),
        { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 't' }, spec: { order: 100, defaultAction: 'Pass' } },
      ])).toEqual([]);
    });

    test.each([
      ['a CNP without any rule section', cnp({}), /must match a schema in anyOf|needs at least one of ingress/],
      // Only the official CRD closes Cilium's objects (kubernetes-models leaves them open).
      ...(sharedPart('schemas').present ? [['a CNP with an unknown field', cnp({ ingress: [{}], bogus: 1 }) as any, /additional properties .*bogus/]] : []),
      ['a CNP port as a number', cnp({ ingress: [{ toPorts: [{ ports: [{ port: 80 }] }] }] }), /must be string/],
      ['two L3 members in one Cilium rule', cnp({ ingress: [{ fromEndpoints: [{}], fromCIDR: ['1.2.3.4/32'] }] }), /mutually exclusive/],
      ['toFQDNs with toEndpoints', cnp({ egress: [{ toFQDNs: [{ matchName: 'a.com' }], toEndpoints: [{}] }] }), /mutually exclusive/],
      ['a Cilium except outside its cidr', cnp({ egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['11.0.0.0/8'] }] }] }), /must lie inside/],
      ['a DNS rule on a port range', cnp({ egress: [{ toPorts: [{ ports: [{ port: '53', endPort: 54, protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] }), /DNS rules cannot be used with port ranges/],
      ['a Calico policy without order', calico({ order: undefined }), /order must be explicit/],
      ['Calico ports without a protocol', calico({ ingress: [{ action: 'Allow', destination: { ports: [80] } }] }), /ports need protocol/],
      ['a bad Calico range', calico({ ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['90:80'] } }] }), /not a port/],
      ['mixed families in one Calico rule', calico({ ingress: [{ action: 'Allow', source: { nets: ['10.0.0.0/8', 'fc00::/7'] } }] }), /mix IPv4 and IPv6/],
      ['an unknown Calico action', calico({ ingress: [{ action: 'Accept' }] }), /must be equal to one of the allowed values|action "Accept" is not one of/],
      ['a namespaced GlobalNetworkPolicy', { ...calico({}, 'GlobalNetworkPolicy'), metadata: { name: 'a', namespace: 'b' } }, /cluster-scoped/],
    ] as [string, any, RegExp][])('rejects %s', (_what, manifest, message) => {
      expect(manifestProblems([manifest]).join('\n')).toMatch(message);
    });
  });
});
