# The secrets themselves, without any value. Values never pass through Terraform (no variable, no state, no
# output): the operator adds them as secret versions with gcloud, see README.md. Functions read the latest
# version at instance start-up through secret_environment_variables (functions.tf).

# The RBM service-account key JSON (RBM_SERVICE_ACCOUNT_KEY of send and revoke).
resource "google_secret_manager_secret" "rbm_service_account_key" {
  project   = var.project_id
  secret_id = "${var.name_prefix}rbm-service-account-key"
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.required]
}

# The client token registered with RBM for the webhook (RBM_WEBHOOK_CLIENT_TOKEN of webhook).
resource "google_secret_manager_secret" "rbm_webhook_client_token" {
  project   = var.project_id
  secret_id = "${var.name_prefix}rbm-webhook-client-token"
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.required]
}

# The key that signs the query API's page tokens (RBM_PAGE_TOKEN_KEY of messages): any long random string, e.g.
# `openssl rand -base64 32`. Without it a token could be forged by anyone who knows the project and agent ids.
resource "google_secret_manager_secret" "rbm_page_token_key" {
  project   = var.project_id
  secret_id = "${var.name_prefix}rbm-page-token-key"
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.required]
}
