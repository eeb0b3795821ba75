/**
 * A local HTTP stand-in for the Alibaba Cloud OpenAPI (RPC style), for testing the whitelist
 * resources without a cloud account. It
 *   - verifies every request's signature itself (HMAC-SHA1 signature v1 over the sorted,
 *     RFC 3986-encoded parameters, key = AccessKeySecret + "&"), independently of the client's signer,
 *     and rejects unsigned or wrongly signed requests as the real service does;
 *   - records each request (action, parameters, whether it was signed and valid);
 *   - keeps whitelist groups per POLARDB cluster and RDS instance (ModifyDBClusterAccessWhitelist /
 *     DescribeDBClusterAccessWhitelist, ModifySecurityIps / DescribeDBInstanceIPArrayList) with
 *     Cover / Append / Delete semantics, and answers DTS WhiteIpList from a given list;
 *   - walks scripted DTS tasks through their states: each DescribeDtsJobDetail answers the next step
 *     of the task's script (the last one repeats), a step can wait for StartDtsJob.
 * Only 127.0.0.1 is bound.
 */
import { createHmac } from "node:crypto";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  action: string;
  params: Record<string, string>;
  signed: boolean;
  signatureValid: boolean;
}

export interface StandinGroup {
  entries: string[];
  attribute: string;
}

/** One answer of DescribeDtsJobDetail for a scripted DTS task. */
export interface StandinDtsStep {
  /** Body fields: Status, ErrorMessage, DataInitializationStatus {Status, Percent, Progress}, ... */
  detail: Record<string, unknown>;
  /** Repeat this step until StartDtsJob is called for the task. */
  untilStarted?: boolean;
}

interface StandinDtsJob {
  steps: StandinDtsStep[];
  next: number;
  starts: number;
}

export interface StandinOptions {
  /** AccessKeyId -> AccessKeySecret the stand-in accepts. */
  credentials: Record<string, string>;
  /** DTS WhiteIpList answers: key `${Region}>${DestinationRegion}>${Type}`, or "*" for any. */
  dtsIpLists?: Record<string, string[]>;
}

/** RFC 3986 encoding as the signature algorithm wants it. */
function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

