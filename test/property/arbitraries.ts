/**
 * fast-check arbitraries shared by the property tests: text as a hostile thread (or a model
 * steered by one) would write it, biased towards the pieces that matter to Slack, GitHub and HTML.
 */
import fc from 'fast-check';

/** Fragments that have meant trouble somewhere: pings, links, images, HTML, entities, escapes. */
export const FRAGMENTS = [
  '@octocat',
  '@acme/security',
  '@',
  '`',
  '```',
  '\\',
  '![',
  '](',
  '[x]',
  '(https://evil.example/p.png)',
  '<img src=x>',
  '<a href="https://evil.example">',
  '<!--',
  '-->',
  '<details>',
  '&#64;',
  '&#x40;',
  '&commat;',
  '&amp;',
  '&lt;',
  '#12',
  'acme/web#3',
  '<!channel>',
  '<!here|here>',
  '<!everyone>',
  '<!subteam^S0TEAM|devs>',
  '<@U0HOSTILE1>',
  '<@W0HOSTILE2|bob>',
  '@here',
  '@channel',
  '<https://evil.example|click>',
  '<#C0HOSTILE>',
  'https://evil.example/archives/C0ENG/p1700000000000100',
  '|',
  '<',
  '>',
  '&',
  '*',
  '_',
  '~',
  ' ',
  '\n',
  '\t',
  '\u200b',
  '\u00a0',
  '＠octocat',
  'é',
  '😀',
] as const;

/** Text mixing the fragments above with arbitrary (also non-BMP) strings. */
export function hostileText(maxParts = 12): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 12 }), fc.string()),
      {
        maxLength: maxParts,
      },
    )
    .map((parts) => parts.join(''));
}

/** Sometimes very long: builders must cut, not fail. */
export function hostileOrLong(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: hostileText() },
    {
      weight: 1,
      arbitrary: fc.tuple(hostileText(4), fc.integer({ min: 1, max: 800 })).map(([t, n]) => t.repeat(n)),
    },
  );
}

export const userId = fc.stringMatching(/^[UW][A-Z0-9]{2,11}$/);
export const channelId = fc.stringMatching(/^[CGD][A-Z0-9]{2,11}$/);
export const slackTs = fc
  .tuple(fc.integer({ min: 1_000_000_000, max: 9_999_999_999 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([s, us]) => `${s}.${String(us).padStart(6, '0')}`);
