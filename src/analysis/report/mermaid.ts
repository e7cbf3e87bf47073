import { ConnectivityMatrix } from './matrix';

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

/** A label safe inside Mermaid's `["..."]` and `|...|`. */
function text(value: string): string {
  return value.replace(/"/g, '#quot;').replace(/\|/g, '#124;');
}

/**
 * A Mermaid `flowchart` of the allowed flows (edges labelled with the allowed ports), the
 * workloads grouped by namespace; a pod reaching itself is not drawn. GitHub renders it in PRs.
 */
export function mermaidFlowchart(matrix: ConnectivityMatrix): string {
  const ids = nodeIds(matrix);
  const lines = ['flowchart LR'];
  const endpoints = new Map([...matrix.sources, ...matrix.destinations].map((e) => [e.id, e]));
  const namespaces = [...new Set([...endpoints.values()].filter((e) => e.namespace).map((e) => e.namespace!))].sort();
  for (const namespace of namespaces) {
    lines.push(`  subgraph ns_${namespace.replace(/-/g, '_')}["namespace ${text(namespace)}"]`);
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
      lines.push(`  ${ids.get(cell.from)} -->|${text(cell.allowed.join(', '))}| ${ids.get(cell.to)}`);
    }
  }
  return lines.join('\n');
}
