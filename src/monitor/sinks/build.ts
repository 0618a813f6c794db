import type { Dispatcher } from 'undici';
import { KeywardenError } from '../../core/index.js';
import { isAllowedEndpoint, type SecretRef, type SinkConfig } from '../monitor-config.js';
import { discordSink } from './discord.js';
import { emailSink } from './email.js';
import type { AlertSink } from './sink-types.js';
import { slackSink } from './slack.js';
import { telegramSink } from './telegram.js';
import { webhookSink } from './webhook.js';

/** How the dispatcher treats one sink: threshold, grouping, retries, queue. */
export interface DeliveryOptions {
  minSeverity: 'info' | 'warning' | 'critical';
  groupWaitMs: number;
  throttleWindowSeconds: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  queueSize: number;
}

export interface ConfiguredSink {
  sink: AlertSink;
  options: DeliveryOptions;
}

/** Resolve `secret` or `{ env: NAME }`; a missing variable is a config error naming the variable, never a value. */
export function resolveSecret(ref: SecretRef, where: string, env: NodeJS.ProcessEnv): string {
  if (typeof ref === 'string') return ref;
  const value = env[ref.env];
  if (value === undefined || value === '')
    throw new KeywardenError('invalid_config', `${where}: environment variable ${ref.env} is not set`);
  return value;
}

function resolveUrl(ref: SecretRef, where: string, env: NodeJS.ProcessEnv): string {
  const url = resolveSecret(ref, where, env);
  if (!isAllowedEndpoint(url))
    throw new KeywardenError(
      'invalid_config',
      `${where}: must be an https URL (plain http only to loopback)`,
    );
  return url;
}

/** Build the sinks named in config. Secrets are read here, once, and stay inside the sink closures. */
export function buildSinks(
  configs: SinkConfig[],
  deps: { env?: NodeJS.ProcessEnv; dispatcher?: Dispatcher } = {},
): ConfiguredSink[] {
  const env = deps.env ?? process.env;
  return configs.map((config) => ({
    sink: makeSink(config, env, deps.dispatcher),
    options: {
      minSeverity: config.minSeverity,
      groupWaitMs: config.groupWaitMs,
      throttleWindowSeconds: config.throttleWindowSeconds,
      maxAttempts: config.maxAttempts,
      backoffBaseMs: config.backoffBaseMs,
      backoffMaxMs: config.backoffMaxMs,
      timeoutMs: config.timeoutMs,
      queueSize: config.queueSize,
    },
  }));
}

function makeSink(config: SinkConfig, env: NodeJS.ProcessEnv, dispatcher: Dispatcher | undefined): AlertSink {
  const where = `monitor.sinks.${config.name}`;
  switch (config.type) {
    case 'discord':
      return discordSink({ name: config.name, url: resolveUrl(config.url, `${where}.url`, env), dispatcher });
    case 'slack':
      return slackSink({ name: config.name, url: resolveUrl(config.url, `${where}.url`, env), dispatcher });
    case 'telegram':
      return telegramSink({
        name: config.name,
        botToken: resolveSecret(config.botToken, `${where}.botToken`, env),
        chatId: config.chatId,
        baseUrl: config.baseUrl,
        dispatcher,
      });
    case 'webhook':
      return webhookSink({
        name: config.name,
        url: config.url,
        secret: resolveSecret(config.secret, `${where}.secret`, env),
        dispatcher,
      });
    case 'email':
      return emailSink({
        name: config.name,
        host: config.host,
        port: config.port,
        security: config.security,
        user: config.user,
        password: config.password ? resolveSecret(config.password, `${where}.password`, env) : undefined,
        from: config.from,
        to: config.to,
        timeoutMs: config.timeoutMs,
      });
  }
}
