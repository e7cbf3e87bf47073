/**
 * Checks synthesized manifests the way the API server would: with the schema validators of the
 * npm packages kubernetes-models (NetworkPolicy) and @kubernetes-models/cilium
 * (CiliumNetworkPolicy), against the official schemas in ../shared/schemas where they are
 * present (unknown fields rejected, as `kubectl --validate=strict` does; Calico's CRDs have no npm
 * validator), plus the API-server rules the schemas lack (docs/semantics/kubernetes.md,
 * docs/semantics/cilium.md, docs/semantics/calico.md). Written independently of src/ so that a
 * bug there cannot hide itself here.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { Chart, Testing } from 'cdk8s';
import * as ipaddr from 'ipaddr.js';
import * as YAML from 'yaml';
import { sharedPart } from './shared';

/** A model class of kubernetes-models: `validate()` throws with the schema's complaints. */
interface ModelClass {
  new (data: unknown): { validate(): void };
}
// ESM-only packages, compiled for jest by test/support/esm-to-cjs.js (see the jest config).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { NetworkPolicy } = require('kubernetes-models/networking.k8s.io/v1/NetworkPolicy') as { NetworkPolicy: ModelClass };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CiliumNetworkPolicy } = require('@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy') as { CiliumNetworkPolicy: ModelClass };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CiliumClusterwideNetworkPolicy } = require('@kubernetes-models/cilium/cilium.io/v2/CiliumClusterwideNetworkPolicy') as {
  CiliumClusterwideNetworkPolicy: ModelClass;
};

const SCHEMAS = sharedPart('schemas');
/** The official schemas' folder (../shared/schemas), whether or not it is there. */
export const SCHEMAS_DIR = SCHEMAS.dir;
const K8S_SCHEMA = path.join(SCHEMAS_DIR, 'kubernetes', 'networking.k8s.io-v1-openapi.json');
const NETWORK_POLICY_REF = 'k8s#/components/schemas/io.k8s.api.networking.v1.NetworkPolicy';

/**
 * Formats the schemas declare but the API server does not check (it validates only the formats
 * of k8s.io/apiextensions-apiserver's list: hostname, cidr, ipv4, uri, ...): Cilium's HTTP `host`
 * is a regular expression declared `idn-hostname`.
 */
const FORMATS_THE_API_SERVER_IGNORES = ['idn-hostname'];

/** The npm package's validation of one object, as problems. */
function modelProblems(where: string, model: ModelClass, obj: unknown, problems: string[]): void {
  try {
    new model(obj).validate();
  } catch (error) {
    const errors: { instancePath: string; keyword: string; message?: string; params?: { format?: string } }[] | undefined = (error as any).errors;
    if (!Array.isArray(errors)) {
      problems.push(`${where}: schema (kubernetes-models): ${(error as Error).message}`);
      return;
    }
    for (const e of errors.filter((x) => !(x.keyword === 'format' && FORMATS_THE_API_SERVER_IGNORES.includes(x.params?.format ?? '')))) {
      problems.push(`${where}: schema (kubernetes-models): ${e.instancePath || '/'} ${e.message}`);
    }
  }
}

let networkPolicyValidator: ValidateFunction | undefined;
const crdValidators = new Map<string, ValidateFunction>();

/**
 * The CRDs carry Go regular expressions; `\pL`-style classes become `\p{L}` for JavaScript's
 * unicode regexes (RE2 and Go spell them without braces).
 */
function translateGoRegexes(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(translateGoRegexes);
  }
  if (node === null || typeof node !== 'object') {
    return node;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === 'pattern' && typeof value === 'string'
      ? value.replace(/\\([pP])([A-Z])/g, '\\$1{$2}')
      : translateGoRegexes(value);
  }
  return out;
}

/**
 * Ajv validator for one version of a CRD in ../shared/schemas; undefined where ../shared is not
 * beside the checkout (test/support/global-setup.ts says so once per run).
 */
function crdValidator(file: string, version: string): ValidateFunction | undefined {
  if (!SCHEMAS.present) {
    return undefined;
  }
  const key = `${file}#${version}`;
  let validate = crdValidators.get(key);
  if (!validate) {
    const full = path.join(SCHEMAS_DIR, file);
    if (!fs.existsSync(full)) {
      throw new Error(`official schema not found at ${full}, although ${SCHEMAS_DIR} is there`);
    }
    const crd = YAML.parse(fs.readFileSync(full, 'utf8'));
    const served = crd.spec.versions.find((v: any) => v.name === version);
    if (!served) {
      throw new Error(`${file} has no version ${version}`);
    }
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    validate = ajv.compile(closeObjects(translateGoRegexes(served.schema.openAPIV3Schema)) as object);
    crdValidators.set(key, validate);
  }
  return validate;
}

