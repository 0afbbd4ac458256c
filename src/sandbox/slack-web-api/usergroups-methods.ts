/** `usergroups.users.list`: the members of a user group (approvers may be named by group). */

import { ApiError, type Handler } from './types.js';

export function usergroupHandlers(groups: ReadonlyMap<string, readonly string[]>): Record<string, Handler> {
  return {
    'usergroups.users.list': (args) => {
      const id = typeof args.usergroup === 'string' ? args.usergroup : '';
      const users = groups.get(id);
      if (!users) throw new ApiError('no_such_subteam');
      return { users: [...users] };
    },
  };
}
