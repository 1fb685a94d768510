locals {
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# Route events from the watcher: one message per parent Service, ordering key cluster/namespace/service.
resource "google_pubsub_topic" "route_events" {
  project                    = var.project
  name                       = "route-events"
  labels                     = local.labels
  message_retention_duration = "86400s"
  depends_on                 = [google_project_service.required]
}

# Cloud Scheduler publishes here; the reconcile function's Eventarc trigger consumes it.
resource "google_pubsub_topic" "reconcile_ticks" {
  project    = var.project
  name       = "reconcile-ticks"
  labels     = local.labels
  depends_on = [google_project_service.required]
}

# Route events that failed max_delivery_attempts times. The pull subscription below keeps them
# (a topic without subscriptions would drop them) for inspection and replay.
resource "google_pubsub_topic" "route_events_dead_letter" {
  project    = var.project
  name       = "route-events-dead-letter"
  labels     = local.labels
  depends_on = [google_project_service.required]
}

resource "google_pubsub_subscription" "route_events_dead_letter" {
  project                    = var.project
  name                       = "route-events-dead-letter"
  topic                      = google_pubsub_topic.route_events_dead_letter.id
  labels                     = local.labels
  message_retention_duration = "604800s"
  retain_acked_messages      = true
  ack_deadline_seconds       = 60
  expiration_policy {
    ttl = ""
  }
}

# Delivery to sync. We do NOT use an Eventarc event_trigger here: the subscription Eventarc creates is
# not a Terraform resource, so neither a dead-letter policy nor message ordering can be set on it.
# Instead this push subscription posts to the function's URL with an OIDC token, dead-letters after
# max_delivery_attempts and delivers each parent key in order. The push path carries
# projects/P/topics/T so functions-framework turns the Pub/Sub push body into the same
# google.cloud.pubsub.topic.v1.messagePublished CloudEvent Eventarc would send (ordering key and
# subscription name are dropped by that conversion; route events carry their parent and sequence in
# the body and attributes, so nothing is lost).
resource "google_pubsub_subscription" "sync_push" {
  project                    = var.project
  name                       = "route-events-sync"
  topic                      = google_pubsub_topic.route_events.id
  labels                     = local.labels
  ack_deadline_seconds       = min(600, var.sync_timeout_seconds + 10)
  message_retention_duration = "86400s"
  enable_message_ordering    = true
  expiration_policy {
    ttl = ""
  }
  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }
  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.route_events_dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }
  push_config {
    push_endpoint = "${google_cloudfunctions2_function.sync.service_config[0].uri}/projects/${var.project}/topics/${google_pubsub_topic.route_events.name}"
    oidc_token {
      service_account_email = google_service_account.sync_invoker.email
      audience              = google_cloudfunctions2_function.sync.service_config[0].uri
    }
  }
  depends_on = [
    google_cloud_run_service_iam_member.sync_invoker,
    google_pubsub_topic_iam_member.dead_letter_publisher,
  ]
}

# Dead-lettering: the Pub/Sub service agent forwards failed messages to the dead-letter topic and
# acks them on the source subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  project = var.project
  topic   = google_pubsub_topic.route_events_dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  project      = var.project
  subscription = google_pubsub_subscription.sync_push.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# The watcher may publish route events, and nothing else.
resource "google_pubsub_topic_iam_member" "watcher_publisher" {
  project = var.project
  topic   = google_pubsub_topic.route_events.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.watcher.email}"
}
