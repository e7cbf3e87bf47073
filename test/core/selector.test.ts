import { LabelExpression, LabelOperator, LabelSelector, NAMESPACE_NAME_LABEL, checkLabels, checkNamespaceName, selectorMatches, selectorsDisjoint } from '../../src/core/selector';

describe('NAMESPACE_NAME_LABEL', () => {
  test('is the label the API server sets on every namespace', () => {
    expect(NAMESPACE_NAME_LABEL).toBe('kubernetes.io/metadata.name');
  });
});

describe('LabelOperator', () => {
  test('uses the Kubernetes operator spellings', () => {
    expect(LabelOperator.IN).toBe('In');
    expect(LabelOperator.NOT_IN).toBe('NotIn');
    expect(LabelOperator.EXISTS).toBe('Exists');
    expect(LabelOperator.DOES_NOT_EXIST).toBe('DoesNotExist');
  });
});

describe('LabelExpression', () => {
  test('isIn keeps key, operator and values', () => {
    const e = LabelExpression.isIn('tier', ['web', 'api']);
    expect(e.key).toBe('tier');
    expect(e.operator).toBe(LabelOperator.IN);
    expect(e.values).toEqual(['web', 'api']);
    expect(e.toString()).toBe('tier in (web, api)');
  });

  test('isNotIn', () => {
    const e = LabelExpression.isNotIn('app.kubernetes.io/name', ['db']);
    expect(e.operator).toBe(LabelOperator.NOT_IN);
    expect(e.values).toEqual(['db']);
    expect(e.toString()).toBe('app.kubernetes.io/name notin (db)');
  });

  test('isIn accepts the empty string as a value', () => {
    expect(LabelExpression.isIn('tier', ['']).values).toEqual(['']);
  });

  test('exists and doesNotExist have no values', () => {
    const e = LabelExpression.exists('team');
    expect(e.operator).toBe(LabelOperator.EXISTS);
    expect(e.values).toEqual([]);
    expect(e.toString()).toBe('team');
    const d = LabelExpression.doesNotExist('legacy');
    expect(d.operator).toBe(LabelOperator.DOES_NOT_EXIST);
    expect(d.values).toEqual([]);
    expect(d.toString()).toBe('!legacy');
  });

  test('copies the values array', () => {
    const values = ['a'];
    const e = LabelExpression.isIn('k', values);
    values.push('b');
    expect(e.values).toEqual(['a']);
  });

  test.each([
    ['isIn', () => LabelExpression.isIn('bad key', ['a']), 'LabelExpression.isIn(): key "bad key" is not a valid label key'],
    ['isNotIn', () => LabelExpression.isNotIn('', ['a']), 'LabelExpression.isNotIn(): key "" is not a valid label key: it is empty'],
    ['exists', () => LabelExpression.exists('-x'), 'LabelExpression.exists(): key "-x" is not a valid label key'],
    ['doesNotExist', () => LabelExpression.doesNotExist('a/b/c'), 'LabelExpression.doesNotExist(): key "a/b/c" is not a valid label key: it may contain at most one "/"'],
  ])('%s rejects a bad key, naming it and giving examples', (_name, fn, message) => {
    expect(fn).toThrow(message);
    expect(fn).toThrow(/\(e\.g\. "app" or "app\.kubernetes\.io\/name"\)$/);
  });

  test('isIn / isNotIn require at least one value', () => {
    expect(() => LabelExpression.isIn('tier', [])).toThrow('LabelExpression.isIn(): values for key "tier" must list at least one value');
    expect(() => LabelExpression.isNotIn('tier', [])).toThrow('LabelExpression.isNotIn(): values for key "tier" must list at least one value');
    expect(() => LabelExpression.isIn('tier', undefined as unknown as string[])).toThrow(/values undefined for key "tier" is not a list of label values/);
    expect(() => LabelExpression.isIn('tier', 'web' as unknown as string[])).toThrow(/values "web" for key "tier" is not a list of label values/);
  });

  test('isIn rejects a bad value, naming its index', () => {
    expect(() => LabelExpression.isIn('tier', ['web', 'not ok'])).toThrow(
      'LabelExpression.isIn(): values[1] value "not ok" is not a valid label value: it must consist of letters, digits, "-", "_" and ".", and start and end with a letter or digit');
    expect(() => LabelExpression.isNotIn('tier', ['v'.repeat(64)])).toThrow(/values\[0\] value "v{64}" is not a valid label value: it is 64 characters long \(at most 63\)/);
    expect(() => LabelExpression.isIn('tier', [3 as unknown as string])).toThrow(/values\[0\] value 3 is not a valid label value: it is not a string/);
  });
});

