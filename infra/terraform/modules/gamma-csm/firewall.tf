# Optional ingress rule for Google's health-check probes (var.health_check_firewall). The backend
# services gamma-csm creates carry a health check that probes every NEG endpoint (a pod IP and its
# serving port) from Google's probe ranges; without this rule the endpoints stay UNHEALTHY and mesh
# clients get no traffic through. Created here, not by the functions: writing firewalls needs
# network-admin power the functions should not hold. See docs/backends.md.
locals {
  health_check_ranges_ipv4 = ["35.191.0.0/16", "130.211.0.0/22"]
  health_check_ranges_ipv6 = ["2600:2d00:1:b029::/64", "2600:2d00:1:1::/64"]

  # Firewall names are project-wide and at most 63 characters: the cluster id when it fits, else a
  # truncated id plus a hash of the whole id (two clusters never share a rule).
  cluster_slug = (
    length(var.cluster_id) <= 40 ? var.cluster_id :
    "${trimsuffix(substr(var.cluster_id, 0, 31), "-")}-${substr(sha256(var.cluster_id), 0, 8)}"
  )
  # One rule per address family (a rule holds IPv4 or IPv6 source ranges, never both); none when
  # the variable is null.
  health_check_firewall_rules = {
    for family, rule in {
      ipv4 = { name = "gamma-csm-hc-${local.cluster_slug}", ranges = local.health_check_ranges_ipv4 }
      ipv6 = { name = "gamma-csm-hc6-${local.cluster_slug}", ranges = local.health_check_ranges_ipv6 }
    } : family => rule
    if var.health_check_firewall != null && (family == "ipv4" || try(var.health_check_firewall.ipv6, false))
  }
}

resource "google_compute_firewall" "health_checks" {
  for_each    = local.health_check_firewall_rules
  project     = var.project
  name        = each.value.name
  network     = var.health_check_firewall.network
  description = "gamma-csm (${var.cluster_id}): Google health-check probes to the mesh backends"
  direction   = "INGRESS"
  priority    = var.health_check_firewall.priority

  source_ranges = each.value.ranges
  target_tags   = var.health_check_firewall.target_tags

  allow {
    protocol = "tcp"
    # Empty = every TCP port: USE_SERVING_PORT probes each pod's own port, unknown here.
    ports = var.health_check_firewall.ports
  }

  depends_on = [google_project_service.required]
}
