/** The CHANGELOG's newest version is the one package.json declares. */
import { readRepositoryFile } from './files';

describe('CHANGELOG.md', () => {
  it("opens with a section for package.json's version", () => {
    const { version } = JSON.parse(readRepositoryFile('package.json')) as { version: string };
    const changelog = readRepositoryFile('CHANGELOG.md');
    // The first `## x.y.z` heading ("## 0.1.0 — unreleased", "## [0.2.0] - 2027-01-31"); an "Unreleased" section may precede it.
    const firstVersion = /^## \[?(\d+\.\d+\.\d+(?:-[\w.]+)?)\]?(?:\s|$)/m.exec(changelog)?.[1];
    expect(firstVersion).toBe(version);
  });
});
