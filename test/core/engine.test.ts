import { ENGINE_CONTEXT_KEY, PolicyEngine } from '../../src/core/engine';

describe('PolicyEngine', () => {
  test('has exactly the three engines with their string values', () => {
    expect(PolicyEngine.KUBERNETES).toBe('kubernetes');
    expect(PolicyEngine.CILIUM).toBe('cilium');
    expect(PolicyEngine.CALICO).toBe('calico');
    expect(Object.values(PolicyEngine).sort()).toEqual(['calico', 'cilium', 'kubernetes']);
  });

  test('the value in cdk8s.yaml context maps back to the enum', () => {
    expect(Object.values(PolicyEngine).includes('cilium' as PolicyEngine)).toBe(true);
    expect(Object.values(PolicyEngine).includes('Cilium' as PolicyEngine)).toBe(false);
  });
});

describe('ENGINE_CONTEXT_KEY', () => {
  test('is the documented context key', () => {
    expect(ENGINE_CONTEXT_KEY).toBe('cdk8s-netpol/engine');
  });
});
