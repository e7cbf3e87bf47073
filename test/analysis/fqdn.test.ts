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

describe('matchPattern matching agrees with Cilium\'s regular expression on short inputs', () => {
  // Cilium compiles a pattern to a regex: "*" -> "[-a-zA-Z0-9_]*", "." -> "[.]", a leading "**." ->
  // one or more labels (pkg/fqdn/matchpattern). The model matches label by label instead (linear);
  // on inputs short enough for backtracking to finish, both must agree.
  const reference = (pattern: string, name: string): boolean => {
    const multiLevel = pattern.startsWith('**.');
    const rest = multiLevel ? pattern.slice(3) : pattern;
    const body = [...rest].map((c) => (c === '*' ? '[-a-z0-9_]*' : c === '.' ? '\\.' : c)).join('');
    return new RegExp(`^${multiLevel ? '([-a-z0-9_]+\\.)+' : ''}${body}$`).test(name);
  };
  let seed = 17;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pick = (alphabet: string, length: number): string => Array.from({ length }, () => alphabet[next(alphabet.length)]).join('');

  test('2,000 random patterns and names over a small alphabet', () => {
    for (let i = 0; i < 2000; i++) {
      const labels = 1 + next(3);
      const pattern = Array.from({ length: labels }, () => pick('ab*', 1 + next(5))).join('.').replace(/\*\*+/g, '*');
      const full = next(4) === 0 ? `**.${pattern}` : pattern;
      const name = Array.from({ length: labels + next(3) - (next(2)) }, () => pick('ab-!', next(6))).join('.');
      if (full === '*' || name.length === 0) {
        continue;
      }
      expect([full, name, compileFqdnSelector({ matchPattern: full }, 'x').matches(name)]).toEqual([full, name, reference(full, name)]);
    }
  });
});
