/**
 * The key flows, allowed and denied, of the examples whose policies are Cilium or Calico, each in
 * a NetworkModel of what the example wrote: cilium-l7 (HTTP rules), calico-global-deny (an ordered
 * cluster-wide deny), the Cilium and Calico renderings of multi-engine, external-egress,
 * online-boutique and star-wars (with the L7 stage of the Star Wars demo), and the Calico
 * rendering of calico-stars.
 * (examples.test.ts checks the Kubernetes renderings, the objects and the schemas.)
 * The HTTP probes use the `http` field of `Probe` ({ method, path, host?, headers? }) and the
 * FQDN probes DNS-name destinations ("api.stripe.com").
 */
import { PodEndpoint } from '../src';
import {
  BOUTIQUE_FLOWS, BOUTIQUE_STAND_INS, COREDNS, FLOW_TITLE, METADATA_IP, MULTI_ENGINE_FLOWS, MULTI_ENGINE_PODS, PUBLIC_IP,
  STARS_FLOWS, STARS_STAND_INS, STAR_WARS_L3_L4_FLOWS, STAR_WARS_L7_FLOWS, STAR_WARS_STAND_INS,
  allowed, allowedHttp, denied, deniedHttp, expectFlow, fileObjects, lazy, modelOf,
} from './support/examples';

