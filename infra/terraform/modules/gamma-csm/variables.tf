variable "project" {
  description = "Google Cloud project id that hosts the functions, topics and the Network Services resources."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project))
    error_message = "project must be a Google Cloud project id (6-30 chars: lowercase letters, digits, hyphens)."
  }
}

variable "region" {
  description = "Region of the Cloud Functions, the Eventarc trigger and the Cloud Scheduler job (Network Services routes themselves are global)."
  type        = string
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a Google Cloud region such as us-central1."
  }
}

variable "cluster" {
  description = "The GKE cluster the functions read routes from: either name + location (looked up), or endpoint + ca_certificate (base64 PEM, as master_auth gives it). A DNS endpoint (*.gke.goog) given directly needs no ca_certificate."
  type = object({
    name           = optional(string)
    location       = optional(string)
    endpoint       = optional(string)
    ca_certificate = optional(string)
  })
  validation {
    condition = (
      (var.cluster.name != null && var.cluster.location != null && var.cluster.endpoint == null && var.cluster.ca_certificate == null) ||
      (var.cluster.name == null && var.cluster.location == null && var.cluster.endpoint != null &&
      (var.cluster.ca_certificate != null || endswith(coalesce(var.cluster.endpoint, "-"), ".gke.goog")))
    )
    error_message = "cluster needs either name and location, or endpoint and ca_certificate (not a mix); only a DNS endpoint (*.gke.goog) may omit ca_certificate."
  }
}

variable "use_dns_endpoint" {
  description = "Reach the GKE API server through the cluster's DNS-based control-plane endpoint (control_plane_endpoints_config.dns_endpoint_config.endpoint, e.g. gke-<hash>.<region>.gke.goog) instead of its IP endpoint: works for private clusters without any VPC egress from the functions. The cluster must allow external traffic on that endpoint (gcloud container clusters update C --enable-dns-access). Only with cluster name + location."
  type        = bool
  default     = false
}

variable "auto_neg" {
  description = "GAMMA_AUTO_NEG: let the functions add a routed Service port to the Service's cloud.google.com/neg annotation instead of only reporting it (docs/backends.md). Also apply the functions_auto_neg_rbac_yaml output, which grants patch on Services."
  type        = bool
  default     = false
}

variable "health_check_firewall" {
  description = "Optional VPC firewall rule admitting Google's health-check probes (35.191.0.0/16, 130.211.0.0/22; with ipv6, 2600:2d00:1:b029::/64 and 2600:2d00:1:1::/64) over TCP to the GKE nodes, so backend services see the pods as healthy. network: name or self link of the cluster's VPC; target_tags: the node network tags; ports: TCP ports (empty = all, since probes use each pod's serving port). null creates no rule."
  type = object({
    network     = string
    target_tags = list(string)
    ports       = optional(list(string), [])
    ipv6        = optional(bool, false)
    priority    = optional(number, 1000)
  })
  default = null
  validation {
    condition     = var.health_check_firewall == null || try(length(var.health_check_firewall.target_tags) > 0, false)
    error_message = "health_check_firewall.target_tags must name at least one node network tag; a rule without targets would admit the probe ranges to every instance of the network."
  }
  validation {
    condition     = var.health_check_firewall == null || try(alltrue([for p in var.health_check_firewall.ports : can(regex("^[0-9]{1,5}(-[0-9]{1,5})?$", p))]), false)
    error_message = "health_check_firewall.ports must be port numbers or ranges such as \"8080\" or \"8000-8999\"."
  }
}

variable "cluster_id" {
  description = "gamma-csm cluster id (GAMMA_CLUSTER_ID): part of every Network Services resource name and label, unique per cluster in the project."
  type        = string
  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.cluster_id))
    error_message = "cluster_id must be label-safe: lowercase letters, digits and hyphens, starting with a letter, at most 63 characters."
  }
}

variable "mesh" {
  description = "Network Services Mesh id the routes attach to (GAMMA_MESH)."
  type        = string
  default     = "gamma-csm"
  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", var.mesh))
    error_message = "mesh must be a resource id: lowercase letters, digits and hyphens, starting with a letter, at most 63 characters."
  }
}

variable "manage_mesh" {
  description = "Whether gamma-csm creates and updates the Mesh itself (GAMMA_MANAGE_MESH). When false the Mesh must exist and the functions get no mesh write permissions."
  type        = bool
  default     = true
}

