# Service accounts: one per function, one for Pub/Sub push (sync), one for the Eventarc trigger
# (reconcile), one for the watcher (Workload Identity). Every grant below is the smallest we know of.

resource "google_service_account" "sync" {
  project      = var.project
  account_id   = "gamma-csm-sync"
  display_name = "gamma-csm sync function"
}

resource "google_service_account" "reconcile" {
  project      = var.project
  account_id   = "gamma-csm-reconcile"
  display_name = "gamma-csm reconcile function"
}

resource "google_service_account" "sync_invoker" {
  project      = var.project
  account_id   = "gamma-csm-sync-push"
  display_name = "gamma-csm: Pub/Sub push identity invoking sync"
}

resource "google_service_account" "trigger" {
  project      = var.project
  account_id   = "gamma-csm-trigger"
  display_name = "gamma-csm: Eventarc trigger identity invoking reconcile"
}

resource "google_service_account" "watcher" {
  project      = var.project
  account_id   = "gamma-csm-watcher"
  display_name = "gamma-csm in-cluster watcher (Workload Identity)"
}

locals {
  function_members = {
    sync      = "serviceAccount:${google_service_account.sync.email}"
    reconcile = "serviceAccount:${google_service_account.reconcile.email}"
  }

  # Exactly the Network Services calls shared/netsvc makes. Mesh create/update only when gamma-csm
  # manages the Mesh; never meshes.delete (nothing in the planner deletes a Mesh: shared/plan plans
  # route deletes only). meshes.use: attaching a route to a Mesh (listed on the networkservices roles page).
  networkservices_permissions = concat(
    [
      "networkservices.meshes.get",
      "networkservices.meshes.list",
      "networkservices.meshes.use",
      "networkservices.httpRoutes.get",
      "networkservices.httpRoutes.list",
      "networkservices.httpRoutes.create",
      "networkservices.httpRoutes.update",
      "networkservices.httpRoutes.delete",
      "networkservices.grpcRoutes.get",
      "networkservices.grpcRoutes.list",
      "networkservices.grpcRoutes.create",
      "networkservices.grpcRoutes.update",
      "networkservices.grpcRoutes.delete",
      "networkservices.tcpRoutes.get",
      "networkservices.tcpRoutes.list",
      "networkservices.tcpRoutes.create",
      "networkservices.tcpRoutes.update",
      "networkservices.tcpRoutes.delete",
      "networkservices.tlsRoutes.get",
      "networkservices.tlsRoutes.list",
      "networkservices.tlsRoutes.create",
      "networkservices.tlsRoutes.update",
      "networkservices.tlsRoutes.delete",
      "networkservices.operations.get",
    ],
    var.manage_mesh ? [
      "networkservices.meshes.create",
      "networkservices.meshes.update",
    ] : [],
  )

  # The Compute calls of the backend-services stage (docs/backends.md), method by method. Global
  # resources only; nothing here touches firewalls, networks or instances.
  #   backendServices.get/list        -> compute.backendServices.get / .list
  #   backendServices.insert          -> .create, plus healthChecks.useReadOnly for the health check it
  #                                      names and networkEndpointGroups.use for every NEG backend
  #   backendServices.patch           -> .update (same useReadOnly / NEG use when those fields change)
  #   backendServices.delete          -> .delete
  #   backendServices.getHealth       -> .get (documented as the read permission of the resource)
  #   healthChecks.get/list/insert/patch/delete -> compute.healthChecks.get/list/create/update/delete
  #   networkEndpointGroups.get       -> compute.networkEndpointGroups.get (zonal NEGs from neg-status)
  #   globalOperations.get/wait       -> compute.globalOperations.get
  # backendServices.use: what a Network Services route naming the backend service as a destination
  # is presumed to need. UNVERIFIED live: the exact per-method lists above come from the pattern of
  # the Compute REST reference and gke-autoneg-controller's minimal role (get/update, NEG use, health
  # check useReadOnly), not from a real project; getHealth needing only .get and routes needing .use
  # are the least certain. extra_role_permissions adds anything a 403 names.
  compute_permissions = [
    "compute.backendServices.get",
    "compute.backendServices.list",
    "compute.backendServices.create",
    "compute.backendServices.update",
    "compute.backendServices.delete",
    "compute.backendServices.use",
    "compute.healthChecks.get",
    "compute.healthChecks.list",
    "compute.healthChecks.create",
    "compute.healthChecks.update",
    "compute.healthChecks.delete",
    "compute.healthChecks.useReadOnly",
    "compute.networkEndpointGroups.get",
    "compute.networkEndpointGroups.use",
    "compute.globalOperations.get",
  ]

  function_permissions = distinct(concat(
    local.networkservices_permissions,
    local.compute_permissions,
    var.extra_role_permissions,
  ))

  # Custom role ids are project-wide ([a-zA-Z0-9_.]{3,64}) and soft-deleted for 7 days, so the id
  # carries the cluster id (readable, truncated) and a hash of the whole id: two clusters of one
  # project never share a role, even when their ids agree on the first 40 characters.
  function_role_id = "gammaCsm_${substr(replace(var.cluster_id, "-", "_"), 0, 40)}_${substr(sha256(var.cluster_id), 0, 8)}"
}

resource "google_project_iam_custom_role" "functions" {
  project     = var.project
  role_id     = local.function_role_id
  title       = "gamma-csm functions (${var.cluster_id})"
  description = "Network Services and Compute permissions used by gamma-csm sync and reconcile"
  permissions = local.function_permissions
}

resource "google_project_iam_member" "function_role" {
  for_each = local.function_members
  project  = var.project
  role     = google_project_iam_custom_role.functions.id
  member   = each.value
}

# container.clusters.get: enough to reach the API server; what the functions may do inside the
# cluster is granted by Kubernetes RBAC (infra/k8s/functions-rbac, or output functions_rbac_yaml).
resource "google_project_iam_member" "function_cluster_viewer" {
  for_each = local.function_members
  project  = var.project
  role     = "roles/container.clusterViewer"
  member   = each.value
}

# Pub/Sub push -> sync: only the push identity may invoke it (no public invoker, ingress internal only).
resource "google_cloud_run_service_iam_member" "sync_invoker" {
  project  = var.project
  location = var.region
  service  = google_cloudfunctions2_function.sync.service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.sync_invoker.email}"
}

# The Pub/Sub service agent mints the OIDC tokens for the push subscription. Needed for projects
# created before 2021-04-08; scoped to that one service account.
resource "google_service_account_iam_member" "pubsub_token_creator" {
  service_account_id = google_service_account.sync_invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

# Eventarc -> reconcile.
resource "google_cloud_run_service_iam_member" "reconcile_invoker" {
  project  = var.project
  location = var.region
  service  = google_cloudfunctions2_function.reconcile.service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.trigger.email}"
}

resource "google_project_iam_member" "trigger_event_receiver" {
  project = var.project
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.trigger.email}"
}

# Workload Identity: the watcher's KSA acts as the watcher GSA, whose only grant is publishing to
# route-events (pubsub.tf). Requires workload identity on the cluster (workload_pool PROJECT.svc.id.goog).
resource "google_service_account_iam_member" "watcher_workload_identity" {
  service_account_id = google_service_account.watcher.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project}.svc.id.goog[${var.watcher_namespace}/${var.watcher_service_account}]"
}
