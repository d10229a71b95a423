// An auto-extending `using` for the sample drivers, as a team adds one on top of its lock:
// acquire, extend when a third of the ttl is left, abort the routine's signal when an extension
// fails, release after the routine. `extend: false` / `release: false` make the audit's edge drivers.
export function withUsing(driver, { extend = true, release = true } = {}) {
  return {
    ...driver,
    async using(resources, ttl, routine, options = {}) {
      const { extensionThresholdMs, ...retry } = options;
      const threshold = extensionThresholdMs ?? Math.round(ttl / 3);
      let lease = await driver.acquire(resources, ttl, retry);
      const controller = new AbortController();
      let timer;
      let extending;
      let finished = false;
      const schedule = () => {
        timer = setTimeout(
          () => {
            extending = driver.extend(lease, ttl).then(
              (next) => {
                lease = next;
                if (!finished) schedule();
              },
              (error) => controller.abort(error),
            );
          },
          Math.max(0, lease.expiration - threshold - Date.now()),
        );
      };
      if (extend) schedule();
      try {
        return await routine({ signal: controller.signal });
      } finally {
        finished = true;
        clearTimeout(timer);
        await extending;
        if (release) await driver.release(lease).catch(() => undefined);
      }
    },
  };
}
