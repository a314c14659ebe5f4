# Operations (docs/operations.md): alert policies on the inbound pipeline and the HTTP functions, and the
# exclusion of Cloud Run request logs whose URLs carry phone numbers.

locals {
  # Functions whose request paths carry a phone number (pathCarriesPhoneNumbers in functions/<name>/spec.ts; the
  # Terraform tests keep this list equal to the catalog's). Their Cloud Run request logs are not stored: each
  # request is recorded by the function's own log lines, where phone numbers are masked.
  phone_path_functions = ["send", "revoke", "messages", "events", "capabilities"]

  # Functions reached over HTTP by callers, RBM or Cloud Scheduler: every one but inbound, which only the push
  # subscription calls (its failures show in the backlog alert). The tests keep this equal to the catalog's HTTP
  # functions.
  http_functions = ["send", "revoke", "webhook", "reconcile", "messages", "events", "capabilities", "files", "campaigns"]

  http_services_filter = "resource.labels.service_name = one_of(${join(", ", [for name in local.http_functions : "\"${var.name_prefix}rbm-${name}\""])})"
  request_count_filter = "resource.type = \"cloud_run_revision\" AND metric.type = \"run.googleapis.com/request_count\""
}

# Every Cloud Functions gen2 function runs as the Cloud Run service of the same name. Excluded entries are
# dropped before storage by the _Default sink; a sink of the business's own still receives them.
resource "google_logging_project_exclusion" "phone_path_request_logs" {
  for_each = toset(local.phone_path_functions)

  project     = var.project_id
  name        = "${var.name_prefix}rbm-${each.key}-request-logs"
  description = "Cloud Run request logs of ${var.name_prefix}rbm-${each.key}: its request URLs carry phone numbers."
  filter      = "LOG_ID(\"run.googleapis.com/requests\") AND resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"${var.name_prefix}rbm-${each.key}\""

  depends_on = [google_project_service.required]
}

# Anything in the hold subscription is a callback inbound could not process after every delivery attempt.
resource "google_monitoring_alert_policy" "dead_letters_held" {
  project               = var.project_id
  display_name          = "${var.name_prefix}rbm: inbound callbacks dead-lettered"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.alert_notification_channels
  user_labels           = var.labels

  conditions {
    display_name = "messages held in ${google_pubsub_subscription.inbound_dead_letter_hold.name}"

    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND resource.labels.subscription_id = \"${google_pubsub_subscription.inbound_dead_letter_hold.name}\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "inbound failed a callback on every delivery attempt. Find the cause in inbound's logs, fix it, then `npm run rbm -- dead-letters list` and `npm run rbm -- dead-letters replay` (docs/operations.md). Held messages are deleted after 7 days."
  }

  depends_on = [google_project_service.required]
}

# inbound falling behind: the oldest callback waiting in its push subscription is older than 10 minutes.
resource "google_monitoring_alert_policy" "inbound_backlog" {
  project               = var.project_id
  display_name          = "${var.name_prefix}rbm: inbound backlog older than 10 minutes"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = var.alert_notification_channels
  user_labels           = var.labels

  conditions {
    display_name = "oldest unacknowledged message in ${google_pubsub_subscription.inbound_push.name} older than 600 s"

    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND resource.labels.subscription_id = \"${google_pubsub_subscription.inbound_push.name}\" AND metric.type = \"pubsub.googleapis.com/subscription/oldest_unacked_message_age\""
      comparison      = "COMPARISON_GT"
      threshold_value = 600
      duration        = "0s"

      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "inbound is failing or too slow: pushes are being retried (Firestore or Pub/Sub errors in inbound's logs) or its max instances are too few. After max delivery attempts the callbacks are dead-lettered (docs/operations.md)."
  }

  depends_on = [google_project_service.required]
}

# 5xx share of a function's requests. A share rather than a count, because a healthy send answers some 503s
# when RBM is unavailable and a count would have to be retuned as traffic grows; the minimum count keeps a
# quiet hour's single failure from paging. Both conditions must hold for the same service.
resource "google_monitoring_alert_policy" "http_5xx" {
  project               = var.project_id
  display_name          = "${var.name_prefix}rbm: HTTP functions answering 5xx"
  combiner              = "AND_WITH_MATCHING_RESOURCE"
  severity              = "ERROR"
  notification_channels = var.alert_notification_channels
  user_labels           = var.labels

  conditions {
    display_name = "5xx share of requests above ${var.alert_5xx_ratio * 100}% over 5 minutes"

    condition_threshold {
      filter             = "${local.request_count_filter} AND metric.labels.response_code_class = \"5xx\" AND ${local.http_services_filter}"
      denominator_filter = "${local.request_count_filter} AND ${local.http_services_filter}"
      comparison         = "COMPARISON_GT"
      threshold_value    = var.alert_5xx_ratio
      duration           = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.labels.service_name"]
      }

      denominator_aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.labels.service_name"]
      }
    }
  }

  conditions {
    display_name = "at least ${var.alert_5xx_min_count} 5xx answers over 5 minutes"

    condition_threshold {
      filter          = "${local.request_count_filter} AND metric.labels.response_code_class = \"5xx\" AND ${local.http_services_filter}"
      comparison      = "COMPARISON_GT"
      threshold_value = var.alert_5xx_min_count - 1
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.labels.service_name"]
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A function answers 5xx to a growing share of requests. 503 UNAVAILABLE means RBM, Firestore or Pub/Sub was unavailable (the caller retries with the same message id); 500 is a bug. The function's own log lines carry the message id and the error (docs/operations.md)."
  }

  depends_on = [google_project_service.required]
}
