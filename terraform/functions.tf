# The gen2 functions of functions/catalog.ts, built from `npm run build` output (dist/<name>).
#
# Every function is an entry of local.functions; the archive, the uploaded object, the runtime service account
# and the function itself are for_each over that map, so the four stay uniform. The key is both the folder
# under dist/ and the registered function name (entry_point).
locals {
  functions = {
    send = {
      description      = "RBM-compatible POST /v1/phones/{E.164}/agentMessages: records then sends an agent message."
      ingress_settings = "ALLOW_ALL" # callers anywhere, restricted by IAM (invoker_members)
      max_instances    = var.function_max_instances
      timeout_seconds  = 120 # RBM calls are retried with backoff within a bounded time
      environment = {
        GOOGLE_CLOUD_PROJECT = var.project_id
        RBM_AGENT_ID         = var.rbm_agent_id
        RBM_API_ENDPOINT     = var.rbm_api_endpoint
        RBM_STATUS_TOPIC     = google_pubsub_topic.message_status.name
        RBM_FALLBACK_TOPIC   = google_pubsub_topic.fallback.name
        RBM_CONSENT_MODE     = var.consent_mode
        # deleteAt of new records, for the TTL policy (retention.tf).
        RBM_AGENT_MESSAGE_RETENTION_DAYS = tostring(var.agent_message_retention_days)
      }
      secrets = {
        RBM_SERVICE_ACCOUNT_KEY = google_secret_manager_secret.rbm_service_account_key.secret_id
      }
    }
    revoke = {
      description      = "RBM-compatible DELETE /v1/phones/{E.164}/agentMessages/{id}: revokes an undelivered message."
      ingress_settings = "ALLOW_ALL" # callers anywhere, restricted by IAM (invoker_members)
      max_instances    = var.function_max_instances
      timeout_seconds  = 120
      environment = {
        GOOGLE_CLOUD_PROJECT = var.project_id
        RBM_AGENT_ID         = var.rbm_agent_id
        RBM_API_ENDPOINT     = var.rbm_api_endpoint
        RBM_STATUS_TOPIC     = google_pubsub_topic.message_status.name
        RBM_FALLBACK_TOPIC   = google_pubsub_topic.fallback.name
      }
      secrets = {
        RBM_SERVICE_ACCOUNT_KEY = google_secret_manager_secret.rbm_service_account_key.secret_id
      }
    }
    webhook = {
      description      = "RBM webhook: answers the verification handshake, checks X-Goog-Signature, publishes to rbm-inbound."
      ingress_settings = "ALLOW_ALL" # RBM calls it from the internet; public, the HMAC signature authenticates
      max_instances    = var.webhook_max_instances
      timeout_seconds  = 30
      environment = {
        GOOGLE_CLOUD_PROJECT = var.project_id
        RBM_INBOUND_TOPIC    = google_pubsub_topic.inbound.name
      }
      secrets = {
        RBM_WEBHOOK_CLIENT_TOKEN = google_secret_manager_secret.rbm_webhook_client_token.secret_id
      }
    }
    inbound = {
      description = "Processes RBM events and user messages pushed by the rbm-inbound-to-inbound subscription."
      # Only reached by the push subscription. Pub/Sub in the same project (or VPC Service Controls perimeter)
      # is internal traffic for Cloud Run ingress, so internal-only keeps the internet out while pushes get in;
      # the OIDC token and run.invoker (push service account only) authenticate each push on top of that.
      ingress_settings = "ALLOW_INTERNAL_ONLY"
      max_instances    = var.function_max_instances
      timeout_seconds  = 60 # equal to the push subscription's ack_deadline_seconds
      environment = {
        GOOGLE_CLOUD_PROJECT    = var.project_id
        RBM_AGENT_ID            = var.rbm_agent_id
        RBM_USER_MESSAGES_TOPIC = google_pubsub_topic.user_messages.name
        RBM_API_ENDPOINT        = var.rbm_api_endpoint
        RBM_STATUS_TOPIC        = google_pubsub_topic.message_status.name
        RBM_FALLBACK_TOPIC      = google_pubsub_topic.fallback.name
        RBM_CONSENT_TOPIC       = google_pubsub_topic.consent_changes.name
        RBM_AUTO_READ           = var.auto_read ? "true" : "false"
        # deleteAt of new user messages and records, for the TTL policies (retention.tf).
        RBM_USER_MESSAGE_RETENTION_DAYS  = tostring(var.user_message_retention_days)
        RBM_AGENT_MESSAGE_RETENTION_DAYS = tostring(var.agent_message_retention_days)
      }
      secrets = {
        # Used only for automatic READ events (var.auto_read).
        RBM_SERVICE_ACCOUNT_KEY = google_secret_manager_secret.rbm_service_account_key.secret_id
      }
    }
    reconcile = {
      description      = "Scheduled every 5 minutes: republishes unconfirmed status/fallback events and unpublished consent changes, and runs the fallback timer rules."
      ingress_settings = "ALLOW_ALL" # Cloud Scheduler calls it from outside the VPC; run.invoker is the scheduler's account only
      max_instances    = 1           # one pass at a time is enough; passes are idempotent
      timeout_seconds  = 300
      environment = {
        GOOGLE_CLOUD_PROJECT  = var.project_id
        RBM_AGENT_ID          = var.rbm_agent_id
        RBM_API_ENDPOINT      = var.rbm_api_endpoint
        RBM_STATUS_TOPIC      = google_pubsub_topic.message_status.name
        RBM_FALLBACK_TOPIC    = google_pubsub_topic.fallback.name
        RBM_CONSENT_TOPIC     = google_pubsub_topic.consent_changes.name
        RBM_FALLBACK_GRACE_S  = tostring(var.fallback_grace_seconds)
        RBM_PENDING_TIMEOUT_S = tostring(var.pending_timeout_seconds)
      }
      secrets = {
        RBM_SERVICE_ACCOUNT_KEY = google_secret_manager_secret.rbm_service_account_key.secret_id
      }
    }
    messages = {
      description      = "Query API: message records, lists, user messages and consents (GET/PUT /v1/consents/{E.164})."
      ingress_settings = "ALLOW_ALL" # callers anywhere, restricted by IAM (invoker_members)
      max_instances    = var.function_max_instances
      timeout_seconds  = 60
      environment = {
        GOOGLE_CLOUD_PROJECT = var.project_id
        RBM_AGENT_ID         = var.rbm_agent_id
        RBM_CONSENT_TOPIC    = google_pubsub_topic.consent_changes.name
      }
      secrets = {
        RBM_PAGE_TOKEN_KEY = google_secret_manager_secret.rbm_page_token_key.secret_id
      }
    }
    events = {
      description      = "RBM-compatible POST /v1/phones/{E.164}/agentEvents: READ and IS_TYPING agent events."
      ingress_settings = "ALLOW_ALL" # callers anywhere, restricted by IAM (invoker_members)
      max_instances    = var.function_max_instances
      timeout_seconds  = 120 # RBM calls are retried with backoff within a bounded time
      environment = {
        GOOGLE_CLOUD_PROJECT = var.project_id
        RBM_AGENT_ID         = var.rbm_agent_id
        RBM_API_ENDPOINT     = var.rbm_api_endpoint
      }
      secrets = {
        RBM_SERVICE_ACCOUNT_KEY = google_secret_manager_secret.rbm_service_account_key.secret_id
      }
    }
    capabilities = {
      description      = "RBM-compatible GET /v1/phones/{E.164}/capabilities (cached) and POST /v1/users:batchGet."
      ingress_settings = "ALLOW_ALL" # callers anywhere, restricted by IAM (invoker_members)
      max_instances    = var.function_max_instances
      timeout_seconds  = 120
      environment = {
        GOOGLE_CLOUD_PROJECT = var.project_id
        RBM_AGENT_ID         = var.rbm_agent_id
        RBM_API_ENDPOINT     = var.rbm_api_endpoint
      }
      secrets = {
        RBM_SERVICE_ACCOUNT_KEY = google_secret_manager_secret.rbm_service_account_key.secret_id
      }
    }
    files = {
      description      = "RBM-compatible POST /v1/files: creates an RBM file from a URL, once per URL (cached 55 days)."
      ingress_settings = "ALLOW_ALL" # callers anywhere, restricted by IAM (invoker_members)
      max_instances    = var.function_max_instances
      timeout_seconds  = 120
      environment = {
        GOOGLE_CLOUD_PROJECT = var.project_id
        RBM_AGENT_ID         = var.rbm_agent_id
        RBM_API_ENDPOINT     = var.rbm_api_endpoint
      }
      secrets = {
        RBM_SERVICE_ACCOUNT_KEY = google_secret_manager_secret.rbm_service_account_key.secret_id
      }
    }
    campaigns = {
      description      = "Campaigns: POST /v1/campaigns, GET /v1/campaigns/{id}, POST /v1/campaigns/{id}:cancel; its queue calls :enqueue and :dispatch."
      ingress_settings = "ALLOW_ALL" # callers anywhere and the rbm-campaigns queue, restricted by IAM
      max_instances    = var.function_max_instances
      timeout_seconds  = 300 # a create stores up to 100,000 recipients; an :enqueue creates up to 1,000 tasks
      environment = {
        GOOGLE_CLOUD_PROJECT             = var.project_id
        RBM_AGENT_ID                     = var.rbm_agent_id
        RBM_API_ENDPOINT                 = var.rbm_api_endpoint
        RBM_STATUS_TOPIC                 = google_pubsub_topic.message_status.name
        RBM_FALLBACK_TOPIC               = google_pubsub_topic.fallback.name
        RBM_CONSENT_MODE                 = var.consent_mode
        RBM_AGENT_MESSAGE_RETENTION_DAYS = tostring(var.agent_message_retention_days)
        CLOUD_TASKS_QUEUE                = google_cloud_tasks_queue.campaigns.id
        CAMPAIGNS_DISPATCH_URL           = local.campaigns_url # campaigns.tf: why not service_config[0].uri
        CAMPAIGNS_TASKS_SERVICE_ACCOUNT  = google_service_account.campaign_tasks.email
      }
      secrets = {
        RBM_SERVICE_ACCOUNT_KEY = google_secret_manager_secret.rbm_service_account_key.secret_id
      }
    }
  }
}

