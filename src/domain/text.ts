/**
 * Text hygiene for text that came from a Slack thread and is shown again elsewhere.
 * Thread text must not re-broadcast (@channel, @here, user pings) nor ping on GitHub.
 */

/** Turns Slack's special mentions and user mentions into inert text for a Block Kit mrkdwn field. */
export function neutralizeSlackMentions(text: string, names: Record<string, string> = {}): string {
  return text
    .replace(/<!(channel|here|everyone)(\|[^>]*)?>/g, '@\u200b$1')
    .replace(
      /<!subteam\^[A-Z0-9]+(\|([^>]*))?>/g,
      (_m, _g, label: string | undefined) => `@\u200b${label ?? 'group'}`,
    )
    .replace(/<@([UW][A-Z0-9]+)(\|([^>]*))?>/g, (_m, id: string, _g, label: string | undefined) => {
      const name = label ?? names[id] ?? id;
      return `@\u200b${name.replace(/^@/, '')}`;
    })
    .replace(/(^|\s)@(channel|here|everyone)\b/g, '$1@\u200b$2');
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Safe for mrkdwn: mentions made inert first, then control characters escaped. */
export function safeMrkdwn(text: string, names: Record<string, string> = {}): string {
  return escapeMrkdwn(neutralizeSlackMentions(text, names));
}

/** Invisible, and not a word character: GitHub's mention and reference filters stop at it. */
const ZWSP = '\u200b';

/**
 * `@name` (and `@org/team`) in GitHub pings that user or team. GitHub finds mentions in the text
 * of the rendered HTML, so neither backslashes, entities nor code spans are a dependable guard
 * (one stray backtick reopens the span). A zero-width space after every `@` that starts a name
 * reads the same and pings nobody; `#123` and `owner/repo#123` likewise stop cross-referencing.
 * Used for issue titles, which GitHub shows as plain text.
 */
export function neutralizeGithubMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9])/g, `@${ZWSP}`).replace(/#(?=\d)/g, `#${ZWSP}`);
}

/**
 * Thread text made inert for a GitHub Markdown body: mentions and references broken as above,
 * and every character that could start Markdown or HTML syntax escaped, so text cannot become a
 * link with misleading words, an image (a read beacon), raw HTML, a code fence that swallows the
 * rest of the body, or an HTML comment that forges our marker. `<` and `>` become entities, and
 * `&` is escaped first: an entity such as `&#64;` would otherwise render as an `@` and ping after
 * all. Line breaks are kept.
 */
export function escapeGithubMarkdown(text: string): string {
  return neutralizeGithubMentions(
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[\\`*_[\]()!|~]/g, (c) => `\\${c}`)
      // A `#` opening a line would make a heading that could pass for one of ours.
      .replace(/^([ \t]*)#/gm, '$1\\#'),
  );
}

/** Cuts text to `max` characters, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}
