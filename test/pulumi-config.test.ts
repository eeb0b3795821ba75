/**
 * The stack config as the Pulumi CLI hands it to the program: Pulumi.yaml declares every key the
 * schema knows (with a description and, for optional keys, a default that means "not set"), and
 * those defaults plus a stack's own values read back into a valid configuration.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { isCloudMode, MigrationConfigSchema } from "../components/config";
import { fromConfigText, readStackConfig } from "../components/stack-config";

const NS = "polardb-to-rds";

interface Declared {
  key: string;
  type: string;
  default?: string;
  description: boolean;
  secret: boolean;
}

/** The `config:` section of Pulumi.yaml (two-space keys, four-space attributes). */
function declaredConfig(): Declared[] {
  const text = readFileSync(join(__dirname, "..", "Pulumi.yaml"), "utf8");
  const section = text.slice(text.indexOf("\nconfig:\n"));
  const out: Declared[] = [];
  for (const block of section.split(/\n(?=  [A-Za-z]+:\s*\n)/).slice(1)) {
    const key = /^ {2}([A-Za-z]+):/.exec(block)![1];
    const attr = (name: string) => new RegExp(`^ {4}${name}: ?(.*)$`, "m").exec(block)?.[1];
    out.push({ key, type: attr("type") ?? "", default: attr("default"), description: !!attr("description"), secret: attr("secret") === "true" });
  }
  return out;
}

/** What the CLI passes for a declared default: scalars as text, arrays as JSON. */
function defaultText(d: Declared): string {
  const v = d.default!.trim();
  return v === '""' ? "" : v;
}

function setConfig(values: Record<string, string>, secretKeys: string[] = []): void {
  const all: Record<string, string> = {};
  for (const d of declaredConfig()) if (d.default !== undefined) all[`${NS}:${d.key}`] = defaultText(d);
  for (const [k, v] of Object.entries(values)) all[k.includes(":") ? k : `${NS}:${k}`] = v;
  pulumi.runtime.setAllConfig(all, secretKeys.map((k) => `${NS}:${k}`));
}

test("Pulumi.yaml declares exactly the schema's keys, each with a type and a description", () => {
  const declared = declaredConfig();
  expect(declared.map((d) => d.key).sort()).toEqual(Object.keys(MigrationConfigSchema.shape).sort());
  for (const d of declared) {
    expect([d.key, d.description, ["string", "integer", "boolean", "array"].includes(d.type)]).toEqual([d.key, true, true]);
  }
  const required = declared.filter((d) => d.default === undefined).map((d) => d.key).sort();
  expect(required).toEqual(["include", "sourceHost", "targetHost"]);
  expect(declared.filter((d) => d.secret).map((d) => d.key).sort()).toEqual(["sourcePassword", "targetPassword"]);
});

test("the declared defaults with a local stack's values give a local-mode configuration", () => {
  setConfig(
    {
      sourceHost: "10.1.1.1",
      sourceUser: "reader",
      sourcePassword: "s3cret",
      targetHost: "10.1.1.2",
      targetPort: "3307",
      targetUser: "writer",
      targetPassword: "s3cret2",
      include: JSON.stringify(["shop"]),
    },
    ["sourcePassword", "targetPassword"],
  );
  const c = readStackConfig();
  expect(isCloudMode(c)).toBe(false);
  expect(c).toMatchObject({ sourcePort: 3306, targetPort: 3307, onExisting: "fail", dtsCidrSource: "table", whitelistGroupName: "dtsmigration", exclude: [] });
  expect(c.threads).toBeUndefined();
  expect(c.dtsCidrs).toBeUndefined();
});

test("the declared defaults with a cloud stack's values give a cloud-mode configuration", () => {
  setConfig({
    "alicloud:region": "cn-shanghai",
    sourceClusterId: "pc-bp1abc",
    sourceHost: "pc-bp1abc.mysql.polardb.rds.aliyuncs.com",
    targetInstanceId: "rm-bp1abc",
    targetHost: "rm-bp1abc.mysql.rds.aliyuncs.com",
    include: JSON.stringify(["shop"]),
    runnerCidrs: JSON.stringify(["203.0.113.7/32"]),
    runnerInTargetVpc: "true",
    threads: "6",
  });
  const c = readStackConfig();
  expect(isCloudMode(c)).toBe(true);
  expect(c).toMatchObject({ targetRegion: "cn-shanghai", runnerInTargetVpc: true, threads: 6, runnerCidrs: ["203.0.113.7/32"] });
});

test("config text is converted by the type of its key", () => {
  expect(fromConfigText("include", "shop, crm.orders")).toEqual(["shop", "crm.orders"]);
  expect(fromConfigText("include", '["a,b"]')).toEqual(["a,b"]);
  expect(fromConfigText("sourcePort", "3307")).toBe(3307);
  expect(fromConfigText("sourcePort", "x")).toBe("x");
  expect(fromConfigText("whitelistHidden", "true")).toBe(true);
  expect(fromConfigText("targetCapacity", "500G")).toBe("500G");
  expect(fromConfigText("targetCapacity", "1024")).toBe(1024);
  expect(fromConfigText("sourceHost", "1234")).toBe("1234");
});

/** The uncommented `config:` entries of Pulumi.example.yaml (scalars, and lists as JSON, as the CLI passes them). */
function exampleConfig(): Record<string, string> {
  const scalars: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  let current: string | undefined;
  for (const line of readFileSync(join(__dirname, "..", "Pulumi.example.yaml"), "utf8").split("\n")) {
    const entry = /^ {2}([a-z-]+:[A-Za-z]+):\s*(.*?)\s*$/.exec(line);
    const item = /^ {4}- (.*?)\s*$/.exec(line);
    if (entry && entry[2] === "") lists[(current = entry[1])] = [];
    else if (entry) scalars[entry[1]] = entry[2].replace(/^"(.*)"$/, "$1");
    else if (item && current) lists[current].push(item[1]);
  }
  return { ...scalars, ...Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, JSON.stringify(v)])) };
}

test("Pulumi.example.yaml is a valid cloud-mode stack config", () => {
  const example = exampleConfig();
  expect(JSON.parse(example["polardb-to-rds:include"])).toEqual(["shop", "crm.customers", "crm.orders_2024*"]);
  setConfig(example);
  const c = readStackConfig();
  expect(isCloudMode(c)).toBe(true);
  expect(c).toMatchObject({ targetRegion: "cn-hangzhou", dtsCidrSource: "api", runnerCidrs: ["203.0.113.7/32"], rename: ["crm=crm_archive"] });
});
