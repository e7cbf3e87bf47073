import * as api from '../src';

// The public API is a binding contract: tests outside the project call exactly these names.
describe('public API contract', () => {
  test('PolicyEngine and Protocol values', () => {
    expect({ ...api.PolicyEngine }).toEqual({ KUBERNETES: 'kubernetes', CILIUM: 'cilium', CALICO: 'calico' });
    expect({ ...api.Protocol }).toEqual({ TCP: 'TCP', UDP: 'UDP', SCTP: 'SCTP' });
  });

  test.each(['tcp', 'udp', 'sctp', 'tcpRange', 'udpRange', 'named', 'allTcp', 'allUdp'])('Port.%s exists', (factory) => {
    expect(typeof (api.Port as any)[factory]).toBe('function');
  });

  test.each(['pods', 'podsInNamespace', 'namespace', 'namespaces', 'ipBlock', 'internet', 'kubeDns', 'fqdn'])('Peer.%s exists', (factory) => {
    expect(typeof (api.Peer as any)[factory]).toBe('function');
  });

  test('the four foundation constructs are exported', () => {
    for (const name of ['ZeroTrustNamespace', 'ThreeTierApp', 'AllowPrometheusScrape', 'ExternalHttpsEgress']) {
      expect(typeof (api as any)[name]).toBe('function');
    }
    expect(typeof api.ZeroTrustNamespace.prototype.allowIngress).toBe('function');
    expect(typeof api.ZeroTrustNamespace.prototype.allowEgress).toBe('function');
  });
});
