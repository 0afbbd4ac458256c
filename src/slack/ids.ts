/**
 * Every identifier shared between the code and manifest.yml or Block Kit payloads.
 * The manifest test checks the manifest against these lists, both ways.
 */
export const SLASH_COMMANDS = ['/extract', '/orchestrator'] as const;
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
  projectConfigure: 'project_configure',
} as const;

export const VIEWS = { editTask: 'task_edit_modal', projectSettings: 'project_settings_modal' } as const;

/** Block and action ids inside the project settings modal; `parseProjectSettings` reads them back. */
export const PROJECT_FIELDS = {
  name: 'project_name',
  channels: 'project_channels',
  approverUsers: 'project_approver_users',
  approverGroups: 'project_approver_groups',
  repos: 'project_repos',
  baseBranch: 'project_base_branch',
  recipients: 'project_recipients',
  guidelines: 'project_guidelines',
  steps: 'project_steps',
  codeAgentMode: 'project_code_agent_mode',
  buildWorkflow: 'project_build_workflow',
  deployEnvironments: 'project_deploy_environments',
  budgetPerRun: 'project_budget_per_run',
  budgetMonthly: 'project_budget_monthly',
} as const;

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
  'usergroups:read',
] as const;
