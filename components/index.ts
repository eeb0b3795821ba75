/** The public surface of the Pulumi side: the component, its resources and the config schema. */
export { PolarDbToRdsMigration, COMPONENT_TYPE } from "./migration";
export type { PolarDbToRdsMigrationArgs, MigrationReportSummary } from "./migration";
export { MigrationConfigSchema, parseMigrationConfig, ConfigError, CONFIG_NAMESPACE, isCloudMode } from "./config";
export type { MigrationConfig, MigrationConfigInput } from "./config";
export { readStackConfig } from "./stack-config";
export { buildProgram } from "./program";
export { MigrationRun, DESTROY_NOTE } from "./migration-run";
export type { MigrationRunArgs, EndpointArgs, MigrationSummary, TableSummary } from "./migration-run";
export { PolarDbWhitelistGroup, RdsWhitelistGroup, DEFAULT_WHITELIST_GROUP } from "./whitelist-groups";
export type { PolarDbWhitelistGroupArgs, RdsWhitelistGroupArgs, DtsCidrQuery } from "./whitelist-groups";
export { dtsCidrsFor, DTS_TABLE_REGIONS, UnknownDtsRegionError } from "./dts-cidrs";
export { MigrationPrecheck, DtsMigrationWait } from "./dts-resources";
export type { DtsMigrationWaitArgs, TableVerificationSummary, PlannedTableSummary } from "./dts-resources";
export { staticDbList, planDbList } from "./dts-db-list";
export type { DtsDbList } from "./dts-db-list";
export type { DtsMigrationResources } from "./migration";
