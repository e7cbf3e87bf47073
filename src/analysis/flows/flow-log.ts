import * as fs from 'fs';
import { parseCalicoFlowRecord, looksLikeCalicoFlow } from './calico-flow-log';
import { parseCsvRow } from './csv';
import { FlowLineError, IGNORED, ParsedFlow, ParsedLine, objectAt } from './flow-line';
import { looksLikeHubble, parseHubbleRecord } from './hubble';
import { ObservedFlow, flowKey } from './observed-flow';
import { Line, forEachLine, forEachLineOf } from '../../util/lines';
import { invalid, show } from '../../util/validation';

/** The formats of observed flows `FlowLog` reads. */
export enum FlowFormat {
  /** Told apart per file by its first record: JSON from Hubble or Calico, else CSV. */
  AUTO = 'auto',
  /** `hubble observe -o jsonpb` (or `-o json`): one JSON record per line. */
  HUBBLE = 'hubble',
  /** Calico flow logs: one JSON record per line. */
  CALICO = 'calico',
  /** `from,to,port,protocol[,count]`, an end being namespace/name or an IP address. */
  CSV = 'csv',
}

/** How `FlowLog` reads. */
export interface FlowLogOptions {
  /**
   * The format of the input.
   * @default FlowFormat.AUTO
   */
  readonly format?: FlowFormat;
  /**
   * Skip malformed lines (each is listed in `FlowLog.malformed`) instead of refusing the input.
   * @default false - a malformed line refuses the input, naming its line number
   */
  readonly skipMalformed?: boolean;
  /**
   * Read flows the cluster dropped (Hubble verdict DROPPED, Calico action deny) as flows to
   * replay: to see whether a change would open them.
   * @default false - only flows that happened are replayed
   */
  readonly includeDropped?: boolean;
}

/** A line of input that is not a flow of its format. */
export interface MalformedFlowLine {
  /** "file:line". */
  readonly source: string;
  /** What is wrong with it. */
  readonly problem: string;
}

/** Records read but not replayed, by why. */
export interface IgnoredFlowRecords {
  /** Why they are not replayed. */
  readonly reason: string;
  /** How many. */
  readonly count: number;
}

/** The most malformed lines an error message lists. */
const LISTED = 10;

/** The largest flow file read, in bytes (a day of Hubble flows of a busy namespace fits many times). */
export const MAX_FLOW_FILE_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * Observed flows, read from Hubble (`hubble observe -o jsonpb`), Calico flow logs or CSV, and
 * counted once per distinct connection (ends, port, protocol and HTTP request), with how often
 * and when each was seen. Malformed lines refuse the input, naming file and line, unless
 * `skipMalformed` is set; nothing is guessed. Memory grows with the distinct flows, not with the
 * input's size: files are read a chunk at a time.
 */
export class FlowLog {
  /**
   * Reads a flow file.
   * @param path the file
   */
  public static fromFile(path: string, options?: FlowLogOptions): FlowLog {
    const where = 'FlowLog.fromFile()';
    const opts = checkOptions(where, options);
    if (typeof path !== 'string' || path === '') {
      invalid(where, `path ${show(path)} is not a file name`);
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(path);
    } catch (e) {
      return invalid(where, `${path}: ${fsProblem(e)}`);
    }
    // A named pipe (`--flows <(hubble observe ...)`) is read as it comes; devices are not read.
    if (!stat.isFile() && !stat.isFIFO()) {
      invalid(where, `${path} is not a file`);
    }
    if (stat.size > MAX_FLOW_FILE_BYTES) {
      invalid(where, `${path} holds ${stat.size} bytes, above the ${MAX_FLOW_FILE_BYTES} bytes read; split it (e.g. by time) and replay the parts`);
    }
    const log = new FlowLog(path, opts);
    try {
      forEachLine(path, (line) => log.read(line));
    } catch (e) {
      if (e instanceof FlowInputError) {
        invalid(where, e.message);
      }
      invalid(where, `${path}: ${fsProblem(e)}`);
    }
    return log.finish(where);
  }

  /**
   * Reads flows from text, as `fromFile` reads a file.
   * @param text the lines
   * @param name the name the input is given in messages ("file:line")
   */
  public static parse(text: string, name: string = 'flows', options?: FlowLogOptions): FlowLog {
    const where = 'FlowLog.parse()';
    const opts = checkOptions(where, options);
    if (typeof text !== 'string') {
      invalid(where, `text ${show(text)} is not a string`);
    }
    const log = new FlowLog(String(name), opts);
    try {
      forEachLineOf(text, (line) => log.read(line));
    } catch (e) {
      if (e instanceof FlowInputError) {
        invalid(where, e.message);
      }
      throw e;
    }
    return log.finish(where);
  }

