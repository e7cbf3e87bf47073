import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { describeConstruct } from '../../src/constructs/describe';

test('names a construct by kind and path', () => {
  const chart = new Chart(Testing.app(), 'prod');
  expect(describeConstruct('ThreeTierApp', new Construct(chart, 'shop'))).toBe('ThreeTierApp "prod/shop"');
});
