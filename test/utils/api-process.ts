import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../scripts/local-services.js';
import { NodeProcess } from './node-process.js';

/** The built API (`dist/src/main.js`) as a real process on 127.0.0.1. */
export class ApiProcess extends NodeProcess {
  base = '';

  constructor(
    private readonly env: NodeJS.ProcessEnv = {},
    projectDir?: string,
  ) {
    super(projectDir);
  }

  /** Starts the process and waits until `readyPath` answers 200. */
  async start(readyPath = '/health/ready', timeoutMs = 20_000): Promise<this> {
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    const child = this.spawn('src/main.js', { PORT: String(port), HOST: '127.0.0.1', ...this.env });
    const deadline = Date.now() + timeoutMs;
    while (
      !(await fetch(`${this.base}${readyPath}`).then(
        (response) => response.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`API did not start: ${this.output.slice(-2000)}`);
      await sleep(100);
    }
    return this;
  }
}
