output "sync_function" {
  description = "Name and URL of the sync function."
  value       = { name = google_cloudfunctions2_function.sync.name, uri = google_cloudfunctions2_function.sync.service_config[0].uri }
}

output "reconcile_function" {
  description = "Name and URL of the reconcile function."
  value       = { name = google_cloudfunctions2_function.reconcile.name, uri = google_cloudfunctions2_function.reconcile.service_config[0].uri }
}

output "topics" {
  description = "Pub/Sub topic ids."
  value = {
    route_events             = google_pubsub_topic.route_events.id
    reconcile_ticks          = google_pubsub_topic.reconcile_ticks.id
    route_events_dead_letter = google_pubsub_topic.route_events_dead_letter.id
  }
}

output "dead_letter_subscription" {
  description = "Pull subscription that keeps dead-lettered route events."
  value       = google_pubsub_subscription.route_events_dead_letter.id
}

output "service_accounts" {
  description = "Emails of the service accounts this module created."
  value = {
    sync      = google_service_account.sync.email
    reconcile = google_service_account.reconcile.email
    sync_push = google_service_account.sync_invoker.email
    trigger   = google_service_account.trigger.email
    watcher   = google_service_account.watcher.email
  }
}

output "watcher_env" {
  description = "Environment for the watcher Deployment (infra/k8s configMapGenerator literals)."
  value = merge(
    {
      GAMMA_PROJECT            = var.project
      GAMMA_CLUSTER_ID         = var.cluster_id
      GAMMA_ROUTE_EVENTS_TOPIC = google_pubsub_topic.route_events.name
    },
    # The watcher reads ReferenceGrants only in referencegrant mode, so it needs the same value.
    var.cross_namespace_backends == null ? {} : { GAMMA_CROSS_NAMESPACE_BACKENDS = var.cross_namespace_backends },
  )
}

output "watcher_ksa_annotation" {
  description = "Annotation for the watcher's Kubernetes ServiceAccount (Workload Identity)."
  value       = { "iam.gke.io/gcp-service-account" = google_service_account.watcher.email }
}

output "functions_rbac_yaml" {
  description = "Kubernetes RBAC letting the functions' service accounts read routes, Services and namespaces and write route status; kubectl apply -f it."
  value = templatefile("${path.module}/functions-rbac.yaml.tftpl", {
    users = [google_service_account.sync.email, google_service_account.reconcile.email]
  })
}

output "functions_auto_neg_rbac_yaml" {
  description = "Extra Kubernetes RBAC (patch on Services) needed only with GAMMA_AUTO_NEG=true; kubectl apply -f it in addition to functions_rbac_yaml."
  value = templatefile("${path.module}/functions-auto-neg-rbac.yaml.tftpl", {
    users = [google_service_account.sync.email, google_service_account.reconcile.email]
  })
}
