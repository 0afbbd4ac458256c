/**
 * Every identifier shared between the code and manifest.yml or Block Kit payloads.
 * The manifest test checks the manifest against these lists, both ways.
 */
export const SLASH_COMMANDS = ['/extract'] as const;
export const MESSAGE_SHORTCUTS = ['extract_tasks'] as const;
export const BOT_EVENTS = ['app_mention', 'app_home_opened'] as const;

export const ACTIONS = {
  edit: 'task_edit',
  approve: 'task_approve',
  reject: 'task_reject',
  execute: 'task_execute',
  retry: 'task_retry',
  cancel: 'task_cancel',
  homeRefresh: 'home_refresh',
  openLink: 'open_link',
} as const;

export const VIEWS = { editTask: 'task_edit_modal' } as const;

/** Block and action ids inside the edit modal; `parseEditSubmission` reads them back. */
export const EDIT_FIELDS = {
  title: 'title',
  description: 'description',
  criteria: 'criteria',
  priority: 'priority',
  labels: 'labels',
  deadline: 'deadline',
  assignee: 'assignee',
  repo: 'repo',
} as const;

/** Bot scopes the code needs, and nothing else. */
export const BOT_SCOPES = [
  'app_mentions:read',
  'channels:history',
  'channels:read',
  'groups:history',
  'im:history',
  'mpim:history',
  'chat:write',
  'commands',
  'users:read',
] as const;
