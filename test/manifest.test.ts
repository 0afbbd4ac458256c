import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { BOT_EVENTS, BOT_SCOPES, MESSAGE_SHORTCUTS, SLASH_COMMANDS } from '../src/slack/ids.js';

/**
 * The parts of Slack's app manifest schema we rely on, with Slack's documented limits. Strict
 * objects, so a misspelt key (which Slack would reject on import) fails here first.
 */
const httpsUrl = z.url({ protocol: /^https$/ });
const ManifestSchema = z.strictObject({
  _metadata: z.strictObject({ major_version: z.literal([1, 2]), minor_version: z.number().int() }).optional(),
  display_information: z.strictObject({
    name: z.string().min(1).max(35),
    description: z.string().max(140).optional(),
    // App Settings refuses a long_description shorter than 174 characters.
    long_description: z.string().min(174).max(4000).optional(),
    background_color: z
      .string()
      .regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/)
      .optional(),
  }),
  features: z.strictObject({
    app_home: z.strictObject({
      home_tab_enabled: z.boolean(),
      messages_tab_enabled: z.boolean(),
      messages_tab_read_only_enabled: z.boolean().optional(),
    }),
    bot_user: z.strictObject({
      display_name: z.string().min(1).max(80),
      always_online: z.boolean().optional(),
    }),
    slash_commands: z
      .array(
        z.strictObject({
          command: z
            .string()
            .max(32)
            .regex(/^\/[a-z0-9_-]+$/),
          description: z.string().min(1).max(2000),
          usage_hint: z.string().max(1000).optional(),
          url: httpsUrl.optional(),
          should_escape: z.boolean().optional(),
        }),
      )
      .max(50),
    shortcuts: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          type: z.enum(['global', 'message']),
          callback_id: z.string().min(1).max(255),
          description: z.string().min(1).max(150),
        }),
      )
      .max(10),
  }),
  oauth_config: z.strictObject({
    scopes: z.strictObject({ bot: z.array(z.string().regex(/^[a-z_.]+(:[a-z_.]+)*$/)).max(255) }),
  }),
  settings: z.strictObject({
    event_subscriptions: z.strictObject({
      request_url: httpsUrl,
      bot_events: z.array(z.string().min(1)).max(100),
    }),
    interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: httpsUrl }),
    org_deploy_enabled: z.boolean(),
    socket_mode_enabled: z.boolean(),
    token_rotation_enabled: z.boolean(),
  }),
});

const manifest = ManifestSchema.parse(parse(readFileSync('manifest.yml', 'utf8')));

const sorted = (values: readonly string[]): string[] => [...values].sort();

describe('manifest.yml', () => {
  it('is a complete manifest: bot user, home tab only, interactivity on, HTTP mode as shipped', () => {
    expect(manifest.features.bot_user.display_name).toBe('Orchestrator');
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: false });
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.settings.token_rotation_enabled).toBe(false);
  });

  it('declares exactly the slash commands in SLASH_COMMANDS, each with a usage hint and unescaped', () => {
    const commands = manifest.features.slash_commands;
    expect(sorted(commands.map((c) => c.command))).toEqual(sorted(SLASH_COMMANDS));
    for (const command of commands) {
      expect(command.usage_hint, command.command).toBeTruthy();
      expect(command.should_escape, command.command).toBe(false);
    }
  });

  it('declares exactly the message shortcuts in MESSAGE_SHORTCUTS', () => {
    const shortcuts = manifest.features.shortcuts;
    expect(shortcuts.every((s) => s.type === 'message')).toBe(true);
    expect(sorted(shortcuts.map((s) => s.callback_id))).toEqual(sorted(MESSAGE_SHORTCUTS));
    expect(shortcuts.map((s) => s.name)).toContain('Extract tasks');
  });

  it('subscribes to exactly BOT_EVENTS and requests exactly BOT_SCOPES', () => {
    expect(sorted(manifest.settings.event_subscriptions.bot_events)).toEqual(sorted(BOT_EVENTS));
    expect(sorted(manifest.oauth_config.scopes.bot)).toEqual(sorted(BOT_SCOPES));
    // No duplicates hiding behind set equality.
    expect(new Set(manifest.oauth_config.scopes.bot).size).toBe(manifest.oauth_config.scopes.bot.length);
    expect(new Set(manifest.settings.event_subscriptions.bot_events).size).toBe(
      manifest.settings.event_subscriptions.bot_events.length,
    );
  });

  it('requests the scope each subscribed event and feature needs', () => {
    const scopes = new Set(manifest.oauth_config.scopes.bot);
    if (manifest.settings.event_subscriptions.bot_events.includes('app_mention')) {
      expect(scopes.has('app_mentions:read')).toBe(true);
    }
    if (manifest.features.slash_commands.length > 0 || manifest.features.shortcuts.length > 0) {
      expect(scopes.has('commands')).toBe(true);
    }
  });

  it('sends every HTTP request to /slack/events (the Bolt HTTP receiver path)', () => {
    const urls = [
      ...manifest.features.slash_commands.map((c) => c.url),
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
    ];
    expect(urls).toHaveLength(manifest.features.slash_commands.length + 2);
    for (const url of urls) {
      expect(url).toBeDefined();
      expect(new URL(url ?? '').pathname).toBe('/slack/events');
    }
  });
});

const SurfacesSchema = z.object({
  commands: z.array(z.string()),
  shortcuts: z.array(z.string()),
  events: z.array(z.string()),
});

describe('the Bolt app registers what ids.ts declares', () => {
  it.skipIf(!existsSync('src/slack/app.ts'))('registeredSurfaces() matches ids.ts, both ways', async () => {
    // A variable specifier keeps tsc from resolving the module before it exists.
    const specifier = '../src/slack/app.js';
    const mod: unknown = await import(specifier);
    const registeredSurfaces = z
      .object({ registeredSurfaces: z.custom<() => unknown>((v) => typeof v === 'function') })
      .parse(mod).registeredSurfaces;
    const surfaces = SurfacesSchema.parse(registeredSurfaces());
    expect(sorted(surfaces.commands)).toEqual(sorted(SLASH_COMMANDS));
    expect(sorted(surfaces.shortcuts)).toEqual(sorted(MESSAGE_SHORTCUTS));
    expect(sorted(surfaces.events)).toEqual(sorted(BOT_EVENTS));
  });
});
