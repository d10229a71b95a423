// REDIS_NODE_CONTROL for Redis containers you run yourself on a Docker engine (this machine's, or
// another one through DOCKER_HOST / a docker context): the harness calls these instead of its own
// node operations. Each node is found by the host port its container publishes, or by name:
// RC_DOCKER_CONTAINERS=name0,name1,… in node order.
//   REDIS_NODES=redis://:pw@127.0.0.1:7000,… REDIS_NODE_CONTROL=examples/node-control/docker.mjs npm run conformance
// Restart without data assumes the containers run without persistence (redis-server --save ""
// --appendonly no); restart keeping data saves with SAVE, restarts, and removes the dump again.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const docker = async (...args) => (await run("docker", args, { timeout: 60_000 })).stdout.trim();

const named = (process.env.RC_DOCKER_CONTAINERS ?? "")
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);

const byPort = new Map();

// Matched on the container's configured port bindings (HostConfig), which a stopped container
// keeps — `docker ps --filter publish=` only sees running ones.
async function container(node) {
  if (named.length > 0) {
    const name = named[node.index];
    if (!name) throw new Error(`RC_DOCKER_CONTAINERS names no container for ${node.name} (index ${node.index})`);
    return name;
  }
  if (byPort.has(node.port)) return byPort.get(node.port);
  const all = (await docker("ps", "-aq")).split(/\s+/).filter(Boolean);
  const found = [];
  for (const id of all) {
    // Other containers come and go on a busy engine: one removed since `ps` listed it is not ours.
    const inspected = await docker(
      "inspect",
      "--format",
      "{{.State.Running}} {{json .HostConfig.PortBindings}}",
      id,
    ).catch((error) => {
      if (/No such (object|container)/i.test(String(error?.message ?? error))) return undefined;
      throw error;
    });
    if (inspected === undefined) continue;
    const [running, json] = inspected.split(/ (.*)/s);
    const bindings = JSON.parse(json || "null") ?? {};
    if (
      Object.values(bindings)
        .flat()
        .some((b) => Number(b?.HostPort) === node.port)
    )
      found.push({ id, running: running === "true" });
  }
  // A stale stopped container may keep the same binding: the running one is the node.
  const candidates = found.filter((c) => c.running).length === 1 ? found.filter((c) => c.running) : found;
  if (candidates.length !== 1)
    throw new Error(
      `expected one container publishing port ${node.port} for ${node.name}, found ${candidates.length}; name them with RC_DOCKER_CONTAINERS`,
    );
  byPort.set(node.port, candidates[0].id);
  return candidates[0].id;
}

// Waits until the container's process is really gone, so a restart comes back without data.
async function waitStopped(id) {
  await docker("wait", id).catch(() => undefined);
}

const redisCli = (node, ...args) => [
  "exec",
  ...(node.password ? ["-e", `REDISCLI_AUTH=${node.password}`] : []),
  "CONTAINER",
  "redis-cli",
  ...(node.username ? ["--user", node.username] : []),
  ...args,
];

export default {
  async stop(node) {
    const id = await container(node);
    await docker("stop", "-t", "5", id);
  },
  async start(node) {
    await docker("start", await container(node));
  },
  async kill(node) {
    const id = await container(node);
    await docker("kill", "--signal", "KILL", id);
    await waitStopped(id);
  },
  async pause(node) {
    await docker("pause", await container(node));
  },
  async resume(node) {
    await docker("unpause", await container(node));
  },
  async restart(node, { keepData }) {
    const id = await container(node);
    const exec = (args) => docker(...args.map((a) => (a === "CONTAINER" ? id : a)));
    if (keepData) {
      await exec(redisCli(node, "SAVE"));
      await docker("stop", "-t", "5", id);
      await docker("start", id);
      // Only once Redis has loaded the dump (it answers PING) may it go; without it the next
      // restart comes back empty, as intended.
      for (
        let i = 0;
        i < 100 &&
        !(await exec(redisCli(node, "PING")).then(
          (out) => out === "PONG",
          () => false,
        ));
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await exec(["exec", "CONTAINER", "rm", "-f", "/data/dump.rdb"]);
    } else {
      await docker("kill", "--signal", "KILL", id);
      await waitStopped(id);
      await docker("start", id);
    }
  },
};
