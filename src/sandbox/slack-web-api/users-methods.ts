/** `api.test`, `auth.test` and `users.info`: who the bot is, and the people of the workspace. */

import { parseArgs, S } from './args.js';
import type { StandInState } from './state.js';
import { ApiError, type Handler } from './types.js';

export function userHandlers(state: StandInState): Record<string, Handler> {
  return {
    'api.test': (args) => ({ args }),
    'auth.test': () => ({
      url: `https://${state.teamDomain}.slack.com/`,
      team: state.teamDomain,
      user: state.users.get(state.botUserId)?.name ?? 'orchestrator',
      team_id: state.teamId,
      user_id: state.botUserId,
      bot_id: state.botId,
      is_enterprise_install: false,
    }),
    'users.info': (args) => {
      const a = parseArgs(S.usersInfo, args);
      const u = state.users.get(a.user);
      if (!u) throw new ApiError('user_not_found');
      const realName = u.realName ?? u.name;
      const displayName = u.displayName ?? '';
      return {
        user: {
          id: u.id,
          team_id: state.teamId,
          name: u.name,
          deleted: false,
          real_name: realName,
          is_bot: u.isBot ?? false,
          is_admin: u.isAdmin ?? false,
          is_owner: u.isOwner ?? false,
          is_primary_owner: false,
          is_app_user: false,
          tz: 'Etc/UTC',
          profile: {
            real_name: realName,
            real_name_normalized: realName,
            display_name: displayName,
            display_name_normalized: displayName,
            team: state.teamId,
          },
        },
      };
    },
  };
}
