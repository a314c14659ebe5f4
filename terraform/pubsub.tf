# Topics and subscriptions (docs/topics.md).
#
# This file is also the source of truth for the local stack: devtools/topology.ts parses it and creates the
# same topics and subscriptions on the Pub/Sub emulator. Keep names as "${var.name_prefix}<name>", references as
# google_pubsub_topic.<x>.id / .name, durations as "<n>s" and numbers as literals, or topology.ts fails loudly.

# The webhook publishes every verified RBM callback here.
resource "google_pubsub_topic" "inbound" {
  project = var.project_id
  name    = "${var.name_prefix}rbm-inbound"
  labels  = var.labels

  depends_on = [google_project_service.required]
}

# Messages that inbound failed to process max_delivery_attempts times.
resource "google_pubsub_topic" "inbound_dead_letter" {
  project = var.project_id
  name    = "${var.name_prefix}rbm-inbound-dead-letter"
  labels  = var.labels

  depends_on = [google_project_service.required]
}

# inbound publishes each new user message here, for the business's own logic.
resource "google_pubsub_topic" "user_messages" {
  project = var.project_id
  name    = "${var.name_prefix}rbm-user-messages"
  labels  = var.labels

  depends_on = [google_project_service.required]
}

# Every applied consent change (inbound: SUBSCRIBE/UNSUBSCRIBE and keywords; messages: PUT /v1/consents).
resource "google_pubsub_topic" "consent_changes" {
  project = var.project_id
  name    = "${var.name_prefix}rbm-consent-changes"
  labels  = var.labels

  depends_on = [google_project_service.required]
}

# rbm-inbound -> inbound.
#
# A subscription of our own rather than an event_trigger on the function: a subscription managed by Eventarc
# cannot be given a dead-letter policy, ack deadline or backoff through Terraform. Pub/Sub posts the raw push body {subscription, message}, which functions-framework turns into the
# CloudEvent that inbound is registered for (functions.cloudEvent wins over the HTTP signature type the
# function is deployed with, because it has no trigger).
resource "google_pubsub_subscription" "inbound_push" {
  project = var.project_id
  name    = "${var.name_prefix}rbm-inbound-to-inbound"
  topic   = google_pubsub_topic.inbound.id
  labels  = var.labels

  # For a push subscription this is also the HTTP request timeout; it matches inbound's timeout_seconds.
  ack_deadline_seconds = 60

  # RBM itself retries the webhook for 7 days; keep undelivered messages as long.
  message_retention_duration = "604800s"

  # Default subscriptions expire after 31 days without activity; a quiet agent must not lose its pipeline.
  expiration_policy {
    ttl = ""
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  # Needs the Pub/Sub service agent's publisher binding on the dead-letter topic and subscriber binding on this
  # subscription (iam.tf); without them messages are never dead-lettered.
  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.inbound_dead_letter.id
    max_delivery_attempts = 10
  }

  push_config {
    # The run.app URL of the function's Cloud Run service: the service the run.invoker binding is on and the
    # audience Cloud Run checks. inbound's ingress is internal-only; Pub/Sub push from the same project (or
    # VPC Service Controls perimeter) is internal traffic, so delivery works while the internet is refused.
    # The /projects/P/topics/T path is what functions-framework reads the CloudEvent's source from (without
    # it, every push logs "Failed to extract the topic name from the URL path"); the service ignores it.
    push_endpoint = "${google_cloudfunctions2_function.function["inbound"].service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.inbound.name}"

    oidc_token {
      service_account_email = google_service_account.inbound_push.email
      audience              = google_cloudfunctions2_function.function["inbound"].service_config[0].uri
    }
  }
}

# Holds dead-lettered messages for 7 days so an operator can inspect and replay them. Without a subscription,
# messages published to the dead-letter topic would be lost.
resource "google_pubsub_subscription" "inbound_dead_letter_hold" {
  project = var.project_id
  name    = "${var.name_prefix}rbm-inbound-dead-letter-hold"
  topic   = google_pubsub_topic.inbound_dead_letter.id
  labels  = var.labels

  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = ""
  }
}

# Optional pull subscription on rbm-user-messages for the business (create_user_messages_subscription).
resource "google_pubsub_subscription" "user_messages_pull" {
  count = var.create_user_messages_subscription ? 1 : 0

  project = var.project_id
  name    = "${var.name_prefix}rbm-user-messages-pull"
  topic   = google_pubsub_topic.user_messages.id
  labels  = var.labels

  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = ""
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }
}

# Every state change of an agent message (send, revoke, inbound, campaigns, reconcile publish here).
resource "google_pubsub_topic" "message_status" {
  project = var.project_id
  name    = "${var.name_prefix}rbm-message-status"
  labels  = var.labels

  depends_on = [google_project_service.required]
}

# Every fallback decision: the business's SMS sender subscribes here (docs/status-and-fallback.md).
resource "google_pubsub_topic" "fallback" {
  project = var.project_id
  name    = "${var.name_prefix}rbm-fallback"
  labels  = var.labels

  depends_on = [google_project_service.required]
}

# Optional pull subscriptions on the business topics, off by default like rbm-user-messages-pull.
resource "google_pubsub_subscription" "message_status_pull" {
  count = var.create_message_status_subscription ? 1 : 0

  project = var.project_id
  name    = "${var.name_prefix}rbm-message-status-pull"
  topic   = google_pubsub_topic.message_status.id
  labels  = var.labels

  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "fallback_pull" {
  count = var.create_fallback_subscription ? 1 : 0

  project = var.project_id
  name    = "${var.name_prefix}rbm-fallback-pull"
  topic   = google_pubsub_topic.fallback.id
  labels  = var.labels

  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "consent_changes_pull" {
  count = var.create_consent_changes_subscription ? 1 : 0

  project = var.project_id
  name    = "${var.name_prefix}rbm-consent-changes-pull"
  topic   = google_pubsub_topic.consent_changes.id
  labels  = var.labels

  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = ""
  }
}