export function expectedSignature(method: string, params: Record<string, string>, secret: string): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== "Signature")
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k])}`)
    .join("&");
  const stringToSign = `${method}&${percentEncode("/")}&${percentEncode(canonical)}`;
  return createHmac("sha1", `${secret}&`).update(stringToSign).digest("base64");
}

export class OpenApiStandin {
  readonly requests: RecordedRequest[] = [];
  /** clusterId -> group name -> group. Seeded with a `default` group that must never change. */
  readonly polardb = new Map<string, Map<string, StandinGroup>>();
  readonly rds = new Map<string, Map<string, StandinGroup>>();
  /** DTS task id -> its script. */
  private readonly dtsJobs = new Map<string, StandinDtsJob>();
  private failures: { action: string; code: string; message: string }[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: StandinOptions,
  ) {}

  static async start(options: StandinOptions): Promise<OpenApiStandin> {
    let standin: OpenApiStandin | undefined;
    const server = createServer((req, res) => void standin!.handle(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    standin = new OpenApiStandin(server, `http://127.0.0.1:${port}`, options);
    return standin;
  }

  /** Groups of a cluster (POLARDB) or instance (RDS), created with a `default` group on first use. */
  groups(kind: "polardb" | "rds", id: string): Map<string, StandinGroup> {
    const all = kind === "polardb" ? this.polardb : this.rds;
    let g = all.get(id);
    if (!g) {
      g = new Map([["default", { entries: ["127.0.0.1"], attribute: "" }]]);
      all.set(id, g);
    }
    return g;
  }

  /** Scripts a DTS task: DescribeDtsJobDetail walks through `steps`, then repeats the last one. */
  scriptDtsJob(jobId: string, steps: StandinDtsStep[]): void {
    this.dtsJobs.set(jobId, { steps, next: 0, starts: 0 });
  }

  /** How many times StartDtsJob was called for a task. */
  dtsStarts(jobId: string): number {
    return this.dtsJobs.get(jobId)?.starts ?? 0;
  }

  /** The next call of `action` fails with this error code (e.g. to test error reporting). */
  failNext(action: string, code: string, message: string): void {
    this.failures.push({ action, code, message });
  }

  calls(action: string): RecordedRequest[] {
    return this.requests.filter((r) => r.action === action);
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const method = (req.method ?? "GET").toUpperCase();
    const query = new URL(req.url ?? "/", "http://x").searchParams;
    const form = new URLSearchParams(method === "POST" ? Buffer.concat(chunks).toString("utf8") : "");
    const params: Record<string, string> = {};
    for (const [k, v] of query) params[k] = v;
    for (const [k, v] of form) params[k] = v;
    const secret = this.options.credentials[params.AccessKeyId ?? ""];
    const signed = typeof params.Signature === "string" && params.Signature.length > 0;
    const signatureValid = signed && !!secret && params.SignatureMethod === "HMAC-SHA1" && expectedSignature(method, params, secret) === params.Signature;
    const record: RecordedRequest = { method, action: params.Action ?? "", params, signed, signatureValid };
    this.requests.push(record);
    const send = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ RequestId: `standin-${this.requests.length}`, ...body }));
    };
    if (!signed) return send(400, { Code: "MissingSignature", Message: "The input parameter Signature is missing." });
    if (!secret) return send(404, { Code: "InvalidAccessKeyId.NotFound", Message: "Specified access key is not found." });
    if (!signatureValid) return send(400, { Code: "SignatureDoesNotMatch", Message: "Specified signature is not matched with our calculation." });
    const failure = this.failures.findIndex((f) => f.action === record.action);
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1);
      return send(400, { Code: f.code, Message: f.message });
    }
    switch (record.action) {
      case "ModifyDBClusterAccessWhitelist":
        return send(200, this.modify("polardb", params.DBClusterId, params.DBClusterIPArrayName, params, params.DBClusterIPArrayAttribute));
      case "DescribeDBClusterAccessWhitelist":
        return send(200, { Items: { DBClusterIPArray: this.list("polardb", params.DBClusterId, "DBClusterIPArrayName", "DBClusterIPArrayAttribute", "SecurityIps") } });
      case "ModifySecurityIps":
        return send(200, this.modify("rds", params.DBInstanceId, params.DBInstanceIPArrayName, params, params.DBInstanceIPArrayAttribute));
      case "DescribeDBInstanceIPArrayList":
        return send(200, { Items: { DBInstanceIPArray: this.list("rds", params.DBInstanceId, "DBInstanceIPArrayName", "DBInstanceIPArrayAttribute", "SecurityIPList") } });
      case "WhiteIpList": {
        const lists = this.options.dtsIpLists ?? {};
        const list = lists[`${params.Region}>${params.DestinationRegion}>${params.Type}`] ?? lists["*"];
        if (!list) return send(400, { Code: "InvalidParameter", Message: "no list for this region" });
        return send(200, { IpList: list.join(","), Success: true });
      }
      case "DescribeDtsJobDetail": {
        const job = this.dtsJobs.get(params.DtsJobId ?? "");
        if (!job) return send(400, { Code: "InvalidJobId", Message: `The DtsJobId ${params.DtsJobId} does not exist.` });
        const step = job.steps[Math.min(job.next, job.steps.length - 1)];
        if (!(step.untilStarted && job.starts === 0)) job.next++;
        return send(200, { Success: true, DtsJobId: params.DtsJobId, DtsInstanceID: params.DtsInstanceID, ...step.detail });
      }
      case "StartDtsJob": {
        const job = this.dtsJobs.get(params.DtsJobId ?? "");
        if (!job) return send(400, { Code: "InvalidJobId", Message: `The DtsJobId ${params.DtsJobId} does not exist.` });
        job.starts++;
        return send(200, { Success: true });
      }
      default:
        return send(404, { Code: "InvalidAction.NotFound", Message: `Specified api is not found: ${record.action}` });
    }
  }

  private modify(kind: "polardb" | "rds", id: string, name: string, params: Record<string, string>, attribute?: string): Record<string, unknown> {
    const groups = this.groups(kind, id);
    const ips = (params.SecurityIps ?? "").split(",").filter((s) => s.length > 0);
    const mode = params.ModifyMode || "Cover";
    const current = groups.get(name);
    if (mode === "Cover") groups.set(name, { entries: ips, attribute: attribute ?? current?.attribute ?? "" });
    else if (mode === "Append") groups.set(name, { entries: [...new Set([...(current?.entries ?? []), ...ips])], attribute: current?.attribute ?? "" });
    else if (mode === "Delete" && current) {
      const rest = current.entries.filter((e) => !ips.includes(e));
      if (rest.length === 0 && name !== "default") groups.delete(name);
      else groups.set(name, { ...current, entries: rest });
    }
    return {};
  }

  private list(kind: "polardb" | "rds", id: string, nameKey: string, attrKey: string, entriesKey: string): Record<string, string>[] {
    return [...this.groups(kind, id)].map(([name, g]) => ({ [nameKey]: name, [attrKey]: g.attribute, [entriesKey]: g.entries.join(",") }));
  }
}
