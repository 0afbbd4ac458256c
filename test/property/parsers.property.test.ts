import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CRITERIA_MAX,
  CRITERION_MAX,
  DESCRIPTION_MAX,
  LABEL_MAX,
  LABELS_MAX,
  PRIORITIES,
  TITLE_MAX,
} from '../../src/domain/task.js';
import { parseEditSubmission } from '../../src/slack/blocks/parse-edit-submission.js';
import { EDIT_FIELDS } from '../../src/slack/ids.js';
import { AppMention, MessageShortcut, SlashCommand, TaskButtonAction } from '../../src/slack/payloads.js';
import { looksLikeSlackLink, ownEvidenceLink, parseSlackPermalink } from '../../src/slack/permalink.js';
import { channelId, hostileText, slackTs, userId } from './arbitraries.js';

/**
 * The parsers that read what arrives from outside: Slack's payloads, the view submission of the
 * Edit modal, and the message link after `/extract`. Whatever arrives, they answer (a value or a
 * refusal) and never throw; what they accept is within the shapes the rest of the code assumes.
 */

const RUNS = { numRuns: 300 };

/** JSON-like values, with Slack's field names sprinkled in so parsers see near-misses too. */
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    hostileText(3),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          'user',
          'id',
          'channel',
          'message',
          'ts',
          'actions',
          'action_id',
          'value',
          'text',
          'user_id',
          'channel_id',
          'private_metadata',
          'state',
          'values',
        ),
        fc.string(),
      ),
      tie('value'),
      { maxKeys: 6 },
    ),
  ),
})).value;

