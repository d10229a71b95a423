import { lstatSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { stateDirPath } from "../../fixtures/core/config.ts";
import { checkStateDir, unsafeStateDirReason } from "../../fixtures/core/state-dir.ts";

const privateDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe("the state directory rule (pure)", () => {
  const stats = (over: Partial<{ dir: boolean; link: boolean; uid: number; mode: number }>) => ({
    isDirectory: () => over.dir ?? true,
    isSymbolicLink: () => over.link ?? false,
    uid: over.uid ?? 1000,
    mode: over.mode ?? 0o40700,
  });

  test("the rule: a real directory of ours that nobody else can write", () => {
    expect(unsafeStateDirReason(stats({}), 1000)).toBeNull();
    expect(unsafeStateDirReason(stats({ mode: 0o40755 }), 1000)).toBeNull();
    expect(unsafeStateDirReason(stats({ link: true }), 1000)).toMatch(/symbolic link/);
    expect(unsafeStateDirReason(stats({ dir: false }), 1000)).toMatch(/not a directory/);
    expect(unsafeStateDirReason(stats({ uid: 0 }), 1000)).toMatch(/owned by uid 0, not by you \(uid 1000\)/);
    expect(unsafeStateDirReason(stats({ mode: 0o40777 }), 1000)).toMatch(/writable by everyone \(mode 0777\)/);
    expect(unsafeStateDirReason(stats({ mode: 0o41777 }), 1000)).toMatch(/writable by everyone/);
    expect(unsafeStateDirReason(stats({ mode: 0o40770 }), 1000)).toMatch(/writable by its group \(mode 0770\)/);
  });

  test("default: per user, under XDG_RUNTIME_DIR when set, else TMPDIR/redlock-conformance-<uid>", () => {
    const uid = typeof process.getuid === "function" ? process.getuid() : 0;
    expect(stateDirPath({})).toBe(join(tmpdir(), `redlock-conformance-${uid}`));
    expect(stateDirPath({ XDG_RUNTIME_DIR: "/run/user/1000" })).toBe("/run/user/1000/redlock-conformance");
    expect(stateDirPath({ RC_STATE_DIR: "/somewhere", XDG_RUNTIME_DIR: "/run/user/1000" })).toBe("/somewhere");
  });

  test("a missing directory is created with mode 0700", () => {
    const parent = privateDir("rc-state-");
    try {
      const dir = join(parent, "new", "state");
      checkStateDir(dir);
      expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
