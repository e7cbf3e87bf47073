/**
 * A 30-workload estate for layout tests of the HTML report: five namespaces, a default deny and
 * DNS egress in most of them, a few allow rules on different ports, and policies that make the
 * linter speak (an allow-all, egress to 0.0.0.0/0 that reaches the metadata endpoint, a selector
 * with a typo and a long label that matches nothing), so the page has long findings to wrap.
 */

const NAMESPACES: Record<string, { names: string[]; port: number }> = {
  'storefront': { names: ['frontend', 'api-gateway', 'catalog', 'cart', 'checkout-orchestrator', 'recommendation-engine', 'search', 'reviews', 'image-resizer', 'session-store'], port: 8080 },
  'payments': { names: ['payment-processor', 'fraud-detection', 'ledger', 'refunds', 'invoicing', 'currency-converter'], port: 8443 },
  'data-platform': { names: ['postgres-primary', 'postgres-replica', 'redis-cache', 'kafka-broker', 'elasticsearch'], port: 5432 },
  'observability': { names: ['prometheus', 'alertmanager', 'grafana', 'loki', 'tempo', 'otel-collector', 'node-exporter'], port: 9090 },
  'ingress-nginx': { names: ['controller', 'default-backend'], port: 80 },
};

const pod = (namespace: string, name: string, port: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { 'app': name, 'app.kubernetes.io/part-of': namespace } },
  spec: { containers: [{ name: 'main', image: `example.invalid/${name}:1`, ports: [{ containerPort: port }] }] },
});

const policy = (namespace: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});

const DNS_EGRESS = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};

/** The estate's manifests: 30 Pods, their Namespaces and 12 NetworkPolicies. */
export function thirtyWorkloadEstate(): any[] {
  const objects: any[] = [];
  for (const [namespace, { names, port }] of Object.entries(NAMESPACES)) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'kubernetes.io/metadata.name': namespace } } });
    objects.push(...names.map((name) => pod(namespace, name, port)));
  }
  for (const namespace of ['storefront', 'payments', 'data-platform']) {
    objects.push(policy(namespace, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
    objects.push(policy(namespace, 'allow-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [DNS_EGRESS] }));
  }
  objects.push(
    policy('storefront', 'from-ingress', {
      podSelector: { matchLabels: { app: 'frontend' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 8080 }] }],
    }),
    policy('storefront', 'inside-storefront', {
      podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'storefront' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'storefront' } } }], ports: [{ port: 8080 }] }],
      egress: [
        { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'storefront' } } }], ports: [{ port: 8080 }] },
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } } }], ports: [{ port: 8443 }] },
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data-platform' } } }], ports: [{ port: 5432 }] },
      ],
    }),
    policy('payments', 'from-storefront', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront' } }, podSelector: { matchLabels: { app: 'checkout-orchestrator' } } }], ports: [{ port: 8443 }] }],
    }),
    // A typo and a long label value: the linter quotes the selector as one long word.
    policy('payments', 'fraud-detection-from-the-recommendation-engine', {
      podSelector: { matchLabels: { app: 'fraud-detection' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'recommendation-engine-with-a-very-long-and-mistyped-label-value' } } }],
        ports: [{ port: 8443 }],
      }],
    }),
    policy('data-platform', 'from-storefront-and-payments', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } } }], ports: [{ port: 5432 }] }],
    }),
    // The data platform ships backups anywhere: 0.0.0.0/0 includes the metadata endpoint.
    policy('data-platform', 'backups-anywhere', { podSelector: { matchLabels: { app: 'postgres-primary' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }),
    policy('observability', 'allow-everything-in', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }),
  );
  return objects;
}
