import { describe, expect, it } from 'vitest';
import { formatChangeCause } from '../../src/agents/deploy/change-cause.js';
import { parseImageReference } from '../../src/agents/deploy/image-reference.js';

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseImageReference', () => {
  it.each([
    ['nginx', { repository: 'nginx', tag: null, digest: null }],
    ['acme/web:2.0.0', { repository: 'acme/web', tag: '2.0.0', digest: null }],
    ['localhost:5000/acme/web', { repository: 'localhost:5000/acme/web', tag: null, digest: null }],
    ['ghcr.io/acme/web:sha-1a2b3c', { repository: 'ghcr.io/acme/web', tag: 'sha-1a2b3c', digest: null }],
    [
      `registry.example.com:443/acme/web:2@${digest}`,
      { repository: 'registry.example.com:443/acme/web', tag: '2', digest },
    ],
    [`acme/web@${digest}`, { repository: 'acme/web', tag: null, digest }],
  ])('parses %s', (reference, expected) => {
    expect(parseImageReference(reference)).toEqual(expected);
  });

  it.each([
    '',
    'Acme/Web:1',
    'acme/web:2 --privileged',
    'acme/web:',
    'acme/web@sha256:short',
    'acme//web',
    '-acme/web',
    `acme/web:${'x'.repeat(129)}`,
    'acme/web:1\nimage: evil',
  ])('refuses %j', (reference) => {
    expect(parseImageReference(reference)).toBeNull();
  });
});

describe('formatChangeCause', () => {
  it('names the action, task, run, PR and approver on one line', () => {
    expect(
      formatChangeCause({
        action: 'deploy',
        taskId: 'T-1',
        runId: 'R-2',
        pullRequest: 12,
        approvedBy: 'lena',
      }),
    ).toBe('ai-orchestrator deploy, task T-1, run R-2, PR #12, approved by lena');
    expect(formatChangeCause({ action: 'rollback', taskId: 'T-1' })).toBe(
      'ai-orchestrator rollback, task T-1',
    );
  });

  it('keeps control characters out and the length bounded', () => {
    const text = formatChangeCause({
      action: 'deploy',
      taskId: 'T-1',
      approvedBy: `lena\n\u202eevil${'x'.repeat(400)}`,
    });
    expect(text).not.toMatch(/[\n\u202e]/);
    expect(text.length).toBeLessThanOrEqual(300);
    expect(text.endsWith('…')).toBe(true);
  });
});
