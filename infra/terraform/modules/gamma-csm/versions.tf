terraform {
  required_version = ">= 1.5.0"
  required_providers {
    google = {
      source = "hashicorp/google"
      # 6.11: google_container_cluster.control_plane_endpoints_config (DNS endpoint).
      version = ">= 6.11, < 8.0"
    }
  }
}
