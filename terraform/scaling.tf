# How much each function instance takes on (docs/operations.md, "Concurrency and minimum instances").
#
# Gen2 serves one request per instance unless told otherwise. The functions keep no per-request state at module
# level, so an instance can serve several at once; more than one needs at least 1 vCPU. The defaults come from
# BENCHMARKS.md ("send: one instance against the fake RBM"): one send costs about 16-29 ms of CPU, so with
# RBM's latency of a few hundred ms, 8 concurrent requests keep a vCPU busy without queueing on it, and the
# instance stays under 200 MiB of its 256 MiB. 32 and 80 bought little throughput on a busy CPU, multiplied
# latency and, at 80, passed 256 MiB.
locals {
  default_request_concurrency = 8
  default_available_cpu       = "1"

  # reconcile runs one pass at a time (max_instances = 1): a second call while one runs is refused and retried
  # by Cloud Scheduler, rather than run beside it.
  request_concurrency_exceptions = { reconcile = 1 }

  function_scaling = {
    for name in keys(local.functions) : name => {
      max_instance_request_concurrency = lookup(var.max_instance_request_concurrency, name, lookup(local.request_concurrency_exceptions, name, local.default_request_concurrency))
      available_cpu                    = lookup(var.available_cpu, name, local.default_available_cpu)
      min_instance_count               = name == "webhook" ? var.webhook_min_instances : 0
    }
  }

  # Function names in the scaling variables that no function has: a typo would otherwise go unnoticed.
  unknown_scaling_names = setsubtract(
    setunion(keys(var.max_instance_request_concurrency), keys(var.available_cpu)),
    keys(local.functions),
  )
}
