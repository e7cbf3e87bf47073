import { Alias, isAlias, isMap, isScalar, isSeq, LineCounter, Node, parseAllDocuments, Scalar, visit, YAMLMap } from 'yaml';

/**
 * YAML read as `kubectl apply` reads it, so that the objects the tools judge are the objects the API
 * server receives. kubectl converts each document to JSON with sigs.k8s.io/yaml, which decodes it
 * with go-yaml v2 (YAML 1.1) into untyped values and then turns map keys into strings. The parts of
 * that which change what an object says are written out here:
 *
 * - Plain scalars resolve as go-yaml v2's `resolve()` does: `y`, `yes`, `on`, `true` and `n`, `no`,
 *   `off`, `false` (lower, capitalised or upper case) are booleans; `~`, `null` and the empty value
 *   are null; integers are read as Go's `strconv.ParseInt(s, 0, 64)` reads them after removing every
 *   `_`, so `0443` is octal (291), `0x1BB` hex (443), `0o17` octal and `0b11` binary; `08` is not
 *   octal and becomes the float 8; `1e3` and `.5` are floats; sexagesimal `1:20` and timestamps
 *   `2001-12-14` stay strings. Quoted and block scalars are strings.
 * - Explicit tags: `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!timestamp` resolve the value
 *   under that tag or fail as go-yaml does (`!!int "0443"` is 291, `!!int abc` an error), `!!binary`
 *   is base64-decoded, the non-specific `!` resolves like a plain scalar, any other tag is ignored.
 * - Merge keys `<<` are applied in document order, as go-yaml v2 does: a merge overrides the keys
 *   before it, keys after it override the merge, and of a list of merged maps the first wins.
 * - Map keys become strings as sigs.k8s.io/yaml makes them: `yes: x` is the key "true", `0443: x`
 *   the key "291", a float key is written as Go's `strconv.FormatFloat(k, 'g', -1, 32)`; a null,
 *   list or map key is an error, as there.
 * - `.nan` and `.inf` values cannot be written as JSON, so kubectl refuses the document: so do we.
 * - Anchors belong to their document (kubectl splits the stream first); an alias to an anchor of
 *   another document, or to the node that holds it, is an error.
 * - Alias expansion is bounded by go-yaml v2's own rule (`document contains excessive aliasing`):
 *   a "billion laughs" is refused after a few thousand nodes, not expanded.
 *
 * Where the YAML could be read in two ways by a reviewer and kubectl keeps one silently, it is
 * refused instead: a key given twice in one map (kubectl keeps the last; the key "true" given as
 * `yes` and `on` is the same key twice), and content after `---` on the separator line (kubectl's
 * document splitter refuses it).
 */

/** A YAML stream that kubectl would not read, with the 1-based line where it goes wrong when known. */
export class KubectlYamlError extends Error {
  constructor(message: string, readonly line?: number) {
    super(message);
    this.name = 'KubectlYamlError';
  }
}

/** What the decoder refuses, at a node's offset in the text (turned into a line by readKubectlYaml). */
class DecodeError extends Error {
  constructor(message: string, readonly offset: number | undefined) {
    super(message);
  }
}

/** One document of a stream: its value (undefined for an empty document) and the line it starts on. */
export interface KubectlYamlDocument {
  readonly value: unknown;
  readonly line: number;
  /** The line a map or list of the value starts on (undefined for what the document did not produce). */
  lineOf(value: object): number | undefined;
}

/** Maps and lists deeper than this are refused: no Kubernetes object nests anywhere near as deep, and the walk stays off the stack's limit. */
export const MAX_YAML_DEPTH = 1000;

const TAG = 'tag:yaml.org,2002:';
const STR = `${TAG}str`;
const INT = `${TAG}int`;
const FLOAT = `${TAG}float`;
const BOOL = `${TAG}bool`;
const NULL = `${TAG}null`;
const TIMESTAMP = `${TAG}timestamp`;
const BINARY = `${TAG}binary`;
const MERGE = `${TAG}merge`;

/** go-yaml v2's resolveMap: the plain scalars resolved by table. */
const TABLE = new Map<string, Resolved>();
for (const [value, tag, words] of [
  [true, BOOL, 'y Y yes Yes YES true True TRUE on On ON'],
  [false, BOOL, 'n N no No NO false False FALSE off Off OFF'],
  [null, NULL, '~ null Null NULL'],
  [NaN, FLOAT, '.nan .NaN .NAN'],
  [Infinity, FLOAT, '.inf .Inf .INF +.inf +.Inf +.INF'],
  [-Infinity, FLOAT, '-.inf -.Inf -.INF'],
] as const) {
  words.split(' ').forEach((w) => TABLE.set(w, { tag, value }));
}
TABLE.set('', { tag: NULL, value: null });

