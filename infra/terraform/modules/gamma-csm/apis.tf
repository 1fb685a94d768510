locals {
  required_apis = toset([
    "networkservices.googleapis.com",
    "cloudfunctions.googleapis.com",
    "run.googleapis.com",
    "eventarc.googleapis.com",
    "pubsub.googleapis.com",
    "cloudscheduler.googleapis.com",
    "cloudbuild.googleapis.com",
    "artifactregistry.googleapis.com",
    "container.googleapis.com",
    # Backend services, health checks and NEG lookups of the backend-services stage (docs/backends.md).
    "compute.googleapis.com",
    "iam.googleapis.com",
  ])
}

resource "google_project_service" "required" {
  for_each = local.required_apis
  project  = var.project
  service  = each.value
  # Other workloads in the project may use these APIs too; never turn them off on destroy.
  disable_on_destroy = false
}

data "google_project" "this" {
  project_id = var.project
}
