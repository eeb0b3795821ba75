/**
 * The program under pulumi.runtime.setMocks, recorded: every resource with its type token, inputs,
 * parent, explicit dependencies, retainOnDelete and additionalSecretOutputs. Invokes answer with a
 * small fixed cluster (databases shop/utf8mb4 and crm/latin1) and a 100 GiB RDS instance.
 *
 *   const g = new MockGraph();
 *   g.setup({ sourceClusterId: "pc-...", ... }, ["sourcePassword"]);
 *   const program = await g.build();
 *   g.byName("migration-dts-job").inputs ...
 */
import * as pulumi from "@pulumi/pulumi";
import { buildProgram } from "../../components/program";

export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const GENERATED = "Gen3rated-Passw0rd!x";
export const NS = "polardb-to-rds";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  parent?: string;
  dependsOn: string[];
  retainOnDelete?: boolean;
  additionalSecretOutputs?: string[];
}

/** Extra state a resource's mock returns (its outputs), by type token. */
export type MockStates = Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>;

export function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

export function isSecret(v: unknown): v is { value: unknown } {
  return !!v && typeof v === "object" && (v as Record<string, unknown>)[SECRET_SIG] !== undefined;
}

/** Every plain (non-secret) string in a value, with its path. */
export function plainStrings(v: unknown, path = ""): [string, string][] {
  if (isSecret(v)) return [];
  if (typeof v === "string") return [[path, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => plainStrings(x, `${path}[${i}]`));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => plainStrings(x, path ? `${path}.${k}` : k));
  return [];
}

export class MockGraph {
  registered: Registered[] = [];
  private names = new WeakMap<pulumi.Resource, string>();

  setup(config: Record<string, string>, secretKeys: string[] = [], preview = false, states: MockStates = {}): void {
    this.registered = [];
    this.names = new WeakMap();
    pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          const state: Record<string, unknown> = { ...args.inputs, ...(states[args.type]?.(args.inputs) ?? {}) };
          if (args.type === "random:index/randomPassword:RandomPassword") state.result = GENERATED;
          const r = this.registered.find((x) => x.name === args.name && x.type === args.type);
          if (r) r.inputs = args.inputs;
          else this.registered.push({ type: args.type, name: args.name, inputs: args.inputs, dependsOn: [] });
          return { id: `${args.name}-id`, state };
        },
        call(args) {
          switch (args.token) {
            case "alicloud:polardb/getDatabases:getDatabases":
              return {
                dbClusterId: args.inputs.dbClusterId,
                databases: [
                  { dbName: "shop", characterSetName: "utf8mb4" },
                  { dbName: "crm", characterSetName: "latin1" },
                ],
              };
            case "alicloud:rds/getInstances:getInstances":
              return { instances: [{ id: "rm-bp1target", instanceStorage: 100 }] };
            case "alicloud:polardb/getClusters:getClusters":
              return { clusters: [{ id: "pc-bp1source", storageUsed: 5 * 1024 ** 3 }] };
            default:
              throw new Error(`unexpected invoke ${args.token}`);
          }
        },
      },
      NS,
      "test",
      preview,
    );
    const full: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) full[k.includes(":") ? k : `${NS}:${k}`] = v;
    pulumi.runtime.setAllConfig(full, secretKeys.map((k) => `${NS}:${k}`));
  }

  /** Records parents, explicit dependencies and options of every resource the program declares. */
  readonly recorder: pulumi.ResourceTransformation = (args) => {
    this.names.set(args.resource, args.name);
    const deps = args.opts.dependsOn;
    const list = (Array.isArray(deps) ? deps : deps ? [deps] : []) as pulumi.Resource[];
    this.registered.push({
      type: args.type,
      name: args.name,
      inputs: {},
      parent: args.opts.parent ? this.names.get(args.opts.parent) : undefined,
      dependsOn: list.map((d) => this.names.get(d) ?? "?"),
      retainOnDelete: args.opts.retainOnDelete,
      additionalSecretOutputs: (args.opts as pulumi.CustomResourceOptions).additionalSecretOutputs,
    });
    return undefined;
  };

  /** Builds the program from the stack config set up above and waits for its report. */
  async build() {
    const program = buildProgram({ transformations: [this.recorder] });
    await value(program.outputs.report);
    await new Promise((r) => setTimeout(r, 50));
    return program;
  }

  byName(name: string): Registered {
    const r = this.registered.find((x) => x.name === name);
    if (!r) throw new Error(`no resource ${name}; have ${this.registered.map((x) => x.name).join(", ")}`);
    return r;
  }

  has(name: string): boolean {
    return this.registered.some((x) => x.name === name);
  }
}
