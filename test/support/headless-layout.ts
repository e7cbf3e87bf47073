/**
 * Layout of an HTML page as headless Chromium renders it, for tests of the HTML report: a small
 * client of the Chrome DevTools Protocol over `--remote-debugging-pipe` (JSON messages ended by
 * NUL on file descriptors 3 and 4), so that the Chromium binary alone is enough: no browser driver
 * package. The page under test is loaded as it is; measurements run through Runtime.evaluate, so
 * the page itself stays script-free.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable, Writable } from 'stream';

/** The Chromium binary on the PATH, if any (CI installs Debian's chromium). */
export const CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome'].find((bin) => spawnSync('which', [bin]).status === 0);

/** No network, no first-run work; each browser gets a fresh profile. */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const TIMEOUT_MS = 30_000;

/** One headless Chromium with one tab whose viewport is exactly width x height CSS pixels. */
export class HeadlessPage {
  /** Starts Chromium and opens a tab of `width` x `height`. */
  public static async open(width: number, height: number): Promise<HeadlessPage> {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-chromium-'));
    const proc = spawn(CHROMIUM!, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', `--window-size=${width},${height}`, 'about:blank'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    const page = new HeadlessPage(proc, profile);
    try {
      const { targetId } = await page.send('Target.createTarget', { url: 'about:blank' });
      page.session = (await page.send('Target.attachToTarget', { targetId, flatten: true })).sessionId;
      await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
      await page.send('Page.enable');
      return page;
    } catch (error) {
      await page.close();
      throw error;
    }
  }

  private session?: string;
  private nextId = 1;
  private received = '';
  private readonly pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  private readonly waiting: { method: string; resolve: () => void }[] = [];
  private readonly exited: Promise<void>;

  private constructor(private readonly proc: ChildProcess, private readonly profile: string) {
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    proc.once('exit', (code) => {
      for (const { reject } of this.pending.values()) {
        reject(new Error(`Chromium exited (${code}) before answering`));
      }
      this.pending.clear();
    });
    (proc.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      this.received += chunk.toString('utf8');
      let end: number;
      while ((end = this.received.indexOf('\0')) >= 0) {
        this.dispatch(JSON.parse(this.received.slice(0, end)));
        this.received = this.received.slice(end + 1);
      }
    });
  }

