// REDIS_NODE_CONTROL for Redis masters running as Kubernetes pods (one pod per node, e.g. a
// StatefulSet that recreates a deleted pod, without persistence). RC_K8S_PODS=namespace/pod,… in
// node order; kubectl must be on PATH with a context that can exec into and delete those pods.
//   REDIS_NODES=redis://:pw@10.0.0.1:6379,… REDIS_NODE_CONTROL=examples/node-control/kubernetes.mjs npm run conformance
// Not exercised against a cluster here (none is reachable); the suite checks the commands it runs.
// Give REDIS_NODES per-pod DNS names (r-0.redis.ns.svc…), not pod IPs: a deleted pod comes back
// with a new IP. No pause/resume: a SIGSTOP sent to PID 1 from inside its own PID namespace is
// ignored by the kernel, so it could not really pause Redis; those properties stay UNSUPPORTED, as
// does "restart keeping data" (pods restart empty without persistence).
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The control, with the command runner and the pod list injectable (the suite records commands). */
export function kubernetesControl({ pods, run = (args) => execFileAsync("kubectl", args, { timeout: 120_000 }) }) {
  const pod = (node) => {
    const entry = pods[node.index];
    if (!entry?.includes("/"))
      throw new Error(`RC_K8S_PODS has no namespace/pod for ${node.name} (index ${node.index})`);
    const [namespace, name] = entry.split("/");
    return { namespace, name };
  };
  const waitReady = (node) => {
    const { namespace, name } = pod(node);
    return run(["wait", "-n", namespace, "--for=condition=Ready", `pod/${name}`, "--timeout=120s"]);
  };
  return {
    // A stopped pod is recreated by its controller: "stop" is a graceful delete, "start" waits for the new one.
    async stop(node) {
      const { namespace, name } = pod(node);
      await run(["delete", "pod", "-n", namespace, name, "--grace-period=5", "--wait=true"]);
    },
    async start(node) {
      await waitReady(node);
    },
    async kill(node) {
      const { namespace, name } = pod(node);
      await run(["delete", "pod", "-n", namespace, name, "--grace-period=0", "--force", "--wait=true"]);
    },
  };
}

export default kubernetesControl({
  pods: (process.env.RC_K8S_PODS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
});
