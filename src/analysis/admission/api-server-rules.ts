import { cidrProblem, isStrictSubnet, parseCidr } from '../../util/cidr';
import { dns1123LabelProblem, dns1123SubdomainProblem, ianaServiceNameProblem, labelKeyProblem, labelValueProblem } from '../../util/names';
import { isIntegerInRange, show } from '../../util/validation';
import { KindClass, WorkloadKind } from '../kinds';
import { compileLabelSelector } from '../labels';
import { clusterNetworkPolicyProblem } from '../semantics/cluster/policy';

/*
 * What the API server refuses though the schema lets it through: the validation code of
 * kubernetes pkg/apis/networking/validation (NetworkPolicy), pkg/apis/core/validation (Namespace,
 * pod templates' ports) and apimachinery's ObjectMeta validation (names, labels), in the project's
 * words. These run on objects whose structure is sound (structure.ts): fields have their types.
 */

const asList = (value: unknown): any[] => (Array.isArray(value) ? value : []);
const asObject = (value: unknown): Record<string, any> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, any> : {});

type Add = (problem: string) => void;

/** Labels: keys are qualified names, values label values (ObjectMeta and pod templates alike). */
export function checkLabels(labels: unknown, at: string, add: Add): void {
  for (const [key, value] of Object.entries(asObject(labels))) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value as string);
    if (problem) {
      add(`${at} ${show(key)}=${show(value)} is not a valid label: ${problem}`);
    }
  }
}

/** metav1.LabelSelector: label syntax and the operators' rules about values. */
export function checkSelector(selector: unknown, at: string, add: Add): void {
  const s = asObject(selector);
  checkLabels(s.matchLabels, `${at}.matchLabels`, add);
  asList(s.matchExpressions).forEach((e: any, i: number) => {
    const values = asList(e?.values);
    const where = `${at}.matchExpressions[${i}]`;
    const keyProblem = labelKeyProblem(e?.key);
    if (keyProblem) {
      add(`${where}.key ${show(e?.key)} is invalid: ${keyProblem}`);
    }
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e?.operator)) {
      add(`${where}.operator ${show(e?.operator)} is not In, NotIn, Exists or DoesNotExist`);
    } else if ((e.operator === 'In' || e.operator === 'NotIn') !== values.length > 0) {
      add(`${where}: ${e.operator} ${values.length > 0 ? 'takes no values' : 'needs at least one value'}`);
    } else {
      values.forEach((v, j) => {
        const problem = labelValueProblem(v);
        if (problem) {
          add(`${where}.values[${j}] ${show(v)} is not a valid label value: ${problem}`);
        }
      });
    }
  });
}

/** ObjectMeta of any object: name (DNS-1123 subdomain, or label for a Namespace), namespace, labels. */
function checkMetadata(obj: any, c: KindClass, add: Add): void {
  const meta = asObject(obj.metadata);
  const nameProblem = c.category === 'namespace' ? dns1123LabelProblem(meta.name) : dns1123SubdomainProblem(meta.name);
  if (nameProblem) {
    add(`metadata.name ${show(meta.name)} is invalid: ${nameProblem}`);
  }
  if (c.clusterScoped) {
    // kubectl and the API server drop the namespace of a cluster-scoped object; nothing to check.
  } else if (meta.namespace !== undefined && meta.namespace !== null) {
    const problem = dns1123LabelProblem(meta.namespace);
    if (problem) {
      add(`metadata.namespace ${show(meta.namespace)} is invalid: ${problem}`);
    }
  }
  checkLabels(meta.labels, 'metadata.labels', add);
}

