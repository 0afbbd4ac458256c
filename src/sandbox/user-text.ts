/**
 * What a Slack client does to a message before sending it: `&`, `<`, `>` become entities, `@name`
 * becomes a `<@U…>` mention, `#channel` a `<#C…|name>` link and a bare URL `<url>`. The sandbox's
 * composer goes through this so the bot receives text shaped as real Slack text.
 */

export interface Mentionable {
  id: string;
  /** Names that may follow `@` (matched case-insensitively). */
  names: string[];
}

export interface ChannelRef {
  id: string;
  name: string;
}

export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Turns what a person typed into Slack message text. */
export function toSlackText(
  typed: string,
  people: readonly Mentionable[],
  channels: readonly ChannelRef[] = [],
): string {
  const byName = new Map<string, string>();
  for (const p of people) for (const n of p.names) byName.set(n.toLowerCase(), p.id);
  const byChannel = new Map(channels.map((c) => [c.name.toLowerCase(), c]));
  const escaped = escapeSlackText(typed);
  return escaped.replace(
    /(^|[\s(])(?:@([\w.-]+)|#([\w-]+)|(https?:\/\/[^\s<>]+[^\s<>.,;:!?)'"]))/g,
    (all, pre: string, name?: string, channel?: string, url?: string) => {
      if (name !== undefined) {
        const trimmed = name.replace(/[.-]+$/, '');
        const id = byName.get(trimmed.toLowerCase());
        return id ? `${pre}<@${id}>${name.slice(trimmed.length)}` : all;
      }
      if (channel !== undefined) {
        const c = byChannel.get(channel.toLowerCase());
        return c ? `${pre}<#${c.id}|${c.name}>` : all;
      }
      // Entities in the URL were escaped above; Slack keeps `&amp;` inside links too.
      return url !== undefined ? `${pre}<${url}>` : all;
    },
  );
}

/** Whether Slack text mentions `userId` (`<@U…>` or `<@U…|name>`). */
export function mentions(text: string, userId: string): boolean {
  return new RegExp(`<@${userId}(\\|[^>]*)?>`).test(text);
}