variable "controller_name" {
  description = "Gateway API controllerName gamma-csm writes into route status (GAMMA_CONTROLLER_NAME)."
  type        = string
  default     = "gamma-csm.dev/controller"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/[A-Za-z0-9/._~%!$&'()*+,;=:-]+$", var.controller_name))
    error_message = "controller_name must be a domain-prefixed path such as example.com/gamma-csm."
  }
}

variable "cluster_domain" {
  description = "Kubernetes cluster DNS domain used in route hostnames (GAMMA_CLUSTER_DOMAIN)."
  type        = string
  default     = "cluster.local"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", var.cluster_domain))
    error_message = "cluster_domain must be a DNS domain such as cluster.local."
  }
}

variable "backend_service_template" {
  description = "Backend service id template (GAMMA_BACKEND_SERVICE_TEMPLATE) with {namespace} {service} {port} {cluster}; null keeps the built-in default."
  type        = string
  default     = null
}

variable "reconcile_schedule" {
  description = "Cron schedule (Cloud Scheduler syntax) of the drift-repairing reconcile run."
  type        = string
  default     = "*/10 * * * *"
  validation {
    condition     = length(split(" ", trimspace(var.reconcile_schedule))) == 5
    error_message = "reconcile_schedule must be a 5-field cron expression."
  }
}

variable "reconcile_time_zone" {
  description = "Time zone of reconcile_schedule."
  type        = string
  default     = "Etc/UTC"
}

variable "rate_limit_rps" {
  description = "Network Services request budget for gamma-csm as a whole (the documented quota is 100/s per project). Half goes to reconcile, the other half is split across sync instances."
  type        = number
  default     = 50
  validation {
    condition     = var.rate_limit_rps > 0 && var.rate_limit_rps <= 100
    error_message = "rate_limit_rps must be in (0, 100]."
  }
}

variable "max_concurrency" {
  description = "Concurrent Network Services operations per function instance (GAMMA_MAX_CONCURRENCY)."
  type        = number
  default     = 10
  validation {
    condition     = var.max_concurrency >= 1 && var.max_concurrency <= 1000 && floor(var.max_concurrency) == var.max_concurrency
    error_message = "max_concurrency must be an integer between 1 and 1000."
  }
}

variable "max_delete_fraction" {
  description = "Largest share of owned resources one run may delete without GAMMA_FORCE_DELETE (GAMMA_MAX_DELETE_FRACTION)."
  type        = number
  default     = 0.5
  validation {
    condition     = var.max_delete_fraction >= 0 && var.max_delete_fraction <= 1
    error_message = "max_delete_fraction must be between 0 and 1."
  }
}

variable "max_delete_absolute" {
  description = "Largest number of owned resources one run may delete without GAMMA_FORCE_DELETE (GAMMA_MAX_DELETE_ABSOLUTE)."
  type        = number
  default     = 25
  validation {
    condition     = var.max_delete_absolute >= 0 && floor(var.max_delete_absolute) == var.max_delete_absolute
    error_message = "max_delete_absolute must be a non-negative integer."
  }
}

variable "sync_max_instances" {
  description = "Maximum instances of the sync function."
  type        = number
  default     = 10
  validation {
    condition     = var.sync_max_instances >= 1 && var.sync_max_instances <= 100
    error_message = "sync_max_instances must be between 1 and 100."
  }
}

variable "sync_timeout_seconds" {
  description = "Timeout of one sync invocation; the push subscription's ack deadline is set just above it (max 600)."
  type        = number
  default     = 300
  validation {
    condition     = var.sync_timeout_seconds >= 10 && var.sync_timeout_seconds <= 590
    error_message = "sync_timeout_seconds must be between 10 and 590 (Pub/Sub push waits at most 600 s)."
  }
}

variable "reconcile_timeout_seconds" {
  description = "Timeout of one reconcile run (event-triggered functions allow up to 540 s)."
  type        = number
  default     = 540
  validation {
    condition     = var.reconcile_timeout_seconds >= 60 && var.reconcile_timeout_seconds <= 540
    error_message = "reconcile_timeout_seconds must be between 60 and 540."
  }
}