# Function sources. Objects are immutable and named after the zip's hash, so a code change uploads a new object
# and the new object name redeploys the function.
resource "google_storage_bucket" "sources" {
  project                     = var.project_id
  name                        = "${var.project_id}-${var.name_prefix}rbm-sources"
  location                    = var.region
  labels                      = var.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true # holds only rebuildable zips

  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.required]
}

data "archive_file" "function" {
  for_each = local.functions

  type             = "zip"
  source_dir       = "${var.dist_dir}/${each.key}"
  output_path      = "${path.module}/.build/${each.key}.zip"
  output_file_mode = "0644"
}

resource "google_storage_bucket_object" "function" {
  for_each = local.functions

  bucket       = google_storage_bucket.sources.name
  name         = "${each.key}/${data.archive_file.function[each.key].output_md5}.zip"
  source       = data.archive_file.function[each.key].output_path
  content_type = "application/zip"
}

resource "google_cloudfunctions2_function" "function" {
  for_each = local.functions

  project     = var.project_id
  location    = var.region
  name        = "${var.name_prefix}rbm-${each.key}"
  description = each.value.description
  labels      = var.labels

  build_config {
    runtime     = "nodejs22"
    entry_point = each.key
    # Dedicated build identity: new projects no longer let the default compute service account build.
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.function[each.key].name
      }
    }
  }

  service_config {
    available_memory               = "256Mi"
    timeout_seconds                = each.value.timeout_seconds
    max_instance_count             = each.value.max_instances
    ingress_settings               = each.value.ingress_settings
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.runtime[each.key].email
    environment_variables          = each.value.environment

    # Requests per instance, vCPUs and warm instances (scaling.tf).
    available_cpu                    = local.function_scaling[each.key].available_cpu
    max_instance_request_concurrency = local.function_scaling[each.key].max_instance_request_concurrency
    min_instance_count               = local.function_scaling[each.key].min_instance_count

    dynamic "secret_environment_variables" {
      for_each = each.value.secrets
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  # No event_trigger: inbound is fed by google_pubsub_subscription.inbound_push (pubsub.tf).

  depends_on = [
    google_project_iam_member.build,
    google_secret_manager_secret_iam_member.send_reads_rbm_service_account_key,
    google_secret_manager_secret_iam_member.revoke_reads_rbm_service_account_key,
    google_secret_manager_secret_iam_member.webhook_reads_client_token,
    google_secret_manager_secret_iam_member.messages_reads_page_token_key,
    google_secret_manager_secret_iam_member.events_reads_rbm_service_account_key,
    google_secret_manager_secret_iam_member.capabilities_reads_rbm_service_account_key,
    google_secret_manager_secret_iam_member.files_reads_rbm_service_account_key,
    google_secret_manager_secret_iam_member.campaigns_reads_rbm_service_account_key,
  ]
}
