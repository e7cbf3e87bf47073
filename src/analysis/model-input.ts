import { ClusterCni } from './kinds';
import { ContainerPort, NetworkModelOptions, PodEndpoint, Probe } from './types';
import { cidrProblem, ipFamily } from '../util/cidr';
import { dns1123LabelProblem, dns1123SubdomainProblem, ianaServiceNameProblem, labelKeyProblem, labelValueProblem } from '../util/names';
import { plainObjectProblem } from '../util/plain-object';
import { checkOptionsObject, invalid, isIntegerInRange, show } from '../util/validation';
import { CalicoSemantics, NEWEST_CALICO, NEWEST_CALICO_MINOR, OLDEST_CALICO_MINOR, calicoSemantics } from './semantics/calico/rule';

/**
 * The checks of what callers hand the `NetworkModel`: options, namespaces, pods and probes. Each
 * throws an `Error` naming the call, the prop, the bad value and what is valid, so the verdicts
 * never rest on input the model misread.
 */

/** The protocols of ports and probes. */
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** The keys of Probe. */
const PROBE_KEYS: Record<keyof Probe, true> = { from: true, to: true, port: true, protocol: true, http: true };
/** The keys of NetworkModelOptions. */
const OPTION_KEYS: Record<keyof NetworkModelOptions, true> = {
  cni: true, podCidrs: true, clusterName: true, calicoVersion: true, evaluateStaged: true,
};
/** The keys of PodEndpoint. */
const POD_KEYS: Record<keyof PodEndpoint, true> = {
  namespace: true, name: true, labels: true, ip: true, ports: true, hostNetwork: true, serviceAccount: true,
};
/** A Cilium cluster name (cilium pkg/clustermesh/types ValidateClusterName): lower-case alphanumerics and '-', at most 32 characters. */
const CLUSTER_NAME = /^([a-z0-9][-a-z0-9]*)?[a-z0-9]$/;
const CLUSTER_NAME_MAX = 32;
/** A Calico release: "3.31", "v3.31" or "3.31.5". */
const CALICO_VERSION = /^v?(3)\.(0|[1-9][0-9]{0,2})(?:\.(0|[1-9][0-9]{0,3}))?$/;

/** Validates the options of the constructor, fromManifests and fromChart. */
export function checkModelOptions(where: string, options: NetworkModelOptions | undefined): void {
  if (options === undefined) {
    return;
  }
  checkOptionsObject(where, 'options', options, OPTION_KEYS);
  if (options.cni !== undefined && !Object.values(ClusterCni).includes(options.cni)) {
    invalid(where, `cni ${show(options.cni)} is not one of ${Object.values(ClusterCni).join(', ')}`);
  }
  if (options.podCidrs !== undefined) {
    if (!Array.isArray(options.podCidrs) || options.podCidrs.length === 0) {
      invalid(where, `podCidrs ${show(options.podCidrs)} must list the cluster's pod address ranges, e.g. ["10.244.0.0/16"]`);
    }
    // Array.from: a hole in the list is refused as undefined rather than skipped.
    Array.from(options.podCidrs).forEach((text, i) => {
      const problem = cidrProblem(text);
      if (problem) {
        invalid(where, `podCidrs[${i}] ${show(text)} is not a valid CIDR: ${problem}`);
      }
    });
  }
  if (options.clusterName !== undefined &&
    (typeof options.clusterName !== 'string' || options.clusterName.length > CLUSTER_NAME_MAX || !CLUSTER_NAME.test(options.clusterName))) {
    invalid(where, `clusterName ${show(options.clusterName)} is not a Cilium cluster name: at most ${CLUSTER_NAME_MAX} lower-case letters, ` +
      'digits and \'-\', starting and ending with a letter or digit (e.g. "default" or "eu-prod")');
  }
  if (options.calicoVersion !== undefined && (typeof options.calicoVersion !== 'string' || !CALICO_VERSION.test(options.calicoVersion))) {
    invalid(where, `calicoVersion ${show(options.calicoVersion)} is not a Calico release; expected "major.minor" or "major.minor.patch" of Calico 3, ` +
      `e.g. "3.${NEWEST_CALICO_MINOR}" or "3.31.5"`);
  }
  if (options.evaluateStaged !== undefined && typeof options.evaluateStaged !== 'boolean') {
    invalid(where, `evaluateStaged ${show(options.evaluateStaged)} is not true or false`);
  }
  const minor = options.calicoVersion === undefined ? undefined : calicoRelease(options.calicoVersion).minor;
  if (minor !== undefined && minor < OLDEST_CALICO_MINOR) {
    invalid(where, `calicoVersion ${show(options.calicoVersion)} is older than the oldest Calico release the model knows, 3.${OLDEST_CALICO_MINOR}: ` +
      'Calico open source has tiers, tier default actions and Pass from 3.29.0, and the model evaluates them for every release it accepts');
  }
  if (minor !== undefined && minor > NEWEST_CALICO_MINOR) {
    invalid(where, `calicoVersion ${show(options.calicoVersion)} is newer than the newest Calico release the model knows, 3.${NEWEST_CALICO_MINOR}: ` +
      `its semantics may differ, so the model does not guess them; give "3.${NEWEST_CALICO_MINOR}" to apply the newest known semantics`);
  }
}

