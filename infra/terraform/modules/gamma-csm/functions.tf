locals {
  labels = merge(var.labels, { "managed-by" = "terraform", "app" = "gamma-csm", "gamma-csm-cluster" = var.cluster_id })

  # The API server: given directly, or looked up; with use_dns_endpoint the cluster's DNS-based
  # endpoint (gke-<hash>.<region>.gke.goog), which presents a publicly trusted certificate, so no
  # cluster CA is passed (docs: infra/terraform/README.md "Private clusters").
  looked_up    = one(data.google_container_cluster.target[*])
  dns_endpoint = try(local.looked_up.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint, null)
  cluster_endpoint = (
    var.cluster.endpoint != null ? var.cluster.endpoint :
    var.use_dns_endpoint ? local.dns_endpoint : try(local.looked_up.endpoint, null)
  )
  uses_dns_endpoint = var.use_dns_endpoint || endswith(coalesce(var.cluster.endpoint, "-"), ".gke.goog")
  cluster_ca = (
    local.uses_dns_endpoint ? null :
    var.cluster.ca_certificate != null ? var.cluster.ca_certificate :
    try(local.looked_up.master_auth[0].cluster_ca_certificate, null)
  )

  # The quota is per project: reconcile gets half the budget, sync instances share the other half.
  reconcile_rps = var.rate_limit_rps / 2
  sync_rps      = max(0.1, floor(var.rate_limit_rps / 2 / var.sync_max_instances * 10) / 10)

  # Variables read by shared/config (documented in the README table).
  function_env = merge(
    {
      GAMMA_PROJECT             = var.project
      GAMMA_LOCATION            = "global"
      GAMMA_MESH                = var.mesh
      GAMMA_MANAGE_MESH         = tostring(var.manage_mesh)
      GAMMA_CLUSTER_ID          = var.cluster_id
      GAMMA_CONTROLLER_NAME     = var.controller_name
      GAMMA_CLUSTER_DOMAIN      = var.cluster_domain
      GAMMA_CLUSTER_ENDPOINT    = local.cluster_endpoint
      GAMMA_MAX_CONCURRENCY     = tostring(var.max_concurrency)
      GAMMA_MAX_DELETE_FRACTION = tostring(var.max_delete_fraction)
      GAMMA_MAX_DELETE_ABSOLUTE = tostring(var.max_delete_absolute)
      GAMMA_LOG_FORMAT          = var.log_format
      LOG_EXECUTION_ID          = "true"
    },
    # A DNS endpoint is verified against the system's trust roots (shared/config).
    local.cluster_ca == null ? {} : { GAMMA_CLUSTER_CA = local.cluster_ca },
    # Off unless asked: writing users' Services needs the opt-in RBAC (output functions_auto_neg_rbac_yaml).
    var.auto_neg ? { GAMMA_AUTO_NEG = "true" } : {},
    var.backend_service_template == null ? {} : { GAMMA_BACKEND_SERVICE_TEMPLATE = var.backend_service_template },
    # Guards, route size caps, cross-namespace and backend service settings (settings.tf).
    local.settings_env,
  )
}

data "google_container_cluster" "target" {
  count    = var.cluster.name != null ? 1 : 0
  project  = var.project
  name     = var.cluster.name
  location = var.cluster.location
}

# sync: one route event -> translate -> plan -> apply for that parent. Invoked only by the
# route-events-sync push subscription (see pubsub.tf for why there is no event_trigger).
resource "google_cloudfunctions2_function" "sync" {
  project     = var.project
  location    = var.region
  name        = "gamma-csm-sync"
  description = "gamma-csm: apply one route event (parent Service) to Network Services"
  labels      = local.labels

  build_config {
    runtime     = "nodejs22"
    entry_point = "sync"
    source {
      storage_source {
        bucket = var.function_source_bucket
        object = var.sync_source_object
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.sync.email
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    min_instance_count               = 0
    max_instance_count               = var.sync_max_instances
    max_instance_request_concurrency = 1
    available_memory                 = "256M"
    timeout_seconds                  = var.sync_timeout_seconds
    environment_variables = merge(local.function_env, {
      GAMMA_RATE_LIMIT_RPS           = tostring(local.sync_rps)
      GAMMA_FUNCTION_TIMEOUT_SECONDS = tostring(var.sync_timeout_seconds)
    })
  }

  lifecycle {
    # Cross-variable checks live here: variable validations may name other variables only from
    # Terraform 1.9 on.
    precondition {
      condition     = !var.use_dns_endpoint || var.cluster.name != null
      error_message = "use_dns_endpoint looks the endpoint up, so cluster must be given as name + location (or pass the *.gke.goog endpoint as cluster.endpoint)."
    }
    precondition {
      condition     = local.cluster_endpoint != null && local.cluster_endpoint != ""
      error_message = "The cluster has no DNS-based control-plane endpoint; enable it (gcloud container clusters update CLUSTER --enable-dns-access) or set use_dns_endpoint = false."
    }
  }

  depends_on = [google_project_service.required]
}

# reconcile: the scheduled full pass that repairs drift. One instance at a time.
resource "google_cloudfunctions2_function" "reconcile" {
  project     = var.project
  location    = var.region
  name        = "gamma-csm-reconcile"
  description = "gamma-csm: reconcile every route of the cluster with Network Services"
  labels      = local.labels

  build_config {
    runtime     = "nodejs22"
    entry_point = "reconcile"
    source {
      storage_source {
        bucket = var.function_source_bucket
        object = var.reconcile_source_object
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.reconcile.email
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    min_instance_count               = 0
    max_instance_count               = 1
    max_instance_request_concurrency = 1
    available_memory                 = "512M"
    timeout_seconds                  = var.reconcile_timeout_seconds
    environment_variables = merge(local.function_env, {
      GAMMA_RATE_LIMIT_RPS           = tostring(local.reconcile_rps)
      GAMMA_FUNCTION_TIMEOUT_SECONDS = tostring(var.reconcile_timeout_seconds)
    })
  }

  # Ticks need neither ordering nor a dead-letter topic (the next tick supersedes a lost one), so the
  # Eventarc-managed subscription is fine here. Retries are on; the function should ack ticks that
  # are older than one schedule interval instead of running them late.
  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
    pubsub_topic          = google_pubsub_topic.reconcile_ticks.id
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email
  }

  lifecycle {
    precondition {
      condition     = try(local.reconcile_interval_seconds >= 10 && local.reconcile_interval_seconds <= 86400, false)
      error_message = "reconcile_schedule \"${var.reconcile_schedule}\" is not of the form */N * * * * (every N minutes) or 0 */N * * * (every N hours), so the reconcile interval cannot be derived from it (or the derived one is outside 10-86400 s): set reconcile_interval_seconds to the longest gap between two runs of the schedule, in seconds. The reconcile function drops ticks older than that interval."
    }
  }

  depends_on = [google_project_service.required, google_project_iam_member.trigger_event_receiver]
}