  /** The input's name, as messages give it. */
  public readonly name: string;

  private detected: FlowFormat;
  private lineCount = 0;

  private readonly options: Required<FlowLogOptions>;
  private readonly byKey = new Map<string, { flow: ParsedFlow; count: number; first?: string; last?: string; source: string }>();
  private readonly ignoredCounts = new Map<string, number>();
  private readonly malformedLines: MalformedFlowLine[] = [];
  private malformedCount = 0;

  private constructor(name: string, options: Required<FlowLogOptions>) {
    this.name = name;
    this.options = options;
    this.detected = options.format;
  }

  /** The format read (for AUTO: the one told apart from the first record; AUTO when the input held none). */
  public get format(): FlowFormat {
    return this.detected;
  }

  /** How many lines were read. */
  public get lines(): number {
    return this.lineCount;
  }

  /** The distinct flows, in the order they were first seen. */
  public get flows(): ObservedFlow[] {
    return [...this.byKey.values()].map(({ flow, count, first, last, source }) => ({
      from: flow.from,
      to: flow.to,
      port: flow.port,
      protocol: flow.protocol,
      ...(flow.http ? { http: flow.http } : {}),
      count,
      ...(first !== undefined ? { firstSeen: first, lastSeen: last } : {}),
      source,
    }));
  }

  /** The records read but not replayed (replies, drops, ICMP, ...), by why. */
  public get ignored(): IgnoredFlowRecords[] {
    return [...this.ignoredCounts.entries()].filter(([reason]) => reason !== IGNORED.blank && reason !== IGNORED.header)
      .map(([reason, count]) => ({ reason, count }));
  }

  /** The malformed lines skipped (with `skipMalformed`; the first 1000). */
  public get malformed(): MalformedFlowLine[] {
    return [...this.malformedLines];
  }

  /** How many malformed lines were skipped. */
  public get malformedTotal(): number {
    return this.malformedCount;
  }

  private read(line: Line): void {
    this.lineCount++;
    const source = `${this.name}:${line.number}`;
    let parsed: ParsedLine;
    try {
      if (line.text === undefined) {
        throw new FlowLineError(`the line is ${line.length} characters long, longer than any flow record; is this a flow file?`);
      }
      parsed = this.parseLine(line.text);
    } catch (e) {
      if (e instanceof FormatError) {
        throw new FlowInputError(`${source}: ${e.message}`);
      }
      if (!(e instanceof FlowLineError)) {
        throw e;
      }
      this.malformedCount++;
      if (this.malformedLines.length < 1000) {
        this.malformedLines.push({ source, problem: e.message });
      }
      if (!this.options.skipMalformed && this.malformedLines.length >= LISTED) {
        throw new FlowInputError(this.refusal());
      }
      return;
    }
    if (parsed === undefined) {
      return;
    }
    if ('ignored' in parsed) {
      this.ignoredCounts.set(parsed.ignored, (this.ignoredCounts.get(parsed.ignored) ?? 0) + 1);
      return;
    }
    const key = flowKey(parsed);
    const known = this.byKey.get(key);
    const count = parsed.count ?? 1;
    if (known === undefined) {
      this.byKey.set(key, { flow: parsed, count, first: parsed.time, last: parsed.until ?? parsed.time, source });
    } else {
      known.count += count;
      if (parsed.time !== undefined) {
        const last = parsed.until ?? parsed.time;
        known.first = known.first === undefined || parsed.time < known.first ? parsed.time : known.first;
        known.last = known.last === undefined || last > known.last ? last : known.last;
      }
    }
  }

  private parseLine(text: string): ParsedLine {
    if (this.detected === FlowFormat.AUTO) {
      if (text.trim() === '' || text.trimStart().startsWith('#')) {
        return { ignored: IGNORED.blank };
      }
      this.detected = detectFormat(text);
    }
    switch (this.detected) {
      case FlowFormat.CSV:
        return parseCsvRow(text);
      case FlowFormat.HUBBLE:
      case FlowFormat.CALICO: {
        if (text.trim() === '') {
          return { ignored: IGNORED.blank };
        }
        if (SSE_FIELD.test(text)) {
          return { ignored: IGNORED.notFlow };
        }
        const record = parseJson(text.replace(SSE_DATA, ''));
        return this.detected === FlowFormat.HUBBLE ? parseHubbleRecord(record, this.options.includeDropped)
          : parseCalicoFlowRecord(record, this.options.includeDropped);
      }
      default:
        return undefined;
    }
  }

