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

/** `@name` in GitHub Markdown pings that user; wrapping it in backticks keeps it readable and silent. */
export function neutralizeGithubMentions(text: string): string {
  return text.replace(/(^|[^\w`])@([A-Za-z0-9][\w-]*(\/[\w-]+)?)/g, '$1`@$2`');
}

/** Cuts text to `max` characters, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}
