# Identities and every IAM grant of the deployment. Least privilege: each runtime service account gets exactly
# what its function does, on the one resource it does it to. All grants are additive *_iam_member resources;
# nothing here is authoritative over bindings made outside Terraform.
#
# test/terraform checks this file against an exact list of grants: add a grant here, add it there too.

locals {
  pubsub_service_agent = "service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"

  # What a gen2 function build needs, and no more (no roles/cloudbuild.builds.builder: its extra permissions,
  # such as publishing to any topic or writing any bucket, serve no step of the build). Each is project-level
  # because its resource is not Terraform's to name:
  build_service_account_roles = [
    # pushes the built image to the gcf-artifacts repository, which Cloud Functions creates on first deploy
    "roles/artifactregistry.writer",
    # writes the build's logs; log writing has no finer scope than the project
    "roles/logging.logWriter",
    # reads the source archive from the bucket Cloud Functions stages it in (gcf-v2-sources-*), not ours
    "roles/storage.objectViewer",
  ]

  # roles/datastore.user holds on the deployment's own Firestore database only: Firestore has no database-level
  # IAM resource, so each project grant carries this IAM condition (docs/operations.md).
  firestore_database_only = "resource.name == \"projects/${var.project_id}/databases/${google_firestore_database.default.name}\""
}

# ---------------------------------------------------------------------------------------------------------------
# Service accounts

# One runtime identity per function: <prefix>rbm-send, <prefix>rbm-revoke, <prefix>rbm-webhook, <prefix>rbm-inbound.
resource "google_service_account" "runtime" {
  for_each = local.functions

  project      = var.project_id
  account_id   = "${var.name_prefix}rbm-${each.key}"
  display_name = "RBM ${each.key} function runtime"
  description  = "Runtime identity of the ${each.key} function."

  depends_on = [google_project_service.required]
}

# Builds the four functions (build_config.service_account).
resource "google_service_account" "build" {
  project      = var.project_id
  account_id   = "${var.name_prefix}rbm-build"
  display_name = "RBM functions build"
  description  = "Cloud Build identity that builds the RBM functions."

  depends_on = [google_project_service.required]
}

# The identity Pub/Sub presents (OIDC token) when pushing rbm-inbound messages to inbound.
resource "google_service_account" "inbound_push" {
  project      = var.project_id
  account_id   = "${var.name_prefix}rbm-inbound-push"
  display_name = "RBM inbound push subscription"
  description  = "Identity in the OIDC token of the rbm-inbound-to-inbound push subscription."

  depends_on = [google_project_service.required]
}

# ---------------------------------------------------------------------------------------------------------------
# send and revoke: Firestore, and the RBM service-account key secret only.

resource "google_project_iam_member" "send_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime["send"].email}"

  condition {
    title      = "rbm-firestore-database-only"
    expression = local.firestore_database_only
  }
}

resource "google_secret_manager_secret_iam_member" "send_reads_rbm_service_account_key" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.rbm_service_account_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime["send"].email}"
}

resource "google_project_iam_member" "revoke_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime["revoke"].email}"

  condition {
    title      = "rbm-firestore-database-only"
    expression = local.firestore_database_only
  }
}

resource "google_secret_manager_secret_iam_member" "revoke_reads_rbm_service_account_key" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.rbm_service_account_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime["revoke"].email}"
}

# ---------------------------------------------------------------------------------------------------------------
# webhook: publish to rbm-inbound only, and read the client token secret only.

resource "google_pubsub_topic_iam_member" "webhook_publishes_inbound" {
  project = var.project_id
  topic   = google_pubsub_topic.inbound.id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["webhook"].email}"
}

resource "google_secret_manager_secret_iam_member" "webhook_reads_client_token" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.rbm_webhook_client_token.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime["webhook"].email}"
}

# ---------------------------------------------------------------------------------------------------------------
# inbound: Firestore, and publish to rbm-user-messages only.

resource "google_project_iam_member" "inbound_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime["inbound"].email}"

  condition {
    title      = "rbm-firestore-database-only"
    expression = local.firestore_database_only
  }
}

resource "google_pubsub_topic_iam_member" "inbound_publishes_user_messages" {
  project = var.project_id
  topic   = google_pubsub_topic.user_messages.id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["inbound"].email}"
}

# ---------------------------------------------------------------------------------------------------------------
# messages, events, capabilities, files. roles/datastore.user is limited to the database (Firestore has no
# per-collection IAM); what each function touches is noted on its grant.

# messages reads agentMessages, userMessages and consents, and writes consents (and their history) on PUT.
resource "google_project_iam_member" "messages_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime["messages"].email}"

  condition {
    title      = "rbm-firestore-database-only"
    expression = local.firestore_database_only
  }
}