variable "max_delivery_attempts" {
  description = "Deliveries of one route event before it is dead-lettered."
  type        = number
  default     = 10
  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "max_delivery_attempts must be between 5 and 100 (Pub/Sub limits)."
  }
}

variable "function_source_bucket" {
  description = "Cloud Storage bucket holding the zipped function sources (dist/sync and dist/reconcile)."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$", var.function_source_bucket))
    error_message = "function_source_bucket must be a bucket name."
  }
}

variable "sync_source_object" {
  description = "Object in function_source_bucket with the zipped dist/sync bundle (change the name to redeploy)."
  type        = string
}

variable "reconcile_source_object" {
  description = "Object in function_source_bucket with the zipped dist/reconcile bundle (change the name to redeploy)."
  type        = string
}

variable "watcher_namespace" {
  description = "Kubernetes namespace of the watcher (infra/k8s uses gamma-csm)."
  type        = string
  default     = "gamma-csm"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.watcher_namespace))
    error_message = "watcher_namespace must be a DNS label."
  }
}

variable "watcher_service_account" {
  description = "Kubernetes ServiceAccount name of the watcher (infra/k8s uses gamma-csm-watcher)."
  type        = string
  default     = "gamma-csm-watcher"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.watcher_service_account))
    error_message = "watcher_service_account must be a DNS subdomain name."
  }
}

variable "extra_role_permissions" {
  description = "Permissions added to the functions' custom role, e.g. one a 403 from Network Services or Compute names (the per-method lists are unverified, see README)."
  type        = list(string)
  default     = []
}

variable "log_format" {
  description = "Function log format (GAMMA_LOG_FORMAT): json for Cloud Logging, or text."
  type        = string
  default     = "json"
  validation {
    condition     = contains(["json", "text"], var.log_format)
    error_message = "log_format must be json or text."
  }
}

variable "labels" {
  description = "Labels added to every labelable resource this module creates."
  type        = map(string)
  default     = {}
}

# ---- Function settings (shared/config). Each defaults to null: the functions' own default, and the
# environment variable is then not set (test/infra/terraform: every variable the functions read is set
# here or allow-listed). Ranges are those shared/config accepts, so a bad value fails at plan time.

variable "max_ports_per_parent" {
  description = "GAMMA_MAX_PORTS_PER_PARENT: candidate ports of one parent Service a sync run may read (docs/security.md §5); null = 64."
  type        = number
  default     = null
  validation {
    condition     = var.max_ports_per_parent == null || try(var.max_ports_per_parent >= 1 && var.max_ports_per_parent <= 1000 && floor(var.max_ports_per_parent) == var.max_ports_per_parent, false)
    error_message = "max_ports_per_parent must be an integer between 1 and 1000 (or null for the default 64)."
  }
}

variable "max_routes_per_snapshot" {
  description = "GAMMA_MAX_ROUTES_PER_SNAPSHOT: producer routes of one parent Service (and consumer routes kept for their status) per event (docs/security.md §5); null = 128."
  type        = number
  default     = null
  validation {
    condition     = var.max_routes_per_snapshot == null || try(var.max_routes_per_snapshot >= 1 && var.max_routes_per_snapshot <= 10000 && floor(var.max_routes_per_snapshot) == var.max_routes_per_snapshot, false)
    error_message = "max_routes_per_snapshot must be an integer between 1 and 10000 (or null for the default 128)."
  }
}

variable "max_services_per_snapshot" {
  description = "GAMMA_MAX_SERVICES_PER_SNAPSHOT: Services in one parent's event (docs/security.md §5); null = 256."
  type        = number
  default     = null
  validation {
    condition     = var.max_services_per_snapshot == null || try(var.max_services_per_snapshot >= 1 && var.max_services_per_snapshot <= 10000 && floor(var.max_services_per_snapshot) == var.max_services_per_snapshot, false)
    error_message = "max_services_per_snapshot must be an integer between 1 and 10000 (or null for the default 256)."
  }
}

variable "delete_budget" {
  description = "GAMMA_DELETE_BUDGET: route deletes one function instance may make per delete_window_seconds, sync and reconcile alike (docs/security.md §5); null = 50."
  type        = number
  default     = null
  validation {
    condition     = var.delete_budget == null || try(var.delete_budget >= 0 && var.delete_budget <= 100000 && floor(var.delete_budget) == var.delete_budget, false)
    error_message = "delete_budget must be an integer between 0 and 100000 (or null for the default 50)."
  }
}

