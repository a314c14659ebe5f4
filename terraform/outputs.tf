# Names, URLs and identities only. No secret value ever reaches Terraform, so none can reach an output.

output "function_urls" {
  description = "HTTPS URL (run.app) of each function, by function name."
  value       = { for name, fn in google_cloudfunctions2_function.function : name => fn.service_config[0].uri }
}

output "send_url" {
  description = "Base URL for send: point RBM API clients at it (POST {url}/v1/phones/{E.164}/agentMessages). Callers need roles/run.invoker (invoker_members) and an ID token."
  value       = google_cloudfunctions2_function.function["send"].service_config[0].uri
}

output "revoke_url" {
  description = "Base URL for revoke (DELETE {url}/v1/phones/{E.164}/agentMessages/{messageId})."
  value       = google_cloudfunctions2_function.function["revoke"].service_config[0].uri
}

output "webhook_url" {
  description = "Register this URL, with the client token stored in the webhook client-token secret, as the agent's webhook in the RBM console."
  value       = google_cloudfunctions2_function.function["webhook"].service_config[0].uri
}

output "messages_url" {
  description = "Base URL of the query API (GET {url}/v1/phones/{E.164}/agentMessages[/{id}], GET {url}/v1/agentMessages, GET {url}/v1/phones/{E.164}/userMessages, GET|PUT {url}/v1/consents/{E.164})."
  value       = google_cloudfunctions2_function.function["messages"].service_config[0].uri
}

output "events_url" {
  description = "Base URL for agent events (POST {url}/v1/phones/{E.164}/agentEvents)."
  value       = google_cloudfunctions2_function.function["events"].service_config[0].uri
}

output "capabilities_url" {
  description = "Base URL for capabilities (GET {url}/v1/phones/{E.164}/capabilities, POST {url}/v1/users:batchGet)."
  value       = google_cloudfunctions2_function.function["capabilities"].service_config[0].uri
}

output "files_url" {
  description = "Base URL for files (POST {url}/v1/files)."
  value       = google_cloudfunctions2_function.function["files"].service_config[0].uri
}

output "campaigns_url" {
  description = "Base URL for campaigns (POST {url}/v1/campaigns, GET {url}/v1/campaigns/{id}, POST {url}/v1/campaigns/{id}:cancel)."
  value       = google_cloudfunctions2_function.function["campaigns"].service_config[0].uri
}

output "campaigns_queue" {
  description = "Full name of the Cloud Tasks queue that paces campaign dispatch (CLOUD_TASKS_QUEUE of campaigns)."
  value       = google_cloud_tasks_queue.campaigns.id
}

output "reconcile_url" {
  description = "URL of reconcile (called every 5 minutes by the rbm-reconcile Cloud Scheduler job)."
  value       = google_cloudfunctions2_function.function["reconcile"].service_config[0].uri
}

output "inbound_url" {
  description = "URL of inbound (internal ingress; called only by the rbm-inbound-to-inbound push subscription)."
  value       = google_cloudfunctions2_function.function["inbound"].service_config[0].uri
}

output "topic_ids" {
  description = "Full ids (projects/P/topics/T) of the Pub/Sub topics."
  value = {
    inbound             = google_pubsub_topic.inbound.id
    inbound_dead_letter = google_pubsub_topic.inbound_dead_letter.id
    user_messages       = google_pubsub_topic.user_messages.id
    consent_changes     = google_pubsub_topic.consent_changes.id
    message_status      = google_pubsub_topic.message_status.id
    fallback            = google_pubsub_topic.fallback.id
  }
}

output "user_messages_topic" {
  description = "Topic receiving each new user message as JSON: subscribe the business's own logic here."
  value       = google_pubsub_topic.user_messages.id
}

