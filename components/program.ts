/**
 * The Pulumi program (index.ts calls this): reads the stack config through the shared zod schema,
 * declares the migration and returns what the stack exports.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./config";
import { PolarDbToRdsMigration } from "./migration";
import { readStackConfig } from "./stack-config";

export function buildProgram(opts?: pulumi.ComponentResourceOptions) {
  let config;
  try {
    config = readStackConfig();
  } catch (e) {
    // A clean error (no stack trace) that names each config key and its fix.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  const migration = new PolarDbToRdsMigration("migration", config, opts);
  return {
    migration,
    outputs: {
      mode: migration.mode,
      engine: migration.engine,
      dtsJobId: migration.dtsJobId,
      dtsStatus: migration.dtsStatus,
      verification: migration.verification,
      report: migration.report,
      sourceAccount: migration.sourceAccountName,
      targetAccount: migration.targetAccountName,
      whitelistGroups: migration.whitelistGroups,
      targetDatabases: migration.targetDatabases,
      onDestroy: migration.destroyNote,
    },
  };
}
