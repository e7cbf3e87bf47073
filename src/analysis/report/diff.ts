import { markdownCode, markdownText } from './markdown';
import { ConnectivityMatrix, connectivityMatrix } from './matrix';
import { NetworkModel } from '../model';

/** One allowed probe: "source -> destination on TCP/8080". */
export interface Flow {
  readonly from: string;
  readonly to: string;
  readonly probe: string;
}

function flows(matrix: ConnectivityMatrix): Map<string, Flow> {
  const out = new Map<string, Flow>();
  for (const cell of matrix.cells) {
    if (cell.from === cell.to) {
      continue;
    }
    for (const probe of cell.allowed) {
      out.set(`${cell.from} -> ${cell.to} on ${probe}`, { from: cell.from, to: cell.to, probe });
    }
  }
  return out;
}

/** The flows a change opens and closes, comparing two matrices by endpoint id and probe. */
export function diffFlows(before: ConnectivityMatrix, after: ConnectivityMatrix): { opened: Flow[]; closed: Flow[] } {
  const old = flows(before);
  const now = flows(after);
  return {
    opened: [...now.entries()].filter(([key]) => !old.has(key)).map(([, flow]) => flow),
    closed: [...old.entries()].filter(([key]) => !now.has(key)).map(([, flow]) => flow),
  };
}

/**
 * The matrices of two models on one set of probe ports (the union of the ports both sides'
 * policies name), so that a change elsewhere does not show as flows opened and closed on
 * pods that declare no ports.
 */
export function comparableMatrices(before: NetworkModel, after: NetworkModel): [ConnectivityMatrix, ConnectivityMatrix] {
  const ports = new Map([...before._policyPorts(), ...after._policyPorts()].map((p) => [`${p.protocol}/${p.port}`, p]));
  const probePorts = ports.size > 0 ? [...ports.values()] : undefined;
  return [connectivityMatrix(before, { probePorts }), connectivityMatrix(after, { probePorts })];
}

/** Markdown for a pull request: what the change opens, what it closes. */
export function diffMarkdown(before: ConnectivityMatrix, after: ConnectivityMatrix, notEvaluated: string[] = []): string {
  const { opened, closed } = diffFlows(before, after);
  // Endpoint ids carry names from the manifests: code spans that nothing inside can end (markdownCode).
  const list = (items: Flow[]) => (items.length === 0 ? ['None.']
    : items.map((f) => `- ${markdownCode(f.from)} → ${markdownCode(f.to)} on ${markdownText(f.probe)}`));
  return [
    '# Network policy change',
    '',
    `**${opened.length}** flow(s) opened, **${closed.length}** closed.`,
    '',
    ...(notEvaluated.length > 0 ? ['> **Incomplete verdicts:** the flows below ignore these objects, which the model does not evaluate and which may ' +
      `allow or deny traffic (not evaluated): ${notEvaluated.map(markdownText).join(', ')}`, ''] : []),
    '## Opened',
    '',
    ...list(opened),
    '',
    '## Closed',
    '',
    ...list(closed),
    '',
  ].join('\n');
}
