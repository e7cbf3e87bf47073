import * as vm from 'vm';
import { describeValue, isPlainObject, plainObjectProblem, stringRecordProblem, unknownKey } from '../../src/util/plain-object';

class Props {
  public readonly namespace = 'p';
}

describe('plain objects', () => {
  test.each([
    ['a literal', { a: 1 }],
    ['JSON.parse', JSON.parse('{"a":"b"}')],
    ['Object.create(null)', Object.create(null)],
    ['an object of another realm (a vm context, as jest\'s)', vm.runInNewContext('({ a: "b" })')],
  ])('%s is plain', (_what, value) => {
    expect(isPlainObject(value)).toBe(true);
    expect(plainObjectProblem(value)).toBeUndefined();
  });

  test.each([
    ['a Map', new Map(), 'is a Map, not a plain object'],
    ['a list', ['a'], 'is a list of 1 entry, not a plain object'],
    ['a class instance', new Props(), 'is a Props, not a plain object'],
    ['an inheriting object', Object.create({ a: 'b' }), 'is an object that inherits from another object, not a plain object'],
    ['a string', 'app=web', 'is the string "app=web", not a plain object'],
    ['NaN', NaN, 'is the number NaN, not a plain object'],
    ['null', null, 'is null, not a plain object'],
    ['a function', () => 1, 'is a function, not a plain object'],
    ['a Date', new Date(0), 'is a Date, not a plain object'],
    ['a getter', { get a() { return 'b'; } }, 'has a getter or setter for "a"; pass plain values'],
    ['a non-enumerable property', Object.defineProperty({}, 'a', { value: 'b' }), 'has a non-enumerable property "a", which would be ignored'],
    ['a symbol key', { [Symbol('s')]: 'b' }, 'has a symbol key "Symbol(s)"; only string keys are read'],
  ])('%s is not', (_what, value, problem) => {
    expect(plainObjectProblem(value)).toBe(problem);
  });

  test('a map of strings: every value a string, keys echoed cut when long', () => {
    expect(stringRecordProblem({ app: 'web', tier: 'api' })).toBeUndefined();
    expect(stringRecordProblem({ app: 'web', replicas: 3 })).toBe('has "replicas" set to the number 3, not a string');
    expect(stringRecordProblem({ enabled: true })).toBe('has "enabled" set to the boolean true, not a string');
    expect(stringRecordProblem({ [`k${'x'.repeat(200)}`]: 1 })).toMatch(/^has "kx{63}"… \(201 characters\) set to the number 1, not a string$/);
  });

  test('unknown keys are found by own property: inherited names are not known keys', () => {
    const keys = { namespace: true as const, labels: true as const };
    expect(unknownKey({ namespace: 'p' }, keys)).toBeUndefined();
    expect(unknownKey({ namespace: 'p', constructor: 'x' }, keys)).toBe('constructor');
    expect(unknownKey({ toString: 'x' }, keys)).toBe('toString');
    expect(unknownKey(JSON.parse('{"__proto__": {}}'), keys)).toBe('__proto__');
    expect(unknownKey({ hasOwnProperty: 'x' }, keys)).toBe('hasOwnProperty');
  });

  test('describeValue names what it was given', () => {
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(new Map())).toBe('a Map');
    expect(describeValue(new (class Endpoint {})())).toBe('an Endpoint');
    expect(describeValue({})).toBe('a plain object');
  });
});
