import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { ChannelMembership } from './channel-membership.js';
import type { SlackLink, ThreadRef } from './permalink.js';
import { slackErrorCode } from './slack-error.js';

export type AccessDecision = { ok: true; ref: ThreadRef } | { ok: false; reason: string };

/** One answer for every conversation we will not read for this person, so none reveals more than another. */
export const NOT_VISIBLE =
  'I can only read a thread from another conversation when it is a *public channel you are a member of*. ' +
  'For a private channel, a group or a direct message, run `/extract` inside it, or use *Extract tasks* in the message’s ⋮ menu.';
export const FOREIGN_HOST =
  'That link is not to a message in this Slack workspace, so I did not follow it. Use *Copy link* on a message here and try again.';
export const CHECK_FAILED =
  'I could not check that you can see that conversation, so I did not read it. Please try again in a moment.';
const MISSING_SCOPE =
  'This app is missing a permission it needs to check who is in a channel; whoever runs it should reinstall it from manifest.yml.';

const AuthTest = z.object({ url: z.url() });
const ConversationInfo = z.object({
  channel: z.object({
    id: z.string(),
    is_private: z.boolean().optional(),
    is_im: z.boolean().optional(),
    is_mpim: z.boolean().optional(),
  }),
});

/**
 * Decides whether a person may have the bot read a thread they point at with a link. The bot
 * reads with its own token, which sees more than most people do, so:
 * - the link must be to this workspace (its host, from `auth.test`);
 * - a link into the conversation the request was made in is fine (the person is there);
 * - any other conversation must be a public channel the person is a member of. Private
 *   channels, group DMs and DMs elsewhere are refused: the bot cannot tell who may see them.
 * Every check that cannot be made fails closed.
 */
export class ThreadAccessGuard {
  private host: Promise<string> | undefined;

  constructor(
    private readonly client: WebClient,
    private readonly membership: ChannelMembership,
    private readonly logger: Logger,
  ) {}

  async checkLink(link: SlackLink, requester: string, origin: string): Promise<AccessDecision> {
    const refuse = (reason: string, why: string): AccessDecision => {
      this.logger.info({ requester, origin, channel: link.channel, why }, 'refused a thread link');
      return { ok: false, reason };
    };
    let host: string;
    try {
      host = await this.workspaceHost();
    } catch (err) {
      this.logger.warn({ err }, 'auth.test failed: cannot check a thread link');
      return refuse(CHECK_FAILED, 'auth.test failed');
    }
    if (link.host !== host) return refuse(FOREIGN_HOST, 'foreign host');
    const ref = { channel: link.channel, threadTs: link.threadTs };
    if (link.channel === origin) return { ok: true, ref };
    // D… is a DM, G… a private channel or group DM (older ids): no need to ask Slack.
    if (!link.channel.startsWith('C')) return refuse(NOT_VISIBLE, 'not a public channel id');
    try {
      const info = ConversationInfo.parse(await this.client.conversations.info({ channel: link.channel }));
      const c = info.channel;
      if (c.is_private !== false || c.is_im === true || c.is_mpim === true) {
        return refuse(NOT_VISIBLE, 'not a public channel');
      }
      if (!(await this.membership.isMember(link.channel, requester)))
        return refuse(NOT_VISIBLE, 'not a member');
    } catch (err) {
      const code = slackErrorCode(err);
      if (code === 'channel_not_found') return refuse(NOT_VISIBLE, 'channel not found');
      if (code === 'missing_scope') return refuse(MISSING_SCOPE, 'missing scope');
      this.logger.warn({ err, channel: link.channel }, 'could not check channel membership');
      return refuse(CHECK_FAILED, code ?? 'error');
    }
    return { ok: true, ref };
  }

  /** This workspace's host (`acme.slack.com`), from `auth.test`'s `url`; asked once, a failure is not kept. */
  private workspaceHost(): Promise<string> {
    this.host ??= this.client.auth
      .test()
      .then((res) => new URL(AuthTest.parse(res).url).host.toLowerCase())
      .catch((err: unknown) => {
        this.host = undefined;
        throw err;
      });
    return this.host;
  }
}