/**
 * The engine-semantics options (cni, clusterName, calicoVersion) among a command's or a report's
 * options, with the undefined ones left out.
 */
export function semanticsOptionsOf(options: Pick<NetworkModelOptions, 'cni' | 'clusterName' | 'calicoVersion' | 'podCidrs' | 'evaluateStaged'>):
NetworkModelOptions {
  return {
    ...(options.evaluateStaged === true ? { evaluateStaged: true } : {}),
    ...(options.cni !== undefined ? { cni: options.cni } : {}),
    ...(options.podCidrs !== undefined ? { podCidrs: options.podCidrs } : {}),
    ...(options.clusterName !== undefined ? { clusterName: options.clusterName } : {}),
    ...(options.calicoVersion !== undefined ? { calicoVersion: options.calicoVersion } : {}),
  };
}

/** The semantics of a valid `calicoVersion`; the newest release's when undefined. */
export function calicoSemanticsOf(version: string | undefined): CalicoSemantics {
  if (version === undefined) {
    return NEWEST_CALICO;
  }
  const release = calicoRelease(version);
  return calicoSemantics(release.minor, release.patch);
}

/** The minor release and patch of a valid `calicoVersion` ("3.31" -> 31, "3.31.5" -> 31 and 5). */
export function calicoRelease(version: string): { minor: number; patch?: number } {
  const m = CALICO_VERSION.exec(version)!;
  return { minor: Number(m[2]), ...(m[3] !== undefined ? { patch: Number(m[3]) } : {}) };
}

/** Validates a namespace of `addNamespace`: its name and labels. */
export function checkNamespace(where: string, name: string, labels: Record<string, string> | undefined): void {
  const problem = dns1123LabelProblem(name);
  if (problem) {
    invalid(where, `name ${show(name)} is not a valid namespace name: ${problem}`);
  }
  checkLabelMap(where, 'labels', labels);
}

/** Validates a ServiceAccount of `addServiceAccount`: its namespace, name and labels. */
export function checkServiceAccount(where: string, namespace: string, name: string, labels: Record<string, string> | undefined): void {
  const nsProblem = dns1123LabelProblem(namespace);
  if (nsProblem) {
    invalid(where, `namespace ${show(namespace)} is not a valid namespace name: ${nsProblem}`);
  }
  const problem = dns1123SubdomainProblem(name);
  if (problem) {
    invalid(where, `name ${show(name)} is not a valid ServiceAccount name: ${problem}`);
  }
  checkLabelMap(where, 'labels', labels);
}