describe('Slack payload schemas', () => {
  it('never throw, whatever the body', () => {
    fc.assert(
      fc.property(jsonish, (body) => {
        for (const schema of [TaskButtonAction, MessageShortcut, AppMention, SlashCommand]) {
          expect(() => schema.safeParse(body)).not.toThrow();
        }
      }),
      RUNS,
    );
  });

  it('accept well-formed payloads, and every accepted button value fits in 255 characters', () => {
    const action = fc.record({
      user: fc.record({ id: fc.string() }),
      channel: fc.record({ id: channelId }),
      message: fc.record({ ts: slackTs }),
      actions: fc.array(fc.record({ action_id: fc.string(), value: fc.string({ maxLength: 300 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
    });
    fc.assert(
      fc.property(action, (body) => {
        const parsed = TaskButtonAction.safeParse(body);
        expect(parsed.success).toBe(body.actions.every((a) => a.value.length <= 255));
      }),
      RUNS,
    );
  });
});

describe('the Edit modal submission', () => {
  /** `state.values[block_id][action_id]`: the modal uses the field name for both. */
  const slot = <T>(field: string, value: fc.Arbitrary<T>) => fc.record({ [field]: value });
  const values = fc.record({
    [EDIT_FIELDS.title]: slot(EDIT_FIELDS.title, fc.record({ value: fc.option(hostileText()) })),
    [EDIT_FIELDS.description]: slot(
      EDIT_FIELDS.description,
      fc.record({ value: fc.option(fc.string({ maxLength: 4000 })) }),
    ),
    [EDIT_FIELDS.criteria]: slot(
      EDIT_FIELDS.criteria,
      fc.record({ value: fc.option(fc.array(hostileText(3), { maxLength: 14 }).map((l) => l.join('\n'))) }),
    ),
    [EDIT_FIELDS.labels]: slot(EDIT_FIELDS.labels, fc.record({ value: fc.option(hostileText()) })),
    [EDIT_FIELDS.priority]: slot(
      EDIT_FIELDS.priority,
      fc.record({
        selected_option: fc.option(
          fc.record({ value: fc.oneof(fc.constantFrom(...PRIORITIES), fc.string()) }),
        ),
      }),
    ),
    [EDIT_FIELDS.deadline]: slot(
      EDIT_FIELDS.deadline,
      fc.record({
        selected_date: fc.option(fc.oneof(fc.string(), fc.constant('2025-02-30'), fc.constant('2030-01-31'))),
      }),
    ),
    [EDIT_FIELDS.assignee]: slot(
      EDIT_FIELDS.assignee,
      fc.record({ selected_user: fc.option(fc.oneof(fc.string(), userId)) }),
    ),
    [EDIT_FIELDS.repo]: slot(
      EDIT_FIELDS.repo,
      fc.oneof(
        fc.record({ selected_option: fc.record({ value: fc.constantFrom('acme/web', 'evil/repo', '') }) }),
        fc.record({ value: fc.string() }),
      ),
    ),
  });
  const metadata = fc.oneof(
    fc
      .record({ taskId: fc.uuid(), version: fc.nat(), channelId: fc.option(channelId) })
      .map((m) => JSON.stringify(m)),
    fc.string(),
  );

  it('answers ok with fields within the limits, or errors keyed by the modal’s inputs; never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(jsonish, fc.record({ private_metadata: metadata, state: fc.record({ values }) })),
        (view) => {
          const result = parseEditSubmission(view, ['acme/web']);
          if (result.ok) {
            const f = result.fields;
            expect(f.title.length).toBeGreaterThan(0);
            expect(f.title.length).toBeLessThanOrEqual(TITLE_MAX);
            expect(f.description.length).toBeLessThanOrEqual(DESCRIPTION_MAX);
            expect(f.acceptanceCriteria.length).toBeLessThanOrEqual(CRITERIA_MAX);
            for (const c of f.acceptanceCriteria) expect(c.length).toBeLessThanOrEqual(CRITERION_MAX);
            expect(f.labels.length).toBeLessThanOrEqual(LABELS_MAX);
            for (const l of f.labels) expect(l.length).toBeLessThanOrEqual(LABEL_MAX);
            expect(f.repo).toBe('acme/web');
          } else {
            const known = new Set<string>([...Object.values(EDIT_FIELDS)]);
            for (const [key, message] of Object.entries(result.errors)) {
              expect(known.has(key), `error key ${key}`).toBe(true);
              expect(message.length).toBeGreaterThan(0);
            }
          }
        },
      ),
      RUNS,
    );
  });
  it('accepts every submission whose fields are within the limits', () => {
    const line = fc
      .string({ minLength: 1, maxLength: 80 })
      .filter((t) => t.trim().length > 0 && !/[\r\n]/.test(t));
    const valid = fc.record({
      title: line,
      description: fc.string({ maxLength: DESCRIPTION_MAX }),
      criteria: fc.array(line, { maxLength: CRITERIA_MAX }),
      labels: fc.array(
        line.map((l) => l.replace(/,/g, ' ').slice(0, LABEL_MAX)),
        { maxLength: LABELS_MAX },
      ),
      priority: fc.constantFrom(...PRIORITIES),
      deadline: fc.option(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
      ),
      assignee: fc.option(userId),
      meta: fc.record({ taskId: fc.uuid(), version: fc.nat(), channelId: fc.option(channelId) }),
    });
    fc.assert(
      fc.property(valid, (v) => {
        const view = {
          private_metadata: JSON.stringify(v.meta),
          state: {
            values: {
              [EDIT_FIELDS.title]: { [EDIT_FIELDS.title]: { value: v.title } },
              [EDIT_FIELDS.description]: { [EDIT_FIELDS.description]: { value: v.description } },
              [EDIT_FIELDS.criteria]: { [EDIT_FIELDS.criteria]: { value: v.criteria.join('\n') } },
              [EDIT_FIELDS.labels]: { [EDIT_FIELDS.labels]: { value: v.labels.join(',') } },
              [EDIT_FIELDS.priority]: { [EDIT_FIELDS.priority]: { selected_option: { value: v.priority } } },
              [EDIT_FIELDS.deadline]: {
                [EDIT_FIELDS.deadline]: {
                  selected_date: v.deadline ? v.deadline.toISOString().slice(0, 10) : null,
                },
              },
              [EDIT_FIELDS.assignee]: { [EDIT_FIELDS.assignee]: { selected_user: v.assignee } },
              [EDIT_FIELDS.repo]: { [EDIT_FIELDS.repo]: { selected_option: { value: 'acme/web' } } },
            },
          },
        };
        const result = parseEditSubmission(view, ['acme/web']);
        expect(result).toMatchObject({ ok: true, taskId: v.meta.taskId, version: v.meta.version });
        if (result.ok) expect(result.fields.priority).toBe(v.priority);
      }),
      RUNS,
    );
  });
});

describe('the message link after /extract', () => {
  const host = fc.domain().map((d) => d.toLowerCase());

  it('parses any text without throwing; what it accepts is a channel id, a ts and a bare host', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText(), fc.webUrl(), fc.string()), (text) => {
        expect(() => looksLikeSlackLink(text)).not.toThrow();
        const link = parseSlackPermalink(text);
        if (link) {
          expect(link.channel).toMatch(/^[CGD][A-Z0-9]{2,}$/);
          expect(link.threadTs).toMatch(/^\d{10}\.\d{6}$/);
          expect(link.host).toMatch(/^[a-z0-9.-]+(:\d+)?$/);
        }
      }),
      RUNS,
    );
  });

  it('reads back every link Slack builds, in every way Slack wraps it', () => {
    fc.assert(
      fc.property(
        host,
        channelId,
        slackTs,
        fc.option(slackTs),
        fc.constantFrom('plain', 'wrapped', 'labelled'),
        (h, channel, ts, threadTs, wrap) => {
          const url = `https://${h}/archives/${channel}/p${ts.replace('.', '')}${threadTs ? `?thread_ts=${threadTs}&cid=${channel}` : ''}`;
          const text =
            wrap === 'plain'
              ? url
              : wrap === 'wrapped'
                ? `<${url.replace(/&/g, '&amp;')}>`
                : `<${url}|a link>`;
          expect(looksLikeSlackLink(text)).toBe(true);
          expect(parseSlackPermalink(text)).toEqual({ host: h, channel, threadTs: threadTs ?? ts });
        },
      ),
      RUNS,
    );
  });

  it('an evidence link is either refused or a link into the discussion’s own thread', () => {
    fc.assert(
      fc.property(
        host,
        channelId,
        slackTs,
        fc.oneof(
          hostileText(),
          fc.webUrl(),
          slackTs.map((ts) => `https://acme.slack.com/archives/C01/p${ts.replace('.', '')}`),
        ),
        (h, channel, threadTs, evidence) => {
          const thread = `https://${h}/archives/${channel}/p${threadTs.replace('.', '')}`;
          const own = ownEvidenceLink(evidence, thread);
          if (own !== null) {
            expect(own.startsWith(`https://${h}/archives/${channel}/p`)).toBe(true);
            expect(parseSlackPermalink(own)).toEqual({ host: h, channel, threadTs });
          }
          expect(ownEvidenceLink(evidence, null)).toBeNull();
        },
      ),
      RUNS,
    );
  });
});
