/**
 * Checks synthesized manifests the way the API server would: against the official schema in
 * ../shared/schemas (unknown fields rejected, as `kubectl --validate=strict` does) plus the
 * NetworkPolicy rules the schema lacks (SEMANTICS.md §1, schemas/README.md). Written
 * independently of src/ so that a bug there cannot hide itself here.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { Chart, Testing } from 'cdk8s';
import * as ipaddr from 'ipaddr.js';

export const SCHEMAS_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'schemas');
const K8S_SCHEMA = path.join(SCHEMAS_DIR, 'kubernetes', 'networking.k8s.io-v1-openapi.json');
const NETWORK_POLICY_REF = 'k8s#/components/schemas/io.k8s.api.networking.v1.NetworkPolicy';

let networkPolicyValidator: ValidateFunction | undefined;

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
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

function validator(): ValidateFunction {
  if (!networkPolicyValidator) {
    if (!fs.existsSync(K8S_SCHEMA)) {
      throw new Error(`official schema not found at ${K8S_SCHEMA}: ../shared must sit beside the checkout`);
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

function checkNetworkPolicy(where: string, obj: any, problems: string[]): void {
  const validate = validator();
  if (!validate(obj)) {
    for (const error of validate.errors ?? []) {
      problems.push(`${where}: schema: ${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
    }
  }
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

/** Every problem the API server (or the official schema) would report for these objects. */
export function manifestProblems(objects: any[]): string[] {
  const problems: string[] = [];
  objects.forEach((obj, i) => {
    const where = `#${i} ${obj?.kind}/${obj?.metadata?.name}`;
    if (obj?.apiVersion === 'networking.k8s.io/v1' && obj.kind === 'NetworkPolicy') {
      checkNetworkPolicy(where, obj, problems);
    } else if (obj?.apiVersion === 'v1' && obj.kind === 'Namespace') {
      checkMetadata(where, obj.metadata, false, problems);
      if (!DNS1123_LABEL.test(obj.metadata?.name ?? '') || obj.metadata.name.length > 63) {
        problems.push(`${where}: a namespace name must be a DNS-1123 label`);
      }
    } else if (obj?.apiVersion === 'apps/v1' || obj?.apiVersion === 'v1') {
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
