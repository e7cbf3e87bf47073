import { Chart, Testing } from 'cdk8s';
import { CalicoGlobalDeny, CalicoSelector, NetworkModel, Port } from '../../src';
import { synthValid } from '../support/manifests';

const newChart = () => new Chart(Testing.app(), 'test');

describe('CalicoGlobalDeny', () => {
  test('the seed example: deny the cloud metadata endpoint to every endpoint, ahead of every allow, then pass', () => {
    const chart = newChart();
    const deny = new CalicoGlobalDeny(chart, 'deny-cloud-metadata');
    const objects = synthValid(chart);
    expect(objects).toEqual([
      { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'cdk8s-netpol-guardrails' }, spec: { order: 100, defaultAction: 'Pass' } },
      {
        apiVersion: 'projectcalico.org/v3',
        kind: 'GlobalNetworkPolicy',
        metadata: {
          name: 'deny-cloud-metadata',
          annotations: {
            'cdk8s-netpol.io/description': 'Endpoints matching all() may not send to 169.254.169.254/32; everything else passes to the next tier.',
            'cdk8s-netpol.io/generated': expect.stringMatching(/^sha256:[0-9a-f]{16}$/),
          },
        },
        spec: {
          tier: 'cdk8s-netpol-guardrails',
          order: 100,
          selector: 'all()',
          types: ['Egress'],
          // Deny only: the tier's default action Pass hands everything else to the next tier (where
          // Kubernetes policies live). No closing Pass rule: it would skip later policies of the tier.
          egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }],
        },
      },
    ]);
    expect(deny.tierObject).toBeDefined();
    expect(objects).toMatchSnapshot();
  });

  test('non-default: selector builder, order, nets of both families, ports, own tier', () => {
    const chart = newChart();
    new CalicoGlobalDeny(chart, 'deny', {
      selector: CalicoSelector.has('app').andAlso(CalicoSelector.labelNotEquals('team', 'platform')).expression,
      order: 10.5,
      nets: ['169.254.169.254/32', 'fd00:ec2::254/128', '100.100.100.200/32'],
      ports: [Port.tcp(80), Port.tcp(443), Port.udp(53)],
      name: 'no-metadata',
      tier: 'security',
      tierOrder: 50,
    });
    const [tier, policy] = synthValid(chart);
    expect(tier.spec).toEqual({ order: 50, defaultAction: 'Pass' });
    expect(policy.spec.selector).toBe("(has(app)) && (team != 'platform')");
    expect(policy.spec.order).toBe(10.5);
    expect(policy.spec.egress).toEqual([
      { action: 'Deny', protocol: 'TCP', destination: { nets: ['169.254.169.254/32', '100.100.100.200/32'], ports: [80, 443] } },
      { action: 'Deny', protocol: 'UDP', destination: { nets: ['169.254.169.254/32', '100.100.100.200/32'], ports: [53] } },
      { action: 'Deny', protocol: 'TCP', destination: { nets: ['fd00:ec2::254/128'], ports: [80, 443] } },
      { action: 'Deny', protocol: 'UDP', destination: { nets: ['fd00:ec2::254/128'], ports: [53] } },
    ]);
    expect(policy).toMatchSnapshot();
  });

  test('more than 50 ports are split over several rules, and repeated nets or ports are listed once', () => {
    const chart = newChart();
    const ports = Array.from({ length: 60 }, (_, i) => Port.tcp(3000 + i));
    new CalicoGlobalDeny(chart, 'deny', { nets: ['10.0.0.0/8', '10.0.0.0/8'], ports: [...ports, Port.tcp(3000)] });
    const egress = synthValid(chart)[1].spec.egress;
    expect(egress.map((r: any) => r.destination?.ports?.length)).toEqual([50, 10]);
    expect(egress[0].destination.nets).toEqual(['10.0.0.0/8']);
  });

  test('the tier is emitted once per app; createTier: false emits none', () => {
    const app = Testing.app();
    const first = new CalicoGlobalDeny(new Chart(app, 'a'), 'one');
    const second = new CalicoGlobalDeny(new Chart(app, 'b'), 'two');
    expect(first.tierObject).toBeDefined();
    expect(second.tierObject).toBeUndefined();
    expect(() => new CalicoGlobalDeny(new Chart(app, 'c'), 'three', { tierOrder: 7 }))
      .toThrow(/tier "cdk8s-netpol-guardrails" is already emitted with tierOrder 100; give the same tierOrder or another tier/);
    const chart = newChart();
    new CalicoGlobalDeny(chart, 'x', { createTier: false, tier: 'existing' });
    const objects = synthValid(chart);
    expect(objects.map((o) => o.kind)).toEqual(['GlobalNetworkPolicy']);
    // A tier managed elsewhere may default to Deny: the policy passes unmatched traffic on itself.
    expect(objects[0].spec.egress.at(-1)).toEqual({ action: 'Pass' });
  });

  test('two guardrails in one tier are both enforced: neither skips the other (model-checked)', () => {
    const chart = newChart();
    new CalicoGlobalDeny(chart, 'metadata', { order: 10 });
    new CalicoGlobalDeny(chart, 'alibaba-metadata', { order: 20, nets: ['100.100.100.200/32'] });
    const model = NetworkModel.fromManifests([...synthValid(chart)]);
    model.addPod({ namespace: 'shop', name: 'api', labels: { app: 'api' } });
    model.assertDenied({ from: 'shop/api', to: '169.254.169.254', port: 80 });
    model.assertDenied({ from: 'shop/api', to: '100.100.100.200', port: 80 });
    model.assertAllowed({ from: 'shop/api', to: '203.0.113.10', port: 443 });
  });

  test('createTier: false holds one guardrail per tier: its closing Pass would skip any other', () => {
    const app = Testing.app();
    new CalicoGlobalDeny(new Chart(app, 'a'), 'one', { createTier: false, tier: 'security' });
    expect(() => new CalicoGlobalDeny(new Chart(app, 'b'), 'two', { tier: 'security' }))
      .toThrow(/CalicoGlobalDeny "b\/two": tier "security" is already used by CalicoGlobalDeny "a\/one" with createTier: false, whose closing Pass rule would skip this policy/);
    expect(() => new CalicoGlobalDeny(new Chart(app, 'c'), 'three', { createTier: false, tier: 'security' })).toThrow(/closing Pass rule would skip this policy/);
    // In a tier this app emits (default action Pass), createTier: false needs no closing Pass.
    const chart = new Chart(app, 'd');
    new CalicoGlobalDeny(chart, 'four', { tier: 'own' });
    new CalicoGlobalDeny(chart, 'five', { tier: 'own', createTier: false, nets: ['100.100.100.200/32'] });
    expect(synthValid(chart).filter((o) => o.kind === 'GlobalNetworkPolicy').map((o) => o.spec.egress.at(-1).action)).toEqual(['Deny', 'Deny']);
  });

  test('two policies with one name in one app collide', () => {
    const app = Testing.app();
    new CalicoGlobalDeny(new Chart(app, 'a'), 'deny');
    expect(() => new CalicoGlobalDeny(new Chart(app, 'b'), 'deny'))
      .toThrow(/CalicoGlobalDeny "b\/deny": GlobalNetworkPolicy "deny" \(projectcalico.org\/v3, cluster-scoped\) is already emitted by CalicoGlobalDeny "a\/deny"/);
  });

  test.each([
    [{ selector: "app = 'x'" }, /CalicoGlobalDeny "test\/d": selector "app = 'x'" is not a valid Calico selector: Line 1, col 5/],
    [{ selector: 'global()' }, /selector "global\(\)" is not a valid Calico selector: global\(\) is only valid/],
    [{ order: NaN }, /order NaN must be a finite number/],
    [{ order: Infinity }, /order Infinity must be a finite number/],
    [{ order: '100' }, /order "100" must be a finite number/],
    [{ nets: [] }, /nets \[\] must list at least one CIDR/],
    [{ nets: ['169.254.169.254'] }, /nets\[0\] "169.254.169.254" is not a valid CIDR: it has no prefix length/],
    [{ ports: [Port.named('http')] }, /ports lists the named port TCP\/http/],
    [{ tier: 'default' }, /tier "default" cannot hold this policy/],
    [{ tier: 'Security' }, /tier "Security" is not a valid tier name/],
    [{ tierOrder: 1_000_000 }, /tierOrder 1000000 would put the tier at or after Calico's kube-admin tier \(order 1000\)/],
    [{ tierOrder: 1000 }, /tierOrder 1000 would put the tier at or after Calico's kube-admin tier/],
    [{ tier: 'kube-admin' }, /tier "kube-admin" is one of Calico's own tiers/],
    [{ tier: 'kube-baseline' }, /tier "kube-baseline" is one of Calico's own tiers/],
    [{ name: 'Deny' }, /name "Deny" is not a valid object name/],
    [{ createTier: 'no' }, /createTier "no" is not a boolean/],
  ])('rejects %j', (props, message) => {
    expect(() => new CalicoGlobalDeny(newChart(), 'd', props as any)).toThrow(message);
  });
});
