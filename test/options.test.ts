/** The shared options schema: every bad value is named by its field, with the fix. No server needed. */
import { InputError, parseOptions, staticDatabaseMapping } from "../migrator";

const ok = { source: "mysql://u:p@h:3306", target: "mysql://u@t", include: ["shop"] };

function messageOf(raw: unknown): string {
  try {
    parseOptions(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("options", () => {
  it("parses URLs with percent-encoded users and passwords, IPv6 hosts and TLS settings", () => {
    const o = parseOptions({
      ...ok,
      source: "mysql://us%40er:p%3Aw%2Fd%20x@[::1]:3307?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ca.pem",
      target: { host: "rm-1", user: "t" },
      rename: ["shop=shop2", "shop.orders=orders_v2", "`a.b`.c=`x.y`.d"],
      targetCapacity: "1.5G",
    });
    expect(o.source).toEqual({ host: "::1", port: 3307, user: "us@er", password: "p:w/d x", ssl: "verify-identity", sslCa: "/etc/ca.pem" });
    expect(o.target).toEqual({ host: "rm-1", port: 3306, user: "t", ssl: "preferred" });
    expect(o.rename).toEqual([
      { text: "shop=shop2", db: "shop", toDb: "shop2" },
      { text: "shop.orders=orders_v2", db: "shop", table: "orders", toDb: "shop", toTable: "orders_v2" },
      { text: "`a.b`.c=`x.y`.d", db: "a.b", table: "c", toDb: "x.y", toTable: "d" },
    ]);
    expect(o.targetCapacity).toBe(1.5 * 1024 ** 3);
    expect(o.onExisting).toBe("fail");
    expect(o.threads).toBeGreaterThanOrEqual(2);
  });

  it("parses patterns with backtick-quoted names", () => {
    const o = parseOptions({ ...ok, include: ["`my.db`.`or``ders`", "db?.*", "`x`"] });
    expect(o.include.map(({ db, table }) => ({ db, table }))).toEqual([
      { db: "my.db", table: "or`ders" },
      { db: "db?", table: "*" },
      { db: "x", table: undefined },
    ]);
  });

  it.each([
    [{ ...ok, source: "mysql://u:secret@h:99999" }, "source: port 99999 is out of range 1-65535"],
    [{ ...ok, source: "mysql://u:secret@h/shop" }, "source: the URL must not name a database"],
    [{ ...ok, source: "mysql://u:secret@h?sslmode=maybe" }, 'source: ssl-mode "maybe" is not one of disabled, preferred, required, verify-ca, verify-identity'],
    [{ ...ok, source: "mysql://u:secret@h?timeout=3" }, 'source: unknown URL parameter "timeout"'],
    [{ ...ok, target: "mysql://h:3306" }, "target: the URL has no user"],
    [{ ...ok, include: [] }, "include: nothing is selected"],
    [{ ...ok, include: ["information_schema"] }, 'include[0]: "information_schema" is a system schema'],
    [{ ...ok, include: ["shop", "__recycle_bin__"] }, 'include[1]: "__recycle_bin__" is a system schema'],
    [{ ...ok, include: ["`unterminated"] }, "include[0]: unterminated backtick"],
    [{ ...ok, exclude: ["a..b"] }, 'exclude[0]: empty name in "a..b"'],
    [{ ...ok, rename: ["a*=b"] }, 'rename[0]: "a*=b": renames take exact names, not patterns'],
    [{ ...ok, onExisting: "merge" }, "onExisting: "],
    [{ ...ok, threads: 0 }, "threads: "],
    [{ ...ok, targetCapacity: "big" }, 'targetCapacity: "big" is not a size'],
    [{ ...ok, sorce: "x" }, "sorce: unknown field; check its spelling"],
    [{ ...ok, target: { host: "h", user: "u", passwd: "x" } }, "target.passwd: unknown field"],
  ])("rejects %j", (raw, expected) => {
    const msg = messageOf(raw);
    expect(msg).toContain(expected);
    expect(msg).not.toContain("secret");
  });

  it("maps databases statically for the Pulumi program, through renames", () => {
    expect(
      staticDatabaseMapping({ include: ["shop", "crm.users", "logs"], exclude: ["logs"], rename: ["shop=shop_new", "crm.users=people.users"] }),
    ).toEqual([
      { sourceDb: "shop", targetDb: "shop_new" },
      { sourceDb: "crm", targetDb: "crm" },
      { sourceDb: "crm", targetDb: "people" },
    ]);
    expect(() => staticDatabaseMapping({ include: ["shop*"] })).toThrow(/include\[0\]: "shop\*" uses a pattern for the database name/);
  });
});
