import { ServiceUnavailableException } from '@nestjs/common';
import { ClusterMetricsUnavailable } from './cluster-metrics.js';
import { MetricsController } from './metrics.controller.js';
import type { Metrics } from './metrics.service.js';

/** What a scrape answers when gathering fails; the gathering itself is test/cluster.e2e-spec.ts's. */
describe(MetricsController.name, () => {
  const controllerOver = (text: () => Promise<string>) => new MetricsController({ text } as unknown as Metrics);

  it('serves the metrics text', async () => {
    await expect(controllerOver(async () => 'up 1\n').scrape()).resolves.toBe('up 1\n');
  });

  it('answers 503 when an API process of the cluster did not give its metrics in time', async () => {
    const scrape = controllerOver(async () => {
      throw new ClusterMetricsUnavailable('Operation timed out.');
    }).scrape();
    await expect(scrape).rejects.toEqual(
      new ServiceUnavailableException('Metrics of every API process are not available yet'),
    );
  });

  it('lets any other failure through as the error it is', async () => {
    const bug = new TypeError('collect() failed');
    await expect(
      controllerOver(async () => {
        throw bug;
      }).scrape(),
    ).rejects.toBe(bug);
  });
});
