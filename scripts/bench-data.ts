/**
 * The bench's dataset (database `bench`): deterministic, generated on the server from MariaDB's
 * sequence engine (`seq_1_to_N`) with INSERT ... SELECT, every value derived from the sequence
 * number (no RAND(), no NOW()), so two runs at the same scale hold the same bytes and the same
 * CHECKSUM TABLE values.
 *
 * At scale 1: about 1.04 million rows and 250 MB of InnoDB data + indexes, across
 *   customers    lookup table, parent of a foreign key (orders.customer_id), unique key
 *   orders       orders-like, 3 secondary indexes, ENUM, DECIMAL, DATETIME/TIMESTAMP, NULLs
 *   order_items  composite primary key (order_id, line_no), FK to orders
 *   documents    wide rows: TEXT (multi-byte, tabs, newlines, backslashes) and BLOB (every byte value)
 *   events       BIGINT UNSIGNED key above 2^63 and a JSON column
 *   audit_log    no primary key (duplicate rows), one secondary index
 */
import type { Connection } from "mysql2/promise";

export const BENCH_DB = "bench";

/** Rows per table at scale 1. */
export const BASE_ROWS = {
  customers: 50_000,
  orders: 500_000,
  order_items: 240_000,
  documents: 20_000,
  events: 120_000,
  audit_log: 100_000,
} as const;

export type BenchTable = keyof typeof BASE_ROWS;

export function rowsAt(scale: number): Record<BenchTable, number> {
  const out = {} as Record<BenchTable, number>;
  for (const [t, n] of Object.entries(BASE_ROWS)) out[t as BenchTable] = Math.max(10, Math.round(n * scale));
  return out;
}

const DDL = `
CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  email VARCHAR(191) NOT NULL,
  name VARCHAR(100) NOT NULL,
  country CHAR(2) NOT NULL DEFAULT 'CN',
  tier TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_email (email)
) ENGINE=InnoDB;

CREATE TABLE orders (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('new','paid','shipped','delivered','cancelled') NOT NULL DEFAULT 'new',
  currency CHAR(3) NOT NULL,
  total DECIMAL(14,2) NOT NULL,
  discount DOUBLE NULL,
  placed_at DATETIME NOT NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  shipped_on DATE NULL,
  note VARCHAR(255) NULL,
  PRIMARY KEY (id),
  KEY k_customer (customer_id, placed_at),
  KEY k_status (status, placed_at),
  KEY k_updated (updated_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB;

CREATE TABLE order_items (
  order_id BIGINT UNSIGNED NOT NULL,
  line_no SMALLINT UNSIGNED NOT NULL,
  sku VARCHAR(32) NOT NULL,
  qty INT NOT NULL,
  unit_price DECIMAL(12,2) NOT NULL,
  PRIMARY KEY (order_id, line_no),
  KEY k_sku (sku),
  CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE documents (
  id INT UNSIGNED NOT NULL,
  title VARCHAR(200) NOT NULL,
  mime VARCHAR(64) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  attachment MEDIUMBLOB NULL,
  checksum BINARY(32) NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (id),
  KEY k_created (created_at)
) ENGINE=InnoDB;

CREATE TABLE events (
  id BIGINT UNSIGNED NOT NULL,
  kind VARCHAR(32) NOT NULL,
  payload JSON NOT NULL,
  at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  KEY k_kind_at (kind, at)
) ENGINE=InnoDB;

CREATE TABLE audit_log (
  at DATETIME NOT NULL,
  actor VARCHAR(64) NULL,
  action VARCHAR(32) NOT NULL,
  detail VARCHAR(255) NULL,
  KEY k_at (at)
) ENGINE=InnoDB;
`;

