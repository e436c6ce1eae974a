import { type Job, Worker } from 'bullmq';
import { bullConnection } from '../src/modules/jobs/bull-connection.js';

/**
 * A bare BullMQ worker on the echo queue, doing what the product's echo processor does, for the
 * queue benchmark's baseline.   node dist/bench/raw-worker.js <queue prefix> <concurrency>
 */
const [prefix, concurrency] = process.argv.slice(2);
const worker = new Worker('echo', async (job: Job<{ message: string }>) => ({ message: job.data.message }), {
  connection: bullConnection(process.env.REDIS_URL ?? '', 'worker'),
  prefix,
  concurrency: Number(concurrency),
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
const stop = () => void worker.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
