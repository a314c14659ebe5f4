# Paced campaign dispatch (docs/campaigns.md): campaigns creates one task per recipient on this queue, each
# scheduled at the recipient's pacing slot, and the queue POSTs it back to campaigns with an OIDC token of the
# task-invoker service account (iam.tf). The queue's rate is a ceiling over all campaigns at once; each
# campaign's own rate comes from the schedule times.
#
# A deleted queue's name cannot be used again for 7 days: with destroy-and-recreate in mind, change name_prefix.
resource "google_cloud_tasks_queue" "campaigns" {
  project  = var.project_id
  name     = "${var.name_prefix}rbm-campaigns"
  location = var.region

  rate_limits {
    max_dispatches_per_second = var.campaigns_queue_max_dispatches_per_second
    max_concurrent_dispatches = var.campaigns_queue_max_concurrent_dispatches
  }

  # A task answered 5xx (RBM or Firestore unavailable) is tried again; permanent refusals answer 2xx.
  retry_config {
    max_attempts       = var.campaigns_queue_max_attempts
    min_backoff        = var.campaigns_queue_min_backoff
    max_backoff        = var.campaigns_queue_max_backoff
    max_doublings      = var.campaigns_queue_max_doublings
    max_retry_duration = var.campaigns_queue_max_retry_duration
  }

  depends_on = [google_project_service.required]
}

locals {
  # campaigns is told its own URL: its tasks POST there, and it is their OIDC audience. Its
  # service_config[0].uri would make the function depend on itself, so this is the deterministic Cloud Run URL,
  # known before the function exists: https://<service>-<project number>.<region>.run.app, where the service is
  # named like the function. (A data "google_cloud_run_v2_service" lookup would depend on the function too.)
  campaigns_url = "https://${var.name_prefix}rbm-campaigns-${data.google_project.this.number}.${var.region}.run.app"
}

# The identity in the OIDC token of every campaign task: it invokes campaigns and nothing else.
resource "google_service_account" "campaign_tasks" {
  project      = var.project_id
  account_id   = "${var.name_prefix}rbm-task-invoker"
  display_name = "RBM campaign tasks"
  description  = "Identity in the OIDC token of the rbm-campaigns queue's tasks; invokes the campaigns function only."

  depends_on = [google_project_service.required]
}

# ---------------------------------------------------------------------------------------------------------------
# campaigns' own grants. It stores campaigns and runs the send path (Firestore, the RBM key, status and fallback
# topics), and creates tasks on rbm-campaigns that carry the task identity's token.

resource "google_project_iam_member" "campaigns_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime["campaigns"].email}"

  condition {
    title      = "rbm-firestore-database-only"
    expression = local.firestore_database_only
  }
}

resource "google_secret_manager_secret_iam_member" "campaigns_reads_rbm_service_account_key" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.rbm_service_account_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime["campaigns"].email}"
}

resource "google_pubsub_topic_iam_member" "campaigns_publishes_message_status" {
  project = var.project_id
  topic   = google_pubsub_topic.message_status.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["campaigns"].email}"
}

resource "google_pubsub_topic_iam_member" "campaigns_publishes_fallback" {
  project = var.project_id
  topic   = google_pubsub_topic.fallback.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["campaigns"].email}"
}

# Creates tasks on this queue only.
resource "google_cloud_tasks_queue_iam_member" "campaigns_enqueues_campaign_tasks" {
  project  = var.project_id
  location = google_cloud_tasks_queue.campaigns.location
  name     = google_cloud_tasks_queue.campaigns.name
  role     = "roles/cloudtasks.enqueuer"
  member   = "serviceAccount:${google_service_account.runtime["campaigns"].email}"
}

# A task with an OIDC token of a service account may only be created by a principal that can act as it. (Cloud
# Tasks' own service agent mints the tokens; its role, granted when the API is enabled, allows that.)
resource "google_service_account_iam_member" "campaigns_acts_as_campaign_tasks" {
  service_account_id = google_service_account.campaign_tasks.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.runtime["campaigns"].email}"
}

# ---------------------------------------------------------------------------------------------------------------
# Who invokes campaigns: the task identity (the :enqueue and :dispatch routes), and var.invoker_members (the API).

resource "google_cloud_run_v2_service_iam_member" "campaign_tasks_invoke_campaigns" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["campaigns"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.campaign_tasks.email}"
}

resource "google_cloud_run_v2_service_iam_member" "campaigns_invokers" {
  for_each = toset(var.invoker_members)

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["campaigns"].name
  role     = "roles/run.invoker"
  member   = each.value
}
