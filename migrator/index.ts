/**
 * The engine's public entry point: the CLI and the Pulumi resources import only this module.
 * plan -> precheck -> schema -> copy -> verify, one options object validated up front.
 */
export { MigrateOptionsSchema, parseOptions, formatIssues, ON_EXISTING, DEFINER_POLICIES } from "./options";
export type { MigrateOptions, MigrateOptionsInput, OnExisting } from "./options";
export { EndpointSchema, SizeSchema } from "./options";
export type { Endpoint, SslMode } from "./endpoint";
export { parseEndpointUrl, describeEndpoint, SSL_MODES } from "./endpoint";
export { InputError, PrecheckFailedError, MigrationError, redact } from "./errors";
export type {
  PrecheckItem,
  PrecheckReport,
  MigrationReport,
  TableReport,
  PlannedDatabase,
  PlannedTable,
  Progress,
  ProgressListener,
} from "./types";
export { precheck, migrate, verify } from "./run";
export type { ObjectReport, ObjectKind } from "./objects";
export { staticDatabaseMapping } from "./plan";