/** go-yaml v2's hint from a scalar's first character: which resolutions it may have. */
function hint(text: string): 'table' | 'float' | 'number' | undefined {
  if (text === '') {
    return 'table';
  }
  const c = text[0];
  if ('yYnNtTfFoO~'.includes(c)) {
    return 'table';
  }
  if (c === '.') {
    return 'float';
  }
  return c === '+' || c === '-' || (c >= '0' && c <= '9') ? 'number' : undefined;
}

const MAX_UINT64 = BigInt('18446744073709551615');
const MAX_INT64 = BigInt('9223372036854775807');

/** Go's strconv.ParseUint(s, 0, 64), digit by digit as Go reads it: the value, or why not. */
function parseUint(s: string): bigint | 'syntax' | 'range' {
  if (s === '') {
    return 'syntax';
  }
  let base = 10;
  let digits = s;
  if (s[0] === '0') {
    const prefix = s.length >= 3 ? s[1].toLowerCase() : '';
    base = prefix === 'b' ? 2 : prefix === 'x' ? 16 : 8;
    digits = prefix === 'b' || prefix === 'o' || prefix === 'x' ? s.slice(2) : s.slice(1);
  }
  const b = BigInt(base);
  const cutoff = MAX_UINT64 / b + BigInt(1);
  let n = BigInt(0);
  for (const c of digits.toLowerCase()) {
    const d = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 87 : 99;
    if (d >= base) {
      return 'syntax';
    }
    if (n >= cutoff) {
      return 'range';
    }
    n = n * b + BigInt(d);
    if (n > MAX_UINT64) {
      return 'range';
    }
  }
  return n;
}

/** Go's strconv.ParseInt(s, 0, 64). */
function parseInt64(s: string): bigint | 'syntax' | 'range' {
  const negative = s[0] === '-';
  const unsigned = parseUint(s[0] === '+' || negative ? s.slice(1) : s);
  if (unsigned === 'syntax' || unsigned === 'range') {
    return unsigned;
  }
  if (negative ? unsigned > MAX_INT64 + BigInt(1) : unsigned > MAX_INT64) {
    return 'range';
  }
  return negative ? -unsigned : unsigned;
}

/** go-yaml v2's yamlStyleFloat, checked before strconv.ParseFloat. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What strconv.ParseFloat accepts of a scalar that starts with a dot (the table took .inf and .nan). */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
/** What big.Int.SetString(s, 0) accepts without a sign (only reached for unsigned literals). */
const BIG_LITERAL = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/;
/** Timestamps go-yaml v2 recognises (a subset of the YAML 1.1 timestamp type). */
const TIMESTAMP_TEXT = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt]| +)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?)?$/;