output "subscription_ids" {
  description = "Full ids (projects/P/subscriptions/S) of the Pub/Sub subscriptions; each *_pull is null unless its create_*_subscription variable is true."
  value = {
    inbound_push             = google_pubsub_subscription.inbound_push.id
    inbound_dead_letter_hold = google_pubsub_subscription.inbound_dead_letter_hold.id
    user_messages_pull       = one(google_pubsub_subscription.user_messages_pull[*].id)
    message_status_pull      = one(google_pubsub_subscription.message_status_pull[*].id)
    fallback_pull            = one(google_pubsub_subscription.fallback_pull[*].id)
    consent_changes_pull     = one(google_pubsub_subscription.consent_changes_pull[*].id)
  }
}

output "runtime_service_account_emails" {
  description = "Runtime service account of each function, by function name."
  value       = { for name, sa in google_service_account.runtime : name => sa.email }
}

output "build_service_account_email" {
  description = "Service account Cloud Build uses to build the functions."
  value       = google_service_account.build.email
}

output "reconcile_scheduler_service_account_email" {
  description = "Service account in the OIDC token of the rbm-reconcile scheduler job."
  value       = google_service_account.reconcile_scheduler.email
}

output "inbound_push_service_account_email" {
  description = "Service account in the OIDC token of the push subscription to inbound."
  value       = google_service_account.inbound_push.email
}

output "campaign_tasks_service_account_email" {
  description = "Service account in the OIDC token of every campaign task; the only identity besides invoker_members that invokes campaigns."
  value       = google_service_account.campaign_tasks.email
}

output "secret_ids" {
  description = "Secret Manager secrets to add versions to with `gcloud secrets versions add` (names only, no values)."
  value = {
    rbm_service_account_key  = google_secret_manager_secret.rbm_service_account_key.secret_id
    rbm_webhook_client_token = google_secret_manager_secret.rbm_webhook_client_token.secret_id
    rbm_page_token_key       = google_secret_manager_secret.rbm_page_token_key.secret_id
  }
}

output "source_bucket" {
  description = "Bucket holding the uploaded function zips."
  value       = google_storage_bucket.sources.name
}

output "alert_policy_names" {
  description = "Cloud Monitoring alert policies (projects/P/alertPolicies/ID): dead letters held, inbound backlog, 5xx share of the HTTP functions."
  value = {
    dead_letters_held = google_monitoring_alert_policy.dead_letters_held.name
    inbound_backlog   = google_monitoring_alert_policy.inbound_backlog.name
    http_5xx          = google_monitoring_alert_policy.http_5xx.name
  }
}

output "function_scaling" {
  description = "Per function: requests one instance serves at once, its vCPUs and its minimum instances (scaling.tf)."
  value       = local.function_scaling

  precondition {
    condition     = length(local.unknown_scaling_names) == 0
    error_message = "max_instance_request_concurrency and available_cpu name functions that do not exist: ${join(", ", sort(tolist(local.unknown_scaling_names)))}."
  }

  precondition {
    condition     = alltrue([for name, scaling in local.function_scaling : scaling.max_instance_request_concurrency == 1 || tonumber(scaling.available_cpu) >= 1])
    error_message = "A function serving more than 1 request at once needs available_cpu of at least 1: lower its max_instance_request_concurrency to 1 or raise its available_cpu."
  }

  precondition {
    condition     = var.webhook_min_instances <= var.webhook_max_instances
    error_message = "webhook_min_instances must not exceed webhook_max_instances."
  }
}

output "gateway_url" {
  description = "One base URL for every gateway route of docs/openapi.yaml, with an API key (the rootUrl of Google's generated RBM client). Null without enable_gateway."
  value       = var.enable_gateway ? "https://${google_api_gateway_gateway.gateway[0].default_hostname}" : null
}

output "gateway_api_key" {
  description = "The command that prints the gateway's API key (pass it as ?key= or x-api-key); the key itself is never an output. Null without enable_gateway."
  value       = var.enable_gateway ? "gcloud services api-keys get-key-string ${google_apikeys_key.gateway[0].id}" : null
}

output "gateway_service_account_email" {
  description = "Service account in the gateway's ID tokens: the only invoker it adds to the functions it routes to. Null without enable_gateway."
  value       = one(google_service_account.gateway[*].email)
}
