import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { runtimeNodeOptions } from '../scripts/dockerfile.js';
import { pinned, SERVER_CPU } from './load.js';

/** Every server of the benchmark, ours and the baselines alike, runs node as the image does. */
const NODE_OPTIONS = runtimeNodeOptions(join(import.meta.dirname, '..', '..'));

/** A server process of the benchmark, on the server CPU, with its output kept for errors. */
export class BenchServer {
  private readonly child: ChildProcess;
  private output = '';

  constructor(
    readonly name: string,
    script: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    /** false: free to run on every core (the runs that compare one API process with several). */
    pin = true,
  ) {
    const [command, commandArgs] = pin
      ? pinned(SERVER_CPU, process.execPath, [script, ...args])
      : [process.execPath, [script, ...args]];
    this.child = spawn(command, commandArgs, { env: { ...env, NODE_OPTIONS }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000));
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  /** The node process itself (taskset execs it, so the pid is the same). */
  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves once `url` answers 200; fails when the process exits or `timeoutMs` passes. */
  async waitUntilServing(url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`${this.name} exited with ${this.child.exitCode}: ${this.output.trim()}`);
      const status = await fetch(url).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.name} did not answer ${url} within ${timeoutMs} ms: ${this.output.trim()}`);
  }

  /** Resolves once the process printed `text`. */
  async waitForOutput(text: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (this.child.exitCode !== null)
        throw new Error(`${this.name} exited with ${this.child.exitCode}: ${this.output.trim()}`);
      if (Date.now() > deadline)
        throw new Error(`${this.name} did not print "${text}" within ${timeoutMs} ms: ${this.output.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
