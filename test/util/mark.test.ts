import { GENERATED_ANNOTATION, generatedMark, isGenerated } from '../../src/util/mark';

describe('generatedMark', () => {
  // Pinned values: the mark is written into users' YAML, so a change of the digest would make
  // every generated object look hand-edited to a reader comparing releases.
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

describe('isGenerated (a hint for readers: the object is as generated; it grants nothing in the lint)', () => {
  const emitted = () => {
    const spec = { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }] };
    const mark = generatedMark({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec });
    return { spec, mark };
  };
  const json = (mark: string, spec: unknown, kind = 'NetworkPolicy') =>
    ({ apiVersion: 'networking.k8s.io/v1', kind, metadata: { annotations: { [GENERATED_ANNOTATION]: mark } }, spec });

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
