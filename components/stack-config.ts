/**
 * Reads the stack config (`polardb-to-rds:*`) into the migration configuration. Pulumi hands config
 * values over as strings (objects and lists as JSON text); each is converted by the type its key has
 * in MigrationConfigSchema, then the schema validates everything, unknown keys included.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CONFIG_NAMESPACE, ConfigError, MigrationConfig, MigrationConfigSchema, parseMigrationConfig } from "./config";

const PASSWORD_KEYS = ["sourcePassword", "targetPassword"] as const;

/** The zod type name of a key, looking through optional/default wrappers. */
function baseType(schema: z.ZodType): string {
  let s: z.ZodType = schema;
  for (;;) {
    const def = s.def as { type: string; innerType?: z.ZodType };
    if ((def.type === "optional" || def.type === "default" || def.type === "nullable") && def.innerType) s = def.innerType;
    else return def.type;
  }
}

/** A config string as the value its key expects; anything unparsable stays a string for zod to reject. */
export function fromConfigText(key: string, text: string): unknown {
  const field = (MigrationConfigSchema.shape as Record<string, z.ZodType>)[key];
  if (!field) return text;
  const trimmed = text.trim();
  switch (baseType(field)) {
    case "number":
      return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : text;
    case "boolean":
      return trimmed === "true" ? true : trimmed === "false" ? false : text;
    case "union":
      return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : text;
    case "array":
      if (trimmed.startsWith("[")) return parseJson(trimmed) ?? text;
      return trimmed === "" ? [] : trimmed.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
    default:
      return text;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Whether a key was set with --secret; undefined when the CLI did not say which keys are secret.
 * (@pulumi/pulumi's runtime has isConfigSecret and the secret-key list, but not in its typings.)
 */
function isSecretKey(fullKey: string): boolean | undefined {
  try {
    const state = require("@pulumi/pulumi/runtime/state") as { getStore?: () => { config: Record<string, string | undefined> } };
    const list = state.getStore?.().config.PULUMI_CONFIG_SECRET_KEYS;
    if (list === undefined) return undefined;
    const keys: unknown = JSON.parse(list);
    return Array.isArray(keys) ? keys.includes(fullKey) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The stack's migration configuration. `alicloud:region` is the default of targetRegion.
 * Throws ConfigError naming each bad key (and a password stored in plain text).
 */
export function readStackConfig(): MigrationConfig {
  const all = pulumi.runtime.allConfig();
  const prefix = `${CONFIG_NAMESPACE}:`;
  const raw: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    // Pulumi.yaml declares every key; optional ones default to "" or [] there, which means "not set".
    if (text === "" || text.trim() === "[]") continue;
    raw[key] = fromConfigText(key, text);
  }
  const region = all["alicloud:region"];
  if (raw.targetRegion === undefined && region) raw.targetRegion = region;
  const plain = PASSWORD_KEYS.filter((k) => raw[k] !== undefined && isSecretKey(prefix + k) === false);
  if (plain.length > 0) {
    throw new ConfigError(
      plain.map((k) => `${prefix}${k}: is stored in plain text; set it as a secret: pulumi config set --secret ${prefix}${k}`),
    );
  }
  return parseMigrationConfig(raw);
}
