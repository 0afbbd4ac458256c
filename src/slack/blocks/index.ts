/** Pure Block Kit builders: models in, Slack payloads out. No I/O. */
export { buildEditModal, type EditMetadata } from './edit-modal.js';
export { buildNoticeMessage, type NoticeKind } from './ephemeral.js';
export { buildHelpMessage } from './help.js';
export { buildHomeView } from './home.js';
export type * from './models.js';
export { type EditSubmission, parseEditSubmission } from './parse-edit-submission.js';
export { buildSummaryMessage } from './summary.js';
export { buildTaskCard } from './task-card.js';
export type * from './types.js';