resource "google_pubsub_topic_iam_member" "messages_publishes_consent_changes" {
  project = var.project_id
  topic   = google_pubsub_topic.consent_changes.id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime["messages"].email}"
}

resource "google_secret_manager_secret_iam_member" "messages_reads_page_token_key" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.rbm_page_token_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime["messages"].email}"
}

# events writes readByAgentAt on userMessages only.
resource "google_project_iam_member" "events_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime["events"].email}"

  condition {
    title      = "rbm-firestore-database-only"
    expression = local.firestore_database_only
  }
}

resource "google_secret_manager_secret_iam_member" "events_reads_rbm_service_account_key" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.rbm_service_account_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime["events"].email}"
}

# capabilities reads and writes capabilities only.
resource "google_project_iam_member" "capabilities_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime["capabilities"].email}"

  condition {
    title      = "rbm-firestore-database-only"
    expression = local.firestore_database_only
  }
}

resource "google_secret_manager_secret_iam_member" "capabilities_reads_rbm_service_account_key" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.rbm_service_account_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime["capabilities"].email}"
}

# files reads and writes files only.
resource "google_project_iam_member" "files_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime["files"].email}"

  condition {
    title      = "rbm-firestore-database-only"
    expression = local.firestore_database_only
  }
}

resource "google_secret_manager_secret_iam_member" "files_reads_rbm_service_account_key" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.rbm_service_account_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime["files"].email}"
}

# ---------------------------------------------------------------------------------------------------------------
# Build service account: the roles of local.build_service_account_roles, each with its reason there.

resource "google_project_iam_member" "build" {
  for_each = toset(local.build_service_account_roles)

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.build.email}"
}

# ---------------------------------------------------------------------------------------------------------------
# Push subscription and dead-lettering (Pub/Sub service agent).

# The service agent signs the OIDC token of each push as the push service account.
resource "google_service_account_iam_member" "pubsub_agent_mints_inbound_push_tokens" {
  service_account_id = google_service_account.inbound_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${local.pubsub_service_agent}"
}

# Dead-lettering: the service agent publishes to the dead-letter topic ...
resource "google_pubsub_topic_iam_member" "pubsub_agent_publishes_inbound_dead_letters" {
  project = var.project_id
  topic   = google_pubsub_topic.inbound_dead_letter.id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${local.pubsub_service_agent}"
}

# ... and acknowledges the dead-lettered message on the source subscription.
resource "google_pubsub_subscription_iam_member" "pubsub_agent_subscribes_inbound_push" {
  project      = var.project_id
  subscription = google_pubsub_subscription.inbound_push.id
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${local.pubsub_service_agent}"

  lifecycle {
    replace_triggered_by = [google_pubsub_subscription.inbound_push]
  }
}

# ---------------------------------------------------------------------------------------------------------------
# Who may invoke which function. roles/run.invoker is bound on the functions' Cloud Run services: the
# google_cloudfunctions2_function_iam_* resources reject it.

# Only the push subscription's identity invokes inbound.
resource "google_cloud_run_v2_service_iam_member" "inbound_push_invokes_inbound" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["inbound"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.inbound_push.email}"
}

# send and revoke: the principals in var.invoker_members, never allUsers (validated in variables.tf).
resource "google_cloud_run_v2_service_iam_member" "send_invokers" {
  for_each = toset(var.invoker_members)

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["send"].name
  role     = "roles/run.invoker"
  member   = each.value
}

resource "google_cloud_run_v2_service_iam_member" "revoke_invokers" {
  for_each = toset(var.invoker_members)

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["revoke"].name
  role     = "roles/run.invoker"
  member   = each.value
}

# messages, events, capabilities and files: the same principals as send and revoke.
resource "google_cloud_run_v2_service_iam_member" "messages_invokers" {
  for_each = toset(var.invoker_members)

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["messages"].name
  role     = "roles/run.invoker"
  member   = each.value
}

resource "google_cloud_run_v2_service_iam_member" "events_invokers" {
  for_each = toset(var.invoker_members)

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["events"].name
  role     = "roles/run.invoker"
  member   = each.value
}

resource "google_cloud_run_v2_service_iam_member" "capabilities_invokers" {
  for_each = toset(var.invoker_members)

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["capabilities"].name
  role     = "roles/run.invoker"
  member   = each.value
}

resource "google_cloud_run_v2_service_iam_member" "files_invokers" {
  for_each = toset(var.invoker_members)

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["files"].name
  role     = "roles/run.invoker"
  member   = each.value
}

# webhook is public: RBM calls it without a Google identity, and X-Goog-Signature (HMAC of the client token)
# authenticates each callback. An organisation policy restricting allUsers (domain restricted sharing) must allow
# this one binding. max_instance_count (var.webhook_max_instances) bounds what unsigned traffic can cost.
resource "google_cloud_run_v2_service_iam_member" "webhook_public" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["webhook"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
