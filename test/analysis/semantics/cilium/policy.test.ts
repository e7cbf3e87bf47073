import { PodSide } from '../../../../src/analysis/endpoint';
import { CiliumPolicy, ciliumRuleBounds, matchCiliumRule, selectingSubjects } from '../../../../src/analysis/semantics/cilium/policy';
import { SideQuery } from '../../../../src/analysis/semantics/side-evaluator';

type Json = Record<string, any>;
const cnp = (spec: Json, extra: Json = {}) => new CiliumPolicy({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'prod' }, spec, ...extra });
const pod = (namespace: string, labels: Record<string, string>, extra: Partial<PodSide> = {}): PodSide => ({
  kind: 'pod', id: `${namespace}/${labels.app}`, namespace, name: labels.app, labels, namespaceLabels: {}, ports: [], hostNetwork: false, ...extra,
});
const query = (other: any, port = 80, protocol = 'TCP', direction: 'ingress' | 'egress' = 'ingress'): SideQuery =>
  ({ pod: pod('prod', { app: 'db' }), direction, other, destination: direction === 'ingress' ? pod('prod', { app: 'db' }) : other, port, protocol });

describe('CiliumPolicy', () => {
  test('ids: namespaced CNP and cluster-wide CCNP', () => {
    expect(cnp({ endpointSelector: {}, ingress: [{}] }).id).toBe('CiliumNetworkPolicy prod/p');
    const ccnp = new CiliumPolicy({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'c', namespace: 'ignored' }, spec: { endpointSelector: {}, egress: [{}] } });
    expect(ccnp.id).toBe('CiliumClusterwideNetworkPolicy c');
    expect(ccnp.namespace).toBeUndefined();
  });

  test('default deny per direction: a non-empty allow or deny section, unless enableDefaultDeny opts out', () => {
    const p = cnp({ endpointSelector: {}, ingressDeny: [{ fromEntities: ['world'] }], egress: [], enableDefaultDeny: {} });
    expect(p.subjects[0].defaultDeny).toEqual({ ingress: true, egress: false });
    const optOut = cnp({ endpointSelector: {}, ingress: [{}], egress: [{}], enableDefaultDeny: { ingress: false } });
    expect(optOut.subjects[0].defaultDeny).toEqual({ ingress: false, egress: true });
  });

  test('selectingSubjects: by endpointSelector within the namespace; host-network pods never', () => {
    const p = cnp({ endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{}] });
    expect(selectingSubjects([p], pod('prod', { app: 'db' }))).toHaveLength(1);
    expect(selectingSubjects([p], pod('other', { app: 'db' }))).toHaveLength(0);
    expect(selectingSubjects([p], pod('prod', { app: 'db' }, { hostNetwork: true }))).toHaveLength(0);
  });

  test('ciliumRuleBounds: the bounds of numbered ports and ranges, allow and deny; port 0 and names give none', () => {
    const p = cnp({
      endpointSelector: {},
      ingress: [{ toPorts: [{ ports: [{ port: '80' }, { port: 'http', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }, { port: '0' }] }] }],
      egressDeny: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '8000', endPort: 8100 }] }] }],
    });
    expect(ciliumRuleBounds(p.subjects[0].allow.ingress[0])).toEqual([80, 81, 53, 54]);
    expect(ciliumRuleBounds(p.subjects[0].deny.egress[0])).toEqual([8000, 8101]);
  });

  test('bare addresses are host routes in toCIDR', () => {
    const rule = cnp({ endpointSelector: {}, egress: [{ toCIDR: ['203.0.113.7'] }] }).subjects[0].allow.egress[0];
    expect(matchCiliumRule(rule, query({ kind: 'external', id: '203.0.113.7', ip: '203.0.113.7' }, 80, 'TCP', 'egress'))?.text).toBe('to CIDR 203.0.113.7/32 on every port');
    expect(matchCiliumRule(rule, query({ kind: 'external', id: '203.0.113.8', ip: '203.0.113.8' }, 80, 'TCP', 'egress'))).toBeUndefined();
  });

  describe('refuses what Cilium rejects or the model cannot evaluate, naming the object and field', () => {
    test.each([
      [{ nodeSelector: {}, ingress: [{}] }, /CiliumNetworkPolicy prod\/p: nodeSelector is only valid in a CiliumClusterwideNetworkPolicy/],
      [{ ingress: [{}] }, /CiliumNetworkPolicy prod\/p: endpointSelector is required/],
      [{ endpointSelector: {} }, /needs at least one of ingress, ingressDeny, egress and egressDeny/],
      [{ endpointSelector: {}, ingress: {} }, /ingress \{\} is not a list of rules/],
      [{ endpointSelector: {}, ingress: [{ fromEndpoints: [{}], fromCIDR: ['10.0.0.0/8'] }] }, /ingress rule #1: combining fromEndpoints and fromCIDR in one rule is not supported by Cilium/],
      [{ endpointSelector: {}, egress: [{ toServices: [{ k8sService: { serviceName: 'a' } }] }] }, /egress rule #1 toServices is not modelled: Services are not part of the model/],
      [{ endpointSelector: {}, egress: [{ toGroups: [{}] }] }, /toGroups is not modelled: cloud-provider groups/],
      [{ endpointSelector: {}, ingress: [{ fromNodes: [{}] }] }, /fromNodes is not modelled/],
      [{ endpointSelector: {}, ingress: [{ fromRequires: [{}] }] }, /fromRequires is not modelled: deprecated/],
      [{ endpointSelector: {}, ingress: [{ authentication: { mode: 'required' } }] }, /authentication is not modelled: mutual authentication/],
      [{ endpointSelector: {}, ingress: [{ fromEndpoint: [] }] }, /ingress rule #1: unknown field "fromEndpoint"; ingress rules have fromEndpoints/],
      [{ endpointSelector: {}, ingress: [{ fromEntities: ['everyone'] }] }, /fromEntities\[0\] "everyone" is not a Cilium entity/],
      [{ endpointSelector: {}, ingress: [{ fromCIDRSet: [{ cidrGroupRef: 'g' }] }] }, /cidrGroupRef\/cidrGroupSelector is not modelled/],
      [{ endpointSelector: {}, ingress: [{ fromCIDRSet: [{ cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] }] }] }, /except\[0\] "11.0.0.0\/16" must lie inside 10.0.0.0\/8/],
      [{ endpointSelector: {}, ingress: [{ fromCIDR: ['10.0.0.0/33'] }] }, /fromCIDR\[0\] cidr "10.0.0.0\/33" is not a valid CIDR/],
      [{ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: 80 }] }] }] }, /port 80 must be a string such as "8080" \(Cilium ports are strings\)/],
      [{ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '70000' }] }] }] }, /port "70000" is not a port number from 0 to 65535/],
      [{ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'ICMP' }] }] }] }, /protocol "ICMP" is not one of TCP, UDP, SCTP, ANY, VRRP, IGMP/],
      [{ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: 'http', endPort: 90 }] }] }] }, /endPort needs a numeric port other than "0"/],
      [{ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '90', endPort: 80 }] }] }] }, /endPort 80 must be from port 90 to 65535/],
      [{ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [] }] }] }, /toPorts\[0\].ports \[\] must list at least one port/],
      [{ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80' }], rules: { kafka: [{}] } }] }] }, /rules.kafka is not modelled: the model evaluates HTTP and DNS L7 rules only/],
      [{ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '443' }], terminatingTLS: {} }] }] }, /terminatingTLS is not modelled: TLS inspection/],
      [{ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '443' }], serverNames: ['a.b'] }] }] }, /serverNames is not modelled/],
      [{ endpointSelector: {}, ingressDeny: [{ toPorts: [{ ports: [{ port: '80' }], rules: { http: [{}] } }] }] }, /unknown field "rules"; a deny rule's toPorts entry has ports only/],
      [{ endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '53', endPort: 54 }], rules: { dns: [{ matchPattern: '*' }] } }] }] }, /DNS rules cannot be used with port ranges/],
      [{ endpointSelector: {}, enableDefaultDeny: { ingress: 'no' }, ingress: [{}] }, /enableDefaultDeny.ingress "no" is not a boolean/],
      [{ endpointSelector: {}, ingress: [{}], priority: 1 }, /unknown field "priority"/],
    ])('%j', (spec, message) => {
      expect(() => cnp(spec)).toThrow(message);
    });

    // docs/semantics/cilium.md#host-policies; cilium pkg/policy/api/rule_validation.go Rule.Sanitize.
    test('host policies (nodeSelector in a CCNP) are accepted and select no pod; with endpointSelector too they are refused, as Cilium does', () => {
      const host = (spec: Json) => new CiliumPolicy({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'host' }, spec });
      const policy = host({ nodeSelector: { matchLabels: { role: 'worker' } }, ingress: [{ fromEntities: ['cluster'] }] });
      expect(policy.subjects.map((s) => [s.selectsNodes, s.selector.text])).toEqual([[true, 'nodes {role=worker}']]);
      expect(policy.subjects[0].selector.matches(pod('prod', { role: 'worker' }))).toBe(false);
      expect(() => host({ nodeSelector: {}, endpointSelector: {}, ingress: [{}] }))
        .toThrow(/CiliumClusterwideNetworkPolicy host: endpointSelector and nodeSelector together are refused by Cilium \(a rule selects pods or nodes, not both\)/);
      expect(() => host({ nodeSelector: { matchLabels: { a: 1 } }, ingress: [{}] })).toThrow(/nodeSelector.matchLabels "a": value 1 is not a string/);
    });

    test('no spec and no specs; a policy without a name', () => {
      expect(() => new CiliumPolicy({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'prod' } }))
        .toThrow('CiliumNetworkPolicy prod/p has neither spec nor specs: a Cilium policy needs at least one rule');
      expect(() => new CiliumPolicy({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: {} })).toThrow('CiliumNetworkPolicy without metadata.name');
      expect(() => cnp({ endpointSelector: {}, ingress: [{}] }, { specs: {} })).toThrow(/specs \{\} is not a list of rules/);
    });

    test('an empty fromRequires is accepted (the CRD allows only that)', () => {
      expect(() => cnp({ endpointSelector: {}, ingress: [{ fromRequires: [] }] })).not.toThrow();
    });
  });
});
