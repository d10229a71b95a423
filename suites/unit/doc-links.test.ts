import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

/**
 * README is the front door and docs/ holds the rest, so a moved section or a renamed heading must
 * not leave a link pointing nowhere. Only relative links are checked: no network in unit tests.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DOCS = join(ROOT, "docs");
const README = join(ROOT, "README.md");
const PAGES = [
  README,
  ...readdirSync(DOCS)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => join(DOCS, f)),
  join(ROOT, "suites/PROPERTIES.md"),
];

/** Text outside fenced code blocks and inline code spans: what looks like a link in code is not one. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/(`+)[\s\S]*?\1/g, "");
}

/** Every `[text](target)` and `![alt](target)`, the target without an optional "title". */
function links(markdown: string): string[] {
  const found: string[] = [];
  for (const m of prose(markdown).matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g))
    found.push(m[1]!);
  return found;
}

/**
 * GitHub's anchor for a heading: lower-case, keep letters, digits, spaces, hyphens and underscores,
 * spaces become hyphens. Markdown emphasis and code marks go with the punctuation; a link in a
 * heading keeps only its text.
 */
function githubSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchors(markdown: string): Set<string> {
  const slugs = new Set<string>();
  const counts = new Map<string, number>();
  const outsideFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
  for (const m of outsideFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const slug = githubSlug(m[1]!);
    // GitHub numbers repeated headings: the second "Usage" is #usage-1.
    const n = counts.get(slug) ?? 0;
    counts.set(slug, n + 1);
    slugs.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return slugs;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");

describe("the documentation's relative links resolve", () => {
  test("the slug rule is GitHub's", () => {
    expect(githubSlug("Comparing two drivers: upgrades and migrations")).toBe(
      "comparing-two-drivers-upgrades-and-migrations",
    );
    expect(githubSlug("In your own vitest run: `conformanceSuite`")).toBe("in-your-own-vitest-run-conformancesuite");
    expect(githubSlug("The fault proxy's overhead (`npm run bench:proxy`)")).toBe(
      "the-fault-proxys-overhead-npm-run-benchproxy",
    );
    expect(githubSlug("Settings (environment)")).toBe("settings-environment");
  });

  test.each(PAGES.map((p) => [relative(ROOT, p), p]))(
    "%s: every relative link names an existing file and heading",
    (_name, page) => {
      const text = readFileSync(page, "utf8");
      const broken: string[] = [];
      for (const target of links(text)) {
        if (isExternal(target)) continue;
        const hash = target.indexOf("#");
        const path = decodeURI(hash < 0 ? target : target.slice(0, hash));
        const anchor = hash < 0 ? "" : decodeURIComponent(target.slice(hash + 1));
        const file = path === "" ? page : resolve(dirname(page), path);
        if (!existsSync(file)) {
          broken.push(`${target}: no file ${relative(ROOT, file)}`);
          continue;
        }
        if (anchor && !anchors(readFileSync(file, "utf8")).has(anchor)) {
          broken.push(`${target}: ${relative(ROOT, file)} has no heading whose anchor is #${anchor}`);
        }
      }
      expect(broken, `broken links in ${relative(ROOT, page)}`).toEqual([]);
    },
  );
});

describe("README is the front door", () => {
  test("it links to every page in docs/", () => {
    const linked = new Set(
      links(readFileSync(README, "utf8"))
        .filter((t) => !isExternal(t))
        .map((t) => resolve(ROOT, decodeURI(t.split("#")[0]!))),
    );
    const unlinked = PAGES.filter((p) => dirname(p) === DOCS && !linked.has(p)).map((p) => relative(ROOT, p));
    expect(unlinked, "docs pages README does not link to").toEqual([]);
  });

  test("it stays at most 250 lines", () => {
    const lines = readFileSync(README, "utf8").split("\n").length - 1;
    expect(lines, "README.md is the front door; move detail into docs/").toBeLessThanOrEqual(250);
  });
});
