import { DESCRIPTION_ANNOTATION } from '../../src/engines/manifest';

test('the description annotation is a valid, namespaced annotation key', () => {
  expect(DESCRIPTION_ANNOTATION).toBe('cdk8s-netpol.io/description');
});
