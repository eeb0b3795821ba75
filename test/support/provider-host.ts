/**
 * Drives the SDK's own Node dynamic-provider host (@pulumi/pulumi/cmd/dynamic-provider) over gRPC
 * the way the Pulumi engine does during `pulumi up`, without the Pulumi CLI:
 *
 *   const host = await ProviderHost.start();            // spawns the host in the project directory
 *   const provider = await serializeProvider(myProvider); // the __provider text, as the SDK makes it
 *   await host.configure({ "alicloud:accessKey": "..." });
 *   const { inputs, failures } = await host.check(urn, {}, { __provider: provider, ...props });
 *   const { id, outs } = await host.create(urn, inputs);
 *   ... diff / update / read / delete ...
 *   host.close();
 *
 * Property maps are plain JS objects; `__provider` must be in every one (as the engine sends it).
 * The preview placeholder for unknown values is exported as UNKNOWN.
 */
import { ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/* The generated gRPC/protobuf modules of the SDK ship without typings: describe what we use. */
type Callback<T> = (err: grpc.ServiceError | null, resp: T) => void;
type Unary<Req, Resp> = (req: Req, cb: Callback<Resp>) => void;
interface StructHolder {
  getProperties(): Struct | undefined;
}
interface ProviderClient {
  getPluginInfo: Unary<Empty, { getVersion(): string }>;
  configure: Unary<unknown, { getAcceptsecrets(): boolean; getSupportspreview(): boolean }>;
  check: Unary<unknown, { getInputs(): Struct | undefined; getFailuresList(): { getProperty(): string; getReason(): string }[] }>;
  diff: Unary<unknown, { getChanges(): number; getReplacesList(): string[]; getDeletebeforereplace(): boolean }>;
  create: Unary<unknown, StructHolder & { getId(): string }>;
  read: Unary<unknown, StructHolder & { getId(): string; getInputs(): Struct | undefined }>;
  update: Unary<unknown, StructHolder>;
  delete: Unary<unknown, Empty>;
  close(): void;
}
type Setter = Record<string, (v: unknown) => void>;
/* eslint-disable @typescript-eslint/no-require-imports */
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb") as {
  ResourceProviderClient: new (address: string, creds: grpc.ChannelCredentials) => ProviderClient;
};
const provproto = require("@pulumi/pulumi/proto/provider_pb") as Record<string, new () => Setter>;

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export type Props = Record<string, unknown>;
export type DiffChanges = "unknown" | "none" | "some";

/** The serialized provider module text, exactly what a dynamic resource puts into `__provider`. */
export async function serializeProvider(provider: object): Promise<string> {
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false });
  if (sf.exportName !== "handler") throw new Error(`unexpected export ${sf.exportName}`);
  return sf.text;
}

export function urnOf(type: string, name: string, project = "polardb-to-rds", stack = "test"): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** A gRPC error from the host, with the partial-create id when the host sent one. */
export class HostError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
    readonly hasInitFailure: boolean,
  ) {
    super(`${method}: ${details}`);
    this.name = "HostError";
  }
}

function toStruct(props: Props): Struct {
  return Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]);
}

function fromStruct(s: Struct | undefined): Props {
  return (s?.toJavaScript() ?? {}) as Props;
}