describe('LabelSelector', () => {
  test('all() selects everything', () => {
    const s = LabelSelector.all();
    expect(s.isEmpty).toBe(true);
    expect(s.labels).toEqual({});
    expect(s.expressions).toEqual([]);
    expect(s.toString()).toBe('{}');
  });

  test('of({}) is empty too', () => {
    expect(LabelSelector.of({}).isEmpty).toBe(true);
    expect(LabelSelector.of({}).toString()).toBe('{}');
  });

  test('of(labels) keeps the labels', () => {
    const s = LabelSelector.of({ 'app': 'api', 'app.kubernetes.io/part-of': 'shop' });
    expect(s.isEmpty).toBe(false);
    expect(s.labels).toEqual({ 'app': 'api', 'app.kubernetes.io/part-of': 'shop' });
    expect(s.toString()).toBe('{app=api, app.kubernetes.io/part-of=shop}');
  });

  test('of(labels, ...expressions) lists labels then expressions', () => {
    const s = LabelSelector.of({ app: 'api' }, LabelExpression.isIn('tier', ['web']), LabelExpression.doesNotExist('canary'));
    expect(s.expressions).toHaveLength(2);
    expect(s.toString()).toBe('{app=api, tier in (web), !canary}');
  });

  test('expressions alone make a non-empty selector', () => {
    const s = LabelSelector.of({}, LabelExpression.exists('team'));
    expect(s.isEmpty).toBe(false);
    expect(s.toString()).toBe('{team}');
  });

  test('an empty label value is allowed', () => {
    expect(LabelSelector.of({ flag: '' }).toString()).toBe('{flag=}');
  });

  test('copies the labels map', () => {
    const labels: Record<string, string> = { app: 'api' };
    const s = LabelSelector.of(labels);
    labels.app = 'changed';
    labels.extra = 'x';
    expect(s.labels).toEqual({ app: 'api' });
  });

  test('rejects a bad label key', () => {
    expect(() => LabelSelector.of({ 'App Name': 'x' })).toThrow('LabelSelector.of(): labels key "App Name" is not a valid label key');
  });

  test('rejects a bad label value, naming the key', () => {
    expect(() => LabelSelector.of({ app: 'my app' })).toThrow('LabelSelector.of(): labels["app"] value "my app" is not a valid label value');
  });

  test('rejects a non-object', () => {
    expect(() => LabelSelector.of('app=api' as unknown as Record<string, string>)).toThrow(
      'LabelSelector.of(): labels "app=api" is not a label map; expected an object such as { app: "api" }');
  });

  // BUG (weak validation): LabelSelector.of does not check that `expressions` are LabelExpression
  // instances; LabelSelector.of({}, {} as any) is accepted and later renders garbage (toString gives "{[object Object]}").
  test('rejects expressions that are not LabelExpressions', () => {
    expect(() => LabelSelector.of({}, {} as unknown as LabelExpression)).toThrow(/LabelSelector\.of\(\).*LabelExpression/);
  });
});

describe('checkLabels', () => {
  test('accepts undefined and valid maps', () => {
    expect(() => checkLabels('f()', 'labels', undefined)).not.toThrow();
    expect(() => checkLabels('f()', 'labels', {})).not.toThrow();
    expect(() => checkLabels('f()', 'labels', { 'k8s-app': 'kube-dns' })).not.toThrow();
  });

  test.each([
    [null, 'null'],
    [['app'], '\\["app"\\]'],
    [5, '5'],
    ['x', '"x"'],
  ])('rejects %p as not a label map', (labels, shown) => {
    expect(() => checkLabels('f()', 'podLabels', labels as unknown as Record<string, string>)).toThrow(
      new RegExp(`^f\\(\\): podLabels ${shown} is not a label map; expected an object such as \\{ app: "api" \\}$`));
  });

  test('names the prop in key and value errors', () => {
    expect(() => checkLabels('Thing()', 'selector', { '': 'x' })).toThrow('Thing(): selector key "" is not a valid label key: it is empty');
    expect(() => checkLabels('Thing()', 'selector', { app: 5 as unknown as string })).toThrow('Thing(): selector["app"] value 5 is not a valid label value: it is not a string');
  });
});