/** A float, or undefined where Go's ParseFloat fails: it refuses what overflows to infinity. */
function finite(text: string): number | undefined {
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** go-yaml v2's resolve(tag, in) for the tags it resolves: the tag it finds and the value. */
/** A resolved scalar; `width` tells a 64-bit signed integer from a wider one (sigs.k8s.io/yaml refuses those as map keys). */
interface Resolved {
  readonly tag: string;
  readonly value: unknown;
  readonly width?: 'int64' | 'wider';
  /** An integer's exact decimal digits (a number loses them beyond 2^53). */
  readonly decimal?: string;
}

function resolve(text: string, tag: string): Resolved {
  const h = hint(text);
  if (h === undefined || tag === STR) {
    return { tag: STR, value: text };
  }
  const known = TABLE.get(text);
  if (known !== undefined) {
    return known;
  }
  if (h === 'float') {
    const value = DOT_FLOAT.test(text) ? finite(text) : undefined;
    return value === undefined ? { tag: STR, value: text } : { tag: FLOAT, value };
  }
  if (h === 'number') {
    if ((tag === '' || tag === TIMESTAMP) && TIMESTAMP_TEXT.test(text)) {
      // Decoded into an untyped value, go-yaml v2 keeps a timestamp as its text.
      return { tag: TIMESTAMP, value: text };
    }
    const plain = text.replace(/_/g, '');
    const signed = parseInt64(plain);
    if (typeof signed === 'bigint') {
      return { tag: INT, value: Number(signed), width: 'int64', decimal: signed.toString() };
    }
    const unsigned = parseUint(plain);
    if (typeof unsigned === 'bigint') {
      return { tag: INT, value: Number(unsigned), width: 'wider' };
    }
    if (YAML_STYLE_FLOAT.test(plain)) {
      const value = finite(plain);
      if (value !== undefined) {
        return { tag: FLOAT, value };
      }
    }
    if (unsigned === 'range' && BIG_LITERAL.test(plain)) {
      // Beyond 64 bits go-yaml keeps a big.Int, which JSON writes as a number; here it loses precision, as any JSON reader's would.
      const literal = /^0[0-7]/.test(plain) ? `0o${plain.slice(1)}` : plain;
      return { tag: INT, value: Number(BigInt(literal)), width: 'wider' };
    }
  }
  return { tag: STR, value: text };
}

function shortTag(tag: string): string {
  return tag.startsWith(TAG) ? `!!${tag.slice(TAG.length)}` : tag;
}

const BASE64 = /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go's strconv.FormatFloat(f, 'g', -1, 32): how sigs.k8s.io/yaml writes a float map key. */
function goFloatKey(value: number): string {
  if (Number.isNaN(value)) {
    return '.nan';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '.inf' : '-.inf';
  }
  const f = Math.fround(value);
  if (f === 0) {
    return Object.is(f, -0) ? '-0' : '0';
  }
  // The shortest digits that read back as the same float32.
  let exponential = f.toExponential(0);
  for (let digits = 1; digits <= 9; digits++) {
    exponential = f.toExponential(digits - 1);
    if (Math.fround(Number(exponential)) === f) {
      break;
    }
  }
  const [mantissa, exp] = exponential.split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/[-.]/g, '').replace(/0+$/, '') || '0';
  const e = Number(exp);
  const sign = negative ? '-' : '';
  if (e < -4 || e >= 6) {
    // %e: one digit, the rest after a point, and a signed exponent of at least two digits.
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${rest}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  // %f with as many decimals as the digits need.
  const point = e + 1;
  if (point <= 0) {
    return `${sign}0.${'0'.repeat(-point)}${digits}`;
  }
  return digits.length <= point ? `${sign}${digits}${'0'.repeat(point - digits.length)}` : `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

// go-yaml v2's bound on alias expansion (decode.go, allowedAliasRatio): up to 400,000 decoded
// nodes 99% may come from aliases, from 4,000,000 on 10%, in between a smooth scale.
const ALIAS_RATIO_LOW = 400_000;
const ALIAS_RATIO_HIGH = 4_000_000;

function allowedAliasRatio(decoded: number): number {
  if (decoded <= ALIAS_RATIO_LOW) {
    return 0.99;
  }
  if (decoded >= ALIAS_RATIO_HIGH) {
    return 0.10;
  }
  return 0.99 - 0.89 * ((decoded - ALIAS_RATIO_LOW) / (ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW));
}

/** Converts one parsed document to the values kubectl sends, as go-yaml v2's decoder does. */
class Decoder {
  private decoded = 0;
  private aliased = 0;
  private aliasDepth = 0;
  private readonly expanding = new Set<Alias>();
  /** Each alias's anchored node: the last node with that anchor before the alias, in document order. */
  private readonly targets = new Map<Alias, Node>();
  /** Where each map and list came from, for messages about them. */
  readonly offsets = new WeakMap<object, number>();

  constructor(root: Node) {
    const anchors = new Map<string, Node>();
    visit(root, {
      Node: (_key, node) => {
        if (isAlias(node)) {
          const target = anchors.get(node.source);
          if (target !== undefined) {
            this.targets.set(node, target);
          }
        } else if (node.anchor) {
          anchors.set(node.anchor, node);
        }
      },
    });
  }

  value(node: Node | null, depth: number): unknown {
    this.decoded++;
    if (this.aliasDepth > 0) {
      this.aliased++;
    }
    if (this.aliased > 100 && this.decoded > 1000 && this.aliased / this.decoded > allowedAliasRatio(this.decoded)) {
      throw this.error(`its aliases expand to too much data (${this.aliased} of ${this.decoded} nodes come from aliases); ` +
        'kubectl refuses it too ("document contains excessive aliasing")', node);
    }
    if (depth > MAX_YAML_DEPTH) {
      throw this.error(`it nests maps and lists more than ${MAX_YAML_DEPTH} deep`, node);
    }
    if (node === null) {
      return null;
    }
    if (isAlias(node)) {
      return this.alias(node, (target) => this.value(target, depth));
    }
    if (isScalar(node)) {
      const { value } = this.scalar(node);
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw this.error(`${JSON.stringify(String(node.value))} is ${String(value)}, which JSON cannot carry: kubectl refuses the document`, node);
      }
      return value;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      this.offsets.set(out, node.range?.[0] ?? 0);
      this.mapping(node, out, depth);
      return out;
    }
    if (isSeq(node)) {
      const out = node.items.map((item) => this.value(item as Node | null, depth + 1));
      this.offsets.set(out, node.range?.[0] ?? 0);
      return out;
    }
    throw this.error('it holds a node that is neither a scalar, a map, a list nor an alias', node);
  }

  private alias<T>(node: Alias, read: (target: Node) => T): T {
    const target = this.targets.get(node);
    if (target === undefined) {
      throw this.error(`the alias *${node.source} names no anchor before it in this document (anchors do not carry across "---")`, node);
    }
    if (this.expanding.has(node)) {
      throw this.error(`the anchor &${node.source} contains an alias to itself`, node);
    }
    this.expanding.add(node);
    this.aliasDepth++;
    try {
      return read(target);
    } finally {
      this.aliasDepth--;
      this.expanding.delete(node);
    }
  }

  private scalar(node: Scalar): Resolved {
    const text = node.value === null || node.value === undefined ? '' : String(node.value);
    const tag = node.tag;
    const plain = node.type === undefined || node.type === Scalar.PLAIN;
    if (tag === undefined || tag === '!') {
      // go-yaml v2 resolves a plain scalar, and any scalar with the non-specific tag "!".
      return tag === undefined && !plain ? { tag: STR, value: text } : resolve(text, '');
    }
    if (tag === BINARY) {
      const data = text.replace(/[\r\n]/g, '');
      if (!BASE64.test(data)) {
        throw this.error('a !!binary value is not valid base64', node);
      }
      return { tag: STR, value: Buffer.from(data, 'base64').toString('utf8') };
    }
    if (![STR, INT, FLOAT, BOOL, NULL, TIMESTAMP].includes(tag)) {
      return { tag: STR, value: text };
    }
    const resolved = resolve(text, tag);
    if (resolved.tag === tag) {
      return tag === TIMESTAMP ? { tag: STR, value: text } : resolved;
    }
    if (tag === FLOAT && resolved.tag === INT) {
      return { tag: FLOAT, value: resolved.value };
    }
    throw this.error(`${shortTag(resolved.tag)} \`${cut(text)}\` cannot be read as ${shortTag(tag)}`, node);
  }

  private isMergeKey(key: unknown): boolean {
    return isScalar(key) && key.value === '<<' &&
      ((key.tag === undefined && (key.type === undefined || key.type === Scalar.PLAIN)) || key.tag === '!' || key.tag === MERGE);
  }

  /** Reads `node`'s entries into `out` in order, as go-yaml v2's mapping(): merges and keys overwrite what came before. */
  private mapping(node: YAMLMap, out: Record<string, unknown>, depth: number): void {
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (this.isMergeKey(pair.key)) {
        this.decoded++;
        this.merge(pair.value as Node | null, out, depth);
        continue;
      }
      const key = this.key(pair.key as Node | null, depth);
      if (seen.has(key)) {
        throw this.error(`the key ${JSON.stringify(cut(key))} is given twice in one map; kubectl would keep the last silently: keep one`,
          pair.key as Node | null);
      }
      seen.add(key);
      // Defined, not assigned: a key named __proto__ is data.
      const value = this.value(pair.value as Node | null, depth + 1);
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }

  private merge(node: Node | null, out: Record<string, unknown>, depth: number): void {
    const wrong = () => this.error('a merge key "<<" needs a map, an alias to one, or a list of them ' +
      '(kubectl: "map merge requires map or sequence of maps as the value")', node);
    const mergeOne = (item: Node | null) => {
      this.decoded++;
      if (isAlias(item)) {
        this.alias(item, (target) => {
          if (!isMap(target)) {
            throw wrong();
          }
          this.mapping(target, out, depth);
        });
      } else if (isMap(item)) {
        this.mapping(item, out, depth);
      } else {
        throw wrong();
      }
    };
    if (isSeq(node)) {
      // Backwards, as go-yaml v2 does: the first map of the list wins.
      for (let i = node.items.length - 1; i >= 0; i--) {
        mergeOne(node.items[i] as Node | null);
      }
    } else {
      mergeOne(node);
    }
  }

  /** A map key as sigs.k8s.io/yaml turns it into a JSON key. */
  private key(node: Node | null, depth: number): string {
    if (isAlias(node)) {
      this.decoded++;
      return this.alias(node, (target) => this.key(target, depth));
    }
    if (isMap(node) || isSeq(node)) {
      throw this.error('a map key is itself a map or a list, which kubectl refuses', node);
    }
    this.decoded++;
    const resolved: Resolved = isScalar(node) ? this.scalar(node) : { tag: NULL, value: null };
    const value = resolved.value;
    if (typeof value === 'string' || typeof value === 'boolean') {
      return String(value);
    }
    if (typeof value === 'number' && resolved.tag === FLOAT) {
      return goFloatKey(value);
    }
    if (typeof value === 'number' && resolved.width === 'int64') {
      return resolved.decimal ?? String(value);
    }
    throw this.error(typeof value === 'number' ? 'a map key is an integer beyond 64 bits, which kubectl refuses'
      : 'a map key is null (empty, "~" or "null"), which kubectl refuses', node);
  }

  error(message: string, node: Node | null): DecodeError {
    return new DecodeError(message, node?.range?.[0]);
  }
}

