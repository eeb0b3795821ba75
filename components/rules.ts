/**
 * Naming and password rules of POLARDB for MySQL and RDS for MySQL, checked before anything is
 * declared so that a bad stack config fails `pulumi preview` with a message naming its key.
 * Captured by value into serialized dynamic providers: keep it free of imports.
 */

/**
 * Whitelist group names: 2-120 characters, lowercase letters and digits, a letter first. (PolarDB's
 * doc: "由小写字母和数字组成"; RDS would also take `_`, we use the stricter common rule.)
 */
export const WHITELIST_GROUP_NAME = /^[a-z][a-z0-9]{1,119}$/;
/** The console's own group: owning it would overwrite the entries others put there. */
export const RESERVED_GROUP_NAMES = ["default"];

export function whitelistGroupNameProblem(name: string): string | undefined {
  if (!WHITELIST_GROUP_NAME.test(name)) {
    return `"${name}" is not a valid whitelist group name: use 2-120 lowercase letters and digits, starting with a letter (e.g. dtsmigration)`;
  }
  if (RESERVED_GROUP_NAMES.includes(name)) {
    return `"${name}" is a group this program must not own (it holds other entries); choose another name such as dtsmigration`;
  }
  return undefined;
}

/** IPv4 address or CIDR block, or an IPv6 one, as both services accept them in a whitelist. */
export function isWhitelistEntry(entry: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(entry);
  if (v4) {
    const octetsOk = v4.slice(1, 5).every((o) => Number(o) <= 255);
    return octetsOk && (v4[5] === undefined || Number(v4[5]) <= 32);
  }
  const v6 = /^([0-9a-fA-F:]+)(?:\/(\d{1,3}))?$/.exec(entry);
  return !!v6 && v6[1].includes(":") && (v6[2] === undefined || Number(v6[2]) <= 128);
}

/** A whitelist holds at most this many entries (all groups together, POLARDB and RDS alike). */
export const WHITELIST_LIMIT = 1000;

/** Entries in first-seen order without duplicates. */
export function mergeEntries(...lists: ReadonlyArray<ReadonlyArray<string>>): string[] {
  const out: string[] = [];
  for (const list of lists) for (const e of list) if (!out.includes(e)) out.push(e);
  return out;
}

/** Problems of a whitelist entry list, for check() and for the stack config. */
export function whitelistEntriesProblems(entries: ReadonlyArray<string>): string[] {
  const problems = entries
    .filter((e) => !isWhitelistEntry(e))
    .map((e) => `"${e}" is not an IP address or CIDR block (e.g. 203.0.113.7 or 203.0.113.0/24)`);
  if (entries.length > WHITELIST_LIMIT) {
    problems.push(`${entries.length} entries exceed the whitelist limit of ${WHITELIST_LIMIT}`);
  }
  return problems;
}

/** POLARDB account names: 2-16 characters, lowercase letters, digits and `_`, a lowercase letter first. */
export const POLARDB_ACCOUNT_NAME = /^[a-z][a-z0-9_]{0,14}[a-z0-9]$/;
/** RDS for MySQL account names: 2-32 characters, lowercase letters, digits and `_`, a letter first. */
export const RDS_ACCOUNT_NAME = /^[a-z][a-z0-9_]{0,30}[a-z0-9]$/;
/** Names both services reserve. */
export const RESERVED_ACCOUNT_NAMES = [
  "root", "admin", "administrator", "aliyun_root", "aurora", "eagleye", "master", "mysql", "replicator",
  "sa", "sysadmin", "system", "test", "mysql.sys", "mysql.session", "mysql.infoschema",
];

export function accountNameProblem(name: string, service: "POLARDB" | "RDS"): string | undefined {
  const re = service === "POLARDB" ? POLARDB_ACCOUNT_NAME : RDS_ACCOUNT_NAME;
  const max = service === "POLARDB" ? 16 : 32;
  if (!re.test(name)) {
    return `"${name}" is not a valid ${service} account name: 2-${max} lowercase letters, digits and _, starting with a letter and not ending with _`;
  }
  if (RESERVED_ACCOUNT_NAMES.includes(name)) return `"${name}" is reserved by ${service}; choose another account name`;
  return undefined;
}

/**
 * RDS database names (CreateDatabase): 2-64 characters, lowercase letters, digits, `_` and `-`,
 * a letter first and a letter or digit last.
 */
export const RDS_DATABASE_NAME = /^[a-z][a-z0-9_-]{0,62}[a-z0-9]$/;

/** Special characters both POLARDB and RDS accept in a password. */
export const PASSWORD_SPECIALS = "!@#$%^&*()_+-=";

/**
 * Password rules shared by POLARDB and RDS: 8-32 characters, at least three of uppercase,
 * lowercase, digits and the specials above, nothing else. The message never contains the password.
 */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 8 || password.length > 32) return `must be 8-32 characters long (it has ${password.length})`;
  const allowed = new RegExp(`^[A-Za-z0-9${PASSWORD_SPECIALS.replace(/[\\\]^-]/g, "\\$&")}]+$`);
  if (!allowed.test(password)) return `may only contain letters, digits and ${PASSWORD_SPECIALS}`;
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) return "must contain at least three of: uppercase letters, lowercase letters, digits, special characters";
  return undefined;
}

/** `@pulumi/random` RandomPassword arguments that always satisfy passwordProblem(). */
export const RANDOM_PASSWORD_ARGS = {
  length: 24,
  special: true,
  overrideSpecial: PASSWORD_SPECIALS,
  minUpper: 2,
  minLower: 2,
  minNumeric: 2,
  minSpecial: 2,
} as const;
