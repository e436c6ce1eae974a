import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * `dist/src/repl.js` driven over pipes one command at a time, as a person types: the next line
 * goes only once the answer to the last is there (the REPL would otherwise run `.exit` while a
 * query is still under way). For the image check and the tests.
 */
export class ReplSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;
  output = '';

  constructor(options: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.child = spawn(process.execPath, ['dist/src/repl.js'], {
      cwd: options.cwd,
      env: { ...options.env, NO_COLOR: '1' },
    });
    const collect = (chunk: Buffer) => (this.output += chunk.toString());
    this.child.stdout.on('data', collect);
    this.child.stderr.on('data', collect);
    this.exited = new Promise((resolve) => this.child.on('exit', resolve));
  }

  /** Sends `line` and waits (bounded) until the output shows `answer`. */
  async ask(line: string, answer: string, timeoutMs = 20_000): Promise<void> {
    const start = this.output.length;
    this.child.stdin.write(`${line}\n`);
    const deadline = Date.now() + timeoutMs;
    while (!this.output.slice(start).includes(answer)) {
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(`the REPL did not answer ${answer}: ${this.output.slice(-1000)}`);
      await sleep(50);
    }
  }

  /** Types `.exit`; resolves with the exit code (the process is killed after `timeoutMs`). */
  async exit(timeoutMs = 10_000): Promise<number | null> {
    this.child.stdin.end('.exit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
