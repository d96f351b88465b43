/**
 * `npm install` is warning-free under the Node the README names: package.json's `engines` is satisfied by every
 * installed package's own `engines` at that version (no EBADENGINE), and every package with an install script has been
 * reviewed in `allowScripts` (npm 11 lists unreviewed ones at the end of every install). Read from package-lock.json,
 * the tree `npm ci` installs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const ROOT = path.join(import.meta.dirname, '../..');
const semver = createRequire(import.meta.url)('semver') as { minVersion(range: string): { version: string } | null; satisfies(version: string, range: string): boolean };

interface LockEntry { version?: string; engines?: { node?: string } | string[]; hasInstallScript?: boolean; dev?: boolean; optional?: boolean; os?: string[]; cpu?: string[] }
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; allowScripts: Record<string, boolean> };
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
const packages = Object.entries(lock.packages).filter(([location]) => location !== '');
const nameOf = (location: string) => location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('npm install: engines and install scripts', () => {
  const lowest = semver.minVersion(manifest.engines.node)!.version;

  it('the README names the lowest Node that engines allows', () => {
    const [major, minor] = lowest.split('.');
    expect(readme).toContain(`Node (${major}.${minor} or later)`);
  });

  it("every installed package accepts the lowest Node engines allows (no EBADENGINE), and the Lambda runtime's", () => {
    const refusing = packages
      .filter(([, entry]) => entry.engines && !Array.isArray(entry.engines) && entry.engines.node)
      .filter(([, entry]) => !semver.satisfies(lowest, (entry.engines as { node: string }).node))
      .map(([location, entry]) => `${nameOf(location)}@${entry.version} wants node ${(entry.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });

  it('every package with an install script is approved or denied in allowScripts', () => {
    const unreviewed = packages
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([location, entry]) => ({ name: nameOf(location), version: entry.version }))
      .filter(({ name, version }) => !(name in manifest.allowScripts) && !(`${name}@${version}` in manifest.allowScripts))
      .map(({ name, version }) => `${name}@${version}`);
    expect(unreviewed).toEqual([]);
  });

  it('allowScripts names only packages that are installed (no stale review)', () => {
    const installed = new Set(packages.map(([location]) => nameOf(location)));
    const stale = Object.keys(manifest.allowScripts).map((key) => key.replace(/(?<=.)@[^@]+$/, '')).filter((name) => !installed.has(name));
    expect(stale).toEqual([]);
  });
});