describe('examples on Cilium and Calico: key flows in a NetworkModel', () => {
  describe('cilium-l7', () => {
    const model = lazy(() => modelOf(fileObjects('cilium-l7', 'cilium-l7.k8s.yaml'), [
      { namespace: 'production', name: 'frontend', labels: { app: 'frontend' } },
      { namespace: 'production', name: 'api', labels: { app: 'api' } },
      { namespace: 'production', name: 'postgres', labels: { app: 'postgres' } },
      { namespace: 'production', name: 'admin', labels: { app: 'admin' } },
      { namespace: 'ops', name: 'console', labels: { app: 'console' } },
      { namespace: 'ops', name: 'other', labels: { app: 'other' } },
      { namespace: 'default', name: 'console', labels: { app: 'console' } },
      { namespace: 'ingress-nginx', name: 'controller' },
      COREDNS,
    ]));

    test.each([
      // The api's HTTP rules: each method with its own path, and nothing else on 8080.
      allowedHttp('production/frontend', 'production/api', 8080, 'GET', '/api/v1/products'),
      allowedHttp('production/frontend', 'production/api', 8080, 'POST', '/api/v1/orders'),
      deniedHttp('production/frontend', 'production/api', 8080, 'DELETE', '/api/v1/orders'),
      deniedHttp('production/frontend', 'production/api', 8080, 'GET', '/api/v1/orders'),
      deniedHttp('production/frontend', 'production/api', 8080, 'POST', '/api/v1/products'),
      // A path is a regular expression matched against the whole path.
      deniedHttp('production/frontend', 'production/api', 8080, 'GET', '/api/v1/products/42'),
      deniedHttp('production/frontend', 'production/api', 8080, 'GET', '/admin/users'),
      // Allowed requests, but not from the frontend.
      deniedHttp('ingress-nginx/controller', 'production/api', 8080, 'GET', '/api/v1/products'),
      // The admin API: the ops console, GET under /admin/ only.
      allowedHttp('ops/console', 'production/admin', 8443, 'GET', '/admin/users'),
      deniedHttp('ops/console', 'production/admin', 8443, 'POST', '/admin/users'),
      deniedHttp('ops/console', 'production/admin', 8443, 'GET', '/metrics'),
      deniedHttp('default/console', 'production/admin', 8443, 'GET', '/admin/users'),
      deniedHttp('ops/other', 'production/admin', 8443, 'GET', '/admin/users'),
      // Without a request the connection is decided at L4 (the L7 rules then restrict its requests).
      allowed('production/frontend', 'production/api', 8080),
      denied('ingress-nginx/controller', 'production/api', 8080),
      // The L4 hops of the three tiers.
      allowed('ingress-nginx/controller', 'production/frontend', 80),
      allowed('production/api', 'production/postgres', 5432),
      denied('production/frontend', 'production/postgres', 5432),
      denied('production/postgres', 'production/api', 8080),
      denied('production/frontend', 'production/api', 9090),
      // The payment provider by name, DNS through the proxy; an address no allowed name resolved to stays closed.
      allowed('production/api', 'api.stripe.com', 443),
      allowed('production/api', 'eu.payments.example.com', 443),
      denied('production/api', 'evil.example.com', 443),
      denied('production/api', 'api.stripe.com', 80),
      denied('production/frontend', 'api.stripe.com', 443),
      allowed('production/api', 'kube-system/coredns', 53, 'UDP'),
      denied('production/api', PUBLIC_IP, 443),
      denied('production/frontend', PUBLIC_IP, 443),
      denied('production/api', METADATA_IP, 80),
    ])(FLOW_TITLE, (f) => expectFlow(model(), f));
  });

  describe('calico-global-deny', () => {
    // Namespaced allows of 0.0.0.0/0, one Calico and one Kubernetes policy: the guardrail tier
    // comes first and denies the metadata endpoint anyway.
    const ALLOW_ALL_EGRESS_CALICO = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-all-egress', namespace: 'staging' },
      spec: { order: 1000, selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/0'] } }] },
    };
    const ALLOW_ALL_EGRESS_KUBERNETES = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-all-egress', namespace: 'legacy' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
    };
    const objects = () => [...fileObjects('calico-global-deny', 'calico-global-deny.k8s.yaml'), ALLOW_ALL_EGRESS_CALICO, ALLOW_ALL_EGRESS_KUBERNETES];
    const pods: PodEndpoint[] = [
      { namespace: 'production', name: 'api', labels: { app: 'api' } },
      { namespace: 'production', name: 'web', labels: { app: 'web' } },
      { namespace: 'staging', name: 'batch', labels: { app: 'batch' } },
      { namespace: 'legacy', name: 'app', labels: { app: 'legacy' } },
      { namespace: 'default', name: 'anything' },
      COREDNS,
    ];
    // The example's pod range (its context key cdk8s-netpol/pod-cidrs): no pod holds 100.100.100.200.
    const model = lazy(() => modelOf(objects(), pods, { podCidrs: ['10.244.0.0/16'] }));

    test('without the pod ranges, a pod-to-pod flow fails closed: the guardrail on 100.100.100.200 might hold kube-dns\'s address', () => {
      const verdict = modelOf(objects(), pods).evaluate({ from: 'production/api', to: 'kube-system/coredns', port: 53, protocol: 'UDP' });
      expect(verdict.allowed).toBe(false);
      expect(verdict.reasons.join('\n')).toMatch(/the address of pod kube-system\/coredns is unknown .* might lie in .*100\.100\.100\.200\/32.*podCidrs/);
    });

    test.each([
      // The metadata endpoint, from every pod, whatever the namespaced policies allow, on every port.
      denied('production/api', METADATA_IP, 80),
      denied('staging/batch', METADATA_IP, 80),
      denied('legacy/app', METADATA_IP, 80),
      denied('default/anything', METADATA_IP, 80),
      denied('default/anything', METADATA_IP, 443),
      // deny-other-metadata: Alibaba Cloud's and AWS's IPv6 metadata addresses.
      denied('default/anything', '100.100.100.200', 80),
      denied('default/anything', 'fd00:ec2::254', 80),
      // Everything else passes on to the namespaces' own policies (or none).
      allowed('staging/batch', PUBLIC_IP, 80),
      allowed('legacy/app', PUBLIC_IP, 443),
      allowed('default/anything', PUBLIC_IP, 443),
      allowed('default/anything', '169.254.169.253', 80),
      allowed('production/api', PUBLIC_IP, 443),
      allowed('production/api', 'kube-system/coredns', 53, 'UDP'),
      denied('production/api', PUBLIC_IP, 80),
      denied('production/web', PUBLIC_IP, 443),
    ])(FLOW_TITLE, (f) => expectFlow(model(), f));
  });

  describe('multi-engine', () => {
    // The table of examples.test.ts for the Kubernetes file: every engine must give the same verdicts.
    describe.each(['cilium', 'calico'])('the %s rendering', (engine) => {
      const model = lazy(() => modelOf(fileObjects('multi-engine', `multi-engine-${engine}.k8s.yaml`), MULTI_ENGINE_PODS));

      test.each(MULTI_ENGINE_FLOWS)(FLOW_TITLE, (f) => expectFlow(model(), f));
    });
  });

  describe('online-boutique', () => {
    // The table of examples.test.ts for the Kubernetes file: every engine must give the same verdicts.
    describe.each(['cilium', 'calico'])('the %s rendering', (engine) => {
      const model = lazy(() => modelOf(fileObjects('online-boutique', `online-boutique-${engine}.k8s.yaml`), BOUTIQUE_STAND_INS));
      test.each(BOUTIQUE_FLOWS)(FLOW_TITLE, (f) => expectFlow(model(), f));
    });
  });

  describe('star-wars', () => {
    describe.each(['cilium', 'calico'])('the L3/L4 stage, the %s rendering', (engine) => {
      const model = lazy(() => modelOf(fileObjects('star-wars', `star-wars-l3-l4-${engine}.k8s.yaml`), STAR_WARS_STAND_INS));
      test.each(STAR_WARS_L3_L4_FLOWS)(FLOW_TITLE, (f) => expectFlow(model(), f));
    });

    describe('the L7 stage (Cilium)', () => {
      const model = lazy(() => modelOf(fileObjects('star-wars', 'star-wars-l7-cilium.k8s.yaml'), STAR_WARS_STAND_INS));
      test.each(STAR_WARS_L7_FLOWS)(FLOW_TITLE, (f) => expectFlow(model(), f));
    });
  });

  describe('calico-stars', () => {
    describe('the Calico rendering', () => {
      const model = lazy(() => modelOf(fileObjects('calico-stars', 'calico-stars-calico.k8s.yaml'), STARS_STAND_INS));
      test.each(STARS_FLOWS)(FLOW_TITLE, (f) => expectFlow(model(), f));
    });
  });

  describe('external-egress', () => {
    describe('the Cilium rendering (toFQDNs)', () => {
      const model = lazy(() => modelOf(fileObjects('external-egress', 'external-egress-cilium.k8s.yaml'), [
        { namespace: 'payments', name: 'checkout', labels: { app: 'checkout' } },
        { namespace: 'payments', name: 'ledger', labels: { app: 'ledger' } },
        COREDNS,
      ]));

      test.each([
        // The names, on 443 only, for the checkout pods only. A pattern's * is one DNS label.
        allowed('payments/checkout', 'api.stripe.com', 443),
        allowed('payments/checkout', 'invoices.s3.eu-central-1.amazonaws.com', 443),
        denied('payments/checkout', 'a.b.s3.eu-central-1.amazonaws.com', 443),
        denied('payments/checkout', 'invoices.s3.us-east-1.amazonaws.com', 443),
        denied('payments/checkout', 'api.stripe.com', 80),
        denied('payments/checkout', 'evil.example.com', 443),
        denied('payments/ledger', 'api.stripe.com', 443),
        // DNS to kube-dns, through Cilium's DNS proxy for the checkout pods.
        allowed('payments/checkout', 'kube-system/coredns', 53, 'UDP'),
        allowed('payments/checkout', 'kube-system/coredns', 53, 'TCP'),
        allowed('payments/ledger', 'kube-system/coredns', 53, 'UDP'),
        denied('payments/checkout', '8.8.8.8', 53, 'UDP'),
        // Names, not address ranges: a public address no allowed name resolved to stays closed.
        denied('payments/checkout', PUBLIC_IP, 443),
        denied('payments/checkout', PUBLIC_IP, 80),
        denied('payments/checkout', METADATA_IP, 80),
        denied('payments/checkout', '10.0.0.5', 443),
        denied('payments/ledger', PUBLIC_IP, 443),
        denied(PUBLIC_IP, 'payments/checkout', 443),
      ])(FLOW_TITLE, (f) => expectFlow(model(), f));
    });
  });
});