export class ProviderHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: ProviderClient,
    readonly port: number,
    readonly stderr: string[],
  ) {}

  /**
   * Starts the host in `cwd` (default: the project root, where serialized providers resolve their
   * require() calls and the engine is found). `env` is added to this process's environment.
   */
  static async start(opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<ProviderHost> {
    const cwd = opts.cwd ?? resolve(__dirname, "..", "..");
    const child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/dynamic-provider"), "127.0.0.1:1"], {
      cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stderr: string[] = [];
    child.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
    const port = await new Promise<number>((res, rej) => {
      child.once("exit", (code) => rej(new Error(`dynamic-provider host exited with ${code}: ${stderr.join("")}`)));
      child.stdout!.once("data", (d: Buffer) => res(Number(d.toString().trim())));
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new ProviderHost(child, client, port, stderr);
  }

  private call<Resp>(method: keyof ProviderClient, req: unknown): Promise<Resp> {
    const fn = this.client[method] as Unary<unknown, Resp>;
    return new Promise((res, rej) =>
      fn.call(this.client, req, (err, resp) => {
        if (!err) return res(resp);
        const bin = err.metadata?.get("grpc-status-details-bin") ?? [];
        rej(new HostError(method, err.code, err.details, bin.length > 0));
      }),
    );
  }

  private request(kind: string, fields: Record<string, unknown>): Setter {
    const req = new provproto[kind]();
    for (const [k, v] of Object.entries(fields)) req[`set${k}`](v);
    return req;
  }

  async pluginVersion(): Promise<string> {
    return (await this.call<{ getVersion(): string }>("getPluginInfo", new Empty())).getVersion();
  }

  /** Config keys as the engine sends them, e.g. {"alicloud:accessKey": "..."}. */
  async configure(config: Record<string, string>): Promise<{ acceptSecrets: boolean; supportsPreview: boolean }> {
    const resp = await this.call<{ getAcceptsecrets(): boolean; getSupportspreview(): boolean }>(
      "configure",
      this.request("ConfigureRequest", { Args: toStruct(config) }),
    );
    return { acceptSecrets: resp.getAcceptsecrets(), supportsPreview: resp.getSupportspreview() };
  }

  async check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const resp = await this.call<{ getInputs(): Struct | undefined; getFailuresList(): { getProperty(): string; getReason(): string }[] }>(
      "check",
      this.request("CheckRequest", { Urn: urn, Olds: toStruct(olds), News: toStruct(news) }),
    );
    return {
      inputs: fromStruct(resp.getInputs()),
      failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** `olds` are the old OUTPUTS, as the engine sends them. */
  async diff(urn: string, id: string, olds: Props, news: Props): Promise<{ changes: DiffChanges; replaces: string[]; deleteBeforeReplace: boolean }> {
    const resp = await this.call<{ getChanges(): number; getReplacesList(): string[]; getDeletebeforereplace(): boolean }>(
      "diff",
      this.request("DiffRequest", { Urn: urn, Id: id, Olds: toStruct(olds), News: toStruct(news) }),
    );
    const changes: DiffChanges[] = ["unknown", "none", "some"];
    return { changes: changes[resp.getChanges()], replaces: resp.getReplacesList(), deleteBeforeReplace: resp.getDeletebeforereplace() };
  }

  async create(urn: string, props: Props): Promise<{ id: string; outs: Props }> {
    const resp = await this.call<StructHolder & { getId(): string }>("create", this.request("CreateRequest", { Urn: urn, Properties: toStruct(props) }));
    return { id: resp.getId(), outs: fromStruct(resp.getProperties()) };
  }

  async read(urn: string, id: string, props: Props): Promise<{ id: string; props: Props; inputs: Props | undefined }> {
    const resp = await this.call<StructHolder & { getId(): string; getInputs(): Struct | undefined }>(
      "read",
      this.request("ReadRequest", { Urn: urn, Id: id, Properties: toStruct(props) }),
    );
    const inputs = resp.getInputs();
    return { id: resp.getId(), props: fromStruct(resp.getProperties()), inputs: inputs ? fromStruct(inputs) : undefined };
  }

  async update(urn: string, id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
    const resp = await this.call<StructHolder>("update", this.request("UpdateRequest", { Urn: urn, Id: id, Olds: toStruct(olds), News: toStruct(news) }));
    return { outs: fromStruct(resp.getProperties()) };
  }

  async delete(urn: string, id: string, props: Props): Promise<void> {
    await this.call<Empty>("delete", this.request("DeleteRequest", { Urn: urn, Id: id, Properties: toStruct(props) }));
  }

  /** Everything the host wrote to stderr so far (its own error logging, the provider's console output). */
  stderrText(): string {
    return this.stderr.join("");
  }

  close(): void {
    this.client.close();
    this.child.kill();
  }
}
