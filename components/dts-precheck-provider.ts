/**
 * The dynamic provider of MigrationPrecheck (engine dts): `create` runs the engine's precheck from
 * the machine running `pulumi up`, with the migration accounts, before any DTS resource exists, so
 * bad input fails before anything is paid for. Its plan (the selected tables and their target names)
 * is an output: the DTS object list is built from it when the selection uses globs.
 *
 * Inputs are MigrationRun's (same check and diff); the engine is loaded with loadEngine() in the host.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PrecheckReport } from "../migrator";
import { loadEngine } from "./engine-loader";
import { engineOptions, failureMessage, migrationRunProvider, MigrationRunInputs, MigrationRunOutputs, publicState } from "./migration-run-provider";

export interface PrecheckItemSummary {
  name: string;
  status: string;
  reason: string;
}

export interface PlannedTableSummary {
  sourceDb: string;
  sourceTable: string;
  targetDb: string;
  targetTable: string;
}

export interface PrecheckSummary {
  items: PrecheckItemSummary[];
  tables: PlannedTableSummary[];
  targetDatabases: string[];
  sourceBytes: number;
  warnings: string[];
  checkedAt: string;
}

export type PrecheckOutputs = MigrationRunInputs & PrecheckSummary;

export function precheckSummary(report: PrecheckReport, now: Date): PrecheckSummary {
  return {
    items: report.items.map((i) => ({ name: i.name, status: i.status, reason: i.reason })),
    tables: report.tables.map((t) => ({ sourceDb: t.sourceDb, sourceTable: t.sourceTable, targetDb: t.targetDb, targetTable: t.targetTable })),
    targetDatabases: [...new Set(report.databases.map((d) => d.targetDb))],
    sourceBytes: report.sourceBytes,
    warnings: report.items.filter((i) => i.status === "warning").map((i) => `${i.name}: ${i.reason}`),
    checkedAt: now.toISOString(),
  };
}

export interface PrecheckProvider extends pulumi.dynamic.ResourceProvider<MigrationRunInputs, PrecheckOutputs> {}

const runProvider = migrationRunProvider;

export const precheckProvider: PrecheckProvider = {
  // The same options as MigrationRun: validated by the engine's schema, replaced on the same changes.
  check: (olds, news) => runProvider.check!(olds, news),
  // MigrationRun's diff reads only the input fields of the old outputs, which both resources share.
  diff: (id, olds, news) => runProvider.diff!(id, olds as MigrationRunInputs as MigrationRunOutputs, news),

  async create(inputs) {
    const engine = loadEngine();
    const secrets = [inputs.sourcePassword ?? undefined, inputs.targetPassword ?? undefined];
    let report: PrecheckReport;
    try {
      report = await engine.precheck(engineOptions(inputs));
    } catch (e) {
      throw new Error(failureMessage(e, secrets).replace(/^MigrationRun/, "MigrationPrecheck"));
    }
    if (!report.ok) {
      const failed = report.items.filter((i) => i.status === "failed").map((i) => `  - ${i.name}: ${i.reason}`);
      const text = `MigrationPrecheck: precheck failed:\n${failed.join("\n")}\nNo DTS instance or task was created. Fix the items above and run pulumi up again.`;
      throw new Error(failureMessage(new Error(text), secrets).replace(/^MigrationRun: migration failed: /, ""));
    }
    const id = `precheck-${(require("node:crypto") as typeof import("node:crypto")).randomUUID()}`;
    return { id, outs: { ...publicState(inputs), ...precheckSummary(report, new Date()) } };
  },

  async read(id, props) {
    // A past check: its state is what create stored.
    return { id, props };
  },

  async update(_id, olds, news) {
    // Reached only for changes that do not affect the selection: keep the plan that was checked.
    const kept: PrecheckSummary = {
      items: olds.items ?? [],
      tables: olds.tables ?? [],
      targetDatabases: olds.targetDatabases ?? [],
      sourceBytes: olds.sourceBytes ?? 0,
      warnings: olds.warnings ?? [],
      checkedAt: olds.checkedAt,
    };
    return { outs: { ...publicState(news), ...kept } };
  },

  async delete() {
    // Nothing to remove: a precheck only reads.
  },
};