function checkPeer(peer: any, at: string, add: Add): void {
  const podSelector = peer?.podSelector ?? undefined;
  const namespaceSelector = peer?.namespaceSelector ?? undefined;
  const ipBlock = peer?.ipBlock ?? undefined;
  if (podSelector === undefined && namespaceSelector === undefined && ipBlock === undefined) {
    add(`${at} must specify a peer (podSelector, namespaceSelector or ipBlock)`);
    return;
  }
  if (ipBlock !== undefined && (podSelector !== undefined || namespaceSelector !== undefined)) {
    add(`${at} may not specify both ipBlock and another peer; use two peers`);
  }
  checkSelector(podSelector, `${at}.podSelector`, add);
  checkSelector(namespaceSelector, `${at}.namespaceSelector`, add);
  if (ipBlock === undefined) {
    return;
  }
  const cidrIssue = cidrProblem(ipBlock.cidr, true);
  if (cidrIssue) {
    add(`${at}.ipBlock.cidr ${show(ipBlock.cidr)} is not a valid CIDR: ${cidrIssue}`);
    return;
  }
  const cidr = parseCidr(ipBlock.cidr, true);
  asList(ipBlock.except).forEach((text: string, i: number) => {
    const holeIssue = cidrProblem(text, true);
    if (holeIssue) {
      add(`${at}.ipBlock.except[${i}] ${show(text)} is not a valid CIDR: ${holeIssue}`);
    } else if (!isStrictSubnet(cidr, parseCidr(text, true))) {
      add(`${at}.ipBlock.except[${i}] ${show(text)} must be a strict subset of cidr ${show(ipBlock.cidr)} (inside it, same family, longer prefix)`);
    }
  });
}

function checkPort(port: any, at: string, add: Add): void {
  const protocol = port?.protocol ?? undefined;
  if (protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(protocol)) {
    add(`${at}.protocol ${show(protocol)} is not TCP, UDP or SCTP`);
  }
  const value = port?.port ?? undefined;
  const endPort = port?.endPort ?? undefined;
  if (typeof value === 'number' && !isIntegerInRange(value, 1, 65535)) {
    add(`${at}.port ${value} is out of range 1-65535`);
  }
  if (typeof value === 'string' && ianaServiceNameProblem(value)) {
    add(`${at}.port ${show(value)} is not a valid port name: ${ianaServiceNameProblem(value)}`);
  }
  if (endPort !== undefined) {
    if (typeof value !== 'number') {
      add(`${at}.endPort ${endPort} needs a numeric port (it cannot follow a named port or stand alone)`);
    } else if (!isIntegerInRange(endPort, value, 65535)) {
      add(`${at}.endPort ${endPort} must be from port ${value} to 65535`);
    }
  }
}

