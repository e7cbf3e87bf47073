import { GENERATED_ANNOTATION, emittedMark, generatedMark, isGenerated } from '../../src/util/mark';
// The module object itself (not an import's copy), so that spying on it reaches mark.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const crypto: typeof import('crypto') = require('crypto');

describe('generatedMark', () => {
  // Pinned values: the mark is written into users' YAML, so a change of the digest would make
  // every generated object look hand-edited to the linter of an older release and vice versa.
  test('is stable across releases for the same content', () => {
    expect(generatedMark({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }))
      .toBe('sha256:634211e880dbfcaa');
    expect(generatedMark({ apiVersion: 'a', kind: 'b', spec: { 'x': [1, undefined, { b: undefined, a: 'q"' }], 'y': null, 'z"': true } }))
      .toBe('sha256:9271999d221396b7');
  });

  test('ignores key order and undefined members, not values or array order', () => {
    const base = generatedMark({ apiVersion: 'v', kind: 'k', spec: { a: 1, b: [1, 2] } });
    expect(generatedMark({ kind: 'k', spec: { b: [1, 2], a: 1, c: undefined }, apiVersion: 'v' })).toBe(base);
    expect(generatedMark({ apiVersion: 'v', kind: 'k', spec: { a: 1, b: [2, 1] } })).not.toBe(base);
    expect(generatedMark({ apiVersion: 'v', kind: 'k', spec: { a: '1', b: [1, 2] } })).not.toBe(base);
  });

  test('isGenerated holds only while the content matches the mark', () => {
    const obj = { apiVersion: 'v', kind: 'k', metadata: { annotations: {} as Record<string, string> }, spec: { a: 1 } };
    obj.metadata.annotations[GENERATED_ANNOTATION] = generatedMark(obj);
    expect(isGenerated(obj)).toBe(true);
    expect(isGenerated({ ...obj, spec: { a: 2 } })).toBe(false);
    expect(isGenerated({ ...obj, metadata: {} })).toBe(false);
  });
});

describe('emittedMark (the library\'s own objects, recognised without digesting them again)', () => {
  const emitted = () => {
    const spec = { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }] };
    const mark = emittedMark({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec });
    return { spec, mark };
  };
  const json = (mark: string, spec: unknown, kind = 'NetworkPolicy') =>
    ({ apiVersion: 'networking.k8s.io/v1', kind, metadata: { annotations: { [GENERATED_ANNOTATION]: mark } }, spec });

  test('is the same digest as generatedMark; what it remembers is a copy no later change reaches', () => {
    const { spec, mark } = emitted();
    expect(mark).toBe(generatedMark({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec }));
    expect(Object.isFrozen(spec.podSelector.matchLabels)).toBe(false);
    const copy = JSON.parse(JSON.stringify(spec));
    (spec.ingress as any[]).push({});
    spec.podSelector.matchLabels.app = 'changed';
    // The content the mark was made from is still recognised, the changed one is not.
    expect(isGenerated(json(mark, copy))).toBe(true);
    expect(isGenerated(json(mark, spec))).toBe(false);
  });

  test('a copy with equal content (as toJson gives it: keys sorted, undefined members dropped) is recognised without a digest', () => {
    const { mark } = emitted();
    const copy = { ingress: [{ ports: [{ port: 80 }] }], policyTypes: ['Ingress'], podSelector: { matchLabels: { app: 'api' } }, extra: undefined };
    const digests = jest.spyOn(crypto, 'createHash');
    try {
      expect(isGenerated(json(mark, copy))).toBe(true);
      expect(digests).not.toHaveBeenCalled();
      // An edited copy is digested (and found edited).
      expect(isGenerated(json(mark, { ...copy, policyTypes: ['Egress'] }))).toBe(false);
      expect(digests).toHaveBeenCalledTimes(1);
    } finally {
      digests.mockRestore();
    }
  });

  test('an edited copy is not, however small the edit, and neither is another kind with the same spec', () => {
    const { mark } = emitted();
    const edits: unknown[] = [
      { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 81 }] }] },
      { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }, {}] },
      { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }], egress: [] },
      { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: '80' }] }] },
      { podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }] },
      { podSelector: { matchLabels: { app: 'api' } }, policyTypes: 'Ingress', ingress: [{ ports: [{ port: 80 }] }] },
    ];
    for (const edit of edits) {
      expect(isGenerated(json(mark, edit))).toBe(false);
    }
    expect(isGenerated(json(mark, emitted().spec, 'CiliumNetworkPolicy'))).toBe(false);
  });
});
