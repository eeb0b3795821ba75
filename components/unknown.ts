/**
 * Preview-time unknowns. During `pulumi preview` the engine sends an input whose value is not known
 * yet (a generated password, an account name from a resource not yet created) as this placeholder
 * string. Providers must treat it as "not known yet": never validate it, connect with it or use it
 * as a host name.
 *
 * Everything here is captured by value into serialized dynamic providers: keep it free of imports.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when the value, or anything nested in it, is the preview placeholder. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some((v) => containsUnknown(v));
  if (value !== null && typeof value === "object") {
    return Object.values(value as Record<string, unknown>).some((v) => containsUnknown(v));
  }
  return false;
}