variable "delete_window_seconds" {
  description = "GAMMA_DELETE_WINDOW_SECONDS: the window of delete_budget, in seconds; null = 600."
  type        = number
  default     = null
  validation {
    condition     = var.delete_window_seconds == null || try(var.delete_window_seconds >= 1 && var.delete_window_seconds <= 86400 && floor(var.delete_window_seconds) == var.delete_window_seconds, false)
    error_message = "delete_window_seconds must be an integer between 1 and 86400 (or null for the default 600)."
  }
}

variable "reconcile_interval_seconds" {
  description = "GAMMA_RECONCILE_INTERVAL_SECONDS: the longest gap between two reconcile_schedule runs; older ticks are dropped. null derives it from reconcile_schedule when that is */N * * * * (N minutes) or 0 */N * * * (N hours); any other schedule must set it."
  type        = number
  default     = null
  validation {
    condition     = var.reconcile_interval_seconds == null || try(var.reconcile_interval_seconds >= 10 && var.reconcile_interval_seconds <= 86400 && floor(var.reconcile_interval_seconds) == var.reconcile_interval_seconds, false)
    error_message = "reconcile_interval_seconds must be an integer between 10 and 86400 (or null to derive it from reconcile_schedule)."
  }
}

variable "cross_namespace_backends" {
  description = "GAMMA_CROSS_NAMESPACE_BACKENDS: allow (backendRefs may name Services in any namespace) or referencegrant (only with a ReferenceGrant in the target namespace; docs/security.md §2). Also set on the watcher (output watcher_env). null = allow."
  type        = string
  default     = null
  validation {
    condition     = var.cross_namespace_backends == null || contains(["allow", "referencegrant"], coalesce(var.cross_namespace_backends, "-"))
    error_message = "cross_namespace_backends must be allow or referencegrant (or null for allow)."
  }
}

variable "backend_service_overrides" {
  description = "GAMMA_BACKEND_SERVICE_OVERRIDES: backend services the gamma-csm.dev/backend-service.<port> annotation may name: ids or projects/P/locations/L/backendServices/ID, each optionally ending in * (docs/backends.md §7). null or [] = none."
  type        = list(string)
  default     = null
  validation {
    condition     = var.backend_service_overrides == null || try(alltrue([for e in var.backend_service_overrides : can(regex("^(projects/[^/*,]+/(locations/[^/*,]+|global|regions/[^/*,]+)/backendServices/)?([a-z][-a-z0-9]{0,62})?\\*?$", e))]), false)
    error_message = "backend_service_overrides entries must be backend service ids or projects/P/locations/L/backendServices/ID, optionally ending in * (no commas)."
  }
}

variable "backend_services" {
  description = "GAMMA_BACKEND_SERVICES: provision (the functions create and maintain a backend service per routed Service port from its GKE NEGs; docs/backends.md) or off (routes only; the backend services are yours). null = provision."
  type        = string
  default     = null
  validation {
    condition     = var.backend_services == null || contains(["provision", "off"], coalesce(var.backend_services, "-"))
    error_message = "backend_services must be provision or off (or null for provision)."
  }
}

variable "route_limits" {
  description = "Size caps on each Network Services route written (GAMMA_MAX_RULES_PER_ROUTE, GAMMA_MAX_MATCHES_PER_RULE, GAMMA_MAX_DESTINATIONS_PER_RULE, GAMMA_MAX_HEADER_MATCHES, GAMMA_MAX_HOSTNAMES_PER_ROUTE, GAMMA_MAX_ROUTE_BYTES; docs/support-matrix.md \"Sizes\"). An unset field keeps the functions' default."
  type = object({
    rules_per_route          = optional(number)
    matches_per_rule         = optional(number)
    destinations_per_rule    = optional(number)
    header_matches_per_match = optional(number)
    hostnames_per_route      = optional(number)
    route_bytes              = optional(number)
  })
  default = null
  validation {
    condition     = var.route_limits == null || try(alltrue([for v in values(var.route_limits) : v >= 1 && v <= 104857600 && floor(v) == v if v != null]), false)
    error_message = "route_limits fields must be integers between 1 and 104857600 (or unset for the default)."
  }
}
