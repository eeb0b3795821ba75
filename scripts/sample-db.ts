/** A small but realistic sample database (`shop`) for the demo: FKs whose child sorts first, JSON, BLOB, a table without a primary key. */
import type { Connection } from "mysql2/promise";

export async function seedShop(c: Connection, db = "shop", scale = 1): Promise<void> {
  const n = (x: number) => Math.max(1, Math.round(x * scale));
  await c.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await c.query(`USE \`${db}\``);
  await c.query(`
    CREATE TABLE customers (
      id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      email VARCHAR(191) NOT NULL,
      name VARCHAR(100) NOT NULL,
      country CHAR(2) NOT NULL DEFAULT 'CN',
      created_at DATETIME(6) NOT NULL,
      UNIQUE KEY uk_email (email)
    ) COMMENT='people who buy things';
    CREATE TABLE products (
      id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      sku VARCHAR(32) NOT NULL UNIQUE,
      title VARCHAR(200) NOT NULL,
      price DECIMAL(12,2) NOT NULL,
      attributes JSON,
      thumbnail BLOB,
      FULLTEXT KEY ft_title (title)
    );
    CREATE TABLE orders (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      customer_id INT UNSIGNED NOT NULL,
      status ENUM('new','paid','shipped','cancelled') NOT NULL DEFAULT 'new',
      total DECIMAL(14,2) NOT NULL,
      placed_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
      note TEXT,
      KEY k_customer (customer_id, placed_at),
      CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
    );
    -- sorts before its parents
    CREATE TABLE line_items (
      order_id BIGINT UNSIGNED NOT NULL,
      line_no SMALLINT UNSIGNED NOT NULL,
      product_id INT UNSIGNED NOT NULL,
      qty INT NOT NULL,
      unit_price DECIMAL(12,2) NOT NULL,
      PRIMARY KEY (order_id, line_no),
      CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
      CONSTRAINT fk_items_product FOREIGN KEY (product_id) REFERENCES products (id)
    );
    CREATE TABLE audit_log (
      at DATETIME NOT NULL,
      actor VARCHAR(64),
      action VARCHAR(32),
      detail VARCHAR(255)
    );
  `);
  await c.query(
    `INSERT INTO customers (id, email, name, country, created_at)
       SELECT seq, CONCAT('user', seq, '@example.com'), CONCAT(ELT(1 + seq % 4, 'Zhang ', 'Müller ', 'O''Brien ', 'Søren '), seq),
              ELT(1 + seq % 3, 'CN', 'DE', 'SG'), '2024-01-01' + INTERVAL seq MINUTE + INTERVAL (seq % 1000) MICROSECOND
         FROM seq_1_to_${n(2000)}`,
  );
  await c.query(
    `INSERT INTO products (id, sku, title, price, attributes, thumbnail)
       SELECT seq, CONCAT('SKU-', LPAD(seq, 6, '0')), CONCAT('Product ', seq, ' — ', ELT(1 + seq % 3, 'teapot 🍵', 'lamp', 'book')),
              ROUND(1 + (seq * 37 % 10000) / 100, 2), JSON_OBJECT('color', ELT(1 + seq % 3, 'red', 'green', 'blue'), 'weight_g', seq % 900),
              UNHEX(SHA2(seq, 256))
         FROM seq_1_to_${n(500)}`,
  );
  await c.query(
    `INSERT INTO orders (id, customer_id, status, total, placed_at, note)
       SELECT seq, 1 + seq % ${n(2000)}, ELT(1 + seq % 4, 'new', 'paid', 'shipped', 'cancelled'), ROUND((seq * 7919 % 100000) / 100, 2),
              '2024-06-01' + INTERVAL seq SECOND, IF(seq % 5 = 0, CONCAT('gift wrap\tplease\\nthanks #', seq), NULL)
         FROM seq_1_to_${n(10000)}`,
  );
  await c.query(
    `INSERT INTO line_items (order_id, line_no, product_id, qty, unit_price)
       SELECT o.seq, l.seq, 1 + (o.seq * l.seq) % ${n(500)}, 1 + l.seq, 9.99
         FROM seq_1_to_${n(10000)} o JOIN seq_1_to_3 l`,
  );
  await c.query(
    `INSERT INTO audit_log SELECT '2024-06-01' + INTERVAL (seq DIV 2) SECOND, 'system', 'login', 'same row twice' FROM seq_1_to_${n(1000)}`,
  );
  // Schema objects: a function, views (one on the other), a procedure, a trigger writing to the log.
  await c.query(`CREATE FUNCTION money(amount DECIMAL(14,2)) RETURNS VARCHAR(32) DETERMINISTIC RETURN CONCAT('¥', FORMAT(amount, 2))`);
  await c.query(`CREATE VIEW order_totals AS SELECT customer_id, COUNT(*) AS orders, SUM(total) AS spent FROM orders GROUP BY customer_id`);
  await c.query(`CREATE VIEW top_customers AS SELECT c.name, money(t.spent) AS spent FROM order_totals t JOIN customers c ON c.id = t.customer_id WHERE t.spent > 2000`);
  await c.query(`CREATE PROCEDURE cancel_order(IN oid BIGINT UNSIGNED)
    BEGIN
      UPDATE orders SET status = 'cancelled' WHERE id = oid; -- keeps its line items
    END`);
  await c.query(`CREATE TRIGGER customers_audit AFTER INSERT ON customers FOR EACH ROW
    INSERT INTO audit_log VALUES (NOW(), CURRENT_USER(), 'signup', NEW.email)`);
}