/** INSERT ... SELECT statements for rows [from, to] of each table (1-based, inclusive). */
function inserts(rows: Record<BenchTable, number>): Record<BenchTable, (from: number, to: number) => string> {
  const customers = rows.customers;
  const orders = rows.orders;
  return {
    customers: (a, b) => `
      INSERT INTO customers (id, email, name, country, tier, created_at)
      SELECT seq, CONCAT('user', seq, '@example.com'),
             CONCAT(ELT(1 + seq % 6, 'Zhang ', 'Müller ', 'O''Brien ', 'Søren ', '李 ', 'Nguyễn '), seq),
             ELT(1 + seq % 5, 'CN', 'DE', 'SG', 'US', 'JP'), seq % 4,
             TIMESTAMP'2020-01-01 00:00:00' + INTERVAL seq * 17 SECOND + INTERVAL (seq * 7919) % 1000000 MICROSECOND
        FROM seq_${a}_to_${b}`,
    orders: (a, b) => `
      INSERT INTO orders (id, customer_id, status, currency, total, discount, placed_at, updated_at, shipped_on, note)
      SELECT seq, 1 + (seq * 7919) % ${customers},
             ELT(1 + seq % 5, 'new', 'paid', 'shipped', 'delivered', 'cancelled'),
             ELT(1 + seq % 3, 'CNY', 'USD', 'EUR'),
             ROUND(((seq * 104729) % 10000000) / 100, 2),
             IF(seq % 4 = 0, NULL, (seq % 50) / 4),
             TIMESTAMP'2023-01-01 00:00:00' + INTERVAL seq * 31 SECOND,
             TIMESTAMP'2023-01-01 00:00:00' + INTERVAL seq * 31 + (seq % 86400) SECOND + INTERVAL (seq % 1000) * 1000 MICROSECOND,
             IF(seq % 5 IN (2, 3), DATE'2023-01-02' + INTERVAL (seq * 31) DIV 86400 DAY, NULL),
             CASE seq % 10
               WHEN 0 THEN CONCAT('gift wrap\\tplease\\nthanks #', seq)
               WHEN 1 THEN CONCAT('leave at door — 门口 🚪 ', seq)
               WHEN 2 THEN CONCAT('back\\\\slash ', SHA2(seq, 224))
               ELSE NULL END
        FROM seq_${a}_to_${b}`,
    order_items: (a, b) => `
      INSERT INTO order_items (order_id, line_no, sku, qty, unit_price)
      SELECT 1 + ((seq - 1) DIV 3) % ${orders}, 1 + (seq - 1) % 3 + 3 * ((seq - 1) DIV (3 * ${orders})),
             CONCAT('SKU-', LPAD((seq * 31) % 20000, 6, '0')), 1 + seq % 9,
             ROUND(((seq * 613) % 100000) / 100, 2)
        FROM seq_${a}_to_${b}`,
    documents: (a, b) => `
      INSERT INTO documents (id, title, mime, body, attachment, checksum, created_at)
      SELECT seq, CONCAT('Document ', seq, ' — ', ELT(1 + seq % 4, 'quarterly report', 'Vertrag über Lieferung', '合同 草案', 'naïve café notes')),
             ELT(1 + seq % 3, 'text/plain', 'application/pdf', 'image/png'),
             REPEAT(CONCAT(SHA2(seq, 256), '\\t', MD5(seq), ' lorem ipsum dolor sit amet, 東京 🍵 naïve \\\\ end\\n'), 1 + (seq * 37) % 40),
             IF(seq % 7 = 0, NULL, UNHEX(REPEAT(SHA2(CONCAT('blob', seq), 512), 1 + (seq * 13) % 36))),
             UNHEX(SHA2(CONCAT('doc', seq), 256)),
             TIMESTAMP'2021-06-01 00:00:00' + INTERVAL seq * 601 SECOND
        FROM seq_${a}_to_${b}`,
    events: (a, b) => `
      INSERT INTO events (id, kind, payload, at)
      SELECT 18446744073709551615 - (${rows.events} - seq) * 1000003,
             ELT(1 + seq % 4, 'click', 'view', 'purchase', 'signup'),
             JSON_OBJECT('seq', seq, 'user', CONCAT('u', (seq * 7) % 50000), 'amount', ROUND((seq % 10000) / 100, 2),
                         'tags', JSON_ARRAY(ELT(1 + seq % 3, 'a', 'b', 'c'), 'ü"quote', seq % 2 = 0),
                         'ua', CONCAT('Mozilla/5.0 (X11; Linux x86_64) build/', MD5(seq)), 'note', IF(seq % 9 = 0, NULL, 'ok\\ttab')),
             TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq * 3 SECOND + INTERVAL (seq * 7) % 1000000 MICROSECOND
        FROM seq_${a}_to_${b}`,
    audit_log: (a, b) => `
      INSERT INTO audit_log (at, actor, action, detail)
      SELECT TIMESTAMP'2024-06-01 00:00:00' + INTERVAL (seq DIV 2) SECOND,
             IF(seq % 11 = 0, NULL, CONCAT('user', (seq DIV 2) % 5000)),
             ELT(1 + (seq DIV 2) % 4, 'login', 'logout', 'update', 'delete'),
             IF(seq % 3 = 0, NULL, CONCAT('same row twice ', seq DIV 2, ' ', MD5(seq DIV 2)))
        FROM seq_${a}_to_${b}`,
  };
}

/** Insert order: parents before children (the generator keeps foreign key checks on). */
const ORDER: BenchTable[] = ["customers", "orders", "order_items", "documents", "events", "audit_log"];
/** Rows per INSERT ... SELECT statement, to keep transactions and undo moderate. */
const STEP = 100_000;

/**
 * Creates database `bench` on `conn`'s server and fills it at `scale`. The session's binary
 * logging is switched off (it is the source, the binlog plays no part there).
 */
export async function generateBenchData(
  conn: Connection,
  scale: number,
  log: (msg: string) => void = () => undefined,
): Promise<Record<BenchTable, number>> {
  const rows = rowsAt(scale);
  const sql = inserts(rows);
  await conn.query("SET SESSION sql_log_bin = 0, SESSION time_zone = '+00:00'");
  await conn.query(`CREATE DATABASE \`${BENCH_DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.query(`USE \`${BENCH_DB}\``);
  await conn.query(DDL);
  for (const t of ORDER) {
    const began = Date.now();
    for (let a = 1; a <= rows[t]; a += STEP) {
      const b = Math.min(rows[t], a + STEP - 1);
      await conn.query(sql[t](a, b));
    }
    log(`  ${t.padEnd(12)} ${String(rows[t]).padStart(9)} rows  ${((Date.now() - began) / 1000).toFixed(1)} s`);
  }
  await conn.query(`ANALYZE TABLE ${ORDER.map((t) => `\`${BENCH_DB}\`.\`${t}\``).join(", ")}`);
  return rows;
}
