import { PodEndpoint } from './types';

/** Where each workload kind keeps its pod template (CronJob: two levels down). */
const TEMPLATE_PATH: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** True for the kinds whose pods `podOfWorkload` can read. */
export function isWorkload(obj: any): boolean {
  return obj?.kind === 'Pod' || Object.prototype.hasOwnProperty.call(TEMPLATE_PATH, obj?.kind);
}

/**
 * One representative pod of a Pod or workload object: the workload's name and namespace, the
 * template's labels and its containers' ports. Replicas share labels and ports, so one stands for all.
 */
export function podOfWorkload(obj: any): PodEndpoint {
  const template = obj.kind === 'Pod' ? obj : TEMPLATE_PATH[obj.kind].reduce((node, key) => node?.[key], obj);
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
