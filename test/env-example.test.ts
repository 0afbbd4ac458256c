import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../src/config.js';

interface Entry {
  name: string;
  value: string;
  commented: boolean;
  /** The comment line just above the assignment. */
  description: string | undefined;
}

/** Reads `NAME=value` and `# NAME=value` lines, with the description comment above each. */
function parseEnvExample(text: string): Entry[] {
  const lines = text.split('\n');
  const entries: Entry[] = [];
  lines.forEach((line, index) => {
    const match = /^(#\s*)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (!match) return;
    const above = lines[index - 1]?.trim();
    const isDescription = above?.startsWith('#') && !/^#\s*[A-Za-z_][A-Za-z0-9_]*=/.test(above);
    entries.push({
      name: match[2] ?? '',
      value: match[3] ?? '',
      commented: match[1] !== undefined,
      description: isDescription ? above?.replace(/^#\s*/, '') : undefined,
    });
  });
  return entries;
}

const entries = parseEnvExample(readFileSync('.env.example', 'utf8'));

describe('.env.example', () => {
  it('documents every variable loadConfig reads, once, and no unknown one', () => {
    const names = entries.map((e) => e.name);
    expect([...names].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('gives each variable a one-line description', () => {
    for (const entry of entries) {
      expect(entry.description, entry.name).toBeTruthy();
      expect(entry.description?.length ?? 0, entry.name).toBeGreaterThan(10);
    }
  });

  it('changes nothing when copied as is', () => {
    const active = Object.fromEntries(entries.filter((e) => !e.commented).map((e) => [e.name, e.value]));
    for (const value of Object.values(active)) expect(value.trim()).toBe('');
    expect(loadConfig(active)).toEqual(loadConfig({}));
  });

  it('shows example values the app accepts once uncommented', () => {
    for (const entry of entries) {
      expect(() => loadConfig({ [entry.name]: entry.value }), `${entry.name}=${entry.value}`).not.toThrow();
    }
    // And all of them together (e.g. GITHUB_REPO with GITHUB_REPOS).
    expect(() => loadConfig(Object.fromEntries(entries.map((e) => [e.name, e.value])))).not.toThrow();
  });
});
