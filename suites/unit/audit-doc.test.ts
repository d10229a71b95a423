import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { PROPERTIES } from "../../fixtures/properties/catalog.ts";
import { AUDIT, renderAudit, VARIANTS } from "../sample-drivers/audit.ts";

const ids = PROPERTIES.map((p) => p.id);

describe("the vacuity audit's table (suites/sample-drivers/audit.ts) is sound and is what AUDIT.md shows", () => {
  test("every driver names known properties, each at most once, and says something for every property it runs", () => {
    for (const d of AUDIT) {
      const listed = d.rows.flatMap((r) => (r.ids === "rest" ? [] : r.ids));
      expect(
        listed.filter((id) => !ids.includes(id)),
        d.module,
      ).toEqual([]);
      expect(listed.length, `${d.module}: an id listed twice`).toBe(new Set(listed).size);
      const runs = d.runs === "all" ? ids : d.runs.only;
      const covered = d.rows.some((r) => r.ids === "rest") ? runs : runs.filter((id) => listed.includes(id));
      expect(covered, `${d.module}: properties it runs without an expected status`).toEqual(runs);
      expect(
        d.rows.every((r) => r.why.length > 20),
        `${d.module}: every status says why`,
      ).toBe(true);
    }
    for (const v of VARIANTS) expect(ids).toContain(v.caughtBy);
  });

  test("AUDIT.md holds the rendered table", () => {
    const doc = readFileSync(new URL("../sample-drivers/AUDIT.md", import.meta.url), "utf8");
    expect(
      doc.includes(renderAudit()),
      `suites/sample-drivers/AUDIT.md is out of date; its tables must read:\n\n${renderAudit()}`,
    ).toBe(true);
  });
});