/** Validates a pod of `addPod`: its keys, names, labels, address, network and ports. */
export function checkPod(where: string, pod: PodEndpoint): void {
  checkOptionsObject(where, 'pod', pod, POD_KEYS);
  const nsProblem = dns1123LabelProblem(pod.namespace);
  if (nsProblem) {
    invalid(where, `namespace ${show(pod.namespace)} is not a valid namespace name: ${nsProblem}`);
  }
  const nameProblem = dns1123SubdomainProblem(pod.name);
  if (nameProblem) {
    invalid(where, `name ${show(pod.name)} is not a valid pod name: ${nameProblem}`);
  }
  checkLabelMap(where, 'labels', pod.labels);
  if (pod.ip !== undefined && ipFamily(pod.ip) === undefined) {
    invalid(where, `ip ${show(pod.ip)} of ${pod.namespace}/${pod.name} is not an IPv4 or IPv6 address`);
  }
  if (pod.hostNetwork !== undefined && typeof pod.hostNetwork !== 'boolean') {
    invalid(where, `hostNetwork ${show(pod.hostNetwork)} of ${pod.namespace}/${pod.name} is not a boolean`);
  }
  if (pod.serviceAccount !== undefined) {
    const problem = dns1123SubdomainProblem(pod.serviceAccount);
    if (problem) {
      invalid(where, `serviceAccount ${show(pod.serviceAccount)} of ${pod.namespace}/${pod.name} is not a valid ServiceAccount name: ${problem}`);
    }
  }
  if (pod.ports !== undefined && !Array.isArray(pod.ports)) {
    invalid(where, `ports ${show(pod.ports)} of ${pod.namespace}/${pod.name} is not a list; expected e.g. [{ port: 8080 }]`);
  }
  // Array.from: a hole in the list is refused as undefined rather than skipped.
  Array.from(pod.ports ?? []).forEach((port, i) => checkContainerPort(where, `ports[${i}] of ${pod.namespace}/${pod.name}`, port));
}

/**
 * Validates a probe's shape, port and protocol (its ends and HTTP request are checked as the model
 * resolves them); returns the protocol, TCP when not given.
 */
export function checkProbe(where: string, probe: Probe): string {
  if (probe === null || typeof probe !== 'object' || Array.isArray(probe)) {
    invalid(where, `probe ${show(probe)} is not a Probe { from, to, port, protocol?, http? }`);
  }
  // Fields inherited from another object would be read, yet are no key of the probe's own. An
  // object literal (the common case: a matrix makes millions of probes) inherits nothing, so the
  // full check, which reads every property's descriptor, is for other objects only.
  if (Object.getPrototypeOf(probe) !== Object.prototype) {
    const problem = plainObjectProblem(probe);
    if (problem !== undefined) {
      invalid(where, `probe ${problem}; expected a Probe { from, to, port, protocol?, http? }`);
    }
  }
  for (const key in probe) {
    // A misspelt key ("HTTP", "proto") would otherwise be ignored and a default used in silence.
    if (!Object.prototype.hasOwnProperty.call(PROBE_KEYS, key)) {
      invalid(where, `probe has an unknown key ${show(key)}; the keys are ${Object.keys(PROBE_KEYS).join(', ')}`);
    }
  }
  if (!isIntegerInRange(probe.port, 1, 65535)) {
    invalid(where, `port ${show(probe.port)} is not a valid port; expected an integer from 1 to 65535`);
  }
  const protocol = probe.protocol ?? 'TCP';
  if (!PROTOCOLS.includes(protocol)) {
    invalid(where, `protocol ${show(probe.protocol)} is not one of ${PROTOCOLS.join(', ')}`);
  }
  return protocol;
}

function checkLabelMap(where: string, prop: string, labels: Record<string, string> | undefined): void {
  if (labels === undefined) {
    return;
  }
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    invalid(where, `${prop} ${show(labels)} is not a label map`);
  }
  // A Map, or labels inherited or not enumerable, would read as no labels at all.
  const shape = plainObjectProblem(labels);
  if (shape !== undefined) {
    invalid(where, `${prop} ${shape}; expected a label map such as { app: "api" }`);
  }
  for (const [key, value] of Object.entries(labels)) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) {
      invalid(where, `${prop} ${show(key)}=${show(value)} is not a valid label: ${problem}`);
    }
  }
}

function checkContainerPort(where: string, prop: string, port: ContainerPort): void {
  if (port === null || typeof port !== 'object' || !isIntegerInRange(port.port, 1, 65535)) {
    invalid(where, `${prop} ${show(port)} needs a port number from 1 to 65535`);
  }
  if (port.name !== undefined) {
    const problem = ianaServiceNameProblem(port.name);
    if (problem) {
      invalid(where, `${prop} name ${show(port.name)} is not a valid port name: ${problem}`);
    }
  }
  if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol)) {
    invalid(where, `${prop} protocol ${show(port.protocol)} is not one of ${PROTOCOLS.join(', ')}`);
  }
}
