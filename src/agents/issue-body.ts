import { escapeGithubMarkdown, neutralizeGithubMentions } from '../domain/text.js';
import type { AgentTask } from './types.js';

/**
 * The GitHub issue a task becomes: its title (plain text on GitHub) and its Markdown body. Every
 * thread-derived string is made inert for the sink it goes to: no pings, no links or images the
 * thread wrote, no raw HTML, no forged marker. The only link is the thread's permalink, which the
 * bot got from Slack itself.
 */

const GITHUB_TITLE_MAX = 256;

/** The hidden marker that ties an issue to its task (found again before creating a second one). */
export function issueMarker(taskId: string): string {
  return `<!-- ai-orchestrator:task=${taskId} -->`;
}

export function issueTitle(task: AgentTask): string {
  const title = neutralizeGithubMentions(oneLine(task.title));
  return title.length > GITHUB_TITLE_MAX ? `${title.slice(0, GITHUB_TITLE_MAX - 1)}…` : title;
}

/** The issue's Markdown body. Every thread-derived string goes through `escapeGithubMarkdown`. */
export function buildIssueBody(task: AgentTask): string {
  const parts: string[] = [];
  const description = escapeGithubMarkdown(task.description.trim());
  parts.push(description || '_No description._');

  if (task.acceptanceCriteria.length > 0) {
    parts.push(
      [
        '### Acceptance criteria',
        '',
        ...task.acceptanceCriteria.map((c) => `- [ ] ${escapeGithubMarkdown(oneLine(c))}`),
      ].join('\n'),
    );
  }

  const details = [`- **Priority:** ${task.priority}`];
  if (task.labels.length > 0)
    details.push(`- **Labels:** ${task.labels.map((l) => escapeGithubMarkdown(oneLine(l))).join(', ')}`);
  if (task.deadline) details.push(`- **Deadline:** ${escapeGithubMarkdown(oneLine(task.deadline))}`);
  if (task.assigneeName) details.push(`- **Assignee:** ${escapeGithubMarkdown(oneLine(task.assigneeName))}`);
  parts.push(['### Details', '', ...details].join('\n'));

  if (task.evidence?.trim()) {
    const quoted = escapeGithubMarkdown(task.evidence.trim())
      .split('\n')
      .map((line) => `> ${line}`)
      .join('\n');
    parts.push(['### From the discussion', '', quoted].join('\n'));
  }

  const link = safeLink(task.threadLink);
  parts.push(
    link
      ? `---\nCreated by AI Orchestrator from [this Slack thread](${link}).`
      : '---\nCreated by AI Orchestrator.',
  );
  parts.push(issueMarker(task.id));
  return `${parts.join('\n\n')}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Only http(s) links, with the characters that would end a Markdown link target escaped. */
function safeLink(link: string | null): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.href.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20');
  } catch {
    return null;
  }
}
