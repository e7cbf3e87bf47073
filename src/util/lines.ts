import * as fs from 'fs';
import { StringDecoder } from 'string_decoder';

/** The longest line read whole; longer lines are reported by their number and length, never held in memory. */
export const MAX_LINE_CHARS = 1024 * 1024;

/** One line of a file: its text (without the line break) or, when longer than MAX_LINE_CHARS, its length only. */
export interface Line {
  /** 1-based. */
  readonly number: number;
  /** The text, undefined when the line was too long to hold (see `length`). */
  readonly text?: string;
  /** The length in characters (for a line too long to hold: at least MAX_LINE_CHARS). */
  readonly length: number;
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * Calls `each` for every line of a file, reading it in chunks: memory stays bounded by the longest
 * line held (MAX_LINE_CHARS), whatever the file's size. Line breaks are LF or CRLF; UTF-8 is
 * decoded across chunk boundaries; a byte order mark before the first line is dropped. Throws the file system's error (the caller names the file).
 */
export function forEachLine(path: string, each: (line: Line) => void): void {
  const fd = fs.openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    const decoder = new StringDecoder('utf8');
    const splitter = new LineSplitter(each);
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (read === 0) {
        break;
      }
      splitter.push(decoder.write(buffer.subarray(0, read)));
    }
    splitter.push(decoder.end());
    splitter.end();
  } finally {
    fs.closeSync(fd);
  }
}

/** Calls `each` for every line of `text` (as forEachLine does for a file). */
export function forEachLineOf(text: string, each: (line: Line) => void): void {
  const splitter = new LineSplitter(each);
  splitter.push(text);
  splitter.end();
}

/** Splits decoded text into lines as it arrives, dropping the part of a line beyond MAX_LINE_CHARS. */
class LineSplitter {
  private number = 0;
  private pending = '';
  private overflow = 0;

  constructor(private readonly each: (line: Line) => void) {}

  push(text: string): void {
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) {
        this.append(text.slice(start));
        return;
      }
      this.append(text.slice(start, newline));
      this.flush();
      start = newline + 1;
    }
  }

  end(): void {
    // A last line without a line break is a line; an empty rest is not.
    if (this.pending.length > 0 || this.overflow > 0) {
      this.flush();
    }
  }

  private append(part: string): void {
    if (this.overflow > 0 || this.pending.length + part.length > MAX_LINE_CHARS) {
      this.overflow += this.pending.length + part.length;
      this.pending = '';
      return;
    }
    this.pending += part;
  }

  private flush(): void {
    this.number++;
    if (this.overflow > 0) {
      this.each({ number: this.number, length: this.overflow });
    } else {
      const crlf = this.pending.endsWith('\r') ? this.pending.slice(0, -1) : this.pending;
      // A byte order mark (Windows editors write one) is no part of the first line.
      const text = this.number === 1 && crlf.startsWith('\uFEFF') ? crlf.slice(1) : crlf;
      this.each({ number: this.number, text, length: text.length });
    }
    this.pending = '';
    this.overflow = 0;
  }
}
