/**
 * The structure the API server requires of the objects the analysis reads, as JSON Schemas
 * (draft-07, checked with Ajv). Written from the upstream API definitions, in the project's words:
 * - NetworkPolicy, LabelSelector, ObjectMeta: kubernetes staging/src/k8s.io/api/networking/v1/types.go
 *   and apimachinery pkg/apis/meta/v1/types.go (the OpenAPI schema served by the API server);
 * - CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy: the top level of cilium's CRDs
 *   (pkg/k8s/apis/cilium.io/client/crds/v2); their rules are checked field by field, unknown
 *   fields included, by the Cilium compiler (semantics/cilium/policy.ts);
 * - Calico NetworkPolicy, GlobalNetworkPolicy and Tier: the top level of projectcalico.org/v3
 *   (calico api/pkg/apis/projectcalico/v3); the Calico compiler checks the rules.
 *
 * Every optional field may be null: the API server decodes null as absent (Go's JSON decoding for
 * built-in kinds, CRD pruning of nulls for custom resources). Policies are closed (an unknown field
 * is refused, as `kubectl apply` with its default strict field validation does); Namespaces and
 * workloads are checked only in the fields the analysis reads, and stay open for the rest.
 */

import { WORKLOAD_KINDS } from '../kinds';

type Schema = Record<string, unknown>;

/** An optional field of these JSON types (null allowed: it means absent). */
const optional = (type: string | string[], extra: Schema = {}): Schema => ({ type: [...(Array.isArray(type) ? type : [type]), 'null'], ...extra });

const STRING = optional('string');
const BOOLEAN = optional('boolean');
const INTEGER = optional('integer');
/** An IntOrString (a port): a number or a name. */
const INT_OR_STRING = optional(['integer', 'string']);
const STRING_MAP = optional('object', { additionalProperties: { type: 'string' } });
const STRING_LIST = optional('array', { items: { type: 'string' } });

/** A list of closed objects. */
const listOf = (items: Schema): Schema => optional('array', { items });
/** A closed object: only these fields. */
const closed = (properties: Record<string, Schema>, required: string[] = []): Schema =>
  ({ type: 'object', properties, required, additionalProperties: false });
/** An object checked in these fields only. */
const open = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required });
const nullable = (schema: Schema): Schema => ({ ...schema, type: [schema.type as string, 'null'] });

/** A shared part of the document, referenced (not copied) so its checker is generated once. */
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const LABEL_SELECTOR = ref('labelSelector');

/** metav1.LabelSelector. */
const LABEL_SELECTOR_DEFINITION: Schema = nullable(closed({
  matchLabels: STRING_MAP,
  matchExpressions: listOf(closed({ key: { type: 'string' }, operator: { type: 'string' }, values: STRING_LIST }, ['key', 'operator'])),
}));

/** metav1.ObjectMeta: the fields the analysis reads are typed, the rest (uid, managedFields, ...) left to the server. */
const METADATA = ref('metadata');
const METADATA_DEFINITION: Schema = closed({
  name: { type: 'string' },
  generateName: STRING,
  namespace: STRING,
  labels: STRING_MAP,
  annotations: STRING_MAP,
  // The rest of ObjectMeta, which the server sets or the analysis does not read: typed loosely,
  // listed so that a typo (`lables`) is an unknown field, as kubectl's strict validation says.
  selfLink: STRING,
  uid: STRING,
  resourceVersion: STRING,
  generation: INTEGER,
  creationTimestamp: STRING,
  deletionTimestamp: STRING,
  deletionGracePeriodSeconds: INTEGER,
  ownerReferences: optional('array'),
  finalizers: STRING_LIST,
  managedFields: optional('array'),
}, ['name']);

const NETWORK_POLICY_PORT = closed({ protocol: STRING, port: INT_OR_STRING, endPort: INTEGER });
const NETWORK_POLICY_PEER = closed({
  podSelector: LABEL_SELECTOR,
  namespaceSelector: LABEL_SELECTOR,
  ipBlock: nullable(closed({ cidr: { type: 'string' }, except: STRING_LIST }, ['cidr'])),
});

/** networking.k8s.io/v1 NetworkPolicy. */
const NETWORK_POLICY: Schema = closed({
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: METADATA,
  // Optional: without a spec the API server defaults podSelector {} and policyTypes [Ingress]
  // (every pod of the namespace isolated for ingress).
  spec: nullable(closed({
    podSelector: LABEL_SELECTOR,
    policyTypes: STRING_LIST,
    ingress: listOf(closed({ from: listOf(NETWORK_POLICY_PEER), ports: listOf(NETWORK_POLICY_PORT) })),
    egress: listOf(closed({ to: listOf(NETWORK_POLICY_PEER), ports: listOf(NETWORK_POLICY_PORT) })),
  })),
  status: optional('object'),
}, ['metadata']);

/** cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy: one rule (spec), a list (specs), or both. */
const CILIUM_POLICY: Schema = closed({
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: METADATA,
  spec: optional('object'),
  specs: optional('array', { items: { type: 'object' } }),
  status: optional('object'),
}, ['metadata']);

/** projectcalico.org/v3 NetworkPolicy and GlobalNetworkPolicy. */
const CALICO_POLICY: Schema = closed({
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: METADATA,
  spec: optional('object', {
    properties: {
      tier: STRING,
      order: optional('number'),
      selector: STRING,
      namespaceSelector: STRING,
      serviceAccountSelector: STRING,
      types: STRING_LIST,
      ingress: optional('array', { items: { type: 'object' } }),
      egress: optional('array', { items: { type: 'object' } }),
      doNotTrack: BOOLEAN,
      preDNAT: BOOLEAN,
      applyOnForward: BOOLEAN,
      performanceHints: STRING_LIST,
    },
  }),
}, ['metadata']);

/** projectcalico.org/v3 Tier. */
const CALICO_TIER: Schema = closed({
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: METADATA,
  spec: optional('object', { properties: { order: optional('number'), defaultAction: STRING } }),
}, ['metadata']);

/** v1 Namespace: its name and labels. */
const NAMESPACE: Schema = open({ metadata: METADATA }, ['metadata']);

const CONTAINER = open({
  name: STRING,
  ports: listOf(open({ containerPort: { type: 'integer' }, name: STRING, protocol: STRING, hostPort: INTEGER }, ['containerPort'])),
});

/** A pod template (or a Pod): its labels, the node's network, the containers' ports. */
const POD_TEMPLATE_DEFINITION: Schema = open({
  metadata: optional('object', { properties: { labels: STRING_MAP, annotations: STRING_MAP, name: STRING, namespace: STRING } }),
  spec: optional('object', {
    properties: {
      hostNetwork: BOOLEAN,
      containers: listOf(CONTAINER),
      initContainers: listOf(CONTAINER),
    },
  }),
});

/** Open objects along `path`, with `leaf`'s fields at its end. */
function nest(path: readonly string[], leaf: Record<string, Schema>): Record<string, Schema> {
  return path.length === 0 ? leaf : { [path[0]]: optional('object', { properties: nest(path.slice(1), leaf) }) };
}

/**
 * A workload whose pod template is at `templatePath` (empty: the object is a Pod) and whose pod
 * selector, a label selector or (`labelMap`) a plain map of labels, sits beside the template.
 */
function workloadSchema(templatePath: readonly string[], selector: 'labelSelector' | 'labelMap' | undefined): Schema {
  const fields: Record<string, Schema> = templatePath.length === 0
    ? { ...(POD_TEMPLATE_DEFINITION.properties as Record<string, Schema>) }
    : nest(templatePath.slice(0, -1), {
      [templatePath[templatePath.length - 1]]: ref('podTemplate'),
      ...(selector === undefined ? {} : { selector: selector === 'labelMap' ? STRING_MAP : LABEL_SELECTOR }),
      ...(templatePath.length === 2 ? { replicas: INTEGER } : {}),
    });
  return open({ ...fields, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: METADATA }, ['metadata']);
}

/** The kinds the analysis reads, as `classify` names them ("category kind cni"), and the definition of each. */
export const ADMISSION_KINDS: Readonly<Record<string, string>> = {
  'policy NetworkPolicy Kubernetes': 'networkPolicy',
  'policy CiliumNetworkPolicy Cilium': 'ciliumPolicy',
  'policy CiliumClusterwideNetworkPolicy Cilium': 'ciliumPolicy',
  'policy NetworkPolicy Calico': 'calicoPolicy',
  'policy GlobalNetworkPolicy Calico': 'calicoPolicy',
  'tier Tier Calico': 'calicoTier',
  'namespace Namespace': 'namespace',
  ...Object.fromEntries(WORKLOAD_KINDS.map((w) => [`workload ${w.kind}`, `workload${w.kind}`])),
};

/**
 * One document holding every definition: the checkers are generated from it at build time
 * (scripts/admission-checkers.ts -> checkers.generated.ts), so no run compiles a schema.
 */
export const ADMISSION_SCHEMA: Schema = {
  $id: 'cdk8s-netpol-admission',
  definitions: {
    labelSelector: LABEL_SELECTOR_DEFINITION,
    metadata: METADATA_DEFINITION,
    podTemplate: POD_TEMPLATE_DEFINITION,
    networkPolicy: NETWORK_POLICY,
    ciliumPolicy: CILIUM_POLICY,
    calicoPolicy: CALICO_POLICY,
    calicoTier: CALICO_TIER,
    namespace: NAMESPACE,
    ...Object.fromEntries(WORKLOAD_KINDS.map((w) => [`workload${w.kind}`, workloadSchema(w.templatePath, w.selector?.form)])),
  },
};
