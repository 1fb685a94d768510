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

  # Exactly the Network Services calls shared/netsvc makes. Mesh writes only when gamma-csm manages
  # the Mesh. meshes.use: attaching a route to a Mesh (listed on the networkservices roles page).
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
      "networkservices.operations.get",
    ],
    var.manage_mesh ? [
      "networkservices.meshes.create",
      "networkservices.meshes.update",
      "networkservices.meshes.delete",
    ] : [],
    var.extra_role_permissions,
  )
}

resource "google_project_iam_custom_role" "networkservices" {
  project     = var.project
  role_id     = "gammaCsmNetworkServices_${substr(replace(var.cluster_id, "-", "_"), 0, 40)}"
  title       = "gamma-csm Network Services (${var.cluster_id})"
  description = "Network Services permissions used by gamma-csm sync and reconcile"
  permissions = local.networkservices_permissions
}

resource "google_project_iam_member" "function_networkservices" {
  for_each = local.function_members
  project  = var.project
  role     = google_project_iam_custom_role.networkservices.id
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
