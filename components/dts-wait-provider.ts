/**
 * The dynamic provider of DtsMigrationWait (engine dts): `create` waits for the DTS migration task
 * to finish, polling the DTS OpenAPI (2020-01-01) `DescribeDtsJobDetail` (DtsJobId, DtsInstanceID,
 * RegionId -> Status, ErrorMessage, and where present the phase objects PrecheckStatus /
 * StructureInitializationStatus / DataInitializationStatus {Status, Percent, Progress, ErrorMessage}
 * and RetryState {Retrying, ErrMessage}), printing a progress line when something changes, and then
 * runs the engine's verification from the machine running `pulumi up`.
 *
 * - A task waiting for a start (PreCheckPass, NotStarted) gets one StartDtsJob.
 * - PrecheckFailed / MigrationFailed / Failed / InitializeFailed: fails with DTS's error message.
 * - No Finished within timeoutMinutes: fails saying the task keeps running; `pulumi up` again waits on.
 * - Verification differences fail `pulumi up` with the tables and key ranges.
 * Outputs: the task id, its final status and the verification report; never a password.
 */
import type * as pulumi from "@pulumi/pulumi";
import { loadEngine, redactSecrets } from "./engine-loader";
import { engineOptions, migrationRunProvider, MigrationRunInputs, publicState } from "./migration-run-provider";
import { AlicloudConfig, callOpenApi, DTS_API, readAlicloudConfig, resolveCredentials } from "./openapi";
import { containsUnknown, UNKNOWN } from "./unknown";

export interface DtsWaitInputs extends MigrationRunInputs {
  dtsJobId: string;
  dtsInstanceId: string;
  /** The DTS instance's region (the RDS region): RegionId of every call. */
  region: string;
  /** DTS OpenAPI endpoint override (tests, private endpoints). */
  dtsEndpoint?: string | null;
  timeoutMinutes: number;
  /** Seconds between two DescribeDtsJobDetail calls (default 30). */
  pollSeconds?: number | null;
}

export interface TableVerificationSummary {
  source: string;
  target: string;
  status: string;
  sourceRows: number;
  targetRows: number;
  mismatches: string[];
}

export interface DtsWaitSummary {
  status: string;
  finishedAt: string;
  waitedSeconds: number;
  /** Every selected table compared equal (false when verification is off). */
  verified: boolean;
  verification: TableVerificationSummary[];
  rows: number;
}

export type DtsWaitOutputs = DtsWaitInputs & DtsWaitSummary;

export interface DtsPhase {
  name: string;
  status: string;
  percent: string;
  progress: string;
  errorMessage: string;
}

export interface DtsJobState {
  status: string;
  errorMessage: string;
  phases: DtsPhase[];
  retrying: string;
}

export const DTS_FINISHED = ["Finished"];
export const DTS_FAILED = ["PrecheckFailed", "MigrationFailed", "Failed", "InitializeFailed"];
export const DTS_NEEDS_START = ["PreCheckPass", "NotStarted"];

const PHASES: [string, string][] = [
  ["PrecheckStatus", "precheck"],
  ["StructureInitializationStatus", "schema"],
  ["DataInitializationStatus", "full data"],
];

const text = (v: unknown): string => (v === undefined || v === null ? "" : String(v));

/** The parts of a DescribeDtsJobDetail answer this resource reads (absent fields are empty). */
export function parseJobDetail(resp: Record<string, unknown>): DtsJobState {
  const obj = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : undefined);
  const phases: DtsPhase[] = [];
  for (const [key, name] of PHASES) {
    const p = obj(resp[key]);
    if (p) phases.push({ name, status: text(p.Status), percent: text(p.Percent), progress: text(p.Progress), errorMessage: text(p.ErrorMessage) });
  }
  const retry = obj(resp.RetryState);
  return {
    status: text(resp.Status),
    errorMessage: text(resp.ErrorMessage),
    phases,
    retrying: retry && retry.Retrying === true ? text(retry.ErrMessage) || "retrying" : "",
  };
}

/** One progress line, e.g. `Migrating; schema Finished 100%; full data Migrating 45% (120000)`. */
export function progressText(s: DtsJobState): string {
  const parts = [s.status || "unknown status"];
  for (const p of s.phases) {
    if (!p.status || p.status === "NotStarted") continue;
    parts.push(`${p.name} ${p.status}${p.percent ? ` ${p.percent}%` : ""}${p.progress && p.name === "full data" ? ` (${p.progress} rows)` : ""}`);
  }
  if (s.retrying) parts.push(`DTS is retrying: ${s.retrying}`);
  return parts.join("; ");
}

