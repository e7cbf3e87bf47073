import { compileFqdnSelector, dnsNameProblem, normalizeDnsName } from '../../src/analysis/fqdn';

describe('dnsNameProblem', () => {
  test.each(['api.stripe.com', 'API.Stripe.COM.', 'a-b.c_d.example', 'x.io'])('%s is a DNS name', (name) => {
    expect(dnsNameProblem(name)).toBeUndefined();
  });

  test.each(['web', '10.0.0', '1.2.3.4', 'a..b', '-a.com', 'a b.com', `${'a'.repeat(64)}.com`, 'prod/web'])('%s is not', (name) => {
    expect(dnsNameProblem(name)).toMatch(/a DNS name has two or more dot-separated labels/);
  });

  test('normalizeDnsName lowers the case and drops the trailing dot', () => {
    expect(normalizeDnsName('API.Stripe.com.')).toBe('api.stripe.com');
  });
});

describe('compileFqdnSelector (docs/semantics/cilium.md#dns-names-tofqdns)', () => {
  const test1 = (item: object, name: string) => compileFqdnSelector(item, 'x').matches(normalizeDnsName(name));

  test('matchName: exact, case-insensitive, trailing dot optional', () => {
    expect(test1({ matchName: 'API.stripe.com.' }, 'api.stripe.com')).toBe(true);
    expect(test1({ matchName: 'api.stripe.com' }, 'www.api.stripe.com')).toBe(false);
    expect(compileFqdnSelector({ matchName: 'a.b' }, 'x').text).toBe('matchName: a.b');
  });

  test.each([
    ['*.cilium.io', 'www.cilium.io', true],
    ['*.cilium.io', 'cilium.io', false],
    ['*.cilium.io', 'a.b.cilium.io', false],
    ['*cilium.io', 'cilium.io', true],
    ['*cilium.io', 'subcilium.io', true],
    ['*cilium.io', 'www.cilium.io', false],
    ['sub*.cilium.io', 'sub.cilium.io', true],
    ['sub*.cilium.io', 'blog.cilium.io', false],
    ['**.cilium.io', 'app.cilium.io', true],
    ['**.cilium.io', 'test.app.cilium.io', true],
    ['**.cilium.io', 'cilium.io', false],
    ['*', 'anything.at.all', true],
    ['API.*.io', 'api.x.io', true],
  ])('matchPattern %s on %s: %s', (pattern, name, expected) => {
    expect(test1({ matchPattern: pattern }, name)).toBe(expected);
  });

  test.each([
    [{}, /give exactly one of matchName and matchPattern/],
    [{ matchName: 'a', matchPattern: 'b' }, /give exactly one of matchName and matchPattern/],
    [{ matchName: 'a b' }, /matchName "a b" is not a DNS name/],
    [{ matchPattern: 'a/b' }, /matchPattern "a\/b" is not a DNS pattern/],
    [{ matchPattern: 'a.**.b' }, /"\*\*" is only valid as a leading "\*\*\." prefix/],
    [{ matchname: 'a' }, /unknown field "matchname"/],
    ['a.com', /is not a \{ matchName \} or \{ matchPattern \} object/],
  ])('refuses %j', (item, message) => {
    expect(() => compileFqdnSelector(item, 'where')).toThrow(message);
  });
});