/** A NetworkPolicy's spec (pkg/apis/networking/validation ValidateNetworkPolicySpec). */
function checkNetworkPolicy(obj: any, add: Add): void {
  const spec = asObject(obj.spec);
  checkSelector(spec.podSelector, 'spec.podSelector', add);
  const types = asList(spec.policyTypes);
  // ValidateNetworkPolicySpec: at most two entries, each Ingress or Egress (a repeat is accepted).
  if (types.length > 2 || types.some((t) => t !== 'Ingress' && t !== 'Egress')) {
    add(`spec.policyTypes ${show(types)} may hold at most two entries, each Ingress or Egress`);
  }
  for (const [direction, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
    asList(spec[direction]).forEach((rule: any, i: number) => {
      const at = `spec.${direction}[${i}]`;
      asList(rule?.[peersKey]).forEach((peer: any, j: number) => checkPeer(peer, `${at}.${peersKey}[${j}]`, add));
      asList(rule?.ports).forEach((port: any, j: number) => checkPort(port, `${at}.ports[${j}]`, add));
    });
  }
}

/**
 * A controller's pod selector (pkg/apis/apps/validation, batch/validation): required and not empty
 * where the API server requires it, and matching the template's labels (else the controller could
 * never own the pods it makes). A ReplicationController's defaults to the template's labels, a
 * Job's is generated.
 */
function checkWorkloadSelector(obj: any, workload: WorkloadKind, template: any, add: Add): void {
  const selector = workload.selector;
  if (selector === undefined) {
    return;
  }
  let value: any = obj;
  for (const key of selector.path) {
    value = value?.[key];
  }
  const at = selector.path.join('.');
  const empty = value === undefined || value === null || (selector.form === 'labelMap' ? Object.keys(value).length === 0
    : Object.keys(asObject(value.matchLabels)).length === 0 && asList(value.matchExpressions).length === 0);
  if (empty) {
    if (selector.required) {
      add(`${at} is required and may not be empty (it says which pods the ${workload.kind} owns)`);
    }
    return;
  }
  if (selector.form === 'labelSelector') {
    checkSelector(value, at, add);
  }
  const labels = asObject(template?.metadata?.labels);
  let matches: boolean;
  try {
    matches = selector.form === 'labelMap'
      ? Object.entries(value).every(([k, v]) => labels[k] === v)
      : compileLabelSelector(value, at)(labels);
  } catch {
    return; // an invalid selector: reported by checkSelector
  }
  if (!matches) {
    add(`${at} does not match the template's labels ${show(labels)}: the API server refuses a ${workload.kind} whose selector misses its own pods`);
  }
}

/** A pod template's labels and its containers' ports (pkg/apis/core/validation). */
function checkPodTemplate(template: any, at: string, add: Add): void {
  checkLabels(template?.metadata?.labels, `${at}metadata.labels`, add);
  if (asList(template?.spec?.containers).length === 0) {
    add(`${at}spec.containers must list at least one container`);
  }
  // Port names are unique in a pod, across its containers (ValidatePodSpec: "Duplicate value").
  const names = new Set<string>();
  for (const list of ['containers', 'initContainers']) {
    asList(template?.spec?.[list]).forEach((container: any, i: number) => {
      asList(container?.ports).forEach((port: any, j: number) => {
        const name = port?.name;
        if (typeof name === 'string' && name !== '') {
          if (names.has(name)) {
            add(`${at}spec.${list}[${i}].ports[${j}].name ${show(name)} is given twice in the pod; port names must be unique`);
          }
          names.add(name);
        }
      });
    });
  }
  for (const list of ['containers', 'initContainers']) {
    asList(template?.spec?.[list]).forEach((container: any, i: number) => {
      asList(container?.ports).forEach((port: any, j: number) => {
        const where = `${at}spec.${list}[${i}].ports[${j}]`;
        if (!isIntegerInRange(port?.containerPort, 1, 65535)) {
          add(`${where}.containerPort ${show(port?.containerPort)} is not a port number from 1 to 65535`);
        }
        const name = port?.name ?? undefined;
        if (name !== undefined && ianaServiceNameProblem(name)) {
          add(`${where}.name ${show(name)} is not a valid port name: ${ianaServiceNameProblem(name)}`);
        }
        const protocol = port?.protocol ?? undefined;
        if (protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(protocol)) {
          add(`${where}.protocol ${show(protocol)} is not TCP, UDP or SCTP`);
        }
      });
    });
  }
}

/**
 * What the API server would refuse in an object whose structure is sound: its names and labels,
 * a NetworkPolicy's spec, a workload's template labels and ports. Cilium and Calico rules are
 * checked by their compilers. Each problem names its field.
 */
export function apiServerProblems(obj: any, c: KindClass): string[] {
  const problems: string[] = [];
  const add = (problem: string) => problems.push(problem);
  checkMetadata(obj, c, add);
  if (c.category === 'policy' && c.cni === 'Kubernetes') {
    checkNetworkPolicy(obj, add);
  } else if (c.category === 'policy' && c.cni === 'NetworkPolicyApi') {
    // The CRD's schema below the spec, and its CEL rules (which no OpenAPI validator checks).
    const problem = clusterNetworkPolicyProblem(obj);
    if (problem !== undefined) {
      add(problem);
    }
  } else if (c.category === 'workload') {
    const path = c.workload.templatePath;
    let template: any = obj;
    for (const key of path) {
      template = template?.[key];
    }
    checkPodTemplate(template, path.length === 0 ? '' : `${path.join('.')}.`, add);
    checkWorkloadSelector(obj, c.workload, template, add);
    // A Job's pods run to completion: the API server refuses restartPolicy Always (or none) there.
    const restart = template?.spec?.restartPolicy;
    if ((c.workload.kind === 'Job' || c.workload.kind === 'CronJob') && restart !== 'OnFailure' && restart !== 'Never') {
      add(`${path.join('.')}.spec.restartPolicy ${show(restart)} is not allowed for a ${c.workload.kind}'s pods: give OnFailure or Never`);
    }
  }
  return problems;
}
