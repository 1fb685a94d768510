# The optional function settings (variables.tf, "Function settings") as environment variables read by
# shared/config: a variable left null sets nothing, so the functions keep their own default.
locals {
  # Ticks older than the schedule's longest gap are dropped (docs/security.md §5), so the interval
  # must follow reconcile_schedule: derived here for */N minutes and 0 */N hours, else given
  # explicitly (the reconcile function's precondition says so).
  schedule_normalized = join(" ", compact(split(" ", trimspace(var.reconcile_schedule))))
  schedule_interval_seconds = try(
    tonumber(regex("^\\*/([0-9]+) \\* \\* \\* \\*$", local.schedule_normalized)[0]) * 60,
    tonumber(regex("^0 \\*/([0-9]+) \\* \\* \\*$", local.schedule_normalized)[0]) * 3600,
    null,
  )
  reconcile_interval_seconds = (
    var.reconcile_interval_seconds != null ? var.reconcile_interval_seconds : local.schedule_interval_seconds
  )

  settings_numbers = {
    GAMMA_MAX_PORTS_PER_PARENT       = var.max_ports_per_parent
    GAMMA_MAX_ROUTES_PER_SNAPSHOT    = var.max_routes_per_snapshot
    GAMMA_MAX_SERVICES_PER_SNAPSHOT  = var.max_services_per_snapshot
    GAMMA_DELETE_BUDGET              = var.delete_budget
    GAMMA_DELETE_WINDOW_SECONDS      = var.delete_window_seconds
    GAMMA_RECONCILE_INTERVAL_SECONDS = local.reconcile_interval_seconds
    # Route size caps (shared/translate/limits.ts ROUTE_LIMIT_INFO).
    GAMMA_MAX_RULES_PER_ROUTE       = try(var.route_limits.rules_per_route, null)
    GAMMA_MAX_MATCHES_PER_RULE      = try(var.route_limits.matches_per_rule, null)
    GAMMA_MAX_DESTINATIONS_PER_RULE = try(var.route_limits.destinations_per_rule, null)
    GAMMA_MAX_HEADER_MATCHES        = try(var.route_limits.header_matches_per_match, null)
    GAMMA_MAX_HOSTNAMES_PER_ROUTE   = try(var.route_limits.hostnames_per_route, null)
    GAMMA_MAX_ROUTE_BYTES           = try(var.route_limits.route_bytes, null)
  }
  settings_strings = {
    GAMMA_CROSS_NAMESPACE_BACKENDS = var.cross_namespace_backends
    GAMMA_BACKEND_SERVICES         = var.backend_services
    GAMMA_BACKEND_SERVICE_OVERRIDES = (
      var.backend_service_overrides == null ? null : join(",", var.backend_service_overrides)
    )
  }
  settings_env = merge(
    { for k, v in local.settings_numbers : k => tostring(v) if v != null },
    { for k, v in local.settings_strings : k => v if v != null && v != "" },
  )
}
