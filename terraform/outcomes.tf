# Message outcomes: who publishes status events and fallback decisions, and the scheduled reconcile
# (docs/status-and-fallback.md). Each grant is on the one topic a function publishes to.

# send, revoke, inbound and reconcile change agent-message state: each publishes its status events and
# fallback decisions.
resource "google_pubsub_topic_iam_member" "send_publishes_message_status" {
  project = var.project_id
  topic   = google_pubsub_topic.message_status.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["send"].email}"
}

resource "google_pubsub_topic_iam_member" "send_publishes_fallback" {
  project = var.project_id
  topic   = google_pubsub_topic.fallback.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["send"].email}"
}

resource "google_pubsub_topic_iam_member" "revoke_publishes_message_status" {
  project = var.project_id
  topic   = google_pubsub_topic.message_status.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["revoke"].email}"
}

resource "google_pubsub_topic_iam_member" "revoke_publishes_fallback" {
  project = var.project_id
  topic   = google_pubsub_topic.fallback.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["revoke"].email}"
}

resource "google_pubsub_topic_iam_member" "inbound_publishes_message_status" {
  project = var.project_id
  topic   = google_pubsub_topic.message_status.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["inbound"].email}"
}

resource "google_pubsub_topic_iam_member" "inbound_publishes_fallback" {
  project = var.project_id
  topic   = google_pubsub_topic.fallback.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["inbound"].email}"
}

resource "google_pubsub_topic_iam_member" "reconcile_publishes_message_status" {
  project = var.project_id
  topic   = google_pubsub_topic.message_status.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["reconcile"].email}"
}

resource "google_pubsub_topic_iam_member" "reconcile_publishes_fallback" {
  project = var.project_id
  topic   = google_pubsub_topic.fallback.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["reconcile"].email}"
}

# reconcile publishes consent changes their caller left unpublished (crash, failed publish).
resource "google_pubsub_topic_iam_member" "reconcile_publishes_consent_changes" {
  project = var.project_id
  topic   = google_pubsub_topic.consent_changes.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["reconcile"].email}"
}

# inbound applies SUBSCRIBE/UNSUBSCRIBE and opt-out/opt-in keywords.
resource "google_pubsub_topic_iam_member" "inbound_publishes_consent_changes" {
  project = var.project_id
  topic   = google_pubsub_topic.consent_changes.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["inbound"].email}"
}

# inbound sends automatic READ events with the RBM key when var.auto_read is on.
resource "google_secret_manager_secret_iam_member" "inbound_reads_rbm_service_account_key" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.rbm_service_account_key.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime["inbound"].email}"
}

# reconcile reads and updates agent messages and revokes through RBM.
resource "google_project_iam_member" "reconcile_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime["reconcile"].email}"

  condition {
    title      = "rbm-firestore-database-only"
    expression = local.firestore_database_only
  }
}

resource "google_secret_manager_secret_iam_member" "reconcile_reads_rbm_service_account_key" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.rbm_service_account_key.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime["reconcile"].email}"
}

# The identity in the OIDC token of the scheduler's calls: the only principal that may invoke reconcile.
resource "google_service_account" "reconcile_scheduler" {
  project      = var.project_id
  account_id   = "${var.name_prefix}rbm-reconcile-sched"
  display_name = "RBM reconcile scheduler"
  description  = "Identity in the OIDC token of the rbm-reconcile Cloud Scheduler job."

  depends_on = [google_project_service.required]
}

resource "google_cloud_run_v2_service_iam_member" "scheduler_invokes_reconcile" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["reconcile"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.reconcile_scheduler.email}"
}

resource "google_cloud_scheduler_job" "reconcile" {
  project   = var.project_id
  region    = var.region
  name      = "${var.name_prefix}rbm-reconcile"
  schedule  = "*/5 * * * *"
  time_zone = "Etc/UTC"
  # A pass is bounded; a slow one is simply picked up by the next.
  attempt_deadline = "320s"

  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.function["reconcile"].service_config[0].uri
    body        = base64encode("{}")
    headers = {
      "Content-Type" = "application/json"
    }

    oidc_token {
      service_account_email = google_service_account.reconcile_scheduler.email
      audience              = google_cloudfunctions2_function.function["reconcile"].service_config[0].uri
    }
  }

  depends_on = [google_project_service.required]
}
