resource "google_cloud_scheduler_job" "reconcile" {
  project     = var.project
  region      = var.region
  name        = "gamma-csm-reconcile"
  description = "Publishes a reconcile tick for gamma-csm cluster ${var.cluster_id}"
  schedule    = var.reconcile_schedule
  time_zone   = var.reconcile_time_zone

  # Pub/Sub target: no OIDC or invoker grant needed, and the function keeps internal-only ingress.
  # attempt_deadline is ignored for Pub/Sub targets, so it is not set.
  pubsub_target {
    topic_name = google_pubsub_topic.reconcile_ticks.id
    data       = base64encode(jsonencode({ schema = "gamma-csm.dev/reconcile-tick/v1", cluster = var.cluster_id }))
    attributes = { schema = "gamma-csm.dev/reconcile-tick/v1", cluster = var.cluster_id }
  }

  depends_on = [google_project_service.required]
}
