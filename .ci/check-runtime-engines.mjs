// Fails when a production dependency's `engines.node` excludes the running Node.js: what
// package.json's own `engines` promises must hold for everything the image ships.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const semver = createRequire(import.meta.url)('semver');
const folders = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { encoding: 'utf8' })
  .trim()
  .split('\n');
const refused = [];
for (const folder of new Set(folders)) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  const wanted = manifest.engines?.node;
  if (wanted && !semver.satisfies(process.version, wanted))
    refused.push(`${manifest.name}@${manifest.version} wants node ${wanted}`);
}
if (refused.length > 0) {
  console.error(
    `Runtime dependencies that Node ${process.version} does not satisfy:\n  ${[...new Set(refused)].join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`Every runtime dependency accepts Node ${process.version}.`);
