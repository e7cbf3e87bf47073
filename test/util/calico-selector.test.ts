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
