import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The real worker (`dist/src/worker.js`, built by `npm test`) as a child process. */
export class WorkerProcess {
  private child?: ChildProcess;
  output = '';

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async start(): Promise<this> {
    const script = join(import.meta.dirname, '..', '..', 'dist', 'src', 'worker.js');
    // At info level: the start line and the job lines (with request ids) are what tests read.
    this.child = spawn(process.execPath, [script], { env: { ...process.env, LOG_LEVEL: 'info', ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => (this.output += chunk.toString());
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    const deadline = Date.now() + 15_000;
    while (!this.output.includes('worker started')) {
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start: ${this.output.slice(-1000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this;
  }

  /** Sends `signal` and waits for the process to end. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child?.exitCode ?? null);
    return new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  }
}
