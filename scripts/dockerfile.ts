import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The V8 settings the production image runs node with: the runtime stage's `ENV NODE_OPTIONS`.
 * The image check and the benchmark run node as the image does by reading them from here.
 */
export function runtimeNodeOptions(projectRoot: string): string {
  const dockerfile = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8');
  const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const options = /NODE_OPTIONS="([^"]*)"/.exec(runtimeStage)?.[1];
  if (options === undefined) throw new Error("the Dockerfile's runtime stage sets no NODE_OPTIONS");
  return options;
}
