import { adminConnection } from "./support/mariadb";
import { servers } from "./support/servers";

describe("test harness", () => {
  it("runs two distinct MariaDB servers with local_infile and the binary log on", async () => {
    const { source, target } = servers();
    expect(source.port).not.toBe(target.port);
    for (const s of [source, target]) {
      const c = await adminConnection(s);
      try {
        const [rows] = await c.query("SELECT @@local_infile AS li, @@log_bin AS lb, @@port AS port");
        expect(rows).toEqual([{ li: "1", lb: "1", port: String(s.port) }]);
      } finally {
        await c.end();
      }
    }
  });
});
