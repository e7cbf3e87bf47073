import { ConnectivityMatrix, allowedLabels } from './matrix';
import { escapeControls } from '../../util/control-chars';

/** Mermaid node ids must be plain: one per endpoint, in matrix order. */
function nodeIds(matrix: ConnectivityMatrix): Map<string, string> {
  const ids = new Map<string, string>();
  for (const endpoint of [...matrix.sources, ...matrix.destinations]) {
    if (!ids.has(endpoint.id)) {
      ids.set(endpoint.id, `n${ids.size}`);
    }
  }
  return ids;
}

const MERMAID_ENTITIES: Record<string, string> = { '"': '#quot;', '|': '#124;', '#': '#35;', '`': '#96;', '<': '#lt;', '>': '#gt;', '&': '#amp;' };

/**
 * A label safe inside Mermaid's `["..."]` and `|...|`, and inside the Markdown code fence that
 * holds the graph: control characters shown as escapes (a newline cannot end the statement), the
 * quote and the pipe that end a label, `#` that starts an entity, backticks that could close the
 * fence and the characters of HTML (Mermaid renders labels as HTML) written as Mermaid entities.
 */
function text(value: string): string {
  return escapeControls(value).replace(/["|#`<>&]/g, (c) => MERMAID_ENTITIES[c]);
}

/** Above this many pod-level edges the graph is drawn between namespaces (Mermaid's default limit is 500). */
export const MAX_POD_EDGES = 100;
/** Above this many namespace-level edges nothing is drawn but a note: Mermaid would not render it. */
export const MAX_GROUP_EDGES = 400;

/**
 * A Mermaid `flowchart` of the allowed flows (edges labelled with the allowed ports), the
 * workloads grouped by namespace; a pod reaching itself is not drawn. GitHub renders it in PRs.
 * With more than MAX_POD_EDGES edges, one edge per pair of namespaces (and outside endpoints)
 * keeps it renderable and readable.
 */
export function mermaidFlowchart(matrix: ConnectivityMatrix): string {
  const edges = matrix.cells.filter((c) => c.allowed.length > 0 && c.from !== c.to);
  return edges.length > MAX_POD_EDGES ? namespaceFlowchart(matrix, edges.length) : podFlowchart(matrix);
}

function namespaceFlowchart(matrix: ConnectivityMatrix, podEdges: number): string {
  const endpoints = new Map([...matrix.sources, ...matrix.destinations].map((e) => [e.id, e]));
  const groupOf = (id: string) => {
    const e = endpoints.get(id)!;
    return e.namespace ? `namespace ${e.namespace}` : e.label;
  };
  const groups = [...new Set([...endpoints.keys()].map(groupOf))];
  const ids = new Map(groups.map((g, i) => [g, `g${i}`]));
  const counts = new Map<string, number>();
  for (const cell of matrix.cells) {
    if (cell.allowed.length > 0 && cell.from !== cell.to) {
      const key = `${groupOf(cell.from)}\u0000${groupOf(cell.to)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  if (counts.size > MAX_GROUP_EDGES) {
    // GitHub's Mermaid refuses graphs of more than 500 edges: say so instead of a graph nobody sees.
    return ['flowchart LR', `  %% ${podEdges} flows between ${counts.size} pairs of namespaces and outside endpoints`,
      `  note["${counts.size} pairs of namespaces have flows: too many edges to draw (Mermaid draws at most 500); the table lists them"]`].join('\n');
  }
  const lines = ['flowchart LR', `  %% ${podEdges} pod-to-pod flows, drawn between namespaces`];
  groups.forEach((g) => lines.push(`  ${ids.get(g)}["${text(g)}"]`));
  for (const [key, n] of counts) {
    const [from, to] = key.split('\u0000');
    lines.push(`  ${ids.get(from)} -->|${n} flow${n === 1 ? '' : 's'}| ${ids.get(to)}`);
  }
  return lines.join('\n');
}

function podFlowchart(matrix: ConnectivityMatrix): string {
  const ids = nodeIds(matrix);
  const lines = ['flowchart LR'];
  const endpoints = new Map([...matrix.sources, ...matrix.destinations].map((e) => [e.id, e]));
  const namespaces = [...new Set([...endpoints.values()].filter((e) => e.namespace).map((e) => e.namespace!))].sort();
  for (const namespace of namespaces) {
    lines.push(`  subgraph ns_${namespace.replace(/[^A-Za-z0-9]/g, '_')}["namespace ${text(namespace)}"]`);
    for (const endpoint of endpoints.values()) {
      if (endpoint.namespace === namespace) {
        lines.push(`    ${ids.get(endpoint.id)}["${text(endpoint.label)}"]`);
      }
    }
    lines.push('  end');
  }
  for (const endpoint of endpoints.values()) {
    if (!endpoint.namespace) {
      const shape = endpoint.kind === 'metadata' ? `{{"${text(endpoint.label)}"}}` : `(["${text(endpoint.label)}"])`;
      lines.push(`  ${ids.get(endpoint.id)}${shape}`);
    }
  }
  for (const cell of matrix.cells) {
    if (cell.allowed.length > 0 && cell.from !== cell.to) {
      lines.push(`  ${ids.get(cell.from)} -->|${text(`${allowedLabels(cell).join(', ')}${cell.omitted ? ` … (+${cell.omitted} ranges)` : ''}`)}| ${ids.get(cell.to)}`);
    }
  }
  return lines.join('\n');
}
