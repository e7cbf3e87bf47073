import { Peer, Port } from '../../src';
import { checkBoolean, checkPeer, checkPolicyName, checkPortNumber, checkPorts, requireProps } from '../../src/constructs/prop-checks';

describe('prop checks', () => {
  test('checkPorts accepts undefined and Port lists, rejects empty lists and non-Ports', () => {
    expect(() => checkPorts('W', 'ports', undefined)).not.toThrow();
    expect(() => checkPorts('W', 'ports', [Port.tcp(1)])).not.toThrow();
    expect(() => checkPorts('W', 'ports', [])).toThrow(/W: ports \[\] must list at least one Port/);
    expect(() => checkPorts('W', 'ports', [Port.tcp(1), 80 as any])).toThrow(/W: ports\[1\] 80 is not a Port/);
  });

  test('checkPortNumber', () => {
    expect(() => checkPortNumber('W', 'api.port', 8080)).not.toThrow();
    expect(() => checkPortNumber('W', 'api.port', undefined)).not.toThrow();
    for (const bad of [0, 65536, 80.5, NaN, Infinity, '80' as any]) {
      expect(() => checkPortNumber('W', 'api.port', bad)).toThrow(/W: api.port .* is not a valid port; expected an integer from 1 to 65535/);
    }
  });

  test('checkPeer', () => {
    expect(() => checkPeer('W', 'dnsPeer', Peer.kubeDns(), 'x')).not.toThrow();
    expect(() => checkPeer('W', 'dnsPeer', {} as any, 'Peer.kubeDns()')).toThrow(/W: dnsPeer \{\} is not a Peer; use e.g. Peer.kubeDns\(\)/);
  });

  test('checkPolicyName', () => {
    expect(() => checkPolicyName('W', 'name', 'shop.v2')).not.toThrow();
    expect(() => checkPolicyName('W', 'name', 'Shop')).toThrow(/W: name "Shop" is not a valid object name/);
    expect(() => checkPolicyName('W', 'name', 'a'.repeat(244), 9)).not.toThrow();
    expect(() => checkPolicyName('W', 'name', 'a'.repeat(245), 9)).toThrow(/^W: name "a{64}"… \(245 characters\) is too long: with the 9-character suffix .* \(at most 244\)$/);
  });

  test('checkBoolean', () => {
    expect(() => checkBoolean('W', 'ipv6', undefined)).not.toThrow();
    expect(() => checkBoolean('W', 'ipv6', false)).not.toThrow();
    expect(() => checkBoolean('W', 'ipv6', 'false' as any)).toThrow(/W: ipv6 "false" is not a boolean; expected true or false/);
  });

  test('requireProps', () => {
    const keys = { a: true, b: true } as const;
    expect(requireProps('W', { a: 1 }, 'ex', keys)).toEqual({ a: 1 });
    expect(() => requireProps('W', undefined, '{ namespace: "x" }', keys)).toThrow(/W: props are required: \{ namespace: "x" \}/);
    expect(() => requireProps('W', [] as any, 'ex', keys)).toThrow(/W: props \[\] is not an object; expected \{ a, b \}/);
    expect(() => requireProps('W', { a: 1, lables: 2 } as any, 'ex', keys)).toThrow(/W: props has an unknown key "lables"; the keys are a, b/);
  });
});
