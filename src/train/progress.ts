// Keras-style progress on a terminal (tf.keras 2's Progbar, verbose=1):
//   1875/1875 [==============================] - 12s 6ms/step - loss: 0.1234 - accuracy: 0.9650
// redrawn in place with \r while the epoch runs when the sink is a TTY; otherwise one plain line per epoch.

export interface ProgressSink {
  /** True when output is a terminal (in-place redraw). */
  readonly tty: boolean;
  write(text: string): void;
}

/** process.stdout in Node; console.log lines elsewhere (browsers). */
export function stdoutSink(): ProgressSink {
  const proc = (globalThis as { process?: { stdout?: { isTTY?: boolean; write(t: string): unknown } } }).process;
  const out = proc?.stdout;
  if (out) return { tty: Boolean(out.isTTY), write: (t) => void out.write(t) };
  let pending = '';
  return {
    tty: false,
    write(t) {
      pending += t;
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        console.log(pending.slice(0, i));
        pending = pending.slice(i + 1);
      }
    },
  };
}

/** Keras's number format in logs: 4 decimals, or scientific for tiny magnitudes. */
export function formatLogValue(v: number): string {
  return Math.abs(v) > 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(4);
}

export function formatLogs(logs: Readonly<Record<string, number>>): string {
  return Object.entries(logs)
    .map(([k, v]) => ` - ${k}: ${formatLogValue(v)}`)
    .join('');
}

function formatPerStep(seconds: number): string {
  if (seconds >= 1) return `${seconds.toFixed(0)}s/step`;
  if (seconds >= 1e-3) return `${(seconds * 1e3).toFixed(0)}ms/step`;
  return `${(seconds * 1e6).toFixed(0)}us/step`;
}

function formatEta(seconds: number): string {
  const s = Math.round(seconds);
  if (s > 3600) return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  if (s > 60) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return `${s}s`;
}

export class ProgressBar {
  private readonly start = performance.now();
  private lastDraw = 0;
  private lastLength = 0;

  constructor(
    private readonly target: number,
    private readonly sink: ProgressSink,
    private readonly width = 30,
  ) {}

  /** The bar text for `current` steps done. */
  line(current: number, logs: Readonly<Record<string, number>>, finished: boolean): string {
    const digits = String(this.target).length;
    let bar = `${String(current).padStart(digits)}/${this.target} [`;
    const progWidth = Math.floor((this.width * current) / Math.max(1, this.target));
    if (progWidth > 0) bar += '='.repeat(progWidth - 1) + (current < this.target ? '>' : '=');
    bar += '.'.repeat(Math.max(0, this.width - progWidth)) + ']';
    const elapsed = (performance.now() - this.start) / 1000;
    const perStep = current > 0 ? elapsed / current : 0;
    const time = finished ? ` - ${elapsed.toFixed(0)}s ${formatPerStep(perStep)}` : ` - ETA: ${formatEta(perStep * (this.target - current))}`;
    return bar + time + formatLogs(logs);
  }

  /** Redraws (TTY, at most every 50 ms) after a step. */
  update(current: number, logs: Readonly<Record<string, number>>): void {
    if (!this.sink.tty) return;
    const now = performance.now();
    if (now - this.lastDraw < 50 && current < this.target) return;
    this.lastDraw = now;
    this.draw(this.line(current, logs, false));
  }

  /** The epoch's final line (with validation logs), newline-terminated. */
  done(current: number, logs: Readonly<Record<string, number>>): void {
    const text = this.line(current, logs, true);
    if (this.sink.tty) this.draw(text);
    else this.sink.write(text);
    this.sink.write('\n');
  }

  private draw(text: string): void {
    const pad = this.lastLength > text.length ? ' '.repeat(this.lastLength - text.length) : '';
    this.sink.write(`\r${text}${pad}`);
    this.lastLength = text.length;
  }
}
