/**
 * The Pulumi program: `pulumi preview` / `up` / `destroy` a POLARDB -> RDS migration (cloud mode)
 * or a migration between any two MySQL servers (local mode). The stack config is described in
 * Pulumi.yaml and docs/pulumi.md; Pulumi.example.yaml shows a full one.
 */
import { buildProgram } from "./components";

const { outputs } = buildProgram();

/** "cloud" or "local". */
export const mode = outputs.mode;
/** "direct" (the engine copies from the machine running pulumi up) or "dts" (an Alibaba Cloud DTS task copies). */
export const engine = outputs.engine;
/** engine dts: the DTS migration task ID and its final status (null with the direct engine). */
export const dtsJobId = outputs.dtsJobId;
export const dtsStatus = outputs.dtsStatus;
/** engine dts: per table, source and target rows and whether every chunk's checksum matched. */
export const verification = outputs.verification;
/** Tables, rows, bytes, seconds, verified, warnings and target databases of the migration. */
export const report = outputs.report;
/** The POLARDB account the engine read with (created in cloud mode). */
export const sourceAccount = outputs.sourceAccount;
/** The RDS account the engine wrote with (created in cloud mode). */
export const targetAccount = outputs.targetAccount;
/** The whitelist groups this stack owns, as "POLARDB <cluster>/<group>" and "RDS <instance>/<group>". */
export const whitelistGroups = outputs.whitelistGroups;
/** RDS databases created for the migration; pulumi destroy keeps them. */
export const targetDatabases = outputs.targetDatabases;
/** What pulumi destroy does with the migrated data. */
export const onDestroy = outputs.onDestroy;
