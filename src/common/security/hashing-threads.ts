import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Nice value of the hashing threads. Linux keeps nice values per thread, so only these threads
 * yield: when requests and hashes compete for a core, the event loop gets about nine tenths of
 * it (weights 1024 against 110), and hashing still runs at full speed on an idle core.
 */
export const HASHING_THREAD_NICE = 10;

type Operation = 'argon2Hash' | 'argon2Verify' | 'bcryptVerify';

interface Task {
  id: number;
  operation: Operation;
  args: unknown[];
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

const require = createRequire(import.meta.url);

/** CommonJS run in each thread: the hashing libraries' synchronous calls, one task at a time. */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const os = require('node:os');
try { os.setPriority(workerData.nice); } catch {}
const argon2 = require(workerData.argon2);
const bcrypt = require(workerData.bcrypt);
const operations = {
  argon2Hash: (password, options) => argon2.hashSync(password, options),
  argon2Verify: (hashed, password) => argon2.verifySync(hashed, password),
  bcryptVerify: (password, hashed) => bcrypt.verifySync(password, hashed),
};
parentPort.on('message', ({ id, operation, args }) => {
  try {
    parentPort.postMessage({ id, result: operations[operation](...args) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

/**
 * Password hashing on a few threads of its own at a lower CPU priority, so a burst of logins
 * cannot starve the event loop (and every other route) of CPU. libuv's pool, where the hashing
 * libraries' async calls run, has threads at the event loop's priority, and four of them.
 */
export class HashingThreads {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Task[] = [];
  private readonly pending = new Map<number, Pending>();
  /** The task each busy thread is working on. */
  private readonly busy = new Map<Worker, number>();
  private nextId = 0;

  constructor(private readonly size = Math.max(1, Math.min(availableParallelism(), 4))) {}

  run<T>(operation: Operation, ...args: unknown[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.queue.push({ id, operation, args });
      this.dispatch();
    });
  }

  /** Ends the threads; tasks not yet answered fail instead of waiting forever. */
  async close(): Promise<void> {
    const workers = this.all.splice(0);
    this.idle.length = 0;
    this.queue.length = 0;
    this.busy.clear();
    for (const task of this.pending.values()) task.reject(new Error('password hashing stopped'));
    this.pending.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? this.spawn();
      if (!worker) return;
      const task = this.queue.shift()!;
      this.busy.set(worker, task.id);
      worker.postMessage(task);
    }
  }

  private spawn(): Worker | undefined {
    if (this.all.length >= this.size) return undefined;
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        nice: HASHING_THREAD_NICE,
        argon2: require.resolve('@node-rs/argon2'),
        bcrypt: require.resolve('@node-rs/bcrypt'),
      },
    });
    worker.unref();
    worker.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
      const task = this.pending.get(id);
      this.pending.delete(id);
      this.busy.delete(worker);
      if (error === undefined) task?.resolve(result);
      else task?.reject(new Error(error));
      this.idle.push(worker);
      this.dispatch();
    });
    worker.on('error', (error) => this.failed(worker, error));
    this.all.push(worker);
    return worker;
  }

  /** A thread that died fails the task it held; the next task starts a new thread. */
  private failed(worker: Worker, error: Error): void {
    this.all.splice(this.all.indexOf(worker), 1);
    const id = this.busy.get(worker);
    this.busy.delete(worker);
    if (id !== undefined) {
      this.pending.get(id)?.reject(error);
      this.pending.delete(id);
    }
    this.dispatch();
  }
}
