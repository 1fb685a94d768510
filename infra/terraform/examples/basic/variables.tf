variable "project" {
  description = "Google Cloud project id."
  type        = string
}

variable "region" {
  description = "Region for the functions and the scheduler job."
  type        = string
  default     = "us-central1"
}

variable "cluster_name" {
  description = "Name of the GKE cluster whose mesh routes gamma-csm mirrors."
  type        = string
}

variable "cluster_location" {
  description = "Location (region or zone) of that cluster."
  type        = string
}

variable "cluster_id" {
  description = "gamma-csm cluster id (label-safe)."
  type        = string
  default     = "primary"
}

variable "mesh" {
  description = "Network Services Mesh id."
  type        = string
  default     = "gamma-csm"
}

variable "use_dns_endpoint" {
  description = "Reach the cluster through its DNS-based control-plane endpoint (private clusters; see the README)."
  type        = bool
  default     = false
}

variable "node_network" {
  description = "VPC network of the cluster's nodes; when set, a firewall rule admits Google's health-check probes to node_tags."
  type        = string
  default     = null
}

variable "node_tags" {
  description = "Network tags of the cluster's nodes (targets of the health-check firewall rule)."
  type        = list(string)
  default     = []
}

variable "sync_zip" {
  description = "Path of the zipped dist/sync bundle."
  type        = string
  default     = "../../../../dist/sync.zip"
}

variable "reconcile_zip" {
  description = "Path of the zipped dist/reconcile bundle."
  type        = string
  default     = "../../../../dist/reconcile.zip"
}
