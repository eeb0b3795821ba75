/**
 * Every type class round-trips exactly: CHECKSUM TABLE and SHOW CREATE TABLE are equal on both
 * sides after a migration, also when the client's time zone differs from the servers'.
 */
import { migrate } from "../migrator";
import { checksums, rowCounts, showCreates, withAdmin } from "./support/compare";
import { freshDatabaseName, servers } from "./support/servers";

const TYPES_DDL = `
CREATE TABLE ints (
  id INT NOT NULL PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED, b1 BIT(1), b64 BIT(64), y YEAR
);
INSERT INTO ints VALUES
  (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, b'0', b'0', 1901),
  (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, b'1', b'1111111111111111111111111111111111111111111111111111111111111111', 2155),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 0, 1, 0, 1, 0, 1, 0, 1, 9007199254740993, 9007199254740993, b'0', b'1000000000000000000000000000000000000000000000000000000000000001', 0);

CREATE TABLE nums (
  id INT NOT NULL PRIMARY KEY,
  d DECIMAL(65,30), du DECIMAL(10,2) UNSIGNED, f FLOAT, db DOUBLE, f2 FLOAT(7,3)
);
INSERT INTO nums VALUES
  (1, '99999999999999999999999999999999999.999999999999999999999999999999', 0.01, 1.2345678, 3.141592653589793, 1234.567),
  (2, '-99999999999999999999999999999999999.999999999999999999999999999999', 99999999.99, -3.4028234e38, 1.7976931348623157e308, -1234.567),
  (3, '0.000000000000000000000000000001', 0, 1.175494e-38, 2.2250738585072014e-308, 0),
  (4, NULL, NULL, NULL, NULL, NULL),
  (5, 0, 0, 0.1, 0.1, 0.1),
  (6, 1, 1, 16777217, 0.30000000000000004, 9999.999),
  (7, 2, 2, -0.0, -0.0, 1);
INSERT INTO nums (id, f, db) SELECT 100 + seq, RAND(seq) * POW(10, CAST(seq % 30 AS SIGNED) - 15), RAND(seq + 7) * POW(10, CAST(seq % 300 AS SIGNED) - 150) FROM seq_1_to_200;

CREATE TABLE times (
  id INT NOT NULL PRIMARY KEY,
  d DATE, dt DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, t TIME(6), dt0 DATETIME, ts0 TIMESTAMP NULL DEFAULT NULL
);
INSERT INTO times VALUES
  (1, '1000-01-01', '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01.000000', '-838:59:59.000000', '9999-12-31 23:59:59', '2038-01-19 03:14:07'),
  (2, '9999-12-31', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '838:59:59.000000', '2024-03-31 02:30:00', '2024-03-31 01:30:00'),
  (3, '0000-00-00', '0000-00-00 00:00:00.000000', '0000-00-00 00:00:00.000000', '-00:00:00.000001', '0000-00-00 00:00:00', '0000-00-00 00:00:00'),
  (4, '2024-02-29', '2024-02-29 12:34:56.123456', '2024-10-27 01:30:00.654321', '-12:34:56.789012', '2024-00-00 00:00:00', NULL),
  (5, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE texts (
  id INT NOT NULL PRIMARY KEY,
  u VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  l VARCHAR(100) CHARACTER SET latin1,
  c CHAR(10) CHARACTER SET utf8mb4,
  t TEXT, mt MEDIUMTEXT,
  e ENUM('a','b','c d','é'), s SET('x','y','z'),
  j JSON
) DEFAULT CHARSET=utf8mb4;
INSERT INTO texts VALUES
  (1, 'emoji 😀🎉 and 中文', _latin1 0x4361666E20E9E8E0FFA3, 'abc', 'tab\\there\\nnewline\\\\backslash', REPEAT('x', 70000), 'é', 'x,z', '{"a": [1, 2.50, "😀"], "b": null, "c": "quote\\\\" tab\\\\t"}'),
  (2, '', _latin1 '', '', '', '', 'a', '', '[]'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, '\\\\N', 'N', '\\\\', '\\r\\n', CONCAT('line1', CHAR(10), 'line2', CHAR(9), CHAR(0)), 'c d', 'x,y,z', '"just a string"'),
  (5, 'trailing spaces   ', 'x  ', 'pad  ', 'ends with backslash \\\\', '', 'b', 'y', '{"n": 12345678901234567890}');

CREATE TABLE bins (
  id INT NOT NULL PRIMARY KEY,
  b BINARY(4), vb VARBINARY(64), bl BLOB, lb LONGBLOB
);
INSERT INTO bins VALUES
  (1, 0x00FF0A09, 0x5C004E0A0D09FF, 0x000102030405060708090A0B0C0D0E0F5C5C, NULL),
  (2, 0x00000000, '', '', ''),
  (3, NULL, NULL, NULL, NULL),
  (4, 0xFFFFFFFF, 0x5C4E, 0x5C, 0x0A);
INSERT INTO bins (id, lb) SELECT 10, REPEAT(UNHEX('00FF5C0A090D'), 700000);

CREATE TABLE geo (
  id INT NOT NULL PRIMARY KEY,
  g GEOMETRY NOT NULL, p POINT, ls LINESTRING, poly POLYGON,
  SPATIAL KEY sg (g)
) ENGINE=InnoDB;
INSERT INTO geo VALUES
  (1, ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(-1.5 1e10)'), ST_GeomFromText('LINESTRING(0 0,1 1,2 2)'), ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))')),
  (2, ST_GeomFromText('MULTIPOINT(1 1, 2 2)'), NULL, NULL, NULL),
  (3, ST_GeomFromText('POINT(0 0)', 4326), ST_GeomFromText('POINT(3 4)', 4326), NULL, NULL);

CREATE TABLE gen (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  a INT, b INT,
  v INT AS (a + b) VIRTUAL,
  st VARCHAR(30) AS (CONCAT('sum=', a + b)) STORED,
  KEY kv (v), KEY kst (st)
) AUTO_INCREMENT=1000;
INSERT INTO gen (id, a, b) VALUES (0, 1, 2), (5, NULL, 3), (7, 10, 20);

CREATE TABLE nopk (a INT, b VARCHAR(10), c DATETIME);
INSERT INTO nopk VALUES (1, 'dup', '2020-01-01 00:00:00'), (1, 'dup', '2020-01-01 00:00:00'), (1, 'dup', '2020-01-01 00:00:00'), (NULL, NULL, NULL), (NULL, NULL, NULL), (2, 'x', NULL);

CREATE TABLE misc (
  id BIGINT UNSIGNED NOT NULL,
  k2 VARCHAR(20) NOT NULL,
  body TEXT,
  title VARCHAR(200),
  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  amount DECIMAL(12,2) NOT NULL DEFAULT 0.00 COMMENT 'money, in yuan',
  status ENUM('new','paid') NOT NULL DEFAULT 'new',
  PRIMARY KEY (id, k2),
  UNIQUE KEY uk_title (title(50)),
  KEY k_amount_desc (amount DESC, created),
  FULLTEXT KEY ft_body (body),
  CONSTRAINT chk_amount CHECK (amount >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC COMMENT='composite key, fulltext, check';
INSERT INTO misc (id, k2, body, title, created, amount, status) VALUES
  (1, 'a', 'hello world', 'first', '2024-01-01 00:00:00', 1.50, 'paid'),
  (18446744073709551615, 'z', 'max key', 'last', '2024-01-02 00:00:00', 0, 'new');

CREATE TABLE parted (
  id INT NOT NULL, created DATE NOT NULL, v VARCHAR(10),
  PRIMARY KEY (id, created)
) PARTITION BY RANGE (YEAR(created)) (
  PARTITION p2023 VALUES LESS THAN (2024) COMMENT 'old',
  PARTITION p2024 VALUES LESS THAN (2025),
  PARTITION pmax VALUES LESS THAN MAXVALUE
);
CREATE TABLE keyorder (
  g INT NOT NULL, id INT NOT NULL AUTO_INCREMENT, a INT, b VARCHAR(20), c INT, t TEXT,
  PRIMARY KEY (g, id),
  KEY kb (b(5)), UNIQUE KEY uc (c), FULLTEXT KEY ft (t), KEY kab (a, b DESC), KEY kid (id), KEY kc_unused (c) COMMENT 'dup of uc'
) AUTO_INCREMENT=77;
INSERT INTO keyorder (g, id, a, b, c, t) VALUES (1, NULL, 1, 'x', 1, 'full text'), (1, NULL, 2, 'y', 2, 'more text'), (2, 5, NULL, NULL, NULL, NULL);

INSERT INTO parted VALUES (1, '2023-05-01', 'a'), (2, '2024-05-01', 'b'), (3, '2030-01-01', 'c');
`;

