import { NodeProcess } from './node-process.js';

/** The real worker (`dist/src/worker.js`) as a child process. */
export class WorkerProcess extends NodeProcess {
  constructor(private readonly env: NodeJS.ProcessEnv) {
    super();
  }

  async start(): Promise<this> {
    // At info level: the start line and the job lines (with request ids) are what tests read.
    const child = this.spawn('src/worker.js', { LOG_LEVEL: 'info', ...this.env });
    const deadline = Date.now() + 15_000;
    while (!this.output.includes('worker started')) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`worker did not start: ${this.output.slice(-1000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this;
  }
}