/** A value quoted in a message, cut when long. */
function cut(text: string): string {
  return text.length <= 64 ? text : `${text.slice(0, 64)}… (${text.length} characters)`;
}

/** A line that kubectl's document splitter takes for a separator but refuses: `---` followed by content. */
const SEPARATOR_WITH_CONTENT = /^---[ \t]*[^ \t\r\n#][^\r\n]*$/m;

/**
 * The documents of a YAML stream as kubectl reads them (see above). Throws a KubectlYamlError,
 * with the line where known, for what kubectl would refuse or what would be ambiguous.
 */
export function readKubectlYaml(text: string): KubectlYamlDocument[] {
  const separator = SEPARATOR_WITH_CONTENT.exec(text);
  const lines = new LineCounter();
  const lineOf = (offset: number | undefined) => (offset === undefined ? undefined : lines.linePos(offset).line);
  if (separator) {
    // Counted by hand: the line counter is filled by the parser, which has not run.
    const line = text.slice(0, separator.index).split('\n').length;
    throw new KubectlYamlError(`content after "---" on the separator line (${JSON.stringify(cut(separator[0]))}), which kubectl refuses; ` +
      'start the document on the next line', line);
  }
  let documents;
  try {
    // The failsafe schema reads every scalar as its text: resolution is go-yaml's, below.
    documents = parseAllDocuments(text, {
      version: '1.1', schema: 'failsafe', merge: false, resolveKnownTags: false, uniqueKeys: false, lineCounter: lines, prettyErrors: false,
    });
  } catch (e) {
    // The parser recurses on nesting: a stream nested deep enough exhausts the stack.
    throw new KubectlYamlError(e instanceof RangeError ? `it nests maps and lists too deep to be read (more than ${MAX_YAML_DEPTH} levels are refused)`
      : `it cannot be parsed (${(e as Error).message})`);
  }
  const list = Array.isArray(documents) ? documents : [];
  const broken = list.find((d) => d.errors.length > 0);
  if (broken) {
    const error = broken.errors[0];
    if (/Maximum call stack size exceeded/.test(error.message)) {
      throw new KubectlYamlError(`it nests maps and lists too deep to be read (more than ${MAX_YAML_DEPTH} levels are refused)`, lineOf(error.pos[0]));
    }
    throw new KubectlYamlError(`is not valid YAML (${error.message.split('\n')[0]})`, lineOf(error.pos[0]));
  }
  return list.map((document) => {
    const root = document.contents as Node | null;
    const line = lineOf(document.range[0]) ?? 1;
    if (root === null) {
      return { value: undefined, line, lineOf: () => undefined };
    }
    try {
      const decoder = new Decoder(document as unknown as Node);
      const value = decoder.value(root, 0);
      return { value, line, lineOf: (part: object) => lineOf(decoder.offsets.get(part)) };
    } catch (e) {
      if (e instanceof DecodeError) {
        throw new KubectlYamlError(e.message, lineOf(e.offset) ?? line);
      }
      if (e instanceof RangeError) {
        throw new KubectlYamlError(`it nests maps and lists too deep to be read (more than ${MAX_YAML_DEPTH} levels are refused)`, line);
      }
      throw e;
    }
  });
}
