import { Command } from 'commander';
import { register as registerAlerts } from './alerts.js';
import { register as registerAudit } from './audit.js';
import { register as registerClient } from './client.js';
import { register as registerDemo } from './demo.js';
import { register as registerHook } from './hook.js';
import { register as registerInit } from './init.js';
import { register as registerKey } from './key.js';
import { register as registerPolicy } from './policy.js';
import { register as registerSandbox } from './sandbox.js';
import { register as registerScan } from './scan.js';
import { register as registerServe } from './serve.js';
import { register as registerUnseal } from './unseal.js';
import { register as registerVault } from './vault.js';

/**
 * The `keywarden` command. Each command group lives in its own file under src/cli/ and
 * exports `register(program)`; this file only composes them.
 */
export function buildProgram(): Command {
  const program = new Command('keywarden')
    .description('Vault and signing gateway for crypto-exchange API keys')
    .option('--data-dir <dir>', 'data directory (default ./.keywarden or KEYWARDEN_DATA_DIR)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  // command groups register here
  registerInit(program);
  registerUnseal(program);
  registerVault(program);
  registerKey(program);
  registerServe(program);
  registerClient(program);
  registerDemo(program);
  registerPolicy(program);
  registerAudit(program);
  registerScan(program);
  registerHook(program);
  registerAlerts(program);
  registerSandbox(program);
  return program;
}
