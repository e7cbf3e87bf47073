import { workloadKind } from './kinds';
import { PodEndpoint } from './types';

/** Where a workload object keeps its pod template (a Pod: itself). */
function templatePath(obj: any): readonly string[] {
  const workload = workloadKind(obj?.kind);
  if (workload === undefined) {
    throw new Error(`${String(obj?.kind)} is not a workload kind`);
  }
  return workload.templatePath;
}

/** Why a workload object cannot stand for a pod (its pod template is malformed), or undefined. */
export function workloadProblem(obj: any): string | undefined {
  const path = templatePath(obj);
  const template = path.reduce((node: any, key) => node?.[key], obj);
  const at = path.length === 0 ? 'the object' : path.join('.');
  if (template === null || typeof template !== 'object' || Array.isArray(template)) {
    return `${at} ${JSON.stringify(template)} is not a pod template`;
  }
  const containers = template.spec?.containers;
  if (containers !== undefined && !Array.isArray(containers)) {
    return `${path.length === 0 ? '' : `${at}.`}spec.containers is not a list`;
  }
  return undefined;
}

/**
 * One representative pod of a Pod or workload object: the workload's name and namespace, the
 * template's labels and its containers' ports. Replicas share labels and ports, so one stands for all.
 */
export function podOfWorkload(obj: any): PodEndpoint {
  const template = templatePath(obj).reduce((node: any, key) => node?.[key], obj);
  const containers: any[] = template?.spec?.containers ?? [];
  return {
    namespace: obj.metadata?.namespace ?? 'default',
    name: obj.metadata?.name,
    labels: { ...(template?.metadata?.labels ?? {}) },
    ...(template?.spec?.hostNetwork === true ? { hostNetwork: true } : {}),
    ports: containers.flatMap((c) => (c.ports ?? []).map((p: any) => ({
      port: p.containerPort,
      ...(p.name !== undefined ? { name: p.name } : {}),
      protocol: p.protocol ?? 'TCP',
    }))),
  };
}