/** DTS's own words for a failed task: the task's message, else the failed phase's, else the retry's. */
export function failureDetail(s: DtsJobState): string {
  const phase = s.phases.find((p) => p.errorMessage);
  return s.errorMessage || (phase ? `${phase.name}: ${phase.errorMessage}` : "") || s.retrying || "DTS gave no error message (see the task in the DTS console)";
}

function minutes(seconds: number): string {
  return seconds < 120 ? `${Math.round(seconds)}s` : `${Math.round(seconds / 60)}m`;
}


/** The verification report as stored: at most 10 mismatch lines per table. */
export function verificationSummary(tables: ReadonlyArray<TableVerificationSummary>): TableVerificationSummary[] {
  return tables.map((t) => ({
    source: t.source,
    target: t.target,
    status: t.status,
    sourceRows: t.sourceRows,
    targetRows: t.targetRows,
    mismatches: t.mismatches.slice(0, 10),
  }));
}

function dtsState(s: DtsWaitInputs) {
  return {
    dtsJobId: s.dtsJobId,
    dtsInstanceId: s.dtsInstanceId,
    region: s.region,
    dtsEndpoint: s.dtsEndpoint ?? null,
    timeoutMinutes: s.timeoutMinutes,
    pollSeconds: s.pollSeconds ?? null,
  };
}

export interface DtsWaitProvider extends pulumi.dynamic.ResourceProvider<DtsWaitInputs, DtsWaitOutputs> {
  /** Set by configure() inside the host; undefined in the program (so nothing is serialized). */
  alicloud?: AlicloudConfig;
}

const runProvider = migrationRunProvider;