describe("type round trip", () => {
  const { source, target } = servers();
  const db = freshDatabaseName("types");
  const originalTz = process.env.TZ;

  beforeAll(async () => {
    await withAdmin(source, async (c) => {
      await c.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await c.query(`USE \`${db}\``);
      // Zero dates are stored under a permissive sql_mode; the servers' own zone is not UTC.
      await c.query("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO', SESSION time_zone = '+05:30'");
      await c.query(TYPES_DDL);
    });
  });

  afterAll(() => {
    process.env.TZ = originalTz;
  });

  it("migrates every type byte for byte, with identical definitions", async () => {
    process.env.TZ = "America/Los_Angeles"; // the client's zone must not matter
    const report = await migrate({ source: source.url, target: target.url, include: [db], threads: 3 });
    expect(report.ok).toBe(true);
    expect(report.verified).toBe(true);

    const [sc, tc] = await Promise.all([checksums(source, db), checksums(target, db)]);
    expect(Object.keys(sc).sort()).toEqual(["bins", "gen", "geo", "ints", "keyorder", "misc", "nopk", "nums", "parted", "texts", "times"]);
    expect(tc).toEqual(sc);
    expect(await rowCounts(target, db)).toEqual(await rowCounts(source, db));
    expect(await showCreates(target, db)).toEqual(await showCreates(source, db));

    const byTable = Object.fromEntries(report.tables.map((t) => [t.target, t]));
    expect(byTable[`${db}.nopk`].rows).toBe(6);
    expect(byTable[`${db}.bins`].bytes).toBeGreaterThan(4_000_000);
  });

  it("keeps definitions exact when secondary indexes are added after the data", async () => {
    const to = `${db}_deferred`;
    const report = await migrate({ source: source.url, target: target.url, include: [db], rename: [`${db}=${to}`], deferIndexes: true, threads: 2 });
    expect(report.verified).toBe(true);
    expect(report.phaseSeconds.indexes).toBeGreaterThanOrEqual(0);
    expect(await checksums(target, to)).toEqual(await checksums(source, db));
    // Same definitions, including the order of indexes and the AUTO_INCREMENT counter.
    expect(await showCreates(target, to)).toEqual(await showCreates(source, db));
  });
});