function schemaProblems(where: string, validate: ValidateFunction | undefined, obj: unknown, problems: string[]): void {
  if (validate !== undefined && !validate(obj)) {
    for (const error of validate.errors ?? []) {
      problems.push(`${where}: schema: ${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
    }
  }
}

function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(closeObjects);
  }
  if (node === null || typeof node !== 'object') {
    return node;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = closeObjects(value);
  }
  // Only object schemas: the anyOf/oneOf branches of the CRDs list properties just to require them.
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/** The official NetworkPolicy schema's validator; undefined where ../shared is not beside the checkout. */
function validator(): ValidateFunction | undefined {
  if (!SCHEMAS.present) {
    return undefined;
  }
  if (!networkPolicyValidator) {
    if (!fs.existsSync(K8S_SCHEMA)) {
      throw new Error(`official schema not found at ${K8S_SCHEMA}, although ${SCHEMAS_DIR} is there`);
    }
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema(closeObjects(JSON.parse(fs.readFileSync(K8S_SCHEMA, 'utf8'))) as object, 'k8s');
    networkPolicyValidator = ajv.compile({ $ref: NETWORK_POLICY_REF });
  }
  return networkPolicyValidator;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function isSubdomain(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0 && value.length <= 253 && value.split('.').every((p) => DNS1123_LABEL.test(p));
}

function isLabelKey(key: string): boolean {
  const parts = key.split('/');
  const name = parts[parts.length - 1];
  return parts.length <= 2 && (parts.length === 1 || isSubdomain(parts[0])) && name.length <= 63 && LABEL_NAME.test(name);
}

function isLabelValue(value: unknown): boolean {
  return typeof value === 'string' && (value === '' || (value.length <= 63 && LABEL_NAME.test(value)));
}

function strictCidr(text: unknown): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  if (typeof text !== 'string' || !ipaddr.isValidCIDR(text)) {
    return undefined;
  }
  const [addr] = text.split('/');
  if (addr.includes('.') && !addr.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(addr)) {
    return undefined;
  }
  return ipaddr.parseCIDR(text);
}

function checkMetadata(where: string, metadata: any, namespaced: boolean, problems: string[]): void {
  if (!isSubdomain(metadata?.name)) {
    problems.push(`${where}: metadata.name ${JSON.stringify(metadata?.name)} is not a DNS-1123 subdomain`);
  }
  if (namespaced && !(typeof metadata?.namespace === 'string' && metadata.namespace.length <= 63 && DNS1123_LABEL.test(metadata.namespace))) {
    problems.push(`${where}: metadata.namespace ${JSON.stringify(metadata?.namespace)} is not a DNS-1123 label`);
  }
  for (const [key, value] of Object.entries(metadata?.labels ?? {})) {
    if (!isLabelKey(key) || !isLabelValue(value)) {
      problems.push(`${where}: label ${key}=${String(value)} is invalid`);
    }
  }
  for (const key of Object.keys(metadata?.annotations ?? {})) {
    if (!isLabelKey(key)) {
      problems.push(`${where}: annotation key ${key} is invalid`);
    }
  }
}

function checkSelector(where: string, selector: any, problems: string[]): void {
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    if (!isLabelKey(key) || !isLabelValue(value)) {
      problems.push(`${where}: matchLabels ${key}=${String(value)} is invalid`);
    }
  }
  for (const expr of selector?.matchExpressions ?? []) {
    const hasValues = Array.isArray(expr.values) && expr.values.length > 0;
    if (!isLabelKey(expr.key)) {
      problems.push(`${where}: matchExpressions key ${expr.key} is invalid`);
    }
    if (['In', 'NotIn'].includes(expr.operator) ? !hasValues : ['Exists', 'DoesNotExist'].includes(expr.operator) ? hasValues : true) {
      problems.push(`${where}: matchExpressions ${JSON.stringify(expr)} has an invalid operator/values combination`);
    }
  }
}

function checkPeer(where: string, peer: any, problems: string[]): void {
  const fields = Object.keys(peer ?? {});
  if (fields.length === 0) {
    problems.push(`${where}: must specify a peer`);
    return;
  }
  if (peer.ipBlock && fields.length > 1) {
    problems.push(`${where}: may not specify both ipBlock and another peer`);
  }
  if (peer.podSelector) {
    checkSelector(`${where}.podSelector`, peer.podSelector, problems);
  }
  if (peer.namespaceSelector) {
    checkSelector(`${where}.namespaceSelector`, peer.namespaceSelector, problems);
  }
  if (peer.ipBlock) {
    const block = strictCidr(peer.ipBlock.cidr);
    if (!block) {
      problems.push(`${where}.ipBlock.cidr ${JSON.stringify(peer.ipBlock.cidr)} is not a valid CIDR`);
      return;
    }
    for (const text of peer.ipBlock.except ?? []) {
      const hole = strictCidr(text);
      const strictSubset = hole !== undefined && hole[0].kind() === block[0].kind() && hole[1] > block[1] &&
        (hole[0] as ipaddr.IPv4).match(block as [ipaddr.IPv4, number]);
      if (!strictSubset) {
        problems.push(`${where}.ipBlock.except ${JSON.stringify(text)} must be a strict subset of cidr ${peer.ipBlock.cidr}`);
      }
    }
  }
}

function checkPort(where: string, port: any, problems: string[]): void {
  if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) {
    problems.push(`${where}: protocol ${JSON.stringify(port.protocol)} is not TCP, UDP or SCTP`);
  }
  const numeric = typeof port.port === 'number';
  if (numeric && !(Number.isInteger(port.port) && port.port >= 1 && port.port <= 65535)) {
    problems.push(`${where}: port ${port.port} is out of range 1-65535`);
  }
  if (typeof port.port === 'string' && !(port.port.length <= 15 && IANA_SVC_NAME.test(port.port))) {
    problems.push(`${where}: port name ${JSON.stringify(port.port)} is not an IANA service name`);
  }
  if (port.endPort !== undefined) {
    if (!numeric) {
      problems.push(`${where}: endPort requires a numeric port`);
    } else if (!(Number.isInteger(port.endPort) && port.endPort >= port.port && port.endPort <= 65535)) {
      problems.push(`${where}: endPort ${port.endPort} must be >= port ${port.port} and <= 65535`);
    }
  }
}

/**
 * The fields of a NetworkPolicy, for `kubectl --validate=strict`'s unknown-field check where the
 * official schema is not at hand (kubernetes-models' schema leaves objects open).
 */
const NETWORK_POLICY_FIELDS: Record<string, string[]> = {
  spec: ['podSelector', 'policyTypes', 'ingress', 'egress'],
  ingress: ['from', 'ports'],
  egress: ['to', 'ports'],
  peer: ['podSelector', 'namespaceSelector', 'ipBlock'],
  selector: ['matchLabels', 'matchExpressions'],
  expression: ['key', 'operator', 'values'],
  ipBlock: ['cidr', 'except'],
  port: ['protocol', 'port', 'endPort'],
};

function unknownFields(where: string, value: any, kind: keyof typeof NETWORK_POLICY_FIELDS, problems: string[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return;
  }
  for (const key of Object.keys(value).filter((k) => !NETWORK_POLICY_FIELDS[kind].includes(k))) {
    problems.push(`${where}: unknown field ${JSON.stringify(key)} (the API server refuses it with --validate=strict)`);
  }
}

function checkNetworkPolicyFields(where: string, spec: any, problems: string[]): void {
  unknownFields(`${where}.spec`, spec, 'spec', problems);
  const selector = (at: string, value: any) => {
    unknownFields(at, value, 'selector', problems);
    (Array.isArray(value?.matchExpressions) ? value.matchExpressions : []).forEach((e: any, i: number) => unknownFields(`${at}.matchExpressions[${i}]`, e, 'expression', problems));
  };
  selector(`${where}.spec.podSelector`, spec?.podSelector);
  for (const [direction, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
    (Array.isArray(spec?.[direction]) ? spec[direction] : []).forEach((rule: any, i: number) => {
      const at = `${where}.spec.${direction}[${i}]`;
      unknownFields(at, rule, direction, problems);
      (Array.isArray(rule?.[peersKey]) ? rule[peersKey] : []).forEach((peer: any, j: number) => {
        unknownFields(`${at}.${peersKey}[${j}]`, peer, 'peer', problems);
        selector(`${at}.${peersKey}[${j}].podSelector`, peer?.podSelector);
        selector(`${at}.${peersKey}[${j}].namespaceSelector`, peer?.namespaceSelector);
        unknownFields(`${at}.${peersKey}[${j}].ipBlock`, peer?.ipBlock, 'ipBlock', problems);
      });
      (Array.isArray(rule?.ports) ? rule.ports : []).forEach((port: any, j: number) => unknownFields(`${at}.ports[${j}]`, port, 'port', problems));
    });
  }
}

function checkNetworkPolicy(where: string, obj: any, problems: string[]): void {
  modelProblems(where, NetworkPolicy, obj, problems);
  schemaProblems(where, validator(), obj, problems);
  checkNetworkPolicyFields(where, obj.spec, problems);
  checkMetadata(where, obj.metadata, true, problems);
  const spec = obj.spec ?? {};
  checkSelector(`${where}.spec.podSelector`, spec.podSelector, problems);
  const types: unknown[] = spec.policyTypes ?? [];
  if (types.length > 2 || new Set(types).size !== types.length || types.some((t) => t !== 'Ingress' && t !== 'Egress')) {
    problems.push(`${where}: policyTypes ${JSON.stringify(types)} must hold at most Ingress and Egress, once each`);
  }
  for (const [direction, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
    (spec[direction] ?? []).forEach((rule: any, i: number) => {
      (rule[peersKey] ?? []).forEach((peer: any, j: number) => checkPeer(`${where}.spec.${direction}[${i}].${peersKey}[${j}]`, peer, problems));
      (rule.ports ?? []).forEach((port: any, j: number) => checkPort(`${where}.spec.${direction}[${i}].ports[${j}]`, port, problems));
    });
  }
}

function checkCidrRule(where: string, rule: any, problems: string[]): void {
  const block = strictCidr(rule.cidr);
  if (!block) {
    problems.push(`${where}.cidr ${JSON.stringify(rule.cidr)} is not a valid CIDR`);
    return;
  }
  for (const text of rule.except ?? []) {
    const hole = strictCidr(text);
    if (!(hole && hole[0].kind() === block[0].kind() && hole[1] > block[1] && (hole[0] as ipaddr.IPv4).match(block as [ipaddr.IPv4, number]))) {
      problems.push(`${where}.except ${JSON.stringify(text)} must lie inside ${rule.cidr}`);
    }
  }
}

const CILIUM_L3 = {
  ingress: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes'],
  egress: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes', 'toFQDNs'],
};

/** Rules of Cilium's policy language (docs/semantics/cilium.md) that the CRD schema does not enforce. */
function checkCiliumPolicy(where: string, obj: any, problems: string[]): void {
  const clusterwide = obj.kind === 'CiliumClusterwideNetworkPolicy';
  modelProblems(where, clusterwide ? CiliumClusterwideNetworkPolicy : CiliumNetworkPolicy, obj, problems);
  schemaProblems(where, crdValidator(clusterwide ? 'cilium/ciliumclusterwidenetworkpolicies.yaml' : 'cilium/ciliumnetworkpolicies.yaml', 'v2'), obj, problems);
  checkMetadata(where, obj.metadata, !clusterwide, problems);
  const spec = obj.spec ?? {};
  if (!['ingress', 'ingressDeny', 'egress', 'egressDeny'].some((section) => spec[section] !== undefined)) {
    problems.push(`${where}.spec: a rule needs at least one of ingress, ingressDeny, egress, egressDeny`);
  }
  for (const direction of ['ingress', 'egress'] as const) {
    (spec[direction] ?? []).forEach((rule: any, i: number) => {
      const at = `${where}.spec.${direction}[${i}]`;
      const l3 = CILIUM_L3[direction].filter((member) => rule[member] !== undefined);
      if (l3.length > 1) {
        problems.push(`${at}: L3 members ${l3.join(', ')} are mutually exclusive in one rule`);
      }
      (rule.toCIDRSet ?? rule.fromCIDRSet ?? []).forEach((cidrRule: any, j: number) => checkCidrRule(`${at}.cidrSet[${j}]`, cidrRule, problems));
      (rule.toPorts ?? []).forEach((toPorts: any, j: number) => {
        for (const port of toPorts.ports ?? []) {
          const numeric = /^[0-9]+$/.test(port.port ?? '');
          if (numeric && Number(port.port) > 65535) {
            problems.push(`${at}.toPorts[${j}]: port ${port.port} is out of range`);
          }
          if (port.endPort !== undefined && (!numeric || port.endPort < Number(port.port))) {
            problems.push(`${at}.toPorts[${j}]: endPort ${port.endPort} needs a numeric port <= it`);
          }
          if (port.endPort !== undefined && toPorts.rules?.dns) {
            problems.push(`${at}.toPorts[${j}]: DNS rules cannot be used with port ranges`);
          }
        }
      });
    });
  }
}

/** Rules of Calico's policy language (docs/semantics/calico.md) that the CRD schema does not enforce. */
function checkCalicoPolicy(where: string, obj: any, problems: string[]): void {
  // The staged kinds (a staged rollout) have the enforced kind's spec plus stagedAction, and CRDs of their own.
  const global = obj.kind === 'GlobalNetworkPolicy' || obj.kind === 'StagedGlobalNetworkPolicy';
  const file = `calico/v3.32.1/projectcalico.org_${obj.kind.toLowerCase().replace(/y$/, 'ies')}.yaml`;
  schemaProblems(where, crdValidator(file, 'v3'), obj, problems);
  checkMetadata(where, obj.metadata, !global, problems);
  if (global && obj.metadata?.namespace !== undefined) {
    problems.push(`${where}: a ${obj.kind} is cluster-scoped and has no namespace`);
  }
  const spec = obj.spec ?? {};
  if (typeof spec.order !== 'number' || !Number.isFinite(spec.order)) {
    problems.push(`${where}: order must be explicit and finite (a missing order sorts last, after Kubernetes policies at 1000)`);
  }
  for (const direction of ['ingress', 'egress'] as const) {
    (spec[direction] ?? []).forEach((rule: any, i: number) => {
      const at = `${where}.spec.${direction}[${i}]`;
      if (!['Allow', 'Deny', 'Log', 'Pass'].includes(rule.action)) {
        problems.push(`${at}: action ${JSON.stringify(rule.action)} is not one of Allow, Deny, Log, Pass`);
      }
      for (const side of ['source', 'destination'] as const) {
        const entity = rule[side] ?? {};
        for (const net of [...(entity.nets ?? []), ...(entity.notNets ?? [])]) {
          if (!strictCidr(net)) {
            problems.push(`${at}.${side}: ${JSON.stringify(net)} is not a valid CIDR`);
          }
        }
        const families = new Set([...(entity.nets ?? []), ...(entity.notNets ?? [])].map((n: string) => (n.includes(':') ? 6 : 4)));
        if (families.size > 1) {
          problems.push(`${at}.${side}: nets and notNets mix IPv4 and IPv6`);
        }
        for (const ports of [entity.ports, entity.notPorts]) {
          if (ports === undefined) {
            continue;
          }
          if (!['TCP', 'UDP', 'SCTP'].includes(rule.protocol)) {
            problems.push(`${at}.${side}: ports need protocol TCP, UDP or SCTP (got ${JSON.stringify(rule.protocol)})`);
          }
          if (ports.length > 50) {
            problems.push(`${at}.${side}: at most 50 ports`);
          }
          for (const port of ports) {
            const ok = typeof port === 'number'
              ? Number.isInteger(port) && port >= 0 && port <= 65535
              : /^[0-9]+:[0-9]+$/.test(port)
                ? Number(port.split(':')[0]) <= Number(port.split(':')[1]) && Number(port.split(':')[1]) <= 65535
                : /^[a-zA-Z0-9_.-]{1,128}$/.test(port);
            if (!ok) {
              problems.push(`${at}.${side}: port ${JSON.stringify(port)} is not a port, "min:max" range or port name`);
            }
          }
        }
        if (entity.services && (entity.selector || entity.namespaceSelector || entity.nets || entity.serviceAccounts)) {
          problems.push(`${at}.${side}: services cannot be combined with selectors, nets or serviceAccounts`);
        }
      }
    });
  }
}

/**
 * A ClusterNetworkPolicy (kubernetes-sigs/network-policy-api v0.2.0): the CRD's OpenAPI schema of
 * its channel (experimental when the object uses node or domain-name peers), and its CEL rules,
 * which Ajv does not run (schemas/README.md): a range's start below its end, networks that parse as
 * CIDRs, no named port towards networks, nodes or domain names (experimental channel).
 */
function checkClusterNetworkPolicy(where: string, obj: any, problems: string[]): void {
  const egress: any[] = Array.isArray(obj?.spec?.egress) ? obj.spec.egress : [];
  const experimental = egress.some((rule) => (rule?.to ?? []).some((peer: any) => peer?.nodes !== undefined || peer?.domainNames !== undefined));
  const channel = experimental ? 'experimental' : 'standard';
  schemaProblems(where, crdValidator(`network-policy-api/v0.2.0/${channel}-clusternetworkpolicies.yaml`, 'v1alpha2'), obj, problems);
  checkMetadata(where, obj.metadata, false, problems);
  if (obj.metadata?.namespace !== undefined) {
    problems.push(`${where}: a ClusterNetworkPolicy is cluster-scoped and has no namespace`);
  }
  for (const direction of ['ingress', 'egress'] as const) {
    (obj?.spec?.[direction] ?? []).forEach((rule: any, i: number) => {
      const at = `${where}.spec.${direction}[${i}]`;
      for (const entry of rule?.protocols ?? []) {
        for (const protocol of ['tcp', 'udp', 'sctp']) {
          const range = entry?.[protocol]?.destinationPort?.range;
          if (range !== undefined && !(range.start < range.end)) {
            problems.push(`${at}: CEL: Start port must be less than End port (${JSON.stringify(range)})`);
          }
        }
      }
      const peers: any[] = rule?.[direction === 'ingress' ? 'from' : 'to'] ?? [];
      for (const peer of peers) {
        for (const net of peer?.networks ?? []) {
          if (!ipaddr.isValidCIDR(net)) {
            problems.push(`${at}: CEL: Invalid CIDR format provided (${JSON.stringify(net)})`);
          }
        }
      }
      const outside = peers.some((peer) => peer?.networks !== undefined || peer?.nodes !== undefined || peer?.domainNames !== undefined);
      if (outside && (rule?.protocols ?? []).some((p: any) => p?.destinationNamedPort !== undefined)) {
        problems.push(`${at}: CEL: networks/nodes/domainNames peer cannot be set with namedPorts`);
      }
    });
  }
}

/** Every problem the API server (or the official schema) would report for these objects. */
export function manifestProblems(objects: any[]): string[] {
  const problems: string[] = [];
  objects.forEach((obj, i) => {
    const where = `#${i} ${obj?.kind}/${obj?.metadata?.name}`;
    if (obj?.apiVersion === 'networking.k8s.io/v1' && obj.kind === 'NetworkPolicy') {
      checkNetworkPolicy(where, obj, problems);
    } else if (obj?.apiVersion === 'cilium.io/v2' && (obj.kind === 'CiliumNetworkPolicy' || obj.kind === 'CiliumClusterwideNetworkPolicy')) {
      checkCiliumPolicy(where, obj, problems);
    } else if (obj?.apiVersion === 'policy.networking.k8s.io/v1alpha2' && obj.kind === 'ClusterNetworkPolicy') {
      checkClusterNetworkPolicy(where, obj, problems);
    } else if (obj?.apiVersion === 'projectcalico.org/v3' &&
      ['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy'].includes(obj.kind)) {
      checkCalicoPolicy(where, obj, problems);
    } else if (obj?.apiVersion === 'projectcalico.org/v3' && obj.kind === 'Tier') {
      schemaProblems(where, crdValidator('calico/v3.32.1/projectcalico.org_tiers.yaml', 'v3'), obj, problems);
      checkMetadata(where, obj.metadata, false, problems);
    } else if (obj?.apiVersion === 'v1' && obj.kind === 'Namespace') {
      checkMetadata(where, obj.metadata, false, problems);
      if (!DNS1123_LABEL.test(obj.metadata?.name ?? '') || obj.metadata.name.length > 63) {
        problems.push(`${where}: a namespace name must be a DNS-1123 label`);
      }
    } else if (obj?.apiVersion === 'apps/v1' || obj?.apiVersion === 'batch/v1' || obj?.apiVersion === 'v1') {
      // Workloads and Services: only their metadata; the policies are what this project emits.
      checkMetadata(where, obj.metadata, false, problems);
    } else {
      problems.push(`${where}: no schema known for ${obj?.apiVersion} ${obj?.kind}; add it to test/support/manifests.ts`);
    }
  });
  return problems;
}

/** Throws with every problem found; returns the objects for chaining. */
export function expectValidManifests(objects: any[]): any[] {
  const problems = manifestProblems(objects);
  if (problems.length > 0) {
    throw new Error(`invalid manifests:\n  ${problems.join('\n  ')}`);
  }
  return objects;
}

/** Synthesizes a chart and validates every object in it: the way every test should synthesize. */
export function synthValid(chart: Chart): any[] {
  return expectValidManifests(Testing.synth(chart));
}

/** The NetworkPolicy named `name` among `objects` (throws when absent, listing what exists). */
export function policyNamed(objects: any[], name: string): any {
  const found = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name);
  if (!found) {
    throw new Error(`no NetworkPolicy "${name}"; found: ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  }
  return found;
}