export const dtsWaitProvider: DtsWaitProvider = {
  async configure(req) {
    this.alicloud = readAlicloudConfig(req.config);
  },

  async check(olds, news) {
    // The verification options are MigrationRun's: the engine's schema checks them.
    const { failures = [] } = await runProvider.check!(olds, news);
    for (const key of ["dtsJobId", "dtsInstanceId", "region"] as const) {
      const v = news[key];
      if (v !== UNKNOWN && (typeof v !== "string" || v.length === 0)) failures.push({ property: key, reason: `${key} is required` });
    }
    for (const key of ["timeoutMinutes", "pollSeconds"] as const) {
      const v = news[key];
      if (key === "pollSeconds" && (v === null || v === undefined)) continue;
      if (!containsUnknown(v) && !(typeof v === "number" && v > 0)) failures.push({ property: key, reason: `${key} must be a positive number` });
    }
    const endpoint = news.dtsEndpoint;
    if (endpoint && endpoint !== UNKNOWN && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
      failures.push({ property: "dtsEndpoint", reason: `"${endpoint}" is not an http(s) URL` });
    }
    return { inputs: news, failures };
  },

  async diff(_id, olds, news) {
    // Another task (a replaced MigrationJob) must be waited for and verified again; nothing else
    // (passwords, timeout, tuning) changes what was migrated.
    const replaces = containsUnknown(news.dtsJobId) || olds.dtsJobId !== news.dtsJobId ? ["dtsJobId"] : [];
    return { changes: replaces.length > 0, replaces };
  },

  async create(inputs) {
    const creds = resolveCredentials(this.alicloud, process.env);
    const secrets = [inputs.sourcePassword, inputs.targetPassword];
    const job = inputs.dtsJobId;
    const call = (action: string, params: Record<string, string>) =>
      callOpenApi(DTS_API, inputs.dtsEndpoint ?? undefined, creds, action, { ...params, RegionId: inputs.region });
    const log = (line: string) => process.stderr.write(`polardb-to-rds: DTS task ${job}: ${line}\n`);
    const started = Date.now();
    const deadline = started + inputs.timeoutMinutes * 60_000;
    const pollMs = Math.max(10, (inputs.pollSeconds ?? 30) * 1000);
    let startRequested = false;
    let last = "";
    let quiet = 0;
    let state: DtsJobState;
    for (;;) {
      state = parseJobDetail(await call("DescribeDtsJobDetail", { DtsJobId: job, DtsInstanceID: inputs.dtsInstanceId }));
      const line = progressText(state);
      const elapsed = (Date.now() - started) / 1000;
      // A line when something changed, and a heartbeat every 20 polls so a long copy shows it is alive.
      if (line !== last || ++quiet >= 20) {
        log(`${line} (${minutes(elapsed)})`);
        last = line;
        quiet = 0;
      }
      if (DTS_FINISHED.includes(state.status)) break;
      if (DTS_FAILED.includes(state.status)) {
        throw new Error(
          redactSecrets(
            `DtsMigrationWait: DTS task ${job} ${state.status}: ${failureDetail(state)}\n` +
              `The DTS instance and task stay until pulumi destroy (a failed task is not billed). Fix the cause, then ` +
              `pulumi up --replace the MigrationJob to migrate again (drop the tables it created on the target first), or pulumi destroy.`,
            secrets,
          ),
        );
      }
      if (DTS_NEEDS_START.includes(state.status) && !startRequested) {
        startRequested = true;
        try {
          await call("StartDtsJob", { DtsJobId: job, DtsInstanceId: inputs.dtsInstanceId });
          log("StartDtsJob sent");
        } catch (e) {
          // The task may have started on its own meanwhile; the timeout catches one that never does.
          log(`StartDtsJob: ${redactSecrets(String((e as Error).message ?? e), secrets)}`);
        }
      }
      if (Date.now() + pollMs > deadline) {
        throw new Error(
          `DtsMigrationWait: DTS task ${job} did not finish within ${inputs.timeoutMinutes} minute(s); last status: ${line}. ` +
            `The task keeps running on DTS: follow it in the DTS console and run pulumi up again to keep waiting and verify ` +
            `(raise polardb-to-rds:dtsTimeoutMinutes for a large copy), or pulumi destroy to release it.`,
        );
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }

    let verification: TableVerificationSummary[] = [];
    if (inputs.verify !== false) {
      const engine = loadEngine();
      let result: { ok: boolean; tables: TableVerificationSummary[] };
      try {
        result = await engine.verify(engineOptions(inputs));
      } catch (e) {
        throw new Error(
          redactSecrets(`DtsMigrationWait: DTS task ${job} finished, but the verification could not run: ${String((e as Error).message ?? e)}\n` +
            `Run pulumi up again to verify once the cause is fixed.`, secrets),
        );
      }
      verification = verificationSummary(result.tables);
      const bad = verification.filter((t) => t.status !== "verified");
      if (!result.ok) {
        throw new Error(
          redactSecrets(
            `DtsMigrationWait: DTS task ${job} finished, but the verification found differences:\n` +
              bad.map((t) => `  - ${t.target}: source ${t.sourceRows} rows, target ${t.targetRows} rows; ${t.mismatches.slice(0, 3).join("; ")}`).join("\n") +
              `\nA full migration without incremental sync needs writes to the source stopped. Run pulumi up again to verify again, ` +
              `or pulumi up --replace the MigrationJob to migrate again.`,
            secrets,
          ),
        );
      }
    }
    const summary: DtsWaitSummary = {
      status: state.status,
      finishedAt: new Date().toISOString(),
      waitedSeconds: Math.round((Date.now() - started) / 1000),
      verified: inputs.verify !== false && verification.length > 0,
      verification,
      rows: verification.reduce((n, t) => n + t.targetRows, 0),
    };
    const id = `dtswait-${job}`;
    return { id, outs: { ...publicState(inputs), ...dtsState(inputs), ...summary } };
  },

  async read(id, props) {
    // A finished, verified task: its state is what create stored.
    return { id, props };
  },

  async update(_id, olds, news) {
    // Reached only when the task is the same: record the new inputs, never wait or verify again.
    const kept: DtsWaitSummary = {
      status: olds.status,
      finishedAt: olds.finishedAt,
      waitedSeconds: olds.waitedSeconds ?? 0,
      verified: olds.verified ?? false,
      verification: olds.verification ?? [],
      rows: olds.rows ?? 0,
    };
    return { outs: { ...publicState(news), ...dtsState(news), ...kept } };
  },

  async delete() {
    // Nothing here: the DTS task and instance are dts.MigrationJob / MigrationInstance, deleted by
    // @pulumi/alicloud; the migrated data stays on the target.
  },
};
