import { calicoSelectorExample, calicoSelectorKeys, calicoSelectorMatches, calicoSelectorProblem, compileCalicoSelector, parseCalicoSelector } from '../../src/util/calico-selector';

const matches = (selector: string, labels: Record<string, string>) => calicoSelectorMatches(parseCalicoSelector(selector, true), labels);

describe('parseCalicoSelector and calicoSelectorMatches (docs/semantics/calico.md#selector-language)', () => {
  test.each([
    ['all()', {}, true],
    ['', { a: 'x' }, true],
    ['   ', {}, true],
    ["app == 'web'", { app: 'web' }, true],
    ['app == "web"', { app: 'api' }, false],
    ["app == 'web'", {}, false],
    ["app != 'web'", {}, true],
    ["app != 'web'", { app: 'web' }, false],
    ["app != 'web'", { app: 'api' }, true],
    ["app in {'a', 'b'}", { app: 'b' }, true],
    ["app in {'a', 'b'}", {}, false],
    ["app not in {'a', 'b'}", {}, true],
    ["app not in {'a', 'b'}", { app: 'a' }, false],
    ["app notin {'a'}", { app: 'c' }, true],
    ['has(app)', { app: '' }, true],
    ['has(app)', {}, false],
    ['!has(app)', {}, true],
    ["app contains 'eb'", { app: 'web' }, true],
    ["app contains 'eb'", {}, false],
    ["app starts with 'w'", { app: 'web' }, true],
    ["app startswith 'x'", { app: 'web' }, false],
    ["app ends with 'b'", { app: 'web' }, true],
    ["app endswith 'b'", {}, false],
    ["app == 'web' && tier == 'a'", { app: 'web', tier: 'a' }, true],
    ["app == 'web' && tier == 'a'", { app: 'web' }, false],
    ["app == 'web' || tier == 'a'", { tier: 'a' }, true],
    ["!(app == 'web' || tier == 'a')", { tier: 'b' }, true],
    ["app == 'x' || app == 'y' && has(z)", { app: 'x' }, true],
    ["(app == 'x' || app == 'y') && has(z)", { app: 'x' }, false],
    ['global()', { a: 'b' }, false],
  ])('%s on %j: %s', (selector, labels, expected) => {
    expect(matches(selector, labels as Record<string, string>)).toBe(expected);
    // The compiled closure agrees with the tree walk.
    expect(compileCalicoSelector(parseCalicoSelector(selector, true))(labels as Record<string, string>)).toBe(expected);
  });

  test('global() is true only for non-namespaced endpoints', () => {
    expect(calicoSelectorMatches(parseCalicoSelector('global()', true), {}, true)).toBe(true);
    expect(compileCalicoSelector(parseCalicoSelector('!global()', true))({}, true)).toBe(false);
  });

  test('invalid selectors throw with the problem; global() outside a namespaceSelector is refused', () => {
    expect(() => parseCalicoSelector("app = 'web'")).toThrow(/"app = 'web'" is not a valid Calico selector: .*expected/);
    expect(() => parseCalicoSelector('global()')).toThrow(/global\(\) is only valid in an entity rule's namespaceSelector/);
    expect(calicoSelectorProblem('global()', true)).toBeUndefined();
  });

  test('parsing is memoized: the same text gives the same tree', () => {
    expect(parseCalicoSelector("a == 'b'")).toBe(parseCalicoSelector("a == 'b'"));
  });

  test('calicoSelectorKeys lists the keys read', () => {
    expect(calicoSelectorKeys(parseCalicoSelector("a == 'x' && !(has(b) || c in {'y'}) && all()"))).toEqual(['a', 'b', 'c']);
  });

  test('calicoSelectorExample gives labels for conjunctions of ==, in and has(), nothing for other shapes', () => {
    expect(calicoSelectorExample(parseCalicoSelector("a == 'x' && b in {'y', 'z'} && has(c)"))).toEqual({ a: 'x', b: 'y', c: 'present' });
    expect(calicoSelectorExample(parseCalicoSelector('all()'))).toEqual({});
    expect(calicoSelectorExample(parseCalicoSelector("a == 'x' || b == 'y'"))).toBeUndefined();
    expect(calicoSelectorExample(parseCalicoSelector("a != 'x'"))).toBeUndefined();
  });
});

describe('remembered answers', () => {
  test('a selector is judged the same way every time, inside and outside entity rules', () => {
    for (let round = 0; round < 2; round++) {
      expect(calicoSelectorProblem('app == "api" && has(tier)')).toBeUndefined();
      expect(calicoSelectorProblem('global()')).toMatch(/only valid in an entity rule/);
      expect(calicoSelectorProblem('global()', true)).toBeUndefined();
      expect(calicoSelectorProblem('app == ')).toBeDefined();
      expect(() => parseCalicoSelector('app == ')).toThrow(/is not a valid Calico selector/);
      expect(parseCalicoSelector('app == "api"')).toEqual({ op: 'eq', key: 'app', value: 'api' });
    }
  });
});

describe('bounded parsing of hostile selectors', () => {
  const chain = (terms: number, op = '&&') => Array(terms).fill('a == "x"').join(` ${op} `);

  test('at the limits (64 levels of parentheses and 500 operators) a selector parses and matches', () => {
    const deepest = `${'!('.repeat(32)}${'('.repeat(32)}${chain(469)}${')'.repeat(64)}`;
    const node = parseCalicoSelector(deepest);
    expect(calicoSelectorMatches(node, { a: 'x' })).toBe(true);
    expect(compileCalicoSelector(node)({ a: 'y' })).toBe(false);
    expect(calicoSelectorKeys(node)).toHaveLength(469);
  });

  test.each([
    ['a chain of 1,000 terms', chain(1000), /it has 999 operators \(!, && and \|\|\); the model reads selectors of at most 500/],
    ['1,000 alternatives', chain(1000, '||'), /it has 999 operators/],
    ['1,000 negations', `${'!'.repeat(1000)}a == "x"`, /it has 1000 operators/],
    ['parentheses 1,000 deep', `${'('.repeat(1000)}a == "x"${')'.repeat(1000)}`, /its parentheses nest 1000 deep; the model reads selectors nested at most 64 deep/],
  ])('%s is refused with a reason, never a stack overflow', (_what, selector, reason) => {
    expect(calicoSelectorProblem(selector)).toMatch(reason);
    let message = '';
    try {
      parseCalicoSelector(selector);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(reason);
    expect(message.length).toBeLessThan(300);
  });

  test('operators inside quoted values do not count', () => {
    expect(calicoSelectorProblem(`a == "${'&&'.repeat(1000)}" && b == '${'('.repeat(1000)}'`)).toBeUndefined();
  });

  test('a 50 KB selector is parsed in linear time (Ohm: about 10 µs a character), and shown by its start when invalid', () => {
    expect(calicoSelectorMatches(parseCalicoSelector(`${'k'.repeat(50_000)} == "x"`), { a: 'x' })).toBe(false);
    expect(calicoSelectorMatches(parseCalicoSelector(`a in {${Array(10_000).fill('"x"').join(', ')}}`), { a: 'x' })).toBe(true);
    let message = '';
    try {
      parseCalicoSelector(`a == "${'x'.repeat(50_000)}`);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^"a == \\"x+"… \(50006 characters\) is not a valid Calico selector: Line 1, col 50007/);
    expect(message.length).toBeLessThan(300);
  });
});
