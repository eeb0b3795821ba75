/**
 * Signed calls to the Alibaba Cloud OpenAPI (RPC style) for the dynamic providers, through
 * Alibaba's own signer `@alicloud/pop-core` (HMAC-SHA1 signature v1, optional STS token).
 *
 * These functions run inside the dynamic-provider host, captured by value into the serialized
 * provider: they `require()` what they need at call time and capture no credentials. Credentials
 * come from the `alicloud:*` config the engine sends to the provider's `configure`, or else from the
 * environment the Pulumi CLI passes on (the names the alicloud provider itself reads).
 */
import type PopCore from "@alicloud/pop-core";

export interface OpenApiProduct {
  name: string;
  apiVersion: string;
  defaultEndpoint: string;
}

export const POLARDB_API: OpenApiProduct = { name: "PolarDB", apiVersion: "2017-08-01", defaultEndpoint: "https://polardb.aliyuncs.com" };
export const RDS_API: OpenApiProduct = { name: "RDS", apiVersion: "2014-08-15", defaultEndpoint: "https://rds.aliyuncs.com" };
export const DTS_API: OpenApiProduct = { name: "DTS", apiVersion: "2020-01-01", defaultEndpoint: "https://dts.aliyuncs.com" };

export interface OpenApiCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** The `alicloud:*` values a provider's configure() saw (never serialized: set in the host only). */
export interface AlicloudConfig {
  accessKey?: string;
  secretKey?: string;
  securityToken?: string;
}

export function readAlicloudConfig(config: { get(key: string): string | undefined }): AlicloudConfig {
  return {
    accessKey: config.get("alicloud:accessKey") || undefined,
    secretKey: config.get("alicloud:secretKey") || undefined,
    securityToken: config.get("alicloud:securityToken") || undefined,
  };
}

/** alicloud:* config first, then the environment variables the alicloud provider reads. */
export function resolveCredentials(config: AlicloudConfig | undefined, env: Record<string, string | undefined>): OpenApiCredentials {
  const first = (names: string[]) => names.map((n) => env[n]).find((v) => !!v);
  const accessKeyId = config?.accessKey ?? first(["ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABACLOUD_ACCESS_KEY_ID"]);
  const accessKeySecret = config?.secretKey ?? first(["ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABACLOUD_ACCESS_KEY_SECRET"]);
  const securityToken = config?.securityToken ?? first(["ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABACLOUD_SECURITY_TOKEN"]);
  if (!accessKeyId || !accessKeySecret) {
    throw new Error(
      "no Alibaba Cloud credentials for the whitelist OpenAPI calls: set ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY " +
        "(and ALICLOUD_SECURITY_TOKEN for STS) in the environment of `pulumi up`, or alicloud:accessKey / alicloud:secretKey " +
        "in the stack config (pulumi config set --secret alicloud:secretKey ...)",
    );
  }
  return { accessKeyId, accessKeySecret, securityToken };
}

/** Error codes worth a retry: throttling, and instances busy applying a previous change. */
const RETRYABLE = /Throttling|ServiceUnavailable|InternalError|OperationDenied\.(DBClusterStatus|DBInstanceStatus)|IncorrectDBInstanceState|IncorrectDBClusterState|TaskConflict/;

export type OpenApiParams = Record<string, string | number | boolean | undefined>;

/**
 * One signed POST request (POST keeps the signature, key id and token out of any URL in an error).
 * Errors carry the product, action, the service's code and message and the request id, never a credential.
 */
export async function callOpenApi(
  product: OpenApiProduct,
  endpoint: string | undefined,
  credentials: OpenApiCredentials,
  action: string,
  params: OpenApiParams,
  retryDelaysMs: number[] = [1000, 3000, 10000, 20000],
): Promise<Record<string, unknown>> {
  const RPCClient = require("@alicloud/pop-core") as typeof PopCore;
  const url = endpoint || product.defaultEndpoint;
  const client = new RPCClient({ endpoint: url, apiVersion: product.apiVersion, ...credentials });
  const clean: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) clean[k] = v;
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.request<Record<string, unknown>>(action, clean, { method: "POST", formatParams: false, timeout: 30000 });
    } catch (e) {
      const err = e as { code?: string; data?: { Message?: string; RequestId?: string }; message?: string };
      const code = err.code ?? "";
      if (code && RETRYABLE.test(code) && attempt < retryDelaysMs.length) {
        await new Promise((r) => setTimeout(r, retryDelaysMs[attempt]));
        continue;
      }
      const detail = err.data
        ? `${code}: ${err.data.Message ?? "no message"}${err.data.RequestId ? ` (RequestId ${err.data.RequestId})` : ""}`
        : `cannot call ${url}: ${String(err.message ?? e).replace(/, URL: \S+/, "")}`;
      throw new Error(`${product.name} ${action} failed: ${detail}`);
    }
  }
}
