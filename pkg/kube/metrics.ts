// Prometheus metrics: a registry per process with Node's process metrics, and the controller
// metrics under controller-runtime's and client-go's names, so existing dashboards and alerts
// (reconcile errors, queue depth, leader status) work unchanged.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export interface RegistryOptions {
  /** process_* and nodejs_* metrics (CPU, memory, event loop lag, GC); default true. */
  processMetrics?: boolean;
  /** Labels on every metric. */
  defaultLabels?: Record<string, string>;
}

export function createMetricsRegistry(options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

export interface ControllerMetrics {
  /** controller_runtime_reconcile_total{controller, result="success"|"error"|"requeue_after"} */
  reconcileTotal: Counter<"controller" | "result">;
  /** controller_runtime_reconcile_errors_total{controller} */
  reconcileErrors: Counter<"controller">;
  /** controller_runtime_reconcile_time_seconds{controller} */
  reconcileTime: Histogram<"controller">;
  /** controller_runtime_active_workers{controller} */
  activeWorkers: Gauge<"controller">;
  /** workqueue_depth{name} */
  queueDepth: Gauge<"name">;
  /** workqueue_adds_total{name} */
  queueAdds: Counter<"name">;
  /** workqueue_retries_total{name} */
  queueRetries: Counter<"name">;
  /** leader_election_master_status{name}: 1 while this replica leads. */
  leaderStatus: Gauge<"name">;
}

const byRegistry = new WeakMap<Registry, ControllerMetrics>();

/** The controller metrics in `registry`, registered on first use (shared by all controllers). */
export function controllerMetrics(registry: Registry): ControllerMetrics {
  let metrics = byRegistry.get(registry);
  if (metrics) return metrics;
  const registers = [registry];
  metrics = {
    reconcileTotal: new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller",
      labelNames: ["controller", "result"],
      registers,
    }),
    reconcileErrors: new Counter({
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller",
      labelNames: ["controller"],
      registers,
    }),
    reconcileTime: new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller",
      labelNames: ["controller"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    activeWorkers: new Gauge({
      name: "controller_runtime_active_workers",
      help: "Number of currently used workers per controller",
      labelNames: ["controller"],
      registers,
    }),
    queueDepth: new Gauge({
      name: "workqueue_depth",
      help: "Current depth of workqueue",
      labelNames: ["name"],
      registers,
    }),
    queueAdds: new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue",
      labelNames: ["name"],
      registers,
    }),
    queueRetries: new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries handled by workqueue",
      labelNames: ["name"],
      registers,
    }),
    leaderStatus: new Gauge({
      name: "leader_election_master_status",
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master",
      labelNames: ["name"],
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
