import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** A built entry point of the project (`dist/...`, built by `npm test`) run as a child process. */
export abstract class NodeProcess {
  protected child?: ChildProcess;
  output = '';

  /** `projectDir`: another checkout of the project whose build to run (the generator test's copy). */
  constructor(private readonly projectDir = join(import.meta.dirname, '..', '..')) {}

  /** The process id, once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Started and not ended. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Whether the process that had `pid` has ended or been replaced since. */
  restartedSince(pid: number | undefined): boolean {
    return !this.running || this.pid !== pid;
  }

  /** Runs `dist/<script>` with the test environment plus `env`, collecting its output. */
  protected spawn(script: string, env: NodeJS.ProcessEnv): ChildProcess {
    return this.run(process.execPath, [join(this.projectDir, 'dist', script)], env);
  }

  /** Runs `command` in the project folder with the test environment plus `env`, collecting its output. */
  protected run(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    this.child = spawn(command, args, {
      cwd: this.projectDir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => (this.output += chunk.toString());
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    return this.child;
  }

  /** Resolves once the output contains `text`; rejects after `withinMs` (output is written asynchronously). */
  waitForOutput(text: string, withinMs = 5000): Promise<void> {
    return this.until(() => this.output.includes(text), `"${text}"`, withinMs);
  }

  /** Resolves with the exit code once the process has ended, whatever ended it. */
  exited(): Promise<number | null> {
    const child = this.child;
    if (!child || !this.running) return Promise.resolve(child?.exitCode ?? null);
    return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Resolves once one line of the output contains every one of `parts`; rejects after `withinMs`. */
  waitForLine(parts: string[], withinMs = 5000): Promise<void> {
    const found = () => this.output.split('\n').some((line) => parts.every((part) => line.includes(part)));
    return this.until(found, `a line with ${parts.join(' and ')}`, withinMs);
  }

  private async until(found: () => boolean, what: string, withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (!found()) {
      if (Date.now() > deadline)
        throw new Error(`${what} not in the output within ${withinMs} ms: ${this.output.slice(-1000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends `signal` and resolves with the exit code once the process has ended. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const exit = this.exited();
    if (this.running) this.child!.kill(signal);
    return exit;
  }
}
