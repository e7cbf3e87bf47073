import { FlowLineError, IGNORED, ParsedLine, addressOf, portOf, show } from './flow-line';
import { FLOW_PROTOCOLS, FlowEndpoint } from './observed-flow';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../../util/names';

// The plain CSV of flows: one connection per row, `from,to,port,protocol`, optionally a fifth
// column `count`. An end is "namespace/name" (a pod, or a workload: the manifests tell which) or
// an IP address. A header row naming the columns, blank rows and rows starting with # are skipped.
// The CSV carries no labels: the pods it names must be in the manifests replayed against.

const HEADER = /^\s*from\s*,\s*to\s*,\s*port\s*,\s*protocol\s*(,\s*count\s*)?$/i;

/** Whether a line is the CSV's header. */
export function isCsvHeader(text: string): boolean {
  return HEADER.test(text);
}

/** One CSV row. Throws FlowLineError, naming the column, when the row is malformed. */
export function parseCsvRow(text: string): ParsedLine {
  if (text.trim() === '' || text.trimStart().startsWith('#')) {
    return { ignored: IGNORED.blank };
  }
  if (isCsvHeader(text)) {
    return { ignored: IGNORED.header };
  }
  const cells = text.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim());
  if (cells.length < 4 || cells.length > 5) {
    throw new FlowLineError(`expected 4 or 5 columns (from,to,port,protocol[,count]), got ${cells.length}`);
  }
  const [fromText, toText, portText, protocolText, countText] = cells;
  const from = endpointOf(fromText, 'from');
  const to = endpointOf(toText, 'to');
  if (from.namespace === undefined && to.namespace === undefined) {
    return { ignored: IGNORED.external };
  }
  if (portText === '') {
    throw new FlowLineError('port is empty; a flow the policies decide has a destination port');
  }
  const port = portOf(portText, 'port');
  const protocol = protocolText.toUpperCase();
  if (!FLOW_PROTOCOLS.includes(protocol)) {
    throw new FlowLineError(`protocol ${show(protocolText)} is not one of ${FLOW_PROTOCOLS.join(', ')}`);
  }
  let count: number | undefined;
  if (countText !== undefined && countText !== '') {
    if (!/^[0-9]{1,9}$/.test(countText) || Number(countText) < 1) {
      throw new FlowLineError(`count ${show(countText)} is not a positive whole number`);
    }
    count = Number(countText);
  }
  return { from, to, port, protocol, ...(count !== undefined ? { count } : {}) };
}

/** "namespace/name" or an IP address. */
function endpointOf(text: string, column: string): FlowEndpoint {
  if (text === '') {
    throw new FlowLineError(`${column} is empty; expected namespace/name or an IP address`);
  }
  const slash = text.indexOf('/');
  if (slash < 0) {
    return { ip: addressOf(text, `${column}`) };
  }
  const namespace = text.slice(0, slash);
  const name = text.slice(slash + 1);
  const problem = dns1123LabelProblem(namespace) ?? dns1123SubdomainProblem(name);
  if (problem !== undefined) {
    throw new FlowLineError(`${column} ${show(text)} is not namespace/name or an IP address: ${problem}`);
  }
  return { namespace, workload: name };
}
