import { checkWarningText, expectResult, strictChecks } from "../src/notebook/lesson";

function withEnv(env: Record<string, string | undefined>, body: () => void): void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    body();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("expectResult: strict under the runner and CI, friendly when exploring", () => {
  test("strict mode is on under the runner (NN4ASTRO_STRICT=1) and in CI, off otherwise", () => {
    withEnv({ NN4ASTRO_STRICT: "1", CI: undefined }, () => expect(strictChecks()).toBe(true));
    withEnv({ NN4ASTRO_STRICT: undefined, CI: "true" }, () => expect(strictChecks()).toBe(true));
    withEnv({ NN4ASTRO_STRICT: undefined, CI: undefined }, () => expect(strictChecks()).toBe(false));
    withEnv({ NN4ASTRO_STRICT: "0", CI: "true" }, () => expect(strictChecks()).toBe(false));
  });

  test("a failed check throws with the claim and the measured value in strict mode", () => {
    withEnv({ NN4ASTRO_STRICT: "1" }, () => {
      expect(() => expectResult(false, "accuracy above 0.9", 0.71234)).toThrow(
        "Lesson check failed: accuracy above 0.9 (measured: 0.7123)",
      );
    });
  });

  test("interactively a failed check warns (expected, measured, what to try) and does not throw", () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      withEnv({ NN4ASTRO_STRICT: "0" }, () => {
        expect(() => expectResult(false, "accuracy above 0.9", 0.7, "train for more epochs")).not.toThrow();
      });
      const text = String(warn.mock.calls[0][0]);
      expect(text).toContain("expected: accuracy above 0.9");
      expect(text).toContain("measured: 0.7");
      expect(text).toContain("train for more epochs");
    } finally {
      warn.mockRestore();
    }
  });

  test("a passing check prints a tick in either mode", () => {
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      withEnv({ NN4ASTRO_STRICT: "1" }, () => expectResult(true, "loss falls", 0.1));
      expect(String(log.mock.calls[0][0])).toBe("✓ loss falls (measured: 0.1)");
    } finally {
      log.mockRestore();
    }
    expect(checkWarningText("x", "")).not.toContain("measured");
  });
});
