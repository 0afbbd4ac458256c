import type { TaskRow } from '../../db/schema.js';
import type { Priority, TaskFields } from '../domain/task.js';

/** The editable fields of a stored task, typed as the domain knows them. */
export function taskFieldsOf(row: TaskRow): TaskFields {
  return {
    title: row.title,
    description: row.description,
    acceptanceCriteria: row.acceptanceCriteria,
    priority: row.priority as Priority,
    labels: row.labels,
    deadline: row.deadline,
    assignee: row.assignee,
    repo: row.repo,
  };
}
