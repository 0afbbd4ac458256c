import { describe, expect, it } from 'vitest';
import {
  ConfinementError,
  checkWrite,
  confinePath,
  globToRegExp,
  MAX_FILE_BYTES,
} from '../../../src/agents/code/confinement.js';

describe('confinePath', () => {
  it('normalises paths inside the repository', () => {
    expect(confinePath('src/./a/../b.ts')).toBe('src/b.ts');
    expect(confinePath('src/')).toBe('src');
    expect(confinePath('.')).toBe('');
  });

  it.each([
    ['../x', /leaves the repository/],
    ['src/../../x', /leaves the repository/],
    ['/etc/passwd', /absolute/],
    ['C:/x', /absolute/],
    ['~/x', /absolute/],
    ['.git/config', /\.git/],
    ['a\\b', /forward slashes/],
    ['a\0b', /forward slashes/],
    ['', /required/],
  ])('refuses %j', (path, reason) => {
    expect(() => confinePath(path)).toThrow(reason);
  });
});

describe('globToRegExp', () => {
  it('matches ** across folders and * within one', () => {
    expect(globToRegExp('.github/workflows/**').test('.github/workflows/ci.yml')).toBe(true);
    expect(globToRegExp('.github/workflows/**').test('.github/other.yml')).toBe(false);
    expect(globToRegExp('src/**/*.ts').test('src/a.ts')).toBe(true);
    expect(globToRegExp('src/**/*.ts').test('src/a/b/c.ts')).toBe(true);
    expect(globToRegExp('src/*.ts').test('src/a/b.ts')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
});

describe('checkWrite', () => {
  const policy = { protectedPaths: ['.github/workflows/**'], maxFilesChanged: 2 };
  it('refuses protected paths with the reason, binaries, big files and one file too many', () => {
    expect(() => checkWrite('.github/workflows/ci.yml', 'x', policy, new Set())).toThrow(/protected path/);
    expect(() => checkWrite('a.bin', 'a\0b', policy, new Set())).toThrow(/binary/);
    expect(() => checkWrite('big.txt', 'x'.repeat(MAX_FILE_BYTES + 1), policy, new Set())).toThrow(
      ConfinementError,
    );
    expect(() => checkWrite('c.ts', 'x', policy, new Set(['a.ts', 'b.ts']))).toThrow(/at most 2 files/);
    expect(() => checkWrite('a.ts', 'x', policy, new Set(['a.ts', 'b.ts']))).not.toThrow();
  });
});