  /** Sends one protocol command (to the tab once attached) and resolves with its result. */
  public send(method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = this.nextId++;
    const message = { id, method, params, ...(this.session ? { sessionId: this.session } : {}) };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer from Chromium in ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      this.pending.set(id, { resolve: (v) => { clearTimeout(timer); resolve(v); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      (this.proc.stdio[3] as Writable).write(`${JSON.stringify(message)}\0`);
    });
  }

  /** Loads a file and waits for its load event. */
  public async load(file: string): Promise<void> {
    const loaded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file}: not loaded in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      this.waiting.push({ method: 'Page.loadEventFired', resolve: () => { clearTimeout(timer); resolve(); } });
    });
    const { errorText } = await this.send('Page.navigate', { url: `file://${file}` });
    if (errorText) {
      throw new Error(`${file}: ${errorText}`);
    }
    await loaded;
  }

  /** The value of a JavaScript expression in the page (a promise is awaited). */
  public async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (exceptionDetails) {
      throw new Error(`in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    }
    return result.value as T;
  }

  /** Scrolls the window, waits for two frames, and writes a PNG of the viewport; returns its bytes. */
  public async screenshot(png: string, scroll: { x: number; y: number } = { x: 0, y: 0 }): Promise<Buffer> {
    await this.evaluate(`window.scrollTo(${scroll.x}, ${scroll.y}); new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))`);
    const { data } = await this.send('Page.captureScreenshot', { format: 'png' });
    const bytes = Buffer.from(data, 'base64');
    fs.writeFileSync(png, bytes);
    return bytes;
  }

  /** Closes the browser (killing it if it does not exit) and removes its profile. */
  public async close(): Promise<void> {
    this.session = undefined;
    let timer: NodeJS.Timeout | undefined;
    const done = Promise.race([this.exited, new Promise((resolve) => { timer = setTimeout(resolve, 5_000); })]);
    this.send('Browser.close').catch(() => undefined);
    await done;
    clearTimeout(timer);
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
    for (const stream of this.proc.stdio) {
      stream?.destroy();
    }
    fs.rmSync(this.profile, { recursive: true, force: true });
  }

  private dispatch(message: any): void {
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) {
        waiter?.reject(new Error(`Chromium: ${message.error.message}`));
      } else {
        waiter?.resolve(message.result);
      }
      return;
    }
    const i = this.waiting.findIndex((w) => w.method === message.method);
    if (i >= 0) {
      this.waiting.splice(i, 1)[0].resolve();
    }
  }
}

/** A box as getBoundingClientRect gives it, in viewport pixels. */
export interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly width: number;
  readonly height: number;
}

/** Where the matrix's heads are after one scroll of the window. */
export interface ScrolledHeads {
  /** The window's scroll offsets after scrolling. */
  readonly scrollX: number;
  readonly scrollY: number;
  /** The corner cell, the first and the last column head. */
  readonly corner: Box;
  readonly firstHead: Box;
  readonly lastHead: Box;
  /** The head and the last cell of the body row across the middle of the viewport. */
  readonly rowHead: Box;
  readonly rowLastCell: Box;
  /** Whether the element painted at the centre of the row head (of the last column head) is it: nothing covers it. */
  readonly rowHeadOnTop: boolean;
  readonly lastHeadOnTop: boolean;
}

/** What `measureMatrixPage` reports. */
export interface PageLayout {
  /** The viewport (window.innerWidth x innerHeight) and its width without the vertical scroll bar. */
  readonly innerWidth: number;
  readonly innerHeight: number;
  readonly clientWidth: number;
  /** How wide the page is (the document's scrollWidth): more than clientWidth means it scrolls sideways. */
  readonly scrollWidth: number;
  /** The matrix table, unscrolled. */
  readonly matrix: Box;
  /** An ancestor of the matrix that scrolls (overflow auto or scroll), if any. */
  readonly scrollingContainer: boolean;
  /** Every column head: its text, title and box (unscrolled). */
  readonly heads: { readonly text: string; readonly title: string; readonly box: Box }[];
  /** The header row's height and the row-head column's width. */
  readonly headerHeight: number;
  readonly rowHeadWidth: number;
  /** The tallest body row. */
  readonly tallestRow: number;
  /** The smallest computed font size in the matrix, in px. */
  readonly smallestFont: number;
  /** Column heads whose text is cut (shown with an ellipsis). */
  readonly cutHeads: string[];
  /** Cells and heads whose content overflows their box sideways. */
  readonly overflowingCells: number;
  /** Every lint finding's row, and every paragraph of text, with their boxes. */
  readonly findings: { readonly text: string; readonly box: Box }[];
  readonly paragraphs: { readonly className: string; readonly box: Box }[];
  /** The heads after scrolling the window to the middle of the matrix, and to its bottom-right end. */
  readonly middle: ScrolledHeads;
  readonly farEnd: ScrolledHeads;
}

/* Measures the page with #matrix and #findings (sent as text, so plain JavaScript). */
const MEASURE = `
(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height }; };
  const table = document.getElementById('matrix');
  let scrolling = false;
  for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
    const style = getComputedStyle(el);
    scrolling = scrolling || /(auto|scroll)/.test(style.overflowX + style.overflowY);
  }
  const headRow = table.tHead.rows[0];
  const heads = [...headRow.cells].slice(1);
  const rows = [...table.tBodies].flatMap((b) => [...b.rows]);
  const all = [...table.querySelectorAll('th, td, th *')];
  const onTop = (el) => { const r = el.getBoundingClientRect(); const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return hit !== null && (hit === el || el.contains(hit)); };
  const scrolled = (x, y) => {
    window.scrollTo(x, y);
    const row = rows.find((r) => { const b = r.getBoundingClientRect(); return b.top <= innerHeight / 2 && b.bottom >= innerHeight / 2; }) || rows[rows.length - 1];
    return {
      scrollX, scrollY, corner: box(headRow.cells[0]), firstHead: box(heads[0]), lastHead: box(heads[heads.length - 1]),
      rowHead: box(row.cells[0]), rowLastCell: box(row.cells[row.cells.length - 1]),
      rowHeadOnTop: onTop(row.cells[0]), lastHeadOnTop: onTop(heads[heads.length - 1]),
    };
  };
  window.scrollTo(0, 0);
  const result = {
    innerWidth, innerHeight, clientWidth: document.documentElement.clientWidth, scrollWidth: document.documentElement.scrollWidth,
    matrix: box(table), scrollingContainer: scrolling,
    heads: heads.map((h) => ({ text: h.textContent, title: h.title, box: box(h) })),
    headerHeight: headRow.getBoundingClientRect().height,
    rowHeadWidth: headRow.cells[0].getBoundingClientRect().width,
    tallestRow: Math.max(...rows.map((r) => r.getBoundingClientRect().height)),
    smallestFont: Math.min(...all.map((c) => parseFloat(getComputedStyle(c).fontSize)).filter((f) => f > 0)),
    cutHeads: heads.filter((h) => [...h.querySelectorAll('*')].some((e) => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)).map((h) => h.title),
    overflowingCells: [...table.querySelectorAll('td, th')].filter((c) => c.scrollWidth > c.clientWidth + 1).length,
    findings: [...document.querySelectorAll('#findings tbody tr')].map((r) => ({ text: r.textContent, box: box(r) })),
    paragraphs: [...document.querySelectorAll('p')].map((p) => ({ className: p.className, box: box(p) })),
  };
  const tableTop = table.getBoundingClientRect().top;
  result.middle = scrolled(0, Math.max(0, tableTop + table.offsetHeight / 2 - innerHeight / 2));
  result.farEnd = scrolled(1e6, tableTop + table.offsetHeight - innerHeight);
  window.scrollTo(0, 0);
  return result;
})()
`;

/** Measures the loaded report page: the matrix, its heads before and after scrolling, the findings. */
export function measureMatrixPage(page: HeadlessPage): Promise<PageLayout> {
  return page.evaluate<PageLayout>(MEASURE);
}
