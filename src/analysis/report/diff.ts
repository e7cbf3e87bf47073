import { ConnectivityMatrix } from './matrix';

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

/** Markdown for a pull request: what the change opens, what it closes. */
export function diffMarkdown(before: ConnectivityMatrix, after: ConnectivityMatrix): string {
  const { opened, closed } = diffFlows(before, after);
  const list = (items: Flow[]) => (items.length === 0 ? ['None.'] : items.map((f) => `- \`${f.from}\` → \`${f.to}\` on ${f.probe}`));
  return [
    '# Network policy change',
    '',
    `**${opened.length}** flow(s) opened, **${closed.length}** closed.`,
    '',
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