  private finish(where: string): FlowLog {
    if (this.malformedCount > 0 && !this.options.skipMalformed) {
      invalid(where, this.refusal());
    }
    return this;
  }

  private refusal(): string {
    const more = this.malformedCount > this.malformedLines.length ? ` (the first ${this.malformedLines.length} shown)` : '';
    return `${this.malformedLines.length >= LISTED ? 'at least ' : ''}${this.malformedCount} malformed line(s) in ${this.name}${more}; ` +
      'nothing is guessed: fix them, or skip them (FlowLogOptions.skipMalformed, --skip-malformed):\n' +
      this.malformedLines.slice(0, LISTED).map((m) => `  ${m.source}: ${m.problem}`).join('\n');
  }
}

/** Stops reading at the tenth malformed line when they refuse the input. */
class FlowInputError extends Error {}

/** A first record that says the whole input is in no format read: the input is refused at once, even with skipMalformed. */
class FormatError extends FlowLineError {}

function checkOptions(where: string, options: FlowLogOptions | undefined): Required<FlowLogOptions> {
  const o = options ?? {};
  if (typeof o !== 'object' || Array.isArray(o)) {
    invalid(where, `options ${show(o)} is not an object`);
  }
  for (const key of Object.keys(o)) {
    if (!['format', 'skipMalformed', 'includeDropped'].includes(key)) {
      invalid(where, `options.${key} is not an option; the options are format, skipMalformed, includeDropped`);
    }
  }
  if (o.format !== undefined && !Object.values(FlowFormat).includes(o.format)) {
    invalid(where, `options.format ${show(o.format)} is not one of ${Object.values(FlowFormat).join(', ')}`);
  }
  for (const key of ['skipMalformed', 'includeDropped'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') {
      invalid(where, `options.${key} ${show(o[key])} is not true or false`);
    }
  }
  return { format: o.format ?? FlowFormat.AUTO, skipMalformed: o.skipMalformed ?? false, includeDropped: o.includeDropped ?? false };
}

/** A server-sent event's field other than its data (Whisker's watch stream): `event:`, `id:`, `retry:`, or a `:` comment. */
const SSE_FIELD = /^(event|id|retry)?:/;
/** The prefix of a server-sent event's data. */
const SSE_DATA = /^data: ?/;

/** The format of a file from its first record. */
function detectFormat(text: string): FlowFormat {
  const json = text.trimStart().replace(SSE_DATA, '');
  if (SSE_FIELD.test(json)) {
    return FlowFormat.CALICO;
  }
  if (json.startsWith('[')) {
    throw new FormatError('the input is a JSON array; write one record per line (jq -c \'.[]\')');
  }
  if (json.trim() === '{') {
    throw new FormatError('the input is pretty-printed JSON; write one record per line (hubble observe -o jsonpb prints them so; jq -c . makes them so)');
  }
  if (!json.startsWith('{')) {
    if (!json.includes(',')) {
      throw new FormatError('the input is neither JSON (one record per line) nor CSV (from,to,port,protocol): export Hubble flows with ' +
        '-o jsonpb (its default output cannot be read), Calico flow logs as they are written');
    }
    return FlowFormat.CSV;
  }
  let record: Record<string, any>;
  try {
    record = parseJson(json);
  } catch {
    // Malformed JSON: read as Hubble's (the commonest), which reports the line.
    return FlowFormat.HUBBLE;
  }
  if (Array.isArray(record.items)) {
    throw new FormatError('the first record is a list of flows ({"items": [...]}, Whisker\'s /api/v1/flows); ' +
      'write one flow per line: jq -c \'.items[]\'');
  }
  if (looksLikeCalicoFlow(record)) {
    return FlowFormat.CALICO;
  }
  if (looksLikeHubble(record)) {
    return FlowFormat.HUBBLE;
  }
  throw new FormatError('the first record is JSON, but neither a Hubble flow (flow, IP, l4, verdict) nor a Calico flow log ' +
    '(source_namespace, dest_namespace, proto, action); give the format (FlowLogOptions.format, --flows-format)');
}

/** One JSON object, or FlowLineError. */
function parseJson(text: string): Record<string, any> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new FlowLineError(`not JSON (${(e as Error).message}); each line holds one record`);
  }
  const record = objectAt(value);
  if (record === undefined) {
    throw new FlowLineError(`a JSON ${Array.isArray(value) ? 'list' : typeof value}, not an object; each line holds one record`);
  }
  return record;
}

function fsProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'cannot be read (permission denied)';
    case 'EISDIR': return 'is a folder, not a file';
    default: return `cannot be read (${code ?? (e as Error)?.message ?? String(e)})`;
  }
}
