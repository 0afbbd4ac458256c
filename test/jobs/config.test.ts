import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('scheduled jobs configuration', () => {
  it('defaults to 90 days of audit events and a reminder at 9:00 on weekdays', () => {
    expect(loadConfig({}).jobs).toEqual({ auditRetentionDays: 90, approvalReminderCron: '0 9 * * 1-5' });
  });

  it('reads AUDIT_RETENTION_DAYS and APPROVAL_REMINDER_CRON', () => {
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '30', APPROVAL_REMINDER_CRON: ' 15 8 * * * ' }).jobs).toEqual({
      auditRetentionDays: 30,
      approvalReminderCron: '15 8 * * *',
    });
  });

  it.each([
    ['AUDIT_RETENTION_DAYS', '0'],
    ['AUDIT_RETENTION_DAYS', '-5'],
    ['AUDIT_RETENTION_DAYS', '1.5'],
    ['AUDIT_RETENTION_DAYS', 'forever'],
    ['APPROVAL_REMINDER_CRON', 'every morning'],
    ['APPROVAL_REMINDER_CRON', '0 25 * * *'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as ConfigError).message).toContain(name);
  });
});
