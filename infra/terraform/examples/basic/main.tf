# Minimal root: uploads the bundles built by `npm run build` and deploys gamma-csm for one GKE cluster.
#   npm run build && (cd dist/sync && zip -qr ../sync.zip .) && (cd dist/reconcile && zip -qr ../reconcile.zip .)
#   terraform init && terraform apply -var project=my-proj -var cluster_name=my-cluster -var cluster_location=us-central1
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    # 6.11: google_container_cluster.control_plane_endpoints_config (the DNS endpoint).
    google = {
      source  = "hashicorp/google"
      version = ">= 6.11, < 8.0"
    }
  }
}

provider "google" {
  project = var.project
  region  = var.region
}

resource "google_storage_bucket" "sources" {
  name                        = "${var.project}-gamma-csm-sources"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
}

# The object name carries the content hash so a new bundle redeploys the function.
resource "google_storage_bucket_object" "sync" {
  bucket = google_storage_bucket.sources.name
  name   = "sync-${filemd5(var.sync_zip)}.zip"
  source = var.sync_zip
}

resource "google_storage_bucket_object" "reconcile" {
  bucket = google_storage_bucket.sources.name
  name   = "reconcile-${filemd5(var.reconcile_zip)}.zip"
  source = var.reconcile_zip
}

module "gamma_csm" {
  source = "../../modules/gamma-csm"

  project                 = var.project
  region                  = var.region
  cluster                 = { name = var.cluster_name, location = var.cluster_location }
  cluster_id              = var.cluster_id
  mesh                    = var.mesh
  manage_mesh             = true
  use_dns_endpoint        = var.use_dns_endpoint
  health_check_firewall   = var.node_network == null ? null : { network = var.node_network, target_tags = var.node_tags }
  function_source_bucket  = google_storage_bucket.sources.name
  sync_source_object      = google_storage_bucket_object.sync.name
  reconcile_source_object = google_storage_bucket_object.reconcile.name
}
