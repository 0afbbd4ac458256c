import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

/** SECURITY.md stays true to the manifest: every scope the app asks for is explained. */
const manifest = z
  .object({ oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }) })
  .parse(parse(readFileSync('manifest.yml', 'utf8')));
const security = readFileSync('SECURITY.md', 'utf8');

/** The scopes table: rows of the form "| `scope` | reason |" under "## Slack scopes". */
function explainedScopes(doc: string): Map<string, string> {
  const start = doc.indexOf('## Slack scopes');
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  return new Map(
    [...section.matchAll(/^\|\s*`([a-z_.:]+)`\s*\|\s*(.*?)\s*\|\s*$/gm)].map((m) => [m[1]!, m[2]!]),
  );
}

describe('SECURITY.md', () => {
  const explained = explainedScopes(security);

  it('explains every bot scope in manifest.yml, with a reason, and no scope the app does not ask for', () => {
    expect(manifest.oauth_config.scopes.bot.length).toBeGreaterThan(0);
    for (const scope of manifest.oauth_config.scopes.bot) {
      expect(explained.get(scope), `scope ${scope} is not explained in SECURITY.md`).toMatch(
        /\w{3,}.*\w{3,}/,
      );
    }
    expect([...explained.keys()].sort()).toEqual([...manifest.oauth_config.scopes.bot].sort());
  });

  it('has a threat model and says how to report a vulnerability', () => {
    for (const heading of [
      '## Reporting a vulnerability',
      '## Threat model',
      '### Who may do what',
      '### What the bot trusts',
      '### What the bot never does',
    ]) {
      expect(security).toContain(heading);
    }
  });

  it('is linked from the README', () => {
    expect(readFileSync('README.md', 'utf8')).toMatch(/\]\((\.\/)?SECURITY\.md\)/);
  });
});