describe('checkNamespaceName', () => {
  test.each(['default', 'kube-system', 'team-1', 'a'.repeat(63)])('accepts %j', (name) => {
    expect(() => checkNamespaceName('f()', 'namespace', name)).not.toThrow();
  });

  test.each([
    ['', 'it is empty'],
    ['Prod', 'lowercase letters, digits and "-"'],
    ['my.ns', 'lowercase letters, digits and "-"'],
    ['-ns', 'start and end with a letter or digit'],
    ['a'.repeat(64), '64 characters long \\(at most 63\\)'],
  ])('rejects %j', (name, why) => {
    expect(() => checkNamespaceName('Peer.namespace()', 'name', name)).toThrow(
      new RegExp(`^Peer\\.namespace\\(\\): name ${JSON.stringify(name).replace(/\./g, '\\.')} is not a valid namespace name: .*${why}.* \\(e\\.g\\. "production"\\)$`));
  });

  test('rejects a non-string', () => {
    expect(() => checkNamespaceName('f()', 'namespace', undefined as unknown as string)).toThrow('f(): namespace undefined is not a valid namespace name: it is not a string');
  });
});

describe('LabelSelector.of requires labels', () => {
  test('undefined is refused instead of selecting everything', () => {
    expect(() => LabelSelector.of(undefined as unknown as Record<string, string>)).toThrow(/LabelSelector.of\(\): labels are required; pass \{\} with expressions, or use LabelSelector.all\(\)/);
  });
});

describe('selectorMatches', () => {
  const s = (labels: Record<string, string>, ...e: LabelExpression[]) => LabelSelector.of(labels, ...e);
  test.each([
    [s({}), {}, true],
    [s({ app: 'a' }), { app: 'a', x: 'y' }, true],
    [s({ app: 'a' }), { app: 'b' }, false],
    [s({ app: 'a' }), {}, false],
    [s({}, LabelExpression.isIn('t', ['x', 'y'])), { t: 'y' }, true],
    [s({}, LabelExpression.isIn('t', ['x'])), {}, false],
    [s({}, LabelExpression.isNotIn('t', ['x'])), {}, true],
    [s({}, LabelExpression.isNotIn('t', ['x'])), { t: 'x' }, false],
    [s({}, LabelExpression.exists('t')), { t: '' }, true],
    [s({}, LabelExpression.exists('t')), {}, false],
    [s({}, LabelExpression.doesNotExist('t')), {}, true],
    [s({}, LabelExpression.doesNotExist('t')), { t: 'x' }, false],
  ])('%s matches %j: %s', (selector, labels, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });
});

describe('selectorsDisjoint', () => {
  const s = (labels: Record<string, string>, ...e: LabelExpression[]) => LabelSelector.of(labels, ...e);
  test.each([
    ['different values of one key', s({ app: 'a' }), s({ app: 'b' }), true],
    ['a subset selects the superset\'s pods', s({ app: 'shop' }), s({ app: 'shop', tier: 'api' }), false],
    ['unrelated keys can meet on one pod', s({ app: 'a' }), s({ tier: 'b' }), false],
    ['equal selectors', s({ a: 'x', b: 'y' }), s({ b: 'y', a: 'x' }), false],
    ['everything overlaps everything', LabelSelector.all(), s({ app: 'a' }), false],
    ['In sets without a common value', s({}, LabelExpression.isIn('t', ['a', 'b'])), s({}, LabelExpression.isIn('t', ['c'])), true],
    ['In sets sharing a value', s({}, LabelExpression.isIn('t', ['a', 'b'])), s({}, LabelExpression.isIn('t', ['b'])), false],
    ['a value excluded by NotIn', s({ t: 'a' }), s({}, LabelExpression.isNotIn('t', ['a'])), true],
    ['NotIn another value', s({ t: 'a' }), s({}, LabelExpression.isNotIn('t', ['b'])), false],
    ['Exists against DoesNotExist', s({}, LabelExpression.exists('t')), s({}, LabelExpression.doesNotExist('t')), true],
    ['a value against DoesNotExist', s({ t: 'a' }), s({}, LabelExpression.doesNotExist('t')), true],
  ])('%s', (_what, a, b, expected) => {
    expect(selectorsDisjoint(a, b)).toBe(expected);
    expect(selectorsDisjoint(b, a)).toBe(expected);
  });
});
