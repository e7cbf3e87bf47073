import { compileLabelSelector, describeLabelSelector } from '../../src/analysis/labels';

describe('compileLabelSelector', () => {
  test('an empty or missing selector matches everything', () => {
    expect(compileLabelSelector({}, 'w')({})).toBe(true);
    expect(compileLabelSelector(undefined, 'w')({ a: 'b' })).toBe(true);
  });

  test.each([
    [{ matchLabels: { app: 'web' } }, { app: 'web', x: 'y' }, true],
    [{ matchLabels: { app: 'web' } }, { app: 'api' }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, { tier: 'b' }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] }, {}, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, {}, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, { tier: 'a' }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, { tier: '' }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, { tier: '' }, false],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, { app: 'web' }, false],
    [{ matchLabels: { toString: 'x' } }, {}, false],
  ])('%j matches %j: %s', (selector, labels, expected) => {
    expect(compileLabelSelector(selector, 'w')(labels)).toBe(expected);
  });

  test('rejects what the API server rejects', () => {
    expect(() => compileLabelSelector([], 'W')).toThrow(/W: a label selector must be an object/);
    expect(() => compileLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Equals' }] }, 'W')).toThrow(/W.matchExpressions\[0\]: operator "Equals"/);
  });
});

test('describeLabelSelector', () => {
  expect(describeLabelSelector({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'a', operator: 'In', values: ['x', 'y'] }, { key: 'b', operator: 'NotIn', values: ['z'] }, { key: 'c', operator: 'Exists' }, { key: 'd', operator: 'DoesNotExist' },
    ],
  })).toBe('{app=web, a in (x,y), b notin (z), c, !d}');
  expect(describeLabelSelector(undefined)).toBe('{}');
});
